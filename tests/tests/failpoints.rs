//! Crashes at named protocol steps (issue 7, "Failpoints"; docs/reliability.md).
//!
//! Each failpoint of the WAL and the engine (compiled in with `--features failpoints`) is armed
//! in a child process (this test binary, re-executed) running a mixed workload on a real data
//! directory (4 KiB segments, so segments roll, are reclaimed and purged all the time; the sled
//! index). On its k-th hit (k random per run) the callback ends the process on the spot
//! (`std::process::exit`: no destructor, no close, like kill -9: the page cache keeps what was
//! written). The parent then reopens the directory and checks the child's acknowledged history:
//! no acknowledged publish lost (I1), no phantom (I2), no acknowledged event delivered again
//! (I4), delivery counts above every count handed out (I6), and the open is repeatable (I10:
//! open, close, open again gives the same backlog).
//!
//! `wal::recovery::mid_truncate` is reached during the *open* after a crash that left a torn
//! tail: the parent writes garbage after the last frame (a torn append), the child's open starts
//! zeroing it and dies halfway; the next open must finish the job.
//!
//! Runs per point: `GRIDLOG_FAILPOINT_RUNS` (default 20; 500 with `GRIDLOG_LONG=1`).
//! Seed: `GRIDLOG_FAILPOINT_SEED` (printed).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation,
    clippy::too_many_lines,
    reason = "a test fails loudly by design"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use gridlog::format::parse_structured;
use gridlog::{
    IndexKind, ManualClock, Namespace, NamespaceConfig, NamespaceOptions, ReleaseDelay,
    SystemClock, Timestamp, WalOptions,
};
use gridlog_wal::testing::Rng;

const CHILD_DIR: &str = "GRIDLOG_FP_DIR";
const CHILD_POINT: &str = "GRIDLOG_FP_POINT";
const CHILD_HIT: &str = "GRIDLOG_FP_HIT";
const CHILD_SEED: &str = "GRIDLOG_FP_CHILD_SEED";
/// The exit code of a failpoint crash.
const CRASH_EXIT: i32 = 86;

/// Every failpoint, in protocol order.
const POINTS: &[&str] = &[
    "wal::segment::before_dir_sync",
    "wal::segment::after_dir_sync",
    "wal::retention::after_meta_before_unlink",
    "wal::retention::after_unlink_before_dir_sync",
    "wal::recovery::mid_truncate",
    "engine::append::after_wal_before_apply",
    "engine::append::after_apply_before_sync",
    "engine::reclaim::after_checkpoint_before_purge",
    "engine::index::before_store",
    "engine::index::sled_after_insert_before_flush",
    "engine::index::after_store",
];

fn config() -> NamespaceConfig {
    NamespaceConfig::from_json_str(
        r#"{"topics":[{"name":"orders","eventSubscriptions":[{"name":"work","properties":{
          "deliveryConfiguration":{"deliveryMode":"Queue","queue":{"receiveLockDurationInSeconds":60,
          "maxDeliveryCount":10}}}}]}]}"#,
    )
    .unwrap()
}

fn options(clock: Arc<dyn gridlog::Clock>) -> NamespaceOptions {
    NamespaceOptions {
        wal: WalOptions {
            segment_bytes_target: 4 << 10,
            ..WalOptions::default()
        },
        index: IndexKind::Sled,
        clock,
        // The tests run each sweep themselves, so every failpoint is hit at a known step.
        maintenance_interval: None,
        ..NamespaceOptions::default()
    }
}

fn event(id: &str, pad: usize) -> gridlog::format::Event {
    let json = format!(
        r#"{{"specversion":"1.0","id":"{id}","source":"/fp","type":"T","data":{{"pad":"{}"}}}}"#,
        "y".repeat(pad)
    );
    parse_structured(json.as_bytes()).unwrap()
}

fn id_of(json: &[u8]) -> String {
    let v: serde_json_lite::Value = serde_json_lite::parse(json);
    v.id
}

