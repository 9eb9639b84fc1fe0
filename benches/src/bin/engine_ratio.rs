//! Engine performance as ratios to raw probes and to embedded peers, measured in one run (issue 4).
//!
//! `cargo run --release -p gridlog-benches --bin engine_ratio -- [--quick]`
//!
//! 1. Raw probes on a preallocated, zero-filled file (what the WAL does), in this process:
//!    - publish: 100 × 1 KiB WAL frames per `pwrite` + `fdatasync`;
//!    - consume+ack: per 100 events, one "lock" write + `fdatasync` and one "ack" write +
//!      `fdatasync` (each the size of the engine's Lock / Ack record for 100 events).
//! 2. gridlog (`Namespace`, default options: sled index, `Durability::Always`), in a child
//!    process: publish N 1 KiB events in batches of 100; then 4 consumer threads loop
//!    receive(100) + acknowledge(100) until all N are acknowledged; then `run_maintenance`.
//!    Then, in another child, the pipelined publish (issue 23): one publisher keeps 4 batches
//!    of 100 in flight through `publish_async`, so batch N+1 is appended while batch N syncs.
//!    Then, informational, a steady state in two more children, recycling on and off
//!    (`WalOptions::recycle_segments`: purged segment files become the next segment instead of
//!    zero-filled new ones): N events published while 4 consumers receive and acknowledge them
//!    and maintenance runs every 10 ms.
//! 3. fjall, redb and sled used as a queue, each in a child process, with its strongest
//!    durable commit (fjall: batch `PersistMode::SyncAll`; redb: `Durability::Immediate`;
//!    sled: `flush()` after each batch): insert batches of 100 (u64 big-endian key, 1 KiB
//!    value); then one consumer takes 100 (reads them and writes a lock entry each, durably)
//!    and deletes the 100 events and their locks (durably), until empty.
//! 4. Open after a crash: a child stores `STORED` events, locks `LOCKED` of them, writes the
//!    index (`run_maintenance`), appends a tail, and is killed with SIGKILL; then children open
//!    the directory with the index present and with the index deleted (rebuilt from the WAL).
//!
//! Every child reports its peak RSS (`VmHWM`: anonymous memory plus touched file-backed pages
//! such as the WAL's memory maps) and its peak anonymous RSS (sampled every 5 ms).
//!
//! Environment: `ENGINE_RATIO_N` (events per throughput phase; default 200,000, quick 10,000),
//! `ENGINE_RATIO_STORED` / `ENGINE_RATIO_LOCKED` (crash phase; default 1,000,000 / 100,000,
//! quick 20,000 / 2,000), `ENGINE_RATIO_SECS` (seconds per raw probe, default 2, quick 1),
//! `ENGINE_RATIO_DIR` (scratch directory, default: the system temp dir), `ENGINE_RATIO_ONLY=crash`
//! (only the open-after-crash phase), `ENGINE_RATIO_WAL_CHUNK` (the WAL's
//! `preallocate_chunk_bytes`; default: whole segments).

#![allow(
    clippy::expect_used,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "a benchmark binary: aborting on an I/O error is the right behaviour; rates are f64"
)]
#![allow(
    clippy::big_endian_bytes,
    reason = "the peers' keys are big-endian u64 so that byte order is sequence order"
)]

#[path = "engine_ratio/peers.rs"]
mod peers;

#[path = "../probe.rs"]
mod probe;

use std::collections::{BTreeMap, VecDeque};
use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use gridlog::format::{Event, parse_structured};
use gridlog::{Namespace, NamespaceConfig, NamespaceOptions};
use peers::{Fjall, PeerQueue, Redb, Sled};

const EVENT_BYTES: usize = 1024;
const BATCH: usize = 100;
const CONSUMERS: usize = 4;
/// Batches one publisher keeps in flight in the pipelined publish (`publish_async`): while
/// batch N syncs, batch N+1 is encoded and appended (issue 23).
const PIPELINE_WINDOW: usize = 4;
const TOPIC: &str = "bench";
const SUB: &str = "queue";
/// A Lock / Ack record for 100 events, framed: about 12 bytes per entry plus headers.
const SETTLE_RECORD_BYTES: usize = 24 + 1224;
/// The subscription's lock duration (the longest allowed): the crash phase checks that locks
/// taken before the SIGKILL still hold after both reopens, so they must outlive the phase.
const LOCK_SECS: u32 = 300;
/// A peer's lock entry: token (16) + deadline (8) + delivery count (4).
const PEER_LOCK_BYTES: usize = 28;

