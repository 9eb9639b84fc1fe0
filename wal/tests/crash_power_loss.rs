//! Simulated power loss (CrashFs, reliability.md T3): every crash point of a small workload
//! (appends of several sizes, three segment rolls, a purge, a clean close and reopen) under
//! every outcome, plus 20,000 sampled crash states of a larger workload. After each crash:
//! recover, check (acknowledged ⇒ present and byte-identical, prefix without holes, no phantom),
//! recover again (idempotent), append, crash again at a random point (often inside recovery),
//! recover and check again. Seeds: `WAL_TEST_SEED`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::pedantic,
    missing_docs,
    reason = "test code"
)]

mod common;

use common::{
    Stats, Step, exhaustive, print_stats, run_workload, sampled, small_opts, small_workload,
};
use gridlog_wal::testing::Rng;
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
        durability: Durability::Always,
        // Covers rolls into a prepared spare (its background I/O is part of the trace).
        prepare_spare: true,
        ..WalOptions::default()
    };
    let run = run_workload(&opts, &steps);
    let names = gridlog_wal::Vfs::list(&run.fs, std::path::Path::new(common::DIR)).unwrap();
    assert!(
        names.iter().any(|n| n == "wal.spare.tmp"),
        "the workload should have prepared a spare segment: {names:?}"
    );
    let mut st = Stats::default();
    let t = std::time::Instant::now();
    sampled(&run, samples, seed, &mut st);
    print_stats("power-loss sampled (larger workload)", seed, &run, &st);
    println!("  took {:?}", t.elapsed());
    assert!(st.violations.is_empty(), "{:?}", st.violations);
}
