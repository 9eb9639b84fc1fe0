//! `Wal::stats`: syncs counted and timed at the file-system boundary, writes, segment figures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::pedantic,
    missing_docs,
    reason = "test code"
)]

use gridlog_wal::{Durability, Wal, WalOptions};

#[test]
fn always_appends_are_counted_as_data_syncs_and_rolls_show_in_segments() {
    let dir = tempfile::tempdir().unwrap();
    let opts = WalOptions {
        segment_bytes_target: 4096,
        durability: Durability::Always,
        ..WalOptions::default()
    };
    let (wal, _) = Wal::open(dir.path(), opts.clone()).unwrap();
    let before = wal.stats();
    for i in 0..50u8 {
        wal.append(&[i; 200]).unwrap();
    }
    let after = wal.stats();
    let data_syncs = after.data_syncs - before.data_syncs;
    // One sequential appender: every append leads its own group commit; rolls add two each.
    assert!(data_syncs >= 50, "{data_syncs} data syncs for 50 appends");
    assert!(
        after.dir_syncs > before.dir_syncs,
        "rolls sync the directory"
    );
    let delta = after.sync_latency.since(&before.sync_latency);
    assert_eq!(delta.count(), after.syncs() - before.syncs());
    assert!(delta.sum_nanos > 0);
    assert!(after.writes - before.writes >= 50);
    assert!(after.bytes_written - before.bytes_written >= 50 * 200);
    let segments = wal.segments();
    assert_eq!(after.segments, segments.len());
    assert!(after.segments >= 3, "200-byte records roll 4 KiB segments");
    assert_eq!(
        after.segment_bytes_used,
        segments.iter().map(|s| s.bytes).sum::<u64>()
    );
    assert!(after.segment_bytes_on_disk >= after.segment_bytes_used);
    println!(
        "50 appends: {data_syncs} data syncs, {} syncs in all, p50 <= {:?} ns",
        after.syncs(),
        after.sync_latency.quantile_upper_bound(0.5)
    );
    wal.close().unwrap();
}

#[test]
fn never_durability_appends_without_syncing() {
    let dir = tempfile::tempdir().unwrap();
    let opts = WalOptions {
        durability: Durability::Never,
        // No background preparation: its zero-fill writes and syncs would race the counts.
        prepare_spare: false,
        ..WalOptions::default()
    };
    let (wal, _) = Wal::open(dir.path(), opts).unwrap();
    let before = wal.stats();
    for i in 0..20u8 {
        wal.append(&[i; 100]).unwrap();
    }
    let after = wal.stats();
    assert_eq!(after.data_syncs, before.data_syncs);
    assert_eq!(after.writes - before.writes, 20);
    wal.sync().unwrap();
    assert_eq!(wal.stats().data_syncs, before.data_syncs + 1);
}