// ---- parameters and child protocol ----------------------------------------------------------

#[derive(Clone, Copy)]
struct Params {
    n: u64,
    stored: u64,
    locked: u64,
    probe_secs: u64,
}

impl Params {
    fn from_env(quick: bool) -> Self {
        let pick = |full, small| if quick { small } else { full };
        Self {
            n: probe::env_u64("ENGINE_RATIO_N", pick(200_000, 10_000)),
            stored: probe::env_u64("ENGINE_RATIO_STORED", pick(1_000_000, 20_000)),
            locked: probe::env_u64("ENGINE_RATIO_LOCKED", pick(100_000, 2_000)),
            probe_secs: probe::env_u64("ENGINE_RATIO_SECS", pick(2, 1)),
        }
    }
}

/// Figures a child prints as `key=value` lines.
type Figures = BTreeMap<String, f64>;

fn report(key: &str, value: f64) {
    println!("{key}={value}");
}

/// Samples `RssAnon` every 5 ms in a background thread; `peak()` returns the highest, in MiB.
struct AnonSampler {
    peak: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
}

impl AnonSampler {
    fn start() -> Self {
        let peak = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (p, s) = (peak.clone(), stop.clone());
        std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                let kib = (probe::status_mib("RssAnon") * 1024.0) as u64;
                p.fetch_max(kib, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(5));
            }
        });
        Self { peak, stop }
    }

    fn peak_mib(&self) -> f64 {
        let kib = (probe::status_mib("RssAnon") * 1024.0) as u64;
        self.peak.fetch_max(kib, Ordering::Relaxed);
        self.peak.load(Ordering::Relaxed) as f64 / 1024.0
    }
}

impl Drop for AnonSampler {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn report_memory(sampler: &AnonSampler) {
    report("peak_rss_mib", probe::peak_rss_mib());
    report("peak_anon_mib", sampler.peak_mib());
}

fn report_disk(prefix: &str, dir: &Path) {
    let (allocated, apparent) = probe::disk_usage(dir);
    report(&format!("{prefix}_allocated"), allocated as f64);
    report(&format!("{prefix}_apparent"), apparent as f64);
}

/// Runs this binary as `--child <role> --dir <dir> <args>`; returns its figures. With
/// `kill_on_ready`, SIGKILLs it as soon as it prints `ready`.
fn run_child(role: &str, dir: &Path, args: &[String], kill_on_ready: bool) -> Figures {
    let exe = std::env::current_exe().expect("current exe");
    let mut child = Command::new(exe)
        .arg("--child")
        .arg(role)
        .arg("--dir")
        .arg(dir)
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn child");
    let stdout = child.stdout.take().expect("child stdout");
    let mut figures = Figures::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.expect("child output");
        if line == "ready" && kill_on_ready {
            child.kill().expect("SIGKILL the child");
            break;
        }
        match line.split_once('=') {
            Some((k, v)) if v.parse::<f64>().is_ok() => {
                figures.insert(k.to_owned(), v.parse().unwrap_or(f64::NAN));
            }
            _ => println!("  [{role}] {line}"),
        }
    }
    let status = child.wait().expect("wait for child");
    assert!(
        kill_on_ready || status.success(),
        "child {role} failed: {status}"
    );
    figures
}

// ---- gridlog ----------------------------------------------------------------------------------

