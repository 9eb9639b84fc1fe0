//! Throughput-unit accuracy: publishers drive the embedded engine faster than its TU limit and
//! the accepted ingress rate is compared with the configured one (issue 6: within ±5% over 60 s
//! for N = 1, 4, 40).
//!
//! `cargo run --release -p gridlog-benches --bin tu_accuracy -- --seconds 60 --tus 1,4,40`
//!
//! Options: `--seconds S` (per TU setting, default 60), `--tus N,N,…` (default 1,4,40),
//! `--event-bytes B` (JSON size of each event, default 1024: the events limit binds; 4096 or
//! more makes the 1 MB/s limit bind), `--batch K` (events per publish, default 100),
//! `--publishers P` (threads, default 4), `--durable` (fsync every publish; default: no fsync,
//! so the disk is not what limits), `--dir PATH` (default: the system temp dir).
//!
//! A refused publish (`Throttled`) is retried after its `retry_after`, as the Azure SDKs do with
//! `Retry-After`. The namespace starts with full buckets (one second of burst, docs/delivery.md
//! §10); the window is measured after `--warmup S` seconds (default 2) in which publishers
//! already run, so the burst is spent before it and the figure is the sustained rate. The
//! burst shows in the last column: events accepted in the first second (burst + 1 s of rate).

#![allow(
    clippy::expect_used,
    clippy::cast_precision_loss,
    reason = "a benchmark binary: aborting on an I/O error is the right behaviour; rates are f64"
)]

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use gridlog::format::{Event, parse_structured};
use gridlog::limits::{INGRESS_BYTES_PER_SEC_PER_TU, INGRESS_EVENTS_PER_SEC_PER_TU};
use gridlog::{Durability, EngineError, IndexKind, Namespace, NamespaceConfig, NamespaceOptions};

