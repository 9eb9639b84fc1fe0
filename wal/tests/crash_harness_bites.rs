//! Proof that the power-loss harness bites: the same exhaustive small workload, run with a
//! deliberately broken log (`WalOptions::mutant`), must report violations. A harness that
//! passes a log without directory fsyncs, without tail truncation or without syncs tests nothing.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::pedantic,
    missing_docs,
    reason = "test code"
)]

mod common;

use common::{Stats, exhaustive, print_stats, run_workload, small_opts, small_workload};
use gridlog_wal::testing::Rng;
use gridlog_wal::{Mutant, WalOptions};

fn bites(mutant: Mutant) {
    let seed = Rng::env_seed(1);
    let opts = WalOptions {
        mutant,
        ..small_opts()
    };
    let run = run_workload(&opts, &small_workload());
    let mut st = Stats::default();
    exhaustive(&run, seed, &mut st);
    print_stats(
        &format!("harness bites: mutant {mutant:?}"),
        seed,
        &run,
        &st,
    );
    assert!(
        !st.violations.is_empty(),
        "the harness did not notice mutant {mutant:?}"
    );
}

#[test]
fn missing_directory_fsync_is_caught() {
    bites(Mutant::SkipDirSync);
}

#[test]
fn missing_tail_truncation_is_caught() {
    bites(Mutant::SkipTailTruncation);
}

#[test]
fn missing_sync_is_caught() {
    bites(Mutant::SkipSync);
}