/// `count` structured events of exactly 1 KiB each, ids `0..count`.
fn events(count: usize) -> Vec<Event> {
    (0..count)
        .map(|i| {
            let head = format!(
                r#"{{"specversion":"1.0","id":"{i:08}","source":"/bench","type":"bench.event","datacontenttype":"application/json","data":{{"pad":""#
            );
            let tail = r#""}}"#;
            let mut x = 0x9e37_79b9_7f4a_7c15_u64 ^ (i as u64 + 1);
            let pad: String = (0..EVENT_BYTES - head.len() - tail.len())
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    char::from(b"0123456789abcdefghijklmnopqrstuvwxyz"[(x % 36) as usize])
                })
                .collect();
            let json = format!("{head}{pad}{tail}");
            assert_eq!(json.len(), EVENT_BYTES);
            parse_structured(json.as_bytes()).expect("valid event")
        })
        .collect()
}

/// The WAL options of the gridlog runs: the defaults, except `preallocate_chunk_bytes` from
/// `ENGINE_RATIO_WAL_CHUNK` if set (e.g. 2097152 for the compact preallocation).
fn wal_options() -> gridlog::WalOptions {
    let mut wal = gridlog::WalOptions::default();
    wal.preallocate_chunk_bytes =
        probe::env_u64("ENGINE_RATIO_WAL_CHUNK", wal.preallocate_chunk_bytes);
    wal
}

fn open_gridlog(dir: &Path) -> Namespace {
    open_gridlog_with(dir, wal_options())
}

fn open_gridlog_with(dir: &Path, wal: gridlog::WalOptions) -> Namespace {
    let options = NamespaceOptions {
        wal,
        ..NamespaceOptions::default()
    };
    let ns = Namespace::open(dir, options).expect("open namespace");
    ns.apply_config(
        &NamespaceConfig::from_json_str(&format!(
            r#"{{"topics":[{{"name":"{TOPIC}","eventSubscriptions":[{{"name":"{SUB}","properties":{{"deliveryConfiguration":{{"deliveryMode":"Queue","queue":{{"receiveLockDurationInSeconds":{LOCK_SECS}}}}}}}}}]}}]}}"#
        ))
        .expect("config"),
    )
    .expect("apply config");
    ns
}

fn gridlog_publish(ns: &Namespace, n: u64) -> f64 {
    let batch = events(BATCH);
    let t = Instant::now();
    let mut done = 0;
    while done < n {
        ns.publish(TOPIC, &batch).expect("publish");
        done += BATCH as u64;
    }
    done as f64 / t.elapsed().as_secs_f64()
}

/// One publisher, `PIPELINE_WINDOW` batches of 100 in flight through `publish_async` (the
/// committer threads append the next batch while the previous one syncs; no batch's outcome
/// arrives before its bytes are synced). Each batch is a clone of one prepared batch, made by
/// the publisher while earlier batches are in flight. Returns events/s.
fn gridlog_publish_pipelined(ns: &Namespace, n: u64) -> f64 {
    // Only to wait for the oldest batch's outcome (`Committing` needs no particular runtime).
    let waiter = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("a current-thread runtime");
    let batch = events(BATCH);
    let t = Instant::now();
    let mut in_flight = VecDeque::with_capacity(PIPELINE_WINDOW);
    let (mut submitted, mut done) = (0, 0);
    while done < n {
        while submitted < n && in_flight.len() < PIPELINE_WINDOW {
            in_flight.push_back(ns.publish_async(TOPIC, batch.clone()));
            submitted += BATCH as u64;
        }
        let oldest = in_flight.pop_front().expect("a batch in flight");
        let receipt = waiter.block_on(oldest).expect("publish");
        done += receipt.events as u64;
    }
    done as f64 / t.elapsed().as_secs_f64()
}

/// The pipelined publish in a fresh namespace: reports its rate.
fn child_gridlog_pipelined(dir: &Path, n: u64) {
    let ns = open_gridlog(dir);
    report("pipelined_publish_eps", gridlog_publish_pipelined(&ns, n));
    ns.close().expect("close");
}