/// Just enough JSON to read the `id` of our own events (`"id":"…"` is the second member).
mod serde_json_lite {
    pub struct Value {
        pub id: String,
    }

    pub fn parse(json: &[u8]) -> Value {
        let text = std::str::from_utf8(json).unwrap();
        let start = text.find(r#""id":""#).unwrap() + 6;
        let end = start + text[start..].find('"').unwrap();
        Value {
            id: text[start..end].to_owned(),
        }
    }
}

/// The child: arms `point` to end the process on its `hit`-th hit, then runs the workload,
/// printing `@p id…` (publish attempted), `@P id…`, `@L id count`, `@a id` (ack attempted) and `@A id` (acknowledged).
#[test]
fn failpoint_child() {
    let Ok(dir) = std::env::var(CHILD_DIR) else {
        return;
    };
    let point = std::env::var(CHILD_POINT).unwrap();
    let hit: u64 = std::env::var(CHILD_HIT).unwrap().parse().unwrap();
    let seed: u64 = std::env::var(CHILD_SEED).unwrap().parse().unwrap();
    let hits = Arc::new(AtomicU64::new(0));
    gridlog::fail::cfg_callback(point.clone(), move || {
        if hits.fetch_add(1, Ordering::SeqCst) + 1 == hit {
            let _ = writeln!(std::io::stdout(), "\n@X");
            std::process::exit(CRASH_EXIT);
        }
    })
    .unwrap();
    let mut out = std::io::stdout().lock();
    let ns = Namespace::open(&dir, options(Arc::new(SystemClock::new()))).unwrap();
    writeln!(out, "\n@O").unwrap();
    ns.apply_config(&config()).unwrap();
    let mut rng = Rng::new(seed);
    let mut held: Vec<(String, String)> = Vec::new();
    for n in 0..150 {
        match rng.below(10) {
            0..=2 => {
                let ids: Vec<String> = (0..=rng.below(2))
                    .map(|i| format!("{seed}-{n}-{i}"))
                    .collect();
                let events: Vec<_> = ids
                    .iter()
                    .map(|id| event(id, rng.below(400) as usize))
                    .collect();
                writeln!(out, "@p {}", ids.join(" ")).unwrap();
                ns.publish("orders", &events).unwrap();
                writeln!(out, "@P {}", ids.join(" ")).unwrap();
            }
            3..=4 => {
                for r in ns.receive("orders", "work", 4, Duration::ZERO).unwrap() {
                    let id = id_of(r.json());
                    writeln!(out, "@L {id} {}", r.delivery_count).unwrap();
                    held.push((id, r.lock_token));
                }
            }
            5..=7 if !held.is_empty() => {
                // Oldest first, so whole segments become settled and are reclaimed.
                let (id, token) = held.remove(0);
                writeln!(out, "@a {id}").unwrap();
                let outcome = ns.acknowledge("orders", "work", &[&token]).unwrap();
                assert_eq!(outcome.succeeded.len(), 1);
                writeln!(out, "@A {id}").unwrap();
            }
            8 if !held.is_empty() => {
                let (_, token) = held.remove(rng.below(held.len() as u64) as usize);
                let outcome = ns
                    .release("orders", "work", &[&token], ReleaseDelay::Zero)
                    .unwrap();
                assert_eq!(outcome.succeeded.len(), 1);
            }
            _ => {
                ns.run_maintenance().unwrap();
            }
        }
    }
    writeln!(out, "@END").unwrap();
    out.flush().unwrap();
    // Not closed: the end of the workload is a crash too.
    std::process::exit(0);
}

#[derive(Default)]
struct History {
    attempted: BTreeSet<String>,
    published: BTreeSet<String>,
    attempted_ack: BTreeSet<String>,
    acked: BTreeSet<String>,
    max_count: BTreeMap<String, u32>,
}

impl History {
    fn absorb(&mut self, text: &str) {
        // Complete lines only.
        let complete = text.rsplit_once('\n').map_or("", |(head, _)| head);
        for line in complete.lines() {
            let mut parts = line.split(' ');
            match parts.next() {
                Some("@p") => self.attempted.extend(parts.map(str::to_owned)),
                Some("@P") => self.published.extend(parts.map(str::to_owned)),
                Some("@L") => {
                    let id = parts.next().unwrap().to_owned();
                    let count: u32 = parts.next().unwrap().parse().unwrap();
                    let slot = self.max_count.entry(id).or_default();
                    *slot = (*slot).max(count);
                }
                Some("@a") => {
                    self.attempted_ack.insert(parts.next().unwrap().to_owned());
                }
                Some("@A") => {
                    self.acked.insert(parts.next().unwrap().to_owned());
                }
                _ => {}
            }
        }
    }
}

/// Runs the child; returns (crashed at the failpoint, its stdout).
fn child(dir: &Path, point: &str, hit: u64, seed: u64) -> (bool, String) {
    let exe = std::env::current_exe().unwrap();
    let output = Command::new(exe)
        .args([
            "--exact",
            "failpoint_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DIR, dir)
        .env(CHILD_POINT, point)
        .env(CHILD_HIT, hit.to_string())
        .env(CHILD_SEED, seed.to_string())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("panicked"),
        "{point} (hit {hit}, seed {seed}): the child failed:\n{stderr}"
    );
    let crashed = output.status.code() == Some(CRASH_EXIT);
    assert!(
        crashed || output.status.success(),
        "{point}: child status {:?}:\n{stderr}",
        output.status
    );
    (crashed, stdout)
}

/// Writes a torn append after the last frame of the newest segment.
fn tear_tail(dir: &Path, rng: &mut Rng) -> bool {
    let wal = dir.join("wal");
    let mut segments: Vec<_> = std::fs::read_dir(&wal)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wal"))
        .collect();
    segments.sort();
    let Some(last) = segments.last() else {
        return false;
    };
    let mut bytes = std::fs::read(last).unwrap();
    // The append after the last frame starts where the frames end: walk them from the header
    // (docs/format.md §3, §4: a frame is a 24-byte header and its payload padded to a multiple
    // of 8; an all-zero header ends the segment). The last non-zero byte is no such place: a
    // record may end with zero bytes (a snapshot without Event Hubs ends `00 00`), and a torn
    // append written there would damage the last record instead of following it.
    let word = |at: usize, len: usize| {
        bytes.get(at..at + len).map_or(0, |b| {
            b.iter()
                .rev()
                .fold(0_u64, |acc, &byte| (acc << 8) | u64::from(byte))
        })
    };
    let mut end = usize::try_from(word(12, 4)).unwrap();
    while end + 24 <= bytes.len() && (word(end, 4) != 0 || word(end + 8, 8) != 0) {
        end += 24 + usize::try_from(word(end, 4)).unwrap().next_multiple_of(8);
    }
    let torn = 8 + rng.below(60) as usize;
    if end + torn > bytes.len() {
        return false;
    }
    for b in &mut bytes[end..end + torn] {
        *b = 0x80 | (rng.next_u64() as u8);
    }
    std::fs::write(last, bytes).unwrap();
    true
}

/// Reopens after the crash and checks the history; returns the number of events drained.
fn check(dir: &Path, history: &History, what: &str) -> usize {
    // Repeatable open (I10): the backlog seen by two opens in a row is the same.
    let far = gridlog::Clock::now(&SystemClock::new()).unix_millis() + 7_200_000;
    let clock = Arc::new(ManualClock::new(Timestamp::from_unix_millis(far)));
    let first = Namespace::open(dir, options(clock.clone())).unwrap();
    // The crash may have come before the child configured anything.
    first.apply_config(&config()).unwrap();
    let stats = format!("{:?}", first.stats().subscriptions_summary());
    first.close().unwrap();
    let ns = Namespace::open(dir, options(clock)).unwrap();
    assert_eq!(
        format!("{:?}", ns.stats().subscriptions_summary()),
        stats,
        "{what}: I10: two opens disagree"
    );
    let mut delivered = BTreeSet::new();
    loop {
        let got = ns.receive("orders", "work", 100, Duration::ZERO).unwrap();
        if got.is_empty() {
            break;
        }
        for r in &got {
            let id = id_of(r.json());
            assert!(history.attempted.contains(&id), "{what}: I2: phantom {id}");
            assert!(
                !history.acked.contains(&id),
                "{what}: I4: acknowledged {id} delivered again"
            );
            if let Some(before) = history.max_count.get(&id) {
                assert!(
                    r.delivery_count > *before,
                    "{what}: I6: {id} delivered as {} after {before}",
                    r.delivery_count
                );
            }
            assert!(delivered.insert(id.clone()), "{what}: {id} delivered twice");
        }
        let tokens: Vec<&str> = got.iter().map(|r| r.lock_token.as_str()).collect();
        ns.acknowledge("orders", "work", &tokens).unwrap();
    }
    for id in &history.published {
        assert!(
            delivered.contains(id) || history.attempted_ack.contains(id),
            "{what}: I1: acknowledged publish {id} lost"
        );
    }
    ns.close().unwrap();
    delivered.len()
}

trait Summary {
    fn subscriptions_summary(&self) -> Vec<String>;
}

impl Summary for gridlog::NamespaceStats {
    fn subscriptions_summary(&self) -> Vec<String> {
        self.topics
            .iter()
            .flat_map(|t| {
                t.subscriptions.iter().map(move |s| {
                    format!(
                        "{}/{} ({} events): backlog {}, locked {}",
                        t.name, s.name, t.events, s.backlog, s.locked
                    )
                })
            })
            .collect()
    }
}

#[test]
fn failpoints_crash_and_recover() {
    if std::env::var(CHILD_DIR).is_ok() {
        return;
    }
    let long = std::env::var("GRIDLOG_LONG").is_ok_and(|v| v == "1");
    let runs: u64 = std::env::var("GRIDLOG_FAILPOINT_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if long { 500 } else { 20 });
    let seed: u64 = std::env::var("GRIDLOG_FAILPOINT_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!(
        "failpoints: seed {seed} (replay: GRIDLOG_FAILPOINT_SEED={seed}), {runs} runs per point"
    );
    let started = Instant::now();
    let mut rng = Rng::new(seed);
    let mut figures = Vec::new();
    let mut total_crashes = 0;
    for point in POINTS {
        let mut crashed_runs = 0;
        let mut drained = 0;
        for run in 0..runs {
            let root = tempfile::tempdir().unwrap();
            let dir = root.path().join("ns");
            let child_seed = rng.next_u64() >> 16;
            let what = format!("{point} run {run} (seed {seed})");
            let mut history = History::default();
            let crashed = if *point == "wal::recovery::mid_truncate" {
                // A workload that ends uncleanly, a torn append, then an open that dies
                // halfway through zeroing it.
                let (_, text) = child(&dir, "none::never", 1, child_seed);
                history.absorb(&text);
                if !tear_tail(&dir, &mut rng) {
                    continue;
                }
                let (crashed, text) = child(&dir, point, 1, child_seed ^ 1);
                assert!(crashed, "{what}: the open did not reach the torn tail");
                history.absorb(&text);
                crashed
            } else {
                let hit = 1 + rng.below(3);
                let (crashed, text) = child(&dir, point, hit, child_seed);
                history.absorb(&text);
                crashed
            };
            if crashed {
                crashed_runs += 1;
            }
            drained += check(&dir, &history, &what);
        }
        assert!(
            crashed_runs * 2 >= runs,
            "{point}: reached in only {crashed_runs} of {runs} runs"
        );
        total_crashes += crashed_runs;
        figures.push(format!(
            "{point}: {crashed_runs}/{runs} crashed, {drained} drained"
        ));
    }
    eprintln!(
        "failpoints: {} points, {total_crashes} crashes at a failpoint, invariants held after \
         every reopen; seed {seed}; {:.1?}\n  {}",
        POINTS.len(),
        started.elapsed(),
        figures.join("\n  ")
    );
}
