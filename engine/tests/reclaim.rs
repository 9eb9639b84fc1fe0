//! Segment reclamation: space comes back once every event is settled (or past retention for
//! topics nobody reads), and the namespace reopens from what is left (checkpoint + tail).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly by design"
)]
#![allow(
    clippy::duration_suboptimal_units,
    reason = "seconds read best next to the documented limits"
)]

mod common;

use std::time::Duration;

use common::{NOW, clock, event, id_of, open, options};
use gridlog::index::MemoryIndex;
use gridlog::{IndexRecovery, Namespace};

/// Publishes `batches` batches of 50 events of about 1 KiB (900 bytes of `fill`) to "orders",
/// with ids `{prefix}{batch}-{i}`.
fn publish_batches(ns: &Namespace, prefix: &str, batches: usize, fill: char) {
    let payload = fill.to_string().repeat(900);
    for batch in 0..batches {
        let events: Vec<_> = (0..50)
            .map(|i| {
                let json = format!(
                    r#"{{"specversion":"1.0","id":"{prefix}{batch}-{i}","source":"/t","type":"T","data":"{payload}"}}"#
                );
                gridlog::format::parse_structured(json.as_bytes()).unwrap()
            })
            .collect();
        ns.publish("orders", &events).unwrap();
    }
}

fn drain(ns: &Namespace, topic: &str, sub: &str) -> Vec<String> {
    let mut ids = Vec::new();
    loop {
        let got = ns.receive(topic, sub, 100, NOW).unwrap();
        if got.is_empty() {
            return ids;
        }
        let tokens: Vec<&str> = got.iter().map(|r| r.lock_token.as_str()).collect();
        assert_eq!(
            ns.acknowledge(topic, sub, &tokens).unwrap().succeeded.len(),
            got.len()
        );
        ids.extend(got.iter().map(|r| id_of(r.json())));
    }
}

#[test]
fn space_comes_back_after_everything_is_acked_and_reopen_works() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let index = MemoryIndex::default();
    let ns = open(dir.path(), &clock, &index);
    // ~1 KiB events, 64 KiB segments: about 60 events per segment.
    publish_batches(&ns, "e", 10, 'x');
    let before = ns.stats();
    assert!(before.wal_segments >= 8, "{before:?}");
    // Nothing settled: no segment with an event is reclaimed. Only the first segment may go:
    // publishes roll early to keep `PUBLISH_SEGMENT_RESERVE_BYTES` free, so it holds nothing
    // but the configuration, which the checkpoint covers.
    let report = ns.run_maintenance().unwrap();
    assert!(report.segments_purged <= 1, "{report:?}");
    assert_eq!(drain(&ns, "orders", "all").len(), 500);
    // `plain` still holds every event.
    assert_eq!(ns.run_maintenance().unwrap().segments_purged, 0);
    assert_eq!(drain(&ns, "orders", "plain").len(), 500);
    let report = ns.run_maintenance().unwrap();
    assert_eq!(report.checkpoints, 1);
    assert!(report.segments_purged >= 7, "{report:?}");
    let after = ns.stats();
    eprintln!(
        "reclaim: {} segments / {} bytes before, {} / {} after",
        before.wal_segments, before.wal_bytes, after.wal_segments, after.wal_bytes
    );
    assert!(after.wal_bytes * 4 < before.wal_bytes);
    assert!(after.wal_first_seq > 1);
    // A new event after reclamation, then a reopen that rebuilds from the checkpoint.
    ns.publish("orders", &[event("late", "T")]).unwrap();
    let held = ns.receive("orders", "all", 1, NOW).unwrap();
    drop(ns);
    for (round, index) in [index, MemoryIndex::default()].into_iter().enumerate() {
        let ns = Namespace::open(dir.path(), options(&clock, &index)).unwrap();
        match (&ns.open_report().index, round) {
            (IndexRecovery::Loaded { covered, replayed }, 0) => {
                eprintln!("index loaded: covered {covered}, replayed {replayed}");
            }
            (IndexRecovery::Rebuilt { reason, replayed }, 1) => {
                eprintln!("rebuilt ({reason}): replayed {replayed} records");
            }
            (other, _) => panic!("round {round}: unexpected recovery {other:?}"),
        }
        assert_eq!(ns.topics().len(), 2);
        assert!(ns.receive("orders", "all", 100, NOW).unwrap().is_empty());
        let renew = ns
            .renew_locks("orders", "all", &[&held[0].lock_token])
            .unwrap();
        assert_eq!(
            renew.succeeded.len(),
            1,
            "lock survives reclamation + reopen"
        );
        drop(ns); // a crash: the second round rebuilds without the index
    }
    let ns = Namespace::open(dir.path(), options(&clock, &MemoryIndex::default())).unwrap();
    assert_eq!(drain(&ns, "orders", "plain"), ["late"]);
    ns.close().unwrap();
}