/// 4 consumers: receive(100) + acknowledge until `n` are acknowledged. Returns events/s.
fn gridlog_consume(ns: &Namespace, n: u64) -> f64 {
    let acked = Arc::new(AtomicU64::new(0));
    let t = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..CONSUMERS {
            let acked = acked.clone();
            s.spawn(move || {
                while acked.load(Ordering::Relaxed) < n {
                    let got = ns
                        .receive(TOPIC, SUB, BATCH as u32, Duration::ZERO)
                        .expect("receive");
                    if got.is_empty() {
                        std::thread::yield_now();
                        continue;
                    }
                    let tokens: Vec<&str> = got.iter().map(|r| r.lock_token.as_str()).collect();
                    let out = ns.acknowledge(TOPIC, SUB, &tokens).expect("acknowledge");
                    assert!(
                        out.failed.is_empty(),
                        "acknowledge failed: {:?}",
                        out.failed
                    );
                    acked.fetch_add(out.succeeded.len() as u64, Ordering::Relaxed);
                }
            });
        }
    });
    acked.load(Ordering::Relaxed) as f64 / t.elapsed().as_secs_f64()
}

fn child_gridlog(dir: &Path, n: u64) {
    let sampler = AnonSampler::start();
    let ns = open_gridlog(dir);
    report("publish_eps", gridlog_publish(&ns, n));
    report_disk("disk_published", dir);
    report("consume_eps", gridlog_consume(&ns, n));
    report_disk("disk_consumed", dir);
    let mut purged = 0;
    // One sweep writes a checkpoint (and the index); segments go when it covers them.
    for _ in 0..3 {
        purged += ns.run_maintenance().expect("maintenance").segments_purged;
    }
    report("segments_purged", purged as f64);
    report_disk("disk_settled", dir);
    report_memory(&sampler);
    ns.close().expect("close");
}

/// Maintenance period of the steady-state phase.
const STEADY_MAINTENANCE_EVERY: Duration = Duration::from_millis(10);

/// Steady state with consumers keeping up (informational): one thread publishes `n` events in
/// batches of 100 while 4 consumers receive and acknowledge them and a thread runs maintenance
/// every `STEADY_MAINTENANCE_EVERY`, so settled segments are purged while the log grows, and
/// with `recycle` the WAL can reuse them. Reports the publish rate and the WAL's counters.
fn child_gridlog_steady(dir: &Path, n: u64, recycle: bool) {
    let mut wal = wal_options();
    wal.recycle_segments = recycle;
    let ns = open_gridlog_with(dir, wal);
    let done = AtomicBool::new(false);
    let purged = AtomicU64::new(0);
    let (publish_eps, _) = std::thread::scope(|s| {
        s.spawn(|| {
            while !done.load(Ordering::Relaxed) {
                let r = ns.run_maintenance().expect("maintenance");
                purged.fetch_add(r.segments_purged as u64, Ordering::Relaxed);
                std::thread::sleep(STEADY_MAINTENANCE_EVERY);
            }
        });
        let consumers = s.spawn(|| gridlog_consume(&ns, n));
        let publish_eps = gridlog_publish(&ns, n);
        let consume_eps = consumers.join().expect("consumers");
        done.store(true, Ordering::Relaxed);
        (publish_eps, consume_eps)
    });
    let wal = ns.wal_stats();
    report("steady_publish_eps", publish_eps);
    report("steady_purged", purged.load(Ordering::Relaxed) as f64);
    report("steady_recycled", wal.segments_recycled as f64);
    report("steady_bytes_written", wal.bytes_written as f64);
    ns.close().expect("close");
}

/// Fills a namespace, locks some events, writes the index, appends a tail, then waits to be
/// killed (no close: the parent's SIGKILL is the crash).
fn child_crash_fill(dir: &Path, stored: u64, locked: u64) {
    let sampler = AnonSampler::start();
    let ns = open_gridlog(dir);
    report("fill_publish_eps", gridlog_publish(&ns, stored));
    let mut n = 0;
    while n < locked {
        let want = (locked - n).min(BATCH as u64) as u32;
        let got = ns
            .receive(TOPIC, SUB, want, Duration::ZERO)
            .expect("receive");
        assert!(!got.is_empty(), "stored events to lock");
        n += got.len() as u64;
    }
    ns.run_maintenance().expect("maintenance (index write)");
    // A tail after the index: one more publish and one more receive for open to replay.
    ns.publish(TOPIC, &events(BATCH)).expect("publish tail");
    ns.receive(TOPIC, SUB, BATCH as u32, Duration::ZERO)
        .expect("receive tail");
    report_memory(&sampler);
    println!("ready");
    loop {
        std::thread::sleep(Duration::from_mins(1));
    }
}