struct Args {
    seconds: u64,
    warmup: u64,
    tus: Vec<u32>,
    event_bytes: usize,
    batch: usize,
    publishers: usize,
    durable: bool,
    dir: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        seconds: 60,
        warmup: 2,
        tus: vec![1, 4, 40],
        event_bytes: 1024,
        batch: 100,
        publishers: 4,
        durable: false,
        dir: std::env::temp_dir(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        let bad = |e: std::num::ParseIntError| format!("{flag}: {e}");
        match flag.as_str() {
            "--seconds" => args.seconds = value()?.parse().map_err(bad)?,
            "--warmup" => args.warmup = value()?.parse().map_err(bad)?,
            "--tus" => {
                args.tus = value()?
                    .split(',')
                    .map(|n| n.trim().parse().map_err(bad))
                    .collect::<Result<_, _>>()?;
            }
            "--event-bytes" => args.event_bytes = value()?.parse().map_err(bad)?,
            "--batch" => args.batch = value()?.parse().map_err(bad)?,
            "--publishers" => args.publishers = value()?.parse().map_err(bad)?,
            "--durable" => args.durable = true,
            "--dir" => args.dir = PathBuf::from(value()?),
            "-h" | "--help" => {
                return Err(
                    "usage: tu_accuracy [--seconds S] [--warmup S] [--tus 1,4,40] [--event-bytes B] \
                     [--batch K] [--publishers P] [--durable] [--dir PATH]"
                        .to_owned(),
                );
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if args.seconds == 0 || args.batch == 0 || args.publishers == 0 || args.tus.is_empty() {
        return Err("--seconds, --batch, --publishers and --tus must be positive".to_owned());
    }
    Ok(args)
}

/// An event whose structured JSON is exactly `bytes` long (at least the minimal event).
fn event(id: usize, bytes: usize) -> Event {
    let head =
        format!(r#"{{"specversion":"1.0","id":"{id:08}","source":"/tu","type":"T","data":""#);
    let tail = r#""}"#;
    let payload = "x".repeat(bytes.saturating_sub(head.len() + tail.len()));
    parse_structured(format!("{head}{payload}{tail}").as_bytes()).expect("a valid event")
}

struct Outcome {
    burst_events: u64,
    accepted_events: u64,
    accepted_bytes: u64,
    throttled: u64,
    elapsed: Duration,
}

fn run(args: &Args, units: u32) -> Outcome {
    let dir = tempfile::Builder::new()
        .prefix("gridlog-tu-accuracy-")
        .tempdir_in(&args.dir)
        .expect("scratch dir");
    let ns = Namespace::open(
        dir.path(),
        NamespaceOptions {
            durability: if args.durable {
                Durability::Always
            } else {
                Durability::Never
            },
            index: IndexKind::Memory,
            ..NamespaceOptions::default()
        },
    )
    .expect("open");
    let config = NamespaceConfig::from_json_str(&format!(
        r#"{{"throughputUnits":{units},"topics":[{{"name":"bench"}}]}}"#
    ))
    .expect("config");
    ns.apply_config(&config).expect("apply config");
    let batch: Vec<Event> = (0..args.batch)
        .map(|i| event(i, args.event_bytes))
        .collect();
    let batch_bytes: u64 = batch.iter().map(|e| e.size() as u64).sum();
    let batch = Arc::new(batch);
    let stop = Arc::new(AtomicBool::new(false));
    let accepted = Arc::new(AtomicU64::new(0));
    let throttled = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let threads: Vec<_> = (0..args.publishers)
        .map(|_| {
            let (ns, batch, stop) = (ns.clone(), batch.clone(), stop.clone());
            let (accepted, throttled) = (accepted.clone(), throttled.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    match ns.publish("bench", &batch) {
                        Ok(_) => {
                            accepted.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(EngineError::Throttled { retry_after, .. }) => {
                            throttled.fetch_add(1, Ordering::Relaxed);
                            std::thread::sleep(retry_after);
                        }
                        Err(error) => panic!("publish failed: {error}"),
                    }
                }
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs(1).min(Duration::from_secs(args.warmup)));
    let burst = accepted.load(Ordering::SeqCst);
    std::thread::sleep(Duration::from_secs(args.warmup).saturating_sub(started.elapsed()));
    let (first, window_start, throttled_before) = (
        accepted.load(Ordering::SeqCst),
        Instant::now(),
        throttled.load(Ordering::SeqCst),
    );
    std::thread::sleep(Duration::from_secs(args.seconds));
    // Batches accepted from here on are past the window: read the count first.
    let batches = accepted.load(Ordering::SeqCst) - first;
    let elapsed = window_start.elapsed();
    stop.store(true, Ordering::SeqCst);
    for thread in threads {
        thread.join().expect("publisher thread");
    }
    let stats = ns.stats();
    ns.close().expect("close");
    let events = batches * args.batch as u64;
    assert!(
        stats.topics[0].events >= events,
        "the engine stored fewer events than accepted"
    );
    Outcome {
        burst_events: burst * args.batch as u64,
        accepted_events: events,
        accepted_bytes: batches * batch_bytes,
        throttled: throttled.load(Ordering::SeqCst) - throttled_before,
        elapsed,
    }
}

fn main() -> std::process::ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return std::process::ExitCode::from(2);
        }
    };
    println!(
        "tu_accuracy: {} s per setting after {} s of warm-up, {}-byte events in batches of {}, \
         {} publisher(s), {}",
        args.seconds,
        args.warmup,
        args.event_bytes,
        args.batch,
        args.publishers,
        if args.durable {
            "fsync per publish"
        } else {
            "no fsync"
        }
    );
    println!(
        "{:>4} {:>11} {:>11} {:>8} {:>10} {:>9} {:>8} {:>9} {:>9}  binding",
        "TUs",
        "limit ev/s",
        "got ev/s",
        "dev",
        "limit MB/s",
        "got MB/s",
        "dev",
        "throttled",
        "1st s ev"
    );
    let mb = 1_048_576.0;
    let mut worst: f64 = 0.0;
    for &units in &args.tus {
        let out = run(&args, units);
        let secs = out.elapsed.as_secs_f64();
        let limit_events = (INGRESS_EVENTS_PER_SEC_PER_TU * u64::from(units)) as f64;
        let limit_bytes = (INGRESS_BYTES_PER_SEC_PER_TU * u64::from(units)) as f64;
        let events = out.accepted_events as f64 / secs;
        let bytes = out.accepted_bytes as f64 / secs;
        let dev_events = (events / limit_events - 1.0) * 100.0;
        let dev_bytes = (bytes / limit_bytes - 1.0) * 100.0;
        // The binding limit is the one the run came closest to.
        let (binding, dev) = if events / limit_events >= bytes / limit_bytes {
            ("events", dev_events)
        } else {
            ("bytes", dev_bytes)
        };
        worst = worst.max(dev.abs());
        println!(
            "{units:>4} {limit_events:>11.0} {events:>11.1} {dev_events:>+7.2}% {:>10.2} {:>9.2} {dev_bytes:>+7.2}% {:>9} {:>9}  {binding} ({dev:+.2}%)",
            limit_bytes / mb,
            bytes / mb,
            out.throttled,
            out.burst_events
        );
    }
    println!("largest deviation of the binding limit: {worst:.2}% (target: within 5%)");
    std::process::ExitCode::SUCCESS
}
