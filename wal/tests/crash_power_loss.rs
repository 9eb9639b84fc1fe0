//! Simulated power loss (CrashFs, reliability.md T3): every crash point of a small workload
//! (appends of several sizes, three segment rolls, a purge, a clean close and reopen) under
//! every outcome, plus 20,000 sampled crash states of a larger workload. After each crash:
//! recover, check (acknowledged ⇒ present and byte-identical, prefix without holes, no phantom),
//! recover again (idempotent), append, crash again at a random point (often inside recovery),
//! recover and check again. Plus every crash point inside a chunk extension (preallocation of
//! the next chunk of the active segment) of a workload that extends segments many times.
//! Seeds: `WAL_TEST_SEED`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::pedantic,
    missing_docs,
    reason = "test code"
)]

mod common;

use common::{
    Stats, Step, check_crash_state, exhaustive, extension_crash_points, print_stats, run_workload,
    sampled, small_opts, small_workload,
};
use gridlog_wal::testing::{Outcome, Rng, TraceOp};
use gridlog_wal::{Durability, WalOptions};

#[test]
fn every_crash_point_of_small_workload() {
    let seed = Rng::env_seed(1);
    let run = run_workload(&small_opts(), &small_workload());
    let mut st = Stats::default();
    exhaustive(&run, seed, &mut st);
    print_stats("power-loss exhaustive (small workload)", seed, &run, &st);
    assert!(
        run.last_segment_id >= 3,
        "the workload must roll at least twice"
    );
    assert!(st.violations.is_empty(), "{:?}", st.violations);
    assert!(st.torn_tails > 0, "the outcomes must produce torn tails");
}

#[test]
fn sampled_crash_states_of_larger_workload() {
    let seed = Rng::env_seed(2);
    let samples: usize = std::env::var("WAL_CRASH_SAMPLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000);
    let mut rng = Rng::new(seed);
    let mut steps = Vec::new();
    for i in 0..120 {
        steps.push(Step::Append(1 + rng.below(if i % 7 == 0 { 12 } else { 3 })));
        if i % 15 == 14 {
            steps.push(Step::PurgeBehind(20));
        }
    }
    let opts = WalOptions {
        segment_bytes_target: 8192,
        preallocate_chunk_bytes: 2048,
        durability: Durability::Always,
        // Covers rolls into a prepared spare (its background I/O is part of the trace) and
        // chunk extensions.
        prepare_spare: true,
        ..WalOptions::default()
    };
    // The spare thread races the appends: whether it prepares a spare in time for a roll
    // depends on scheduling, so the workload is rerun until its trace holds a roll into one.
    let spare = std::path::Path::new(common::DIR).join("wal.spare.tmp");
    let rolled_into_spare = |trace: &[TraceOp]| {
        trace
            .iter()
            .any(|op| matches!(op, TraceOp::Rename(from, _) if *from == spare))
    };
    let mut attempts = 1;
    let mut run = run_workload(&opts, &steps);
    while !rolled_into_spare(&run.fs.trace()) && attempts < 500 {
        attempts += 1;
        run = run_workload(&opts, &steps);
    }
    let trace = run.fs.trace();
    assert!(
        rolled_into_spare(&trace),
        "no run of the workload rolled into a prepared spare in {attempts} attempts"
    );
    let (extensions, inside) = common::extension_crash_points(&trace);
    assert!(extensions > 0, "the workload should have extended segments");
    println!(
        "  workload run {attempts} time(s) to get a roll into a prepared spare; chunk extensions in the trace: {extensions} ({} of its crash points are inside one)",
        inside.len()
    );
    let mut st = Stats::default();
    let t = std::time::Instant::now();
    sampled(&run, samples, seed, &mut st);
    print_stats("power-loss sampled (larger workload)", seed, &run, &st);
    println!("  took {:?}", t.elapsed());
    assert!(st.violations.is_empty(), "{:?}", st.violations);
}

/// A crash in the middle of a chunk extension (the `allocate` that grows the active segment,
/// its zero-fill, the batch written into it, before the sync that covers them): every such
/// crash point × every outcome of a workload that extends segments many times, with batches
/// larger than a chunk (one extension spans several chunks) and a close and reopen (appends
/// resume in a file whose length is whatever the last extension left).
#[test]
fn every_crash_point_inside_a_chunk_extension() {
    let seed = Rng::env_seed(4);
    let opts = WalOptions {
        segment_bytes_target: 8192,
        preallocate_chunk_bytes: 1024,
        durability: Durability::Always,
        prepare_spare: false,
        ..WalOptions::default()
    };
    let mut steps: Vec<Step> = (0..30u64).map(|i| Step::Append(1 + i % 5)).collect();
    steps.insert(12, Step::CloseReopen);
    steps.insert(20, Step::PurgeBehind(10));
    let run = run_workload(&opts, &steps);
    let (extensions, points) = extension_crash_points(&run.fs.trace());
    let mut st = Stats::default();
    let mut replay = run.fs.replay();
    for &k in &points {
        replay.advance_to(k);
        for (i, &o) in Outcome::ALL.iter().enumerate() {
            let s = seed ^ ((k as u64) << 8) ^ i as u64;
            check_crash_state(&run, &replay, k, o, s, 1, &mut st);
        }
    }
    print_stats("power-loss inside chunk extensions", seed, &run, &st);
    println!(
        "  chunk extensions: {extensions}; crash points inside them: {}",
        points.len()
    );
    assert!(run.last_segment_id >= 3, "the workload must roll");
    assert!(extensions >= 10, "only {extensions} chunk extensions");
    assert!(st.violations.is_empty(), "{:?}", st.violations);
}