/// Opens the crashed namespace (optionally without its index), reports the time, checks that
/// the locked events stay locked, and exits without closing (the state stays as crashed).
fn child_crash_open(dir: &Path, drop_index: bool, locked: u64) {
    if drop_index {
        std::fs::remove_dir_all(dir.join("index")).expect("remove index");
    }
    let sampler = AnonSampler::start();
    let t = Instant::now();
    let options = NamespaceOptions {
        wal: wal_options(),
        ..NamespaceOptions::default()
    };
    let ns = Namespace::open(dir, options).expect("reopen");
    report("open_s", t.elapsed().as_secs_f64());
    let r = ns.open_report();
    report("wal_recovery_s", r.wal.duration.as_secs_f64());
    report("wal_bytes", r.wal.bytes as f64);
    println!("index: {:?}", r.index);
    let stats = ns.stats();
    let pending: u64 = stats
        .topics
        .iter()
        .flat_map(|t| t.subscriptions.iter())
        .map(|s| s.locked)
        .sum();
    report("locked", pending as f64);
    assert!(
        pending >= locked,
        "locks survive the crash: {pending} locked"
    );
    let got = ns
        .receive(TOPIC, SUB, BATCH as u32, Duration::ZERO)
        .expect("receive after open");
    assert!(
        got.iter().all(|r| r.delivery_count == 1),
        "locked events are not redelivered"
    );
    report_memory(&sampler);
    std::process::exit(0);
}

// ---- peers ------------------------------------------------------------------------------------

/// 100 values of 1 KiB of xorshift bytes; the first 8 bytes are overwritten with the key.
fn peer_values() -> Vec<Vec<u8>> {
    let mut x = 0x2545_f491_4f6c_dd1d_u64;
    (0..BATCH)
        .map(|_| {
            (0..EVENT_BYTES)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    x as u8
                })
                .collect()
        })
        .collect()
}

fn child_peer(queue: &mut dyn PeerQueue, dir: &Path, n: u64) {
    let sampler = AnonSampler::start();
    let mut values = peer_values();
    let t = Instant::now();
    let mut seq = 0;
    while seq < n {
        for (i, v) in values.iter_mut().enumerate() {
            v[..8].copy_from_slice(&(seq + i as u64).to_be_bytes());
        }
        let batch: Vec<(u64, &[u8])> = values
            .iter()
            .enumerate()
            .map(|(i, v)| (seq + i as u64, v.as_slice()))
            .collect();
        queue.insert_batch(&batch);
        seq += BATCH as u64;
    }
    report("publish_eps", seq as f64 / t.elapsed().as_secs_f64());
    report_disk("disk_published", dir);
    let t = Instant::now();
    let (mut cursor, mut done) = (0, 0_u64);
    loop {
        let keys = queue.take(cursor);
        let Some(&last) = keys.last() else { break };
        queue.delete(&keys);
        cursor = last + 1;
        done += keys.len() as u64;
    }
    assert_eq!(done, seq, "every event consumed once");
    report("consume_eps", done as f64 / t.elapsed().as_secs_f64());
    report_disk("disk_consumed", dir);
    report_memory(&sampler);
}

fn arg_after(args: &[String], flag: &str) -> Option<String> {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1).cloned())
}

fn arg_u64(args: &[String], flag: &str) -> u64 {
    arg_after(args, flag)
        .and_then(|v| v.parse().ok())
        .expect("numeric argument")
}

