//! HTTP load generator against an in-process `gridlog serve` (real engine, default durability
//! `Always`, loopback): publish throughput (batches of 100 × 1 KiB events), single-event
//! publish latency (p50/p99), receive+acknowledge throughput (maxEvents=100), peak RSS.
//!
//! `cargo bench -p gridlog-server --bench http_load [-- SECONDS CONNECTIONS]`
//! (defaults 5 s and 8 connections). Client and server share the process and the cores, so the
//! RSS figure covers both.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::cast_precision_loss,
    missing_docs,
    reason = "bench"
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;

use gridlog::{Namespace, NamespaceConfig, NamespaceOptions};
use gridlog_server::auth::Authenticator;
use gridlog_server::http::App;

const KEY: &str = "bench-key";
const EVENT_BYTES: usize = 1024;
const BATCH: usize = 100;

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

async fn connect(addr: std::net::SocketAddr) -> Sender {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream.set_nodelay(true).unwrap();
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(conn);
    sender
}

async fn post(sender: &mut Sender, path: &str, ct: Option<&str>, body: Bytes) -> Bytes {
    sender.ready().await.unwrap();
    let mut request = Request::post(path)
        .header("host", "bench")
        .header("authorization", format!("SharedAccessKey {KEY}"));
    if let Some(ct) = ct {
        request = request.header("content-type", ct);
    }
    let response = sender
        .send_request(request.body(Full::new(body)).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.into_body().collect().await.unwrap().to_bytes()
}

fn batch_body(count: usize, seq: &AtomicU64) -> Bytes {
    let mut out = String::from("[");
    for i in 0..count {
        if i > 0 {
            out.push(',');
        }
        let n = seq.fetch_add(1, Ordering::Relaxed);
        let head = format!(
            r#"{{"specversion":"1.0","id":"e{n}","source":"/bench","type":"Bench.Event","data":""#
        );
        let pad = EVENT_BYTES.saturating_sub(head.len() + 3);
        out.push_str(&head);
        out.push_str(&"x".repeat(pad));
        out.push_str("\"}");
    }
    out.push(']');
    Bytes::from(out)
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

#[expect(clippy::too_many_lines, reason = "one linear bench script")]
fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let secs: u64 = args.first().and_then(|a| a.parse().ok()).unwrap_or(5);
    let connections: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(8);
    let dir = tempfile::tempdir().unwrap();
    let ns = Namespace::open(
        dir.path(),
        NamespaceOptions {
            maintenance_interval: Some(Duration::from_secs(1)),
            ..NamespaceOptions::default()
        },
    )
    .unwrap();
    ns.apply_config(
        &NamespaceConfig::from_json_str(
            r#"{"topics":[{"name":"bench","eventSubscriptions":[{"name":"all"}]}]}"#,
        )
        .unwrap(),
    )
    .unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (tx, rx) = tokio::sync::watch::channel(false);
        let app = Arc::new(App::new(Arc::new(ns.clone()), Authenticator::new([KEY]), rx));
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(gridlog_server::server::serve(listener, app, tx, async {
            let _ = stop_rx.await;
        }));
        let seq = Arc::new(AtomicU64::new(0));
        let publish_path = "/topics/bench:publish?api-version=2024-06-01";
        let ct = Some("application/cloudevents-batch+json; charset=utf-8");

        // 1. Publish throughput.
        let deadline = Instant::now() + Duration::from_secs(secs);
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..connections {
            let seq = seq.clone();
            tasks.push(tokio::spawn(async move {
                let mut sender = connect(addr).await;
                let mut sent = 0_u64;
                while Instant::now() < deadline {
                    post(&mut sender, publish_path, ct, batch_body(BATCH, &seq)).await;
                    sent += BATCH as u64;
                }
                sent
            }));
        }
        let mut published = 0;
        for task in tasks {
            published += task.await.unwrap();
        }
        let elapsed = started.elapsed().as_secs_f64();
        println!(
            "publish: {published} events in {elapsed:.2} s = {:.0} events/s ({connections} connections, batches of {BATCH} x {EVENT_BYTES} B)",
            published as f64 / elapsed
        );

        // 2. Single-event publish latency (one connection).
        let mut sender = connect(addr).await;
        let mut latencies = Vec::new();
        for _ in 0..500 {
            let body = batch_body(1, &seq);
            let t = Instant::now();
            post(&mut sender, publish_path, ct, body).await;
            latencies.push(t.elapsed());
        }
        latencies.sort();
        let pct = |p: usize| latencies[(latencies.len() * p / 100).min(latencies.len() - 1)];
        println!("single-event publish latency: p50 {:?}, p99 {:?}", pct(50), pct(99));
        let total = published + 500;

        // 3. Receive + acknowledge throughput.
        let received = Arc::new(AtomicU64::new(0));
        let done = Arc::new(std::sync::OnceLock::new());
        let started = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..connections {
            let received = received.clone();
            let done = done.clone();
            tasks.push(tokio::spawn(async move {
                let mut sender = connect(addr).await;
                loop {
                    if received.load(Ordering::Relaxed) >= total {
                        break;
                    }
                    let body = post(
                        &mut sender,
                        "/topics/bench/eventsubscriptions/all:receive?api-version=2024-06-01&maxEvents=100&maxWaitTime=10",
                        None,
                        Bytes::new(),
                    )
                    .await;
                    // Cheap client: find the tokens without parsing the events.
                    let text = std::str::from_utf8(&body).unwrap();
                    let tokens: Vec<&str> = text
                        .split("\"lockToken\":\"")
                        .skip(1)
                        .map(|rest| &rest[..rest.find('"').unwrap()])
                        .collect();
                    if tokens.is_empty() {
                        break;
                    }
                    let ack = serde_json::json!({ "lockTokens": tokens }).to_string();
                    post(
                        &mut sender,
                        "/topics/bench/eventsubscriptions/all:acknowledge?api-version=2024-06-01",
                        Some("application/json"),
                        Bytes::from(ack),
                    )
                    .await;
                    let n = tokens.len() as u64;
                    if received.fetch_add(n, Ordering::Relaxed) + n >= total {
                        // The last events: the phase ends here (other connections may still
                        // be in a long poll on the empty subscription).
                        let _ = done.set(Instant::now());
                    }
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let elapsed = done
            .get()
            .map_or_else(|| started.elapsed(), |at| at.duration_since(started))
            .as_secs_f64();
        let got = received.load(Ordering::Relaxed);
        println!(
            "receive+acknowledge: {got} events in {elapsed:.2} s = {:.0} events/s (maxEvents=100)",
            got as f64 / elapsed
        );
        let _ = stop_tx.send(());
        server.await.unwrap();

        // 4. The same receive+acknowledge directly on the engine (no HTTP), for comparison.
        let ns2 = ns.clone();
        let engine_rate = tokio::task::spawn_blocking(move || {
            let ct = [("content-type", &b"application/cloudevents-batch+json"[..])];
            for _ in 0..total / BATCH as u64 {
                let events = gridlog::format::parse_request(ct, &batch_body(BATCH, &seq)).unwrap();
                ns2.publish("bench", &events).unwrap();
            }
            let started = Instant::now();
            let got = AtomicU64::new(0);
            std::thread::scope(|scope| {
                for _ in 0..connections {
                    scope.spawn(|| {
                        loop {
                            let batch = ns2.receive("bench", "all", 100, Duration::ZERO).unwrap();
                            if batch.is_empty() {
                                break;
                            }
                            let tokens: Vec<&str> =
                                batch.iter().map(|r| r.lock_token.as_str()).collect();
                            ns2.acknowledge("bench", "all", &tokens).unwrap();
                            got.fetch_add(tokens.len() as u64, Ordering::Relaxed);
                        }
                    });
                }
            });
            let got = got.load(Ordering::Relaxed);
            (got, started.elapsed().as_secs_f64())
        })
        .await
        .unwrap();
        println!(
            "engine only (no HTTP, {connections} threads) receive+acknowledge: {} events in {:.2} s = {:.0} events/s",
            engine_rate.0,
            engine_rate.1,
            engine_rate.0 as f64 / engine_rate.1
        );
        println!("peak RSS (client and server, one process): {} MiB", peak_rss_kib() / 1024);
        ns.close().unwrap();
    });
}
