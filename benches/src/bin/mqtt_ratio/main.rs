//! gridlog's MQTT broker against mosquitto (issue 21), in one run with the same client: `QoS` 1
//! publish throughput (several connections, pipelined within an in-flight window, 1 KiB
//! payloads, no subscribers), publish-to-subscriber latency p50/p99 at a fixed rate (one
//! publisher, one `QoS` 1 subscriber), and, for gridlog, the rate at which the routed messages
//! of the throughput phase are received and acknowledged over HTTP from the routing topic's
//! pull subscription. Prints each figure and the ratios gridlog ÷ mosquitto.
//!
//! ```text
//! apt-get install mosquitto
//! cargo build --release -p gridlog-cli -p gridlog-benches --bin mqtt_ratio
//! target/release/mqtt_ratio            # 10 s per phase
//! target/release/mqtt_ratio --quick    # 2 s per phase: a check that it works, no figure
//! ```
//!
//! Options: `--secs N` per phase, `--connections N` publishing connections (default 4),
//! `--window N` in-flight `QoS` 1 PUBLISH packets per connection (default 100, gridlog's Receive
//! Maximum), `--rate N` messages/s of the latency phase (default 1,000), `--consumers N` HTTP
//! consumers of the routed messages (default 4), `--gridlog PATH` (default `$GRIDLOG_BIN`, else
//! `target/release/gridlog`), `--mosquitto PATH` (default `/usr/sbin/mosquitto`).
//! `MQTT_RATIO_DIR` chooses where the scratch directories go (default the temp dir).
//!
//! What each broker does before its PUBACK differs, and BENCHMARKS.md says so: gridlog appends
//! every message to the routing topic and `fdatasync`s it (durability `always`, group commit)
//! before it acknowledges or delivers; mosquitto's persistence is a periodic snapshot of its
//! in-memory state (`autosave_interval`), and a message nobody subscribes to is not kept at all.
//! The client speaks MQTT 3.1.1 (both brokers' most used version) over plain TCP on loopback.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "a bench fails loudly"
)]
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "rates and percentiles"
)]
#![allow(clippy::big_endian_bytes, reason = "MQTT integers are big-endian")]

mod brokers;
mod client;
mod pull;
#[path = "../../served.rs"]
mod served;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use client::Load;

/// Payload bytes (the first 8 carry the send time).
const PAYLOAD: usize = 1024;

struct Options {
    secs: Duration,
    connections: usize,
    window: usize,
    rate: f64,
    consumers: usize,
    gridlog: PathBuf,
    mosquitto: PathBuf,
    quick: bool,
}

fn options() -> Options {
    let mut args = std::env::args().skip(1);
    let mut out = Options {
        secs: Duration::from_secs(10),
        connections: 4,
        window: 100,
        rate: 1_000.0,
        consumers: 4,
        gridlog: std::env::var_os("GRIDLOG_BIN").map_or_else(
            || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/release/gridlog"),
            PathBuf::from,
        ),
        mosquitto: PathBuf::from(brokers::MOSQUITTO),
        quick: false,
    };
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--quick" => {
                out.quick = true;
                out.secs = Duration::from_secs(2);
            }
            "--secs" => out.secs = Duration::from_secs(value().parse().unwrap()),
            "--connections" => out.connections = value().parse().unwrap(),
            "--window" => out.window = value().parse().unwrap(),
            "--rate" => out.rate = value().parse().unwrap(),
            "--consumers" => out.consumers = value().parse().unwrap(),
            "--gridlog" => out.gridlog = PathBuf::from(value()),
            "--mosquitto" => out.mosquitto = PathBuf::from(value()),
            other => panic!(
                "unknown argument {other} (--quick, --secs N, --connections N, --window N, --rate N, --consumers N, --gridlog PATH, --mosquitto PATH)"
            ),
        }
    }
    assert!(
        out.window >= 1 && out.window <= 65_000,
        "--window 1..=65000"
    );
    out
}

/// One broker's figures.
struct Figures {
    /// `QoS` 1 PUBLISH packets acknowledged per second.
    publish: f64,
    /// How many were acknowledged in the throughput phase.
    published: u64,
    /// Latency p50 and p99 (ms) at the fixed rate.
    p50: f64,
    p99: f64,
    /// Messages of the latency phase the subscriber did not get.
    lost: u64,
}

/// `connections` publishers as fast as their windows allow for `secs`; (msg/s, total).
fn throughput(addr: &str, options: &Options, tag: &str) -> (f64, u64) {
    let load = Load {
        secs: options.secs,
        window: options.window,
        rate: None,
        payload: PAYLOAD,
    };
    let start = Instant::now();
    let threads: Vec<_> = (0..options.connections)
        .map(|i| {
            let addr = addr.to_owned();
            let id = format!("{tag}-pub-{i}");
            std::thread::spawn(move || {
                client::publish(
                    &addr,
                    &id,
                    &brokers::credentials(),
                    &format!("bench/{i}"),
                    load,
                )
            })
        })
        .collect();
    let total: u64 = threads.into_iter().map(|t| t.join().unwrap()).sum();
    (total as f64 / start.elapsed().as_secs_f64(), total)
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank] as f64 / 1e6
}