fn child_main(args: &[String]) {
    let role = arg_after(args, "--child").expect("role");
    let dir = PathBuf::from(arg_after(args, "--dir").expect("--dir"));
    match role.as_str() {
        "gridlog" => child_gridlog(&dir, arg_u64(args, "--n")),
        "gridlog-pipelined" => child_gridlog_pipelined(&dir, arg_u64(args, "--n")),
        "gridlog-steady" => child_gridlog_steady(
            &dir,
            arg_u64(args, "--n"),
            args.iter().any(|a| a == "--recycle"),
        ),
        "fjall" => child_peer(&mut Fjall::open(&dir), &dir, arg_u64(args, "--n")),
        "redb" => {
            let db = redb::Database::create(dir.join("db.redb")).expect("redb create");
            child_peer(&mut Redb(db), &dir, arg_u64(args, "--n"));
        }
        "sled" => child_peer(&mut Sled::open(&dir), &dir, arg_u64(args, "--n")),
        "crash-fill" => {
            child_crash_fill(&dir, arg_u64(args, "--stored"), arg_u64(args, "--locked"));
        }
        "crash-open" => child_crash_open(
            &dir,
            args.iter().any(|a| a == "--drop-index"),
            arg_u64(args, "--locked"),
        ),
        other => panic!("unknown child role {other}"),
    }
}

fn mb(bytes: f64) -> f64 {
    bytes / 1e6
}

fn verdict(ok: bool) -> &'static str {
    if ok { "ok" } else { "MISSED" }
}

