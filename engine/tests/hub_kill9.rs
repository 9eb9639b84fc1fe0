//! kill -9 loop for Event Hubs: a child process (this test binary re-executed with
//! `GRIDLOG_HUB_KILL_DIR` set) sends batches to a hub (by partition id, by key, round-robin)
//! on a real data directory (`Always` durability) and prints each acknowledged send with the
//! sequence numbers and offsets it read back; it also resumes a consumer from the last offset it
//! printed. The parent SIGKILLs it at random points (some during open) and at the end checks
//! that every acknowledged event is present exactly once, at the same partition, sequence
//! number and offset, that each partition's numbers run 0, 1, 2, … without a gap, and that the
//! state rebuilt from the WAL (index gone) is the same.
//!
//! Cycles: `GRIDLOG_HUB_KILL_CYCLES` (default 40). Seed: `GRIDLOG_HUB_KILL_SEED` (printed).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation,
    clippy::too_many_lines,
    reason = "a test fails loudly by design; the loop reads best in one piece"
)]

mod common;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

use common::seed;
use gridlog::wal::testing::Rng;
use gridlog::{EventPosition, Namespace, NamespaceConfig};

const CHILD_DIR: &str = "GRIDLOG_HUB_KILL_DIR";
const CHILD_SEED: &str = "GRIDLOG_HUB_KILL_CHILD_SEED";
const CHILD_SLED: &str = "GRIDLOG_HUB_KILL_CHILD_SLED";
const PARTITIONS: u32 = 3;

fn kill_config() -> NamespaceConfig {
    NamespaceConfig::from_json_str(
        r#"{"eventHubs":[{"name":"jobs","properties":{"partitionCount":3}}]}"#,
    )
    .unwrap()
}

/// The child: runs until killed (or 20 s), printing `@S id partition sequence offset` for each
/// event of each acknowledged send (after reading it back) and `@C partition offset count` for
/// each consumer read that resumed after the last offset it had seen.
#[test]
fn hub_kill_child() {
    let Ok(dir) = std::env::var(CHILD_DIR) else {
        return;
    };
    let seed: u64 = std::env::var(CHILD_SEED).unwrap().parse().unwrap();
    let mut rng = Rng::new(seed);
    let mut out = std::io::stdout().lock();
    let ns = Namespace::open(
        &dir,
        common::kill_child_options(std::env::var(CHILD_SLED).is_ok()),
    )
    .unwrap();
    writeln!(out, "\n@O").unwrap();
    ns.apply_config(&kill_config()).unwrap();
    let started = Instant::now();
    let mut n = 0;
    let mut consumer: BTreeMap<u32, i64> = BTreeMap::new();
    while started.elapsed() < Duration::from_secs(20) {
        if rng.below(5) == 0 {
            let partition = rng.below(u64::from(PARTITIONS)) as u32;
            let from = consumer
                .get(&partition)
                .map_or(EventPosition::Earliest, |&offset| EventPosition::Offset {
                    offset,
                    inclusive: false,
                });
            let got = ns
                .read_partition("jobs", "$Default", partition, &from, 50)
                .unwrap();
            if let Some(last) = got.last() {
                consumer.insert(partition, last.offset);
                writeln!(out, "@C {partition} {} {}", last.offset, got.len()).unwrap();
            }
            continue;
        }
        let ids: Vec<String> = (0..=rng.below(4))
            .map(|_| {
                n += 1;
                format!("s{seed}-{n}")
            })
            .collect();
        for (id, (partition, sequence, offset)) in
            common::random_hub_send(&ns, &mut rng, &ids, 20, PARTITIONS)
        {
            writeln!(out, "@S {id} {partition} {sequence} {offset}").unwrap();
        }
    }
}

/// Every event of every partition: body → (partition, sequence number, offset).
fn all_events(ns: &Namespace) -> BTreeMap<String, (u32, i64, i64)> {
    let mut all = BTreeMap::new();
    for partition in 0..PARTITIONS {
        let mut from = EventPosition::Earliest;
        let mut expected = 0;
        loop {
            let got = ns
                .read_partition("jobs", "$Default", partition, &from, 1_000)
                .unwrap();
            let Some(last) = got.last() else { break };
            from = EventPosition::Offset {
                offset: last.offset,
                inclusive: false,
            };
            for event in &got {
                assert_eq!(
                    event.sequence_number, expected,
                    "partition {partition}: a gap"
                );
                expected += 1;
                let id = String::from_utf8(event.bytes.clone()).unwrap();
                let place = (partition, event.sequence_number, event.offset);
                assert!(all.insert(id.clone(), place).is_none(), "{id} stored twice");
            }
        }
        let info = ns.partition_info("jobs", partition).unwrap();
        assert_eq!(info.last_sequence_number, expected - 1);
    }
    all
}

#[test]
fn hub_kill_9_loop_keeps_numbers_and_offsets() {
    if std::env::var(CHILD_DIR).is_ok() {
        return;
    }
    let cycles: u64 = std::env::var("GRIDLOG_HUB_KILL_CYCLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(40);
    let seed = seed("GRIDLOG_HUB_KILL_SEED", 0x4b1d);
    let mut rng = Rng::new(seed);
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("ns");
    let exe = std::env::current_exe().unwrap();
    let mut acked: BTreeMap<String, (u32, i64, i64)> = BTreeMap::new();
    let mut resumed = 0_u64;
    let mut killed_in_open = 0;
    for cycle in 0..cycles {
        let mut command = Command::new(&exe);
        if cycle % 4 == 3 {
            command.env(CHILD_SLED, "1");
        }
        let child = common::KillChild::spawn(
            command
                .args([
                    "--exact",
                    "hub_kill_child",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(CHILD_DIR, &dir)
                .env(CHILD_SEED, (seed ^ ((cycle + 1) * 0x9e37_79b9)).to_string()),
        );
        std::thread::sleep(Duration::from_millis(rng.below(400)));
        let (complete, opened) = child.kill(&format!("cycle {cycle}"));
        if !opened {
            killed_in_open += 1;
        }
        for line in complete.lines() {
            let parts: Vec<&str> = line.split(' ').collect();
            match parts.as_slice() {
                ["@S", id, partition, sequence, offset] => {
                    let place = (
                        partition.parse().unwrap(),
                        sequence.parse().unwrap(),
                        offset.parse().unwrap(),
                    );
                    assert!(acked.insert((*id).to_owned(), place).is_none());
                }
                ["@C", ..] => resumed += 1,
                _ => {}
            }
        }
    }
    let ns = Namespace::open(&dir, common::kill_child_options(true)).unwrap();
    let stored = all_events(&ns);
    let stats = ns.stats().hubs;
    ns.close().unwrap();
    for (id, place) in &acked {
        assert_eq!(
            stored.get(id),
            Some(place),
            "acknowledged {id} moved or lost"
        );
    }
    // The same from the WAL alone.
    std::fs::remove_dir_all(dir.join("index")).unwrap();
    let ns = Namespace::open(&dir, common::kill_child_options(true)).unwrap();
    assert!(matches!(
        ns.open_report().index,
        gridlog::IndexRecovery::Rebuilt { .. }
    ));
    assert_eq!(all_events(&ns), stored);
    assert_eq!(ns.stats().hubs, stats);
    ns.close().unwrap();
    println!(
        "{cycles} kills ({killed_in_open} during open), {} acknowledged events checked, {} \
         stored, {resumed} consumer resumes",
        acked.len(),
        stored.len()
    );
    assert!(!acked.is_empty(), "no child acknowledged a send");
}
