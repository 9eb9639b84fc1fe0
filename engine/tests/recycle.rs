//! Reclamation with WAL segment recycling (`WalOptions::recycle_segments`) under simulated power
//! loss: a namespace with preallocated 8 KiB segments publishes, consumes and reclaims in rounds,
//! so purged segment files become the next segments (their old frames still in them). Then a
//! crash at every second file-system op of the workload (and at every boundary of an
//! acknowledged call), each under every outcome, is reopened (index rebuilt from the WAL) and
//! drained: no acknowledged event is delivered again, no acknowledged publish is lost.
//! Seed: none (the workload is fixed; `CrashFs` outcomes are seeded from the crash point).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly by design"
)]

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use common::{NOW, clock, id_of, vfs_options};
use gridlog::index::MemoryIndex;
use gridlog::wal::testing::{CrashFs, Outcome, TraceOp};
use gridlog::{ManualClock, Namespace, NamespaceConfig, NamespaceOptions, WalOptions};

const ROOT: &str = "/ns";

fn config() -> NamespaceConfig {
    NamespaceConfig::from_json_str(
        r#"{"topics":[{"name":"orders","eventSubscriptions":[{"name":"work","properties":{
          "deliveryConfiguration":{"deliveryMode":"Queue","queue":{"receiveLockDurationInSeconds":60,
          "maxDeliveryCount":10}}}}]}]}"#,
    )
    .unwrap()
}

fn recycling_options(clock: &Arc<ManualClock>, fs: &CrashFs) -> NamespaceOptions {
    NamespaceOptions {
        wal: WalOptions {
            segment_bytes_target: 8192,
            // Whole segments: every sealed file is one target long, so purges recycle.
            preallocate_chunk_bytes: 8192,
            preallocate: true,
            // Deterministic traces; no spare waits, so every purge recycles one file.
            prepare_spare: false,
            recycle_segments: true,
            ..common::wal_options()
        },
        ..vfs_options(clock, &MemoryIndex::default(), Arc::new(fs.clone()))
    }
}

fn event(id: &str) -> gridlog::format::Event {
    let json = format!(
        r#"{{"specversion":"1.0","id":"{id}","source":"/recycle","type":"T","data":"{}"}}"#,
        "r".repeat(400)
    );
    gridlog::format::parse_structured(json.as_bytes()).unwrap()
}

enum Op {
    Published(Vec<String>),
    Acked(Vec<String>),
}

/// (op, fs ops when the call started, when it returned)
type Done = (Op, usize, usize);

fn run_workload(fs: &CrashFs, clock: &Arc<ManualClock>) -> Vec<Done> {
    let ns = Namespace::open(ROOT, recycling_options(clock, fs)).unwrap();
    ns.apply_config(&config()).unwrap();
    let mut done = Vec::new();
    let mut next = 0;
    for round in 0..12 {
        let start = fs.ops();
        let ids: Vec<String> = (0..8)
            .map(|_| {
                next += 1;
                format!("e{next}")
            })
            .collect();
        let events: Vec<_> = ids.iter().map(|id| event(id)).collect();
        ns.publish("orders", &events).unwrap();
        done.push((Op::Published(ids), start, fs.ops()));
        // Consume all but the last round's events.
        if round < 11 {
            let got = ns.receive("orders", "work", 100, NOW).unwrap();
            let start = fs.ops();
            let tokens: Vec<&str> = got.iter().map(|r| r.lock_token.as_str()).collect();
            let out = ns.acknowledge("orders", "work", &tokens).unwrap();
            assert_eq!(out.succeeded.len(), got.len());
            let ids = got.iter().map(|r| id_of(r.json())).collect();
            done.push((Op::Acked(ids), start, fs.ops()));
        }
        ns.run_maintenance().unwrap();
    }
    let recycled = ns.wal_stats().segments_recycled;
    assert!(recycled >= 3, "the workload must recycle: {recycled}");
    drop(ns);
    done
}