#[test]
fn topics_without_subscriptions_keep_events_until_retention() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let ns = open(dir.path(), &clock, &MemoryIndex::default());
    ns.delete_subscription("orders", "all").unwrap();
    ns.delete_subscription("orders", "plain").unwrap();
    ns.delete_subscription("orders-dlq", "dead").unwrap();
    publish_batches(&ns, "u", 6, 'y');
    assert_eq!(ns.run_maintenance().unwrap().segments_purged, 0);
    // orders keeps 1 day, orders-dlq 7 days (both unread now): the longest wins.
    clock.advance(Duration::from_secs(86_400 + 120));
    assert_eq!(ns.run_maintenance().unwrap().segments_purged, 0);
    clock.advance(Duration::from_secs(6 * 86_400));
    let report = ns.run_maintenance().unwrap();
    assert!(report.segments_purged >= 3, "{report:?}");
}

#[test]
fn multi_chunk_checkpoints_rebuild_many_locks() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    // Small records: checkpoint chunks of 4 KiB, so 300 locks take several chunks.
    let small = || gridlog::NamespaceOptions {
        wal: gridlog::WalOptions {
            record_bytes_max: 8192,
            ..common::wal_options()
        },
        ..options(&clock, &MemoryIndex::default())
    };
    let ns = Namespace::open(dir.path(), small()).unwrap();
    ns.apply_config(&common::config()).unwrap();
    let payload = "z".repeat(900);
    let batch = |prefix: &str| -> Vec<gridlog::format::Event> {
        (0..100)
            .map(|i| {
                let json = format!(
                    r#"{{"specversion":"1.0","id":"{prefix}{i}","source":"/t","type":"T","data":"{payload}"}}"#
                );
                gridlog::format::parse_structured(json.as_bytes()).unwrap()
            })
            .collect()
    };
    for round in 0..3 {
        ns.publish("orders", &batch(&format!("old{round}-")))
            .unwrap();
    }
    drain(&ns, "orders", "all");
    drain(&ns, "orders", "plain");
    for round in 0..3 {
        ns.publish("orders", &batch(&format!("new{round}-")))
            .unwrap();
    }
    let mut held = Vec::new();
    loop {
        let got = ns.receive("orders", "all", 100, NOW).unwrap();
        if got.is_empty() {
            break;
        }
        held.extend(got);
    }
    assert_eq!(held.len(), 300);
    drain(&ns, "orders", "plain");
    let report = ns.run_maintenance().unwrap();
    assert_eq!(report.checkpoints, 1);
    assert!(report.segments_purged >= 3, "{report:?}");
    drop(ns);
    let ns = Namespace::open(dir.path(), small()).unwrap();
    match &ns.open_report().index {
        IndexRecovery::Rebuilt { replayed, .. } => eprintln!("rebuilt: {replayed} records"),
        other => panic!("expected a rebuild, got {other:?}"),
    }
    let tokens: Vec<&str> = held.iter().map(|r| r.lock_token.as_str()).collect();
    let renewed = ns.renew_locks("orders", "all", &tokens).unwrap();
    assert_eq!(
        renewed.succeeded.len(),
        300,
        "every lock rebuilt from the chunked checkpoint"
    );
    ns.close().unwrap();
    let (wal, _) = gridlog::wal::Wal::open(
        dir.path().join("wal"),
        gridlog::WalOptions {
            record_bytes_max: 8192,
            ..common::wal_options()
        },
    )
    .unwrap();
    let mut chunks = 0;
    for item in wal.iter_from(wal.first_seq()) {
        let (seq, bytes) = item.unwrap();
        if let gridlog::record::StateRecord::Checkpoint { count, .. } =
            gridlog::record::decode(seq.0, &bytes).unwrap()
        {
            chunks = count;
        }
    }
    assert!(chunks >= 2, "the checkpoint took {chunks} chunk(s)");
    wal.close().unwrap();
}

/// With the default options (real clock, sled index, background maintenance), space comes back
/// by itself: nobody calls `run_maintenance`.
#[test]
fn default_options_reclaim_space_by_themselves() {
    let dir = tempfile::tempdir().unwrap();
    let ns = Namespace::open(
        dir.path(),
        gridlog::NamespaceOptions {
            wal: gridlog::WalOptions {
                segment_bytes_target: 64 << 10,
                ..gridlog::WalOptions::default()
            },
            ..gridlog::NamespaceOptions::default()
        },
    )
    .unwrap();
    assert_eq!(
        gridlog::NamespaceOptions::default().maintenance_interval,
        Some(gridlog::MAINTENANCE_INTERVAL_DEFAULT)
    );
    ns.apply_config(&common::config()).unwrap();
    publish_batches(&ns, "e", 10, 'x');
    let before = ns.stats().wal_segments;
    assert!(before >= 8, "{before} segments");
    assert_eq!(drain(&ns, "orders", "all").len(), 500);
    assert_eq!(drain(&ns, "orders", "plain").len(), 500);
    // A few sweeps at the default interval; the bound only keeps a broken build from hanging.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    let mut after = ns.stats().wal_segments;
    while after > 2 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        after = ns.stats().wal_segments;
    }
    println!(
        "reclaim: default options, {before} segments before settling, {after} after the background sweep"
    );
    assert!(
        after <= 2,
        "{before} segments before, {after} after settling"
    );
    ns.close().unwrap();
}