#[expect(
    clippy::too_many_lines,
    reason = "one linear script: probes, children, summary"
)]
fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--child") {
        child_main(&args);
        return;
    }
    let quick = args.iter().any(|a| a == "--quick");
    let p = Params::from_env(quick);
    let secs = Duration::from_secs(p.probe_secs);
    println!(
        "engine_ratio{}: {} events x 1 KiB per throughput phase, crash phase {} stored / {} locked; loadavg {}",
        if quick { " --quick" } else { "" },
        p.n,
        p.stored,
        p.locked,
        probe::loadavg()
    );
    let scratch = |name: &str| probe::scratch("ENGINE_RATIO_DIR", "engine-ratio", name);

    // 1. Raw probes.
    let d = scratch("raw");
    let raw_publish = probe::raw_probe(&d, BATCH, secs);
    let raw_consume = probe::raw_loop(&d, &[SETTLE_RECORD_BYTES, SETTLE_RECORD_BYTES], BATCH, secs);
    let raw_fresh =
        probe::raw_fresh_probe(&d, BATCH, gridlog::wal::SEGMENT_BYTES_TARGET_DEFAULT, secs);
    let _ = std::fs::remove_dir_all(&d);
    println!(
        "raw probe, publish (100 x 1,048-byte frames per pwrite + fdatasync, preallocated file): {raw_publish:.0} ev/s"
    );
    println!(
        "raw probe, consume+ack (per 100 events: lock write + fdatasync, ack write + fdatasync): {raw_consume:.0} ev/s"
    );
    println!(
        "raw probe, publish into fresh space (the same writes, appended to a new file prepared 8 MiB at a time in the timed loop; informational): {raw_fresh:.0} ev/s"
    );

    // 2 + 3. gridlog and the peers, each in its own process.
    let n_arg = vec!["--n".to_owned(), p.n.to_string()];
    let mut results: Vec<(&str, Figures)> = Vec::new();
    let systems: &[&str] = if std::env::var("ENGINE_RATIO_ONLY").is_ok_and(|v| v == "crash") {
        &[]
    } else {
        &["gridlog", "fjall", "redb", "sled"]
    };
    for &name in systems {
        let d = scratch(name);
        let mut f = run_child(name, &d, &n_arg, false);
        let _ = std::fs::remove_dir_all(&d);
        let payload = (p.n as usize * EVENT_BYTES) as f64;
        println!(
            "{name:8} publish {:>9.0} ev/s   consume+ack {:>9.0} ev/s   peak RSS {:6.1} MiB (anon {:6.1})   disk after publish {:6.1} MB ({:.2}x payload), after consume {:6.1} MB",
            f["publish_eps"],
            f["consume_eps"],
            f["peak_rss_mib"],
            f["peak_anon_mib"],
            mb(f["disk_published_allocated"]),
            f["disk_published_allocated"] / payload,
            mb(f["disk_consumed_allocated"]),
        );
        if name == "gridlog" {
            println!(
                "gridlog  after run_maintenance: {:.1} MB on disk ({} segments purged; what stays is the active segment, the space prepared ahead in it or in the spare, and the index)",
                mb(f["disk_settled_allocated"]),
                f["segments_purged"]
            );
            let d = scratch("gridlog-pipelined");
            let pipelined = run_child("gridlog-pipelined", &d, &n_arg, false);
            let _ = std::fs::remove_dir_all(&d);
            println!(
                "gridlog  publish pipelined ({PIPELINE_WINDOW} batches of 100 in flight from one publisher, publish_async) {:>9.0} ev/s",
                pipelined["pipelined_publish_eps"]
            );
            f.insert(
                "pipelined_publish_eps".to_owned(),
                pipelined["pipelined_publish_eps"],
            );
            // Steady state with consumers keeping up, recycling on and off.
            let mut steady = Vec::new();
            for recycle in [true, false] {
                let d = scratch("gridlog-steady");
                let mut args = n_arg.clone();
                if recycle {
                    args.push("--recycle".to_owned());
                }
                steady.push(run_child("gridlog-steady", &d, &args, false));
                let _ = std::fs::remove_dir_all(&d);
            }
            println!(
                "gridlog  publish while {CONSUMERS} consumers keep up and maintenance runs every {} ms (informational): recycling on {:.0} ev/s ({} segment files recycled, {} purged, {:.1} MB written), off {:.0} ev/s ({} purged, {:.1} MB written); on / off {:.2}",
                STEADY_MAINTENANCE_EVERY.as_millis(),
                steady[0]["steady_publish_eps"],
                steady[0]["steady_recycled"],
                steady[0]["steady_purged"],
                mb(steady[0]["steady_bytes_written"]),
                steady[1]["steady_publish_eps"],
                steady[1]["steady_purged"],
                mb(steady[1]["steady_bytes_written"]),
                steady[0]["steady_publish_eps"] / steady[1]["steady_publish_eps"],
            );
        }
        results.push((name, f));
    }

    // 4. Open after a crash.
    let d = scratch("crash");
    let counts = vec![
        "--stored".to_owned(),
        p.stored.to_string(),
        "--locked".to_owned(),
        p.locked.to_string(),
    ];
    let fill = run_child("crash-fill", &d, &counts, true);
    let (allocated, apparent) = probe::disk_usage(&d);
    let payload = (p.stored as usize * EVENT_BYTES) as f64;
    let locked_arg = vec!["--locked".to_owned(), p.locked.to_string()];
    let with_index = run_child("crash-open", &d, &locked_arg, false);
    let mut rebuilt_args = locked_arg.clone();
    rebuilt_args.push("--drop-index".to_owned());
    let rebuilt = run_child("crash-open", &d, &rebuilt_args, false);
    let _ = std::fs::remove_dir_all(&d);

    println!(
        "open after SIGKILL: peak RSS / peak anonymous memory (MiB): fill {:.1} / {:.1}, open with index {:.1} / {:.1}, open with index rebuilt {:.1} / {:.1}",
        fill["peak_rss_mib"],
        fill["peak_anon_mib"],
        with_index["peak_rss_mib"],
        with_index["peak_anon_mib"],
        rebuilt["peak_rss_mib"],
        rebuilt["peak_anon_mib"],
    );
    if results.is_empty() {
        return;
    }

    // Summary.
    let g = &results[0].1;
    let best = |key: &str| {
        results[1..]
            .iter()
            .map(|(name, f)| (f[key], *name))
            .fold((0.0, ""), |a, b| if b.0 > a.0 { b } else { a })
    };
    let (best_pub, best_pub_name) = best("publish_eps");
    let (best_con, best_con_name) = best("consume_eps");
    println!();
    println!("summary (loadavg {}):", probe::loadavg());
    let r = g["publish_eps"] / raw_publish;
    println!(
        "  publish, batches of 100:   gridlog / raw probe {r:.2} (target >= 0.50: {}); gridlog / best peer ({best_pub_name}) {:.2}x (target >= 2x: {})",
        verdict(r >= 0.5),
        g["publish_eps"] / best_pub,
        verdict(g["publish_eps"] / best_pub >= 2.0)
    );
    let pipelined = g["pipelined_publish_eps"];
    let (r, p_best) = (pipelined / raw_publish, pipelined / best_pub);
    println!(
        "  publish pipelined, {PIPELINE_WINDOW} batches of 100 in flight (issue 23): gridlog / raw probe {r:.2} (target >= 0.90: {}); gridlog / best peer ({best_pub_name}, one batch at a time) {p_best:.2}x (target >= 2.5x: {}); / raw probe into fresh space {:.2}",
        verdict(r >= 0.9),
        verdict(p_best >= 2.5),
        pipelined / raw_fresh
    );
    let r = g["publish_eps"] / best_pub;
    println!(
        "  publish one batch at a time against issue 23's targets: gridlog / raw probe {:.2} (>= 0.90: {}); / best peer {r:.2}x (>= 2.5x: {})",
        g["publish_eps"] / raw_publish,
        verdict(g["publish_eps"] / raw_publish >= 0.9),
        verdict(r >= 2.5)
    );
    println!(
        "  (publish / raw probe into fresh space {:.2}: the rewrite probe above reuses allocated, zeroed space; a log appending fresh space writes each byte twice, once as a zero)",
        g["publish_eps"] / raw_fresh
    );
    let r = g["consume_eps"] / raw_consume;
    println!(
        "  receive 100 + ack 100, {CONSUMERS} consumers: gridlog / raw probe {r:.2} (target >= 0.50: {}); gridlog / best peer ({best_con_name}) {:.2}x (target >= 1.6x: {})",
        verdict(r >= 0.5),
        g["consume_eps"] / best_con,
        verdict(g["consume_eps"] / best_con >= 1.6)
    );
    println!(
        "  open after SIGKILL, {} stored 1 KiB events, {} locked: {:.3} s with the index (target <= 1 s: {}; WAL scan {:.3} s of it), {:.3} s with the index deleted (rebuilt from the WAL; WAL scan {:.3} s of it)",
        p.stored,
        p.locked,
        with_index["open_s"],
        verdict(with_index["open_s"] <= 1.0),
        with_index["wal_recovery_s"],
        rebuilt["open_s"],
        rebuilt["wal_recovery_s"]
    );
    let peak = [
        g["peak_rss_mib"],
        fill["peak_rss_mib"],
        with_index["peak_rss_mib"],
        rebuilt["peak_rss_mib"],
    ]
    .into_iter()
    .fold(0.0, f64::max);
    let peak_anon = [
        g["peak_anon_mib"],
        fill["peak_anon_mib"],
        with_index["peak_anon_mib"],
        rebuilt["peak_anon_mib"],
    ]
    .into_iter()
    .fold(0.0, f64::max);
    println!(
        "  peak RSS (VmHWM): throughput {:.1} MiB, fill {:.1}, open with index {:.1}, open rebuilt {:.1}; max {peak:.1} MiB (target <= 64: {}); peak anonymous memory max {peak_anon:.1} MiB",
        g["peak_rss_mib"],
        fill["peak_rss_mib"],
        with_index["peak_rss_mib"],
        rebuilt["peak_rss_mib"],
        verdict(peak <= 64.0 * 1.048_576),
    );
    println!(
        "  disk: {} events stored: {:.1} MB allocated ({:.1} MB apparent) for {:.1} MB payload = {:.3}x (target <= 1.1: {}); of which written WAL frames {:.1} MB = {:.3}x (the rest: space prepared ahead of the writer, up to {} MiB in the active segment and as much in its spare, and the index); after settling {} and run_maintenance: {:.1} MB",
        p.stored,
        mb(allocated as f64),
        mb(apparent as f64),
        mb(payload),
        allocated as f64 / payload,
        verdict(allocated as f64 / payload <= 1.1),
        mb(with_index["wal_bytes"]),
        with_index["wal_bytes"] / payload,
        {
            let wal = wal_options();
            wal.preallocate_chunk_bytes.min(wal.segment_bytes_target) >> 20
        },
        p.n,
        mb(g["disk_settled_allocated"]),
    );
}
