//! The HTTP publish and consume paths of `gridlog serve` (issue 23), in one run against the
//! same machine's raw probes: single-event publish on one connection and on many (group commit
//! across requests; and, for scale, the round-trip rate of a request that needs no write),
//! batched publish (100 × 1 KiB per request), publish latency p50 / p99 /
//! p99.9 at half the measured single-event maximum (open loop: each request's latency counts
//! from when it was due, so a stall is not hidden by the requests it delays), and receive +
//! acknowledge (maxEvents=100). Prints each figure, the ratios and the issue's targets.
//!
//! ```text
//! cargo build --release -p gridlog-cli -p gridlog-benches --bin http_ratio
//! target/release/http_ratio            # 10 s per phase (about 2 minutes)
//! target/release/http_ratio --quick    # 2 s per phase: a check that it works, no figure
//! ```
//!
//! Options: `--secs N` per phase, `--connections N` for the many-connection phases (default
//! 64), `--batch-connections N` for batched publish and receive + acknowledge (default 8),
//! `--gridlog PATH` (default `$GRIDLOG_BIN`, else `target/release/gridlog`).
//! `HTTP_RATIO_DIR` chooses where the scratch directories go (default the temp dir).
//! The clients are blocking threads in this process (HTTP/1.1 keep-alive, one request in
//! flight per connection, no TLS, no key: loopback); the server runs in its own process with
//! its defaults (durability `always`). Client and server share the 2 cores.

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

#[path = "../probe.rs"]
mod probe;
#[path = "../served.rs"]
mod served;

