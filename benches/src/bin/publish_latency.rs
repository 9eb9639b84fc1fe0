//! Publish latency per batch: where a publisher's time goes (issue 4).
//!
//! `cargo run --release -p gridlog-benches --bin publish_latency`
//!
//! Publishes `PUBLISH_LATENCY_N` (default 300,000) 1 KiB events in batches of 100 into a new
//! namespace with the default options, timing each `publish` call, and prints the batch latency
//! percentiles, the share of the run spent in batches over 1 ms (segment rolls and syncs queued
//! behind other writes land there), the WAL's sync counts and the throughput; then publishes
//! at half that throughput (open loop) for `PUBLISH_LATENCY_PACED_SECS` (default 5) and prints
//! the batch latency p50 / p99 / p99.9 counted from when each batch was due. Environment:
//! `PUBLISH_LATENCY_N`, `PUBLISH_LATENCY_DIR` (default: the system temp dir),
//! `PUBLISH_LATENCY_MAINTENANCE_MS` (the background sweep's interval; 0 = off; default: the
//! engine's default). Informational: it has no target of its own; `engine_ratio` holds the
//! publish targets.

#![allow(
    clippy::expect_used,
    clippy::cast_precision_loss,
    reason = "a benchmark binary: aborting on an I/O error is the right behaviour; rates are f64"
)]

#[path = "../probe.rs"]
mod probe;

use std::time::{Duration, Instant};

use gridlog::format::{Event, parse_structured};
use gridlog::{Namespace, NamespaceConfig, NamespaceOptions};
use probe::env_u64;

const BATCH: usize = 100;
const EVENT_BYTES: usize = 1024;
const SLOW: Duration = Duration::from_millis(1);

fn batch() -> Vec<Event> {
    (0..BATCH)
        .map(|i| {
            let head = format!(
                r#"{{"specversion":"1.0","id":"{i:08}","source":"/bench","type":"bench.event","data":""#
            );
            let json = format!("{head}{}\"}}", "x".repeat(EVENT_BYTES - head.len() - 2));
            parse_structured(json.as_bytes()).expect("a valid event")
        })
        .collect()
}

fn main() {
    let n = usize::try_from(env_u64("PUBLISH_LATENCY_N", 300_000)).expect("N fits in usize");
    let base = std::env::var_os("PUBLISH_LATENCY_DIR").map_or_else(std::env::temp_dir, Into::into);
    let dir = tempfile::tempdir_in(base).expect("a temporary directory");
    let mut options = NamespaceOptions::default();
    if let Some(ms) = std::env::var("PUBLISH_LATENCY_MAINTENANCE_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        options.maintenance_interval = (ms > 0).then(|| Duration::from_millis(ms));
    }
    let ns = Namespace::open(dir.path(), options).expect("open");
    ns.apply_config(
        &NamespaceConfig::from_json_str(
            r#"{"topics":[{"name":"bench","eventSubscriptions":[{"name":"queue"}]}]}"#,
        )
        .expect("config"),
    )
    .expect("apply");
    let events = batch();
    let mut latencies: Vec<Duration> = Vec::new();
    let started = Instant::now();
    while latencies.len() * BATCH < n {
        let t = Instant::now();
        ns.publish("bench", &events).expect("publish");
        latencies.push(t.elapsed());
    }
    let elapsed = started.elapsed();
    let total: Duration = latencies.iter().sum();
    let slow: Duration = latencies.iter().filter(|&&l| l > SLOW).sum();
    let slow_count = latencies.iter().filter(|&&l| l > SLOW).count();
    let mut sorted = latencies.clone();
    sorted.sort_unstable();
    // The latency at `per_mille` of the batches.
    let at = |per_mille: usize| sorted[(sorted.len() * per_mille / 1000).min(sorted.len() - 1)];
    let stats = ns.wal_stats();
    println!(
        "publish_latency: {} events in batches of {BATCH}: {:.0} ev/s",
        latencies.len() * BATCH,
        (latencies.len() * BATCH) as f64 / elapsed.as_secs_f64()
    );
    println!(
        "  batch latency p10 {:?} p50 {:?} p90 {:?} p99 {:?} max {:?}",
        at(100),
        at(500),
        at(900),
        at(990),
        sorted[sorted.len() - 1]
    );
    println!(
        "  time in batches over {SLOW:?}: {:.1}% ({slow_count} of {} batches)",
        slow.as_secs_f64() * 100.0 / total.as_secs_f64(),
        latencies.len()
    );
    println!(
        "  WAL: {} fdatasync, {} fsync, {} directory syncs",
        stats.data_syncs, stats.file_syncs, stats.dir_syncs
    );
    let rate = (latencies.len() * BATCH) as f64 / elapsed.as_secs_f64();
    paced(&ns, &events, rate / 2.0);
    ns.close().expect("close");
}

/// Open loop at `rate` events/s (half the closed-loop maximum just measured) for
/// `PUBLISH_LATENCY_PACED_SECS` (default 5): a batch is due every `BATCH / rate` seconds and its
/// latency counts from when it was due, so a stall also shows in the batches it delays.
fn paced(ns: &Namespace, events: &[Event], rate: f64) {
    let secs = Duration::from_secs(env_u64("PUBLISH_LATENCY_PACED_SECS", 5));
    let interval = Duration::from_secs_f64(BATCH as f64 / rate);
    let mut latencies: Vec<Duration> = Vec::new();
    let started = Instant::now();
    let mut due = started;
    while started.elapsed() < secs {
        let now = Instant::now();
        if due > now {
            std::thread::sleep(due - now);
        }
        ns.publish("bench", events).expect("publish");
        latencies.push(due.elapsed());
        due += interval;
    }
    let achieved = (latencies.len() * BATCH) as f64 / started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let at =
        |per_mille: usize| latencies[(latencies.len() * per_mille / 1000).min(latencies.len() - 1)];
    println!(
        "  at half the maximum ({rate:.0} ev/s asked, {achieved:.0} achieved, open loop): batch \
         latency p50 {:?} p99 {:?} p99.9 {:?}",
        at(500),
        at(990),
        at(999)
    );
}
