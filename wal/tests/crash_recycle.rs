//! Simulated power loss (CrashFs) at every step of segment recycling: a workload whose purges
//! turn purged segments into the spare (rename to `wal.spare.tmp` after `wal.meta`) and whose
//! rolls write new headers into those files and append over their old frames (records of the
//! same sizes, so old frames line up with new ones), with a clean close and reopen while a
//! recycled segment is active. Every crash point × every outcome, then recovery, the checks of
//! the harness (acknowledged ⇒ present and byte-identical, prefix without holes, no stale or
//! phantom record), recovery again, appends, and more crashes (common/mod.rs).
//! Seed: `WAL_TEST_SEED`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::pedantic,
    missing_docs,
    reason = "test code"
)]

mod common;

use std::path::Path;

use common::{Stats, Step, exhaustive, print_stats, run_workload};
use gridlog_wal::testing::{Rng, TraceOp};
use gridlog_wal::{Durability, WalOptions};

fn recycling_opts() -> WalOptions {
    WalOptions {
        segment_bytes_target: 4096,
        // Whole segments: every sealed file is one target long, so purges recycle.
        preallocate_chunk_bytes: 4096,
        durability: Durability::Always,
        // Deterministic traces; no spare ever waits, so every purge recycles one file.
        prepare_spare: false,
        ..WalOptions::default()
    }
}

fn recycling_workload() -> Vec<Step> {
    use Step::{Append, CloseReopen, PurgeBehind};
    vec![
        Append(2),
        Append(3),
        Append(1),
        Append(4),
        Append(2),
        Append(3),
        Append(2),
        PurgeBehind(3),
        Append(1),
        Append(3),
        Append(2),
        Append(4),
        Append(2),
        PurgeBehind(3),
        Append(2),
        Append(3),
        Append(5),
        Append(2),
        CloseReopen,
        Append(3),
        Append(1),
        PurgeBehind(2),
        Append(4),
        Append(3),
        Append(2),
    ]
}

#[test]
fn every_crash_point_of_a_recycling_workload() {
    let seed = Rng::env_seed(5);
    let run = run_workload(&recycling_opts(), &recycling_workload());
    let trace = run.fs.trace();
    let spare = Path::new(common::DIR).join("wal.spare.tmp");
    let recycles = trace
        .iter()
        .filter(|op| matches!(op, TraceOp::Rename(from, to) if *to == spare && from.extension().is_some_and(|e| e == "wal")))
        .count();
    let rolls_into_recycled = trace
        .iter()
        .filter(|op| matches!(op, TraceOp::Rename(from, _) if *from == spare))
        .count();
    let mut st = Stats::default();
    let t = std::time::Instant::now();
    exhaustive(&run, seed, &mut st);
    print_stats(
        "power-loss exhaustive (recycling workload)",
        seed,
        &run,
        &st,
    );
    println!(
        "  recycled files: {recycles}; rolls into a recycled file: {rolls_into_recycled}; took {:?}",
        t.elapsed()
    );
    assert!(recycles >= 2, "the workload must recycle: {recycles}");
    assert!(
        rolls_into_recycled >= 2,
        "the workload must roll into recycled files: {rolls_into_recycled}"
    );
    assert!(st.violations.is_empty(), "{:?}", st.violations);
    assert!(st.torn_tails > 0, "the outcomes must produce torn tails");
}