use std::io::{BufReader, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use served::{Server, read_response};

/// Events per batched request and per receive.
const BATCH: usize = 100;
/// Bytes of one event's JSON.
const EVENT_BYTES: usize = 1024;
/// The bench topic and its queue subscription.
const CONFIG: &str = r#"{"topics":[{"name":"bench","eventSubscriptions":[{"name":"all"}]}]}"#;
const PUBLISH: &str = "/topics/bench:publish?api-version=2024-06-01";
const RECEIVE: &str = "/topics/bench/eventsubscriptions/all:receive?api-version=2024-06-01&maxEvents=100&maxWaitTime=10";
const ACKNOWLEDGE: &str = "/topics/bench/eventsubscriptions/all:acknowledge?api-version=2024-06-01";
/// Answered without any I/O: the round trip a request needs before any write.
const HEALTH: &str = "/_gridlog/health";

struct Options {
    secs: Duration,
    connections: usize,
    batch_connections: usize,
    gridlog: PathBuf,
    quick: bool,
}

fn options() -> Options {
    let mut args = std::env::args().skip(1);
    let mut out = Options {
        secs: Duration::from_secs(10),
        connections: 64,
        batch_connections: 8,
        gridlog: served::default_gridlog(),
        quick: false,
    };
    while let Some(arg) = args.next() {
        let mut value = || args.next().expect("a value after the option");
        match arg.as_str() {
            "--quick" => {
                out.quick = true;
                out.secs = Duration::from_secs(2);
            }
            "--secs" => out.secs = Duration::from_secs(value().parse().unwrap()),
            "--connections" => out.connections = value().parse().unwrap(),
            "--batch-connections" => out.batch_connections = value().parse().unwrap(),
            "--gridlog" => out.gridlog = PathBuf::from(value()),
            other => panic!(
                "unknown argument {other} (--quick, --secs N, --connections N, \
                 --batch-connections N, --gridlog PATH)"
            ),
        }
    }
    out
}

/// One structured `CloudEvent` of [`EVENT_BYTES`] (ids repeat across requests; nothing here
/// deduplicates).
fn event_json(n: usize) -> String {
    let head = format!(
        r#"{{"specversion":"1.0","id":"e{n}","source":"/bench","type":"Bench.Event","data":""#
    );
    let pad = EVENT_BYTES.saturating_sub(head.len() + 2);
    format!("{head}{}\"}}", "x".repeat(pad))
}

/// The bytes of one publish request of `events` events (1: structured mode; more: a batch).
fn publish_request(http: &str, events: usize) -> Vec<u8> {
    let (content_type, body) = if events == 1 {
        ("application/cloudevents+json; charset=utf-8", event_json(0))
    } else {
        let all: Vec<String> = (0..events).map(event_json).collect();
        (
            "application/cloudevents-batch+json; charset=utf-8",
            format!("[{}]", all.join(",")),
        )
    };
    let mut out = format!(
        "POST {PUBLISH} HTTP/1.1\r\nHost: {http}\r\nContent-Type: {content_type}\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}

/// One keep-alive connection, one request in flight.
struct Client {
    writer: TcpStream,
    reader: BufReader<TcpStream>,
    reply: Vec<u8>,
}

impl Client {
    fn connect(http: &str) -> Self {
        let stream = TcpStream::connect(http).unwrap();
        stream.set_nodelay(true).unwrap();
        Self {
            writer: stream.try_clone().unwrap(),
            reader: BufReader::new(stream),
            reply: Vec::new(),
        }
    }

    /// Sends `request` and reads the answer, which must be `200`.
    fn call(&mut self, request: &[u8]) -> &[u8] {
        self.writer.write_all(request).unwrap();
        let status = read_response(&mut self.reader, &mut self.reply);
        assert_eq!(
            status,
            200,
            "refused: {}",
            String::from_utf8_lossy(&self.reply)
        );
        &self.reply
    }
}

/// Latencies in microseconds, sorted; the `p`-th per-mille.
fn per_mille(sorted: &[u32], p: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    f64::from(sorted[(sorted.len() * p / 1000).min(sorted.len() - 1)]) / 1000.0
}

/// What a publish phase measured.
struct Measured {
    rate: f64,
    /// Sorted, µs.
    latencies: Vec<u32>,
}

impl Measured {
    fn describe(&self) -> String {
        format!(
            "{:>10.0} events/s, latency p50 {:.3} / p99 {:.3} / p99.9 {:.3} ms",
            self.rate,
            per_mille(&self.latencies, 500),
            per_mille(&self.latencies, 990),
            per_mille(&self.latencies, 999)
        )
    }
}

/// `connections` clients publishing `events` per request, closed loop (each sends its next
/// request when the last is answered) for `secs` (`pace`: each client's interval, open loop).
fn publish_phase(
    http: &str,
    connections: usize,
    events: usize,
    secs: Duration,
    pace: Option<Duration>,
) -> Measured {
    let request = Arc::new(publish_request(http, events));
    let start = Instant::now();
    let threads: Vec<_> = (0..connections)
        .map(|i| {
            let (http, request) = (http.to_owned(), Arc::clone(&request));
            std::thread::spawn(move || {
                let mut client = Client::connect(&http);
                let mut latencies = Vec::new();
                // Open loop: stagger the clients over one interval.
                let mut due = pace.map(|p| start + p.mul_f64(i as f64 / connections as f64));
                while start.elapsed() < secs {
                    let sent = match (due, pace) {
                        (Some(at), Some(p)) => {
                            let now = Instant::now();
                            if at > now {
                                std::thread::sleep(at - now);
                            }
                            due = Some(at + p);
                            at
                        }
                        _ => Instant::now(),
                    };
                    client.call(&request);
                    latencies.push(sent.elapsed().as_micros().min(u128::from(u32::MAX)) as u32);
                }
                latencies
            })
        })
        .collect();
    let mut latencies: Vec<u32> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    let elapsed = start.elapsed().as_secs_f64();
    latencies.sort_unstable();
    Measured {
        rate: (latencies.len() * events) as f64 / elapsed,
        latencies,
    }
}

/// One connection sending `GET /_gridlog/health` (answered without any I/O) for `secs`,
/// closed loop: the round trips per second this machine allows between the client and the
/// server (loopback TCP, two thread wake-ups per request, hyper) before any write or sync.
fn round_trip_phase(http: &str, secs: Duration) -> f64 {
    let request = format!("GET {HEALTH} HTTP/1.1\r\nHost: {http}\r\n\r\n").into_bytes();
    let mut client = Client::connect(http);
    let start = Instant::now();
    let mut calls = 0_u64;
    while start.elapsed() < secs {
        client.call(&request);
        calls += 1;
    }
    calls as f64 / start.elapsed().as_secs_f64()
}

/// `connections` clients receiving (maxEvents=100) and acknowledging for `secs`, or until the
/// subscription is empty; events/s.
fn consume_phase(http: &str, connections: usize, secs: Duration) -> f64 {
    let done = Arc::new(AtomicBool::new(false));
    let consumed = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let receive = format!("POST {RECEIVE} HTTP/1.1\r\nHost: {http}\r\nContent-Length: 0\r\n\r\n")
        .into_bytes();
    let threads: Vec<_> = (0..connections)
        .map(|_| {
            let (http, receive) = (http.to_owned(), receive.clone());
            let (done, consumed) = (Arc::clone(&done), Arc::clone(&consumed));
            std::thread::spawn(move || {
                let mut client = Client::connect(&http);
                while start.elapsed() < secs && !done.load(Ordering::Relaxed) {
                    // Cheap client: the lock tokens without parsing the events.
                    let tokens: Vec<String> = std::str::from_utf8(client.call(&receive))
                        .unwrap()
                        .split("\"lockToken\":\"")
                        .skip(1)
                        .map(|rest| rest[..rest.find('"').unwrap()].to_owned())
                        .collect();
                    if tokens.is_empty() {
                        done.store(true, Ordering::Relaxed);
                        break;
                    }
                    let body = format!(r#"{{"lockTokens":["{}"]}}"#, tokens.join("\",\""));
                    let mut ack = format!(
                        "POST {ACKNOWLEDGE} HTTP/1.1\r\nHost: {http}\r\n\
                         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                        body.len()
                    )
                    .into_bytes();
                    ack.extend_from_slice(body.as_bytes());
                    let answer = std::str::from_utf8(client.call(&ack)).unwrap();
                    assert!(
                        answer.contains("\"failedLockTokens\":[]"),
                        "acknowledge failed: {answer}"
                    );
                    consumed.fetch_add(tokens.len() as u64, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    consumed.load(Ordering::Relaxed) as f64 / start.elapsed().as_secs_f64()
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "NOT met" }
}

fn main() {
    let o = options();
    let dir = probe::scratch("HTTP_RATIO_DIR", "http-ratio", "run");
    println!(
        "http_ratio: {} s per phase, {} connections (batched: {}), {EVENT_BYTES} B events{}",
        o.secs.as_secs(),
        o.connections,
        o.batch_connections,
        if o.quick {
            " (--quick: a check, not a measurement)"
        } else {
            ""
        }
    );
    let raw_single = probe::raw_probe(&dir, 1, o.secs);
    let raw_batch = probe::raw_probe(&dir, BATCH, o.secs);
    println!("raw probe, 1 frame per pwrite + fdatasync:        {raw_single:>10.0} events/s");
    println!("raw probe, 100 frames per pwrite + fdatasync:     {raw_batch:>10.0} events/s");

    let server = Server::start(&o.gridlog, &dir, CONFIG, &["--no-amqp"]);
    let http = server.http.clone();
    let round_trip = round_trip_phase(&http, o.secs);
    println!(
        "round trip without a write (GET {HEALTH}), 1 connection: {round_trip:>10.0} requests/s"
    );
    let one = publish_phase(&http, 1, 1, o.secs, None);
    println!("single-event publish, 1 connection:  {}", one.describe());
    let many = publish_phase(&http, o.connections, 1, o.secs, None);
    println!(
        "single-event publish, {} connections: {}",
        o.connections,
        many.describe()
    );
    let half = many.rate / 2.0;
    let pace = Duration::from_secs_f64(o.connections as f64 / half);
    let paced = publish_phase(&http, o.connections, 1, o.secs, Some(pace));
    println!(
        "single-event publish at {half:.0}/s (half the maximum, open loop): {}",
        paced.describe()
    );
    let batch_one = publish_phase(&http, 1, BATCH, o.secs, None);
    println!(
        "batched publish, 1 connection:       {}",
        batch_one.describe()
    );
    let batch_many = publish_phase(&http, o.batch_connections, BATCH, o.secs, None);
    println!(
        "batched publish, {} connections:      {}",
        o.batch_connections,
        batch_many.describe()
    );
    let consume_one = consume_phase(&http, 1, o.secs);
    println!("receive + acknowledge, 1 connection:  {consume_one:>10.0} events/s");
    let consume_many = consume_phase(&http, o.batch_connections, o.secs);
    println!(
        "receive + acknowledge, {} connections: {consume_many:>10.0} events/s",
        o.batch_connections
    );
    println!("server peak RSS: {:.1} MiB", server.peak_rss_mib());
    drop(server);

    println!("ratios and targets (issue 23):");
    let best_batch = batch_one.rate.max(batch_many.rate);
    let best_consume = consume_one.max(consume_many);
    println!(
        "  single-event, 1 connection / raw unbatched    {:.2} (target >= 0.8: {})",
        one.rate / raw_single,
        verdict(one.rate >= 0.8 * raw_single)
    );
    // A request that syncs cannot take less than a sync plus a round trip without one.
    let ceiling = 1.0 / (1.0 / raw_single + 1.0 / round_trip);
    println!(
        "  single-event, 1 connection / (one sync + one round trip without a write, {ceiling:.0}/s)  {:.2}; that ceiling / raw unbatched {:.2}",
        one.rate / ceiling,
        ceiling / raw_single
    );
    println!(
        "  single-event, {} connections / 1 connection   {:.1}x (target >= 10x: {})",
        o.connections,
        many.rate / one.rate,
        verdict(many.rate >= 10.0 * one.rate)
    );
    println!(
        "  batched publish, best                         {best_batch:.0} events/s (target >= 200,000: {})",
        verdict(best_batch >= 200_000.0)
    );
    println!(
        "  receive + acknowledge, best                   {best_consume:.0} events/s (target >= 150,000: {})",
        verdict(best_consume >= 150_000.0)
    );
    println!(
        "  batched publish, best / raw batched            {:.2}",
        best_batch / raw_batch
    );
    let _ = std::fs::remove_dir_all(&dir);
}