/// One publisher at `options.rate` for `secs`, one `QoS` 1 subscriber; (p50 ms, p99 ms, lost).
fn latency(addr: &str, options: &Options, tag: &str) -> (f64, f64, u64) {
    let subscriber = client::subscribe(
        addr,
        &format!("{tag}-sub"),
        &brokers::credentials(),
        "bench/#",
    );
    let receiving =
        std::thread::spawn(move || subscriber.receive(u64::MAX, Duration::from_secs(2)));
    let load = Load {
        secs: options.secs,
        window: options.window,
        rate: Some(options.rate),
        payload: PAYLOAD,
    };
    let sent = client::publish(
        addr,
        &format!("{tag}-paced"),
        &brokers::credentials(),
        "bench/latency",
        load,
    );
    let mut latencies = receiving.join().unwrap();
    latencies.sort_unstable();
    let lost = sent.saturating_sub(latencies.len() as u64);
    (
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        lost,
    )
}

fn measure(addr: &str, options: &Options, tag: &str) -> Figures {
    let (publish, published) = throughput(addr, options, tag);
    let (p50, p99, lost) = latency(addr, options, tag);
    Figures {
        publish,
        published,
        p50,
        p99,
        lost,
    }
}

fn report(name: &str, figures: &Figures, rate: f64) {
    println!(
        "{name:<10} QoS 1 publish {:>10.0} msg/s ({} acknowledged); latency at {rate:.0} msg/s: p50 {:.3} ms, p99 {:.3} ms{}",
        figures.publish,
        figures.published,
        figures.p50,
        figures.p99,
        if figures.lost == 0 {
            String::new()
        } else {
            format!(" ({} messages never reached the subscriber)", figures.lost)
        }
    );
}

fn mosquitto_version(binary: &PathBuf) -> String {
    Command::new(binary)
        .arg("-h")
        .output()
        .ok()
        .and_then(|out| {
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .next()
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "mosquitto (version unknown)".to_owned())
}

fn main() {
    let options = options();
    let base = std::env::var_os("MQTT_RATIO_DIR").map_or_else(std::env::temp_dir, PathBuf::from);
    let dir = tempfile::Builder::new()
        .prefix("gridlog-mqtt-ratio-")
        .tempdir_in(base)
        .unwrap();
    println!(
        "mqtt_ratio: {} s per phase, {} connections x window {}, {PAYLOAD} B payloads, QoS 1, MQTT 3.1.1{}",
        options.secs.as_secs(),
        options.connections,
        options.window,
        if options.quick {
            " (--quick: a check, not a measurement)"
        } else {
            ""
        }
    );
    println!(
        "{}: persistence on (a snapshot every autosave_interval = 1800 s, and at exit)",
        mosquitto_version(&options.mosquitto)
    );
    println!("gridlog: every message routed into a topic and fdatasync'ed before its PUBACK");

    let mosquitto_dir = dir.path().join("mosquitto");
    std::fs::create_dir_all(&mosquitto_dir).unwrap();
    let mosquitto = brokers::mosquitto(&options.mosquitto, &mosquitto_dir);
    let theirs = measure(&mosquitto.mqtt, &options, "mosquitto");
    drop(mosquitto);
    report("mosquitto", &theirs, options.rate);

    let gridlog_dir = dir.path().join("gridlog");
    std::fs::create_dir_all(&gridlog_dir).unwrap();
    let gridlog = brokers::gridlog(&options.gridlog, &gridlog_dir);
    let (publish, published) = throughput(&gridlog.mqtt, &options, "gridlog");
    let http = gridlog.http.clone().unwrap();
    let routed = pull::drain(&http, options.consumers, published);
    let (p50, p99, lost) = latency(&gridlog.mqtt, &options, "gridlog");
    drop(gridlog);
    let ours = Figures {
        publish,
        published,
        p50,
        p99,
        lost,
    };
    report("gridlog", &ours, options.rate);
    println!(
        "routed to a pull subscription: {routed:>10.0} events/s received and acknowledged over HTTP ({published} events, {} consumers)",
        options.consumers
    );

    println!("ratios gridlog / mosquitto:");
    println!("  QoS 1 publish   {:.2}", ours.publish / theirs.publish);
    println!("  latency p50     {:.2}", ours.p50 / theirs.p50);
    println!("  latency p99     {:.2}", ours.p99 / theirs.p99);
    println!(
        "target: gridlog QoS 1 publish >= mosquitto's: {}",
        if ours.publish >= theirs.publish {
            "met"
        } else {
            "not met"
        }
    );
}