/// Reopens a crashed state after op `k` and drains it; returns the events delivered.
fn check(fs: &CrashFs, done: &[Done], k: usize, what: &str) -> usize {
    let clock = clock();
    let ns = match Namespace::open(ROOT, recycling_options(&clock, fs)) {
        Ok(ns) => ns,
        Err(error) => panic!("{what}: open failed: {error}"),
    };
    // The configuration is acknowledged once all its records are synced: a power loss before
    // that may keep a prefix of them, the topic without its subscription (docs/reliability.md).
    if ns.topic("orders").is_none() || ns.subscription("orders", "work").is_none() {
        assert!(
            done.iter().all(|d| d.2 > k),
            "{what}: topic or subscription lost"
        );
        return 0;
    }
    let ids = |pick: &dyn Fn(&Done) -> bool, published: bool| -> BTreeSet<String> {
        done.iter()
            .filter(|d| pick(d))
            .filter_map(|d| match (&d.0, published) {
                (Op::Published(ids), true) | (Op::Acked(ids), false) => Some(ids.clone()),
                _ => None,
            })
            .flatten()
            .collect()
    };
    let acked = ids(&|d| d.2 <= k, false);
    let maybe_acked = ids(&|d| d.1 < k, false);
    let published = ids(&|d| d.2 <= k, true);
    // Locks taken before the crash expire; then everything left is delivered once.
    clock.advance(Duration::from_mins(2));
    let mut delivered = BTreeSet::new();
    loop {
        let got = ns.receive("orders", "work", 100, NOW).unwrap();
        if got.is_empty() {
            break;
        }
        for r in &got {
            let id = id_of(r.json());
            assert!(
                !acked.contains(&id),
                "{what}: acknowledged event {id} delivered again"
            );
            assert!(delivered.insert(id.clone()), "{what}: {id} delivered twice");
        }
        let tokens: Vec<&str> = got.iter().map(|r| r.lock_token.as_str()).collect();
        ns.acknowledge("orders", "work", &tokens).unwrap();
    }
    for id in &published {
        assert!(
            delivered.contains(id) || maybe_acked.contains(id),
            "{what}: acknowledged publish {id} lost"
        );
    }
    // The log still takes publishes.
    ns.publish("orders", &[event("after")]).unwrap();
    delivered.len()
}

#[test]
fn power_loss_while_reclaiming_into_recycled_segments() {
    let fs = CrashFs::new();
    let workload_clock = clock();
    let done = run_workload(&fs, &workload_clock);
    let trace = fs.trace();
    let spare = std::path::Path::new(ROOT).join("wal").join("wal.spare.tmp");
    let recycles = trace
        .iter()
        .filter(|op| matches!(op, TraceOp::Rename(_, to) if *to == spare))
        .count();
    let rolls_into_recycled = trace
        .iter()
        .filter(|op| matches!(op, TraceOp::Rename(from, _) if *from == spare))
        .count();
    assert!(
        recycles >= 3 && rolls_into_recycled >= 3,
        "recycled {recycles}, rolled into {rolls_into_recycled}"
    );
    let mut replay = fs.replay();
    let total = replay.len();
    let mut points: BTreeSet<usize> = done.iter().flat_map(|d| [d.1, d.2]).collect();
    points.extend((0..=total).step_by(2));
    let (mut states, mut delivered) = (0_usize, 0_usize);
    for k in points {
        replay.advance_to(k.min(total));
        for (i, outcome) in Outcome::ALL.iter().enumerate() {
            let crashed = replay.crash(*outcome, (k as u64) << 8 ^ i as u64);
            delivered += check(
                &crashed,
                &done,
                k,
                &format!("crash at op {k}/{total} {outcome:?}"),
            );
            states += 1;
        }
    }
    eprintln!(
        "power loss with recycled segments: {states} crash states, {recycles} files recycled, \
         {rolls_into_recycled} rolls into them, {delivered} events drained"
    );
    assert!(states > 500);
}
