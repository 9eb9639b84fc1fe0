//! Event Hubs under simulated power loss at every crash point of a workload (wal's `CrashFs`):
//! every acknowledged send is present with the same partition, sequence numbers and offsets,
//! each partition's numbers run without a gap, nothing is stored twice, and nothing is there
//! that no send began before the crash.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation,
    reason = "a test fails loudly by design"
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use common::{clock, seed, vfs_options};
use gridlog::index::MemoryIndex;
use gridlog::wal::testing::{CrashFs, Rng};
use gridlog::{EventPosition, ManualClock, Namespace, NamespaceConfig};

const ROOT: &str = "/ns";
const PARTITIONS: u32 = 3;

/// Body → (partition, sequence number, offset).
type Places = BTreeMap<String, (u32, i64, i64)>;

/// One acknowledged send: the file-system ops it spanned and where its events landed.
struct Done {
    start: usize,
    end: usize,
    placed: Places,
}

fn config() -> NamespaceConfig {
    NamespaceConfig::from_json_str(
        r#"{"eventHubs":[{"name":"jobs","properties":{"partitionCount":3}}]}"#,
    )
    .unwrap()
}

fn run_workload(fs: &CrashFs, clock: &Arc<ManualClock>, rng: &mut Rng) -> (Vec<Done>, usize) {
    let ns = Namespace::open(
        ROOT,
        vfs_options(clock, &MemoryIndex::default(), Arc::new(fs.clone())),
    )
    .unwrap();
    ns.apply_config(&config()).unwrap();
    let configured = fs.ops();
    let mut done = Vec::new();
    let mut next = 0;
    for _ in 0..12 {
        match rng.below(6) {
            0 => {
                ns.run_maintenance().unwrap();
                continue;
            }
            1 => {
                clock.advance(Duration::from_secs(5));
                continue;
            }
            _ => {}
        }
        let ids: Vec<String> = (0..=rng.below(3))
            .map(|_| {
                next += 1;
                format!("e{next}")
            })
            .collect();
        let start = fs.ops();
        let placed = common::random_hub_send(&ns, rng, &ids, 5, PARTITIONS)
            .into_iter()
            .collect();
        let end = fs.ops();
        done.push(Done { start, end, placed });
    }
    drop(ns);
    (done, configured)
}

/// Every stored event, checking that each partition's numbers run 0, 1, … without a gap.
fn stored(ns: &Namespace, what: &str) -> Places {
    let mut all = Places::new();
    for partition in 0..PARTITIONS {
        let events = ns
            .read_partition(
                "jobs",
                "$Default",
                partition,
                &EventPosition::Earliest,
                1_000,
            )
            .unwrap();
        for (expected, event) in (0..).zip(&events) {
            assert_eq!(event.sequence_number, expected, "{what}: a gap");
            let id = String::from_utf8(event.bytes.clone()).unwrap();
            let place = (partition, event.sequence_number, event.offset);
            assert!(all.insert(id, place).is_none(), "{what}: stored twice");
        }
        let info = ns.partition_info("jobs", partition).unwrap();
        assert_eq!(
            info.last_sequence_number + 1,
            i64::try_from(events.len()).unwrap(),
            "{what}"
        );
    }
    all
}

/// Returns the acknowledged events it found in place.
fn check_after_crash(fs: CrashFs, done: &[Done], configured: usize, k: usize, what: &str) -> usize {
    let clock = clock();
    let ns = match Namespace::open(
        ROOT,
        vfs_options(&clock, &MemoryIndex::default(), Arc::new(fs)),
    ) {
        Ok(ns) => ns,
        Err(error) => {
            assert!(k < configured, "{what}: open failed: {error}");
            return 0;
        }
    };
    if ns.hub_info("jobs").is_err() {
        assert!(k < configured, "{what}: the hub is lost");
        return 0;
    }
    let all = stored(&ns, what);
    let mut found = 0;
    for send in done.iter().filter(|send| send.end <= k) {
        for (id, place) in &send.placed {
            assert_eq!(
                all.get(id),
                Some(place),
                "{what}: acknowledged {id} moved or lost"
            );
            found += 1;
        }
    }
    let begun: BTreeSet<&String> = done
        .iter()
        .filter(|send| send.start < k)
        .flat_map(|send| send.placed.keys())
        .collect();
    for id in all.keys() {
        assert!(
            begun.contains(id),
            "{what}: {id} stored before its send began"
        );
    }
    ns.close().unwrap();
    found
}

#[test]
fn power_loss_at_every_crash_point_keeps_hub_numbers_and_offsets() {
    let seed = seed("GRIDLOG_HUB_CRASH_SEED", 0x4b1d_0002);
    let mut rng = Rng::new(seed);
    let mut states = 0_usize;
    let mut found = 0_usize;
    for round in 0..6 {
        let fs = CrashFs::new();
        let workload_clock = clock();
        let (done, configured) = run_workload(&fs, &workload_clock, &mut rng);
        let bounds = done.iter().flat_map(|d| [d.start, d.end]);
        states += common::for_each_crash_state(&fs, bounds, seed, |crashed, k, at| {
            found += check_after_crash(
                crashed,
                &done,
                configured,
                k,
                &format!("seed {seed} round {round} {at}"),
            );
        });
    }
    eprintln!(
        "hub power loss: {states} crash states checked, {found} acknowledged events found in \
         place (seed {seed})"
    );
    assert!(found > 0, "no acknowledged send was checked");
}
