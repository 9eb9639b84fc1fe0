//! A real full disk (issue 7, "Real disk-full"; docs/reliability.md): `gridlog serve` on an
//! 8 MiB tmpfs mounted by the test. Publishes fill it until they fail with 507
//! `InsufficientStorage`; receives and acknowledgements keep working; reclamation of the settled
//! segments frees space and publishes resume; then kill -9, restart, and nothing acknowledged is
//! lost or delivered again.
//!
//! Needs permission to mount (root or `CAP_SYS_ADMIN`); otherwise the test prints why and skips.
//! Fill/free cycles: `GRIDLOG_DISK_FULL_CYCLES` (default 2; 50 with `GRIDLOG_LONG=1`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::too_many_lines,
    reason = "a test fails loudly by design"
)]

use std::collections::BTreeSet;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use gridlog_testkit::cli::sigterm;
use serde_json::Value;

const KEY: &str = "disk-full-key";
const API: &str = "api-version=2024-06-01";
const CONFIG: &str = r#"{"topics":[{"name":"orders","eventSubscriptions":[{"name":"work",
  "properties":{"deliveryConfiguration":{"deliveryMode":"Queue","queue":{
  "receiveLockDurationInSeconds":300,"maxDeliveryCount":10}}}}]}]}"#;

struct Mount(PathBuf);

/// Kills the server if the test fails half-way (so no orphan holds the mount).
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn post(addr: &str, path: &str, content_type: &str, body: &[u8]) -> (u16, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: gridlog\r\naeg-sas-key: {KEY}\r\nContent-Type: \
         {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let mut body = raw[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        let mut out = Vec::new();
        let mut at = &body[..];
        loop {
            let end = at.windows(2).position(|w| w == b"\r\n").unwrap();
            let size =
                usize::from_str_radix(std::str::from_utf8(&at[..end]).unwrap().trim(), 16).unwrap();
            if size == 0 {
                break;
            }
            out.extend_from_slice(&at[end + 2..end + 2 + size]);
            at = &at[end + 4 + size..];
        }
        body = out;
    }
    (status, body)
}

fn publish(addr: &str, ids: &[String]) -> (u16, Vec<u8>) {
    let pad = "z".repeat(16 * 1024);
    let events: Vec<String> = ids
        .iter()
        .map(|id| {
            format!(
                r#"{{"specversion":"1.0","id":"{id}","source":"/full","type":"T","data":{{"pad":"{pad}"}}}}"#
            )
        })
        .collect();
    post(
        addr,
        &format!("/topics/orders:publish?{API}"),
        "application/cloudevents-batch+json",
        format!("[{}]", events.join(",")).as_bytes(),
    )
}

/// Receives and acknowledges everything available; returns the ids.
fn drain(addr: &str) -> Vec<String> {
    let mut ids = Vec::new();
    loop {
        let (status, body) = post(
            addr,
            &format!(
                "/topics/orders/eventsubscriptions/work:receive?{API}&maxEvents=50&maxWaitTime=10"
            ),
            "application/json",
            b"",
        );
        assert_eq!(status, 200, "receive: {}", String::from_utf8_lossy(&body));
        let v: Value = serde_json::from_slice(&body).unwrap();
        let items = v["value"].as_array().unwrap();
        if items.is_empty() {
            return ids;
        }
        let tokens: Vec<&Value> = items
            .iter()
            .map(|i| &i["brokerProperties"]["lockToken"])
            .collect();
        let (status, body) = post(
            addr,
            &format!("/topics/orders/eventsubscriptions/work:acknowledge?{API}"),
            "application/json",
            serde_json::json!({ "lockTokens": tokens })
                .to_string()
                .as_bytes(),
        );
        assert_eq!(
            status,
            200,
            "acknowledge on a full disk: {}",
            String::from_utf8_lossy(&body)
        );
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            v["succeededLockTokens"].as_array().unwrap().len(),
            items.len(),
            "acknowledge on a full disk: {v}"
        );
        ids.extend(
            items
                .iter()
                .map(|i| i["event"]["id"].as_str().unwrap().to_owned()),
        );
    }
}

/// The time-scale anchor: fixed for the whole test, so the scaled wall clock is continuous
/// across restarts.
fn anchor() -> u128 {
    static ANCHOR: std::sync::OnceLock<u128> = std::sync::OnceLock::new();
    *ANCHOR.get_or_init(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis()
    })
}

fn start(data: &Path, config: &Path) -> (Server, String) {
    let child = Command::new(env!("CARGO_BIN_EXE_gridlog"))
        .args([
            "serve",
            "--amqp-listen",
            "127.0.0.1:0",
            "--mqtt-listen",
            "127.0.0.1:0",
            "--listen",
            "127.0.0.1:0",
            "--segment-bytes",
            "262144",
        ])
        .arg("--data-dir")
        .arg(data)
        .arg("--config")
        .arg(config)
        .env("GRIDLOG_KEY", KEY)
        .env("GRIDLOG_LOG", "warn")
        // 60x: an empty receive's 10 s wait takes 1/6 s (the 300 s locks last 5 s).
        .env("GRIDLOG_TEST_TIME_SCALE", format!("60@{}", anchor()))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The guard first: a failure below kills and waits for the server.
    let mut server = Server(child);
    let mut lines = BufReader::new(server.0.stdout.take().unwrap()).lines();
    loop {
        let line = lines
            .next()
            .expect("the server printed its address")
            .unwrap();
        if let Some(rest) = line.split("listening on http://").nth(1) {
            let addr = rest.split_whitespace().next().unwrap().to_owned();
            return (server, addr);
        }
    }
}

#[test]
fn disk_full_fails_publishes_keeps_settling_and_recovers() {
    let long = std::env::var("GRIDLOG_LONG").is_ok_and(|v| v == "1");
    let cycles: u32 = std::env::var("GRIDLOG_DISK_FULL_CYCLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(if long { 50 } else { 2 });
    let root = tempfile::tempdir().unwrap();
    let mnt = root.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=8m", "tmpfs"])
        .arg(&mnt)
        .output();
    match mounted {
        Ok(out) if out.status.success() => {}
        Ok(out) => {
            eprintln!(
                "disk_full: SKIPPED: cannot mount a tmpfs (needs root or CAP_SYS_ADMIN): {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            return;
        }
        Err(e) => {
            eprintln!("disk_full: SKIPPED: cannot run mount: {e}");
            return;
        }
    }
    let _mount = Mount(mnt.clone());
    let data = mnt.join("data");
    let config = root.path().join("ns.json");
    std::fs::write(&config, CONFIG).unwrap();
    let started = Instant::now();
    let (mut server, addr) = start(&data, &config);
    let mut acked: BTreeSet<String> = BTreeSet::new();
    let mut n = 0;
    let mut full_answers = 0;
    let mut published_total = 0;
    let mut resumed_after = Vec::new();
    for cycle in 0..cycles {
        // Fill.
        let mut published: Vec<String> = Vec::new();
        loop {
            let ids: Vec<String> = (0..8)
                .map(|_| {
                    n += 1;
                    format!("e{n}")
                })
                .collect();
            let (status, body) = publish(&addr, &ids);
            match status {
                200 => published.extend(ids),
                507 => {
                    let v: Value = serde_json::from_slice(&body).unwrap();
                    assert_eq!(v["error"]["code"], "InsufficientStorage", "{v}");
                    full_answers += 1;
                    break;
                }
                other => panic!(
                    "cycle {cycle}: publish answered {other}: {}",
                    String::from_utf8_lossy(&body)
                ),
            }
            assert!(published.len() < 10_000, "the disk never filled");
        }
        // Single events may still fit where a batch did not; fill up with them too.
        loop {
            n += 1;
            let id = format!("e{n}");
            let (status, body) = publish(&addr, std::slice::from_ref(&id));
            if status == 507 {
                full_answers += 1;
                break;
            }
            assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
            published.push(id);
        }
        // Still full: publishes keep failing cleanly (507, not a poisoned 500).
        let (status, body) = publish(&addr, &["extra".to_owned()]);
        assert_eq!(status, 507, "{}", String::from_utf8_lossy(&body));
        full_answers += 1;
        // Receives and acknowledgements keep working on the full disk.
        let got = drain(&addr);
        let expected: BTreeSet<&String> = published.iter().collect();
        let received: BTreeSet<&String> = got.iter().collect();
        assert_eq!(
            received, expected,
            "cycle {cycle}: the drain must return exactly what was published"
        );
        acked.extend(got);
        published_total += published.len();
        // Reclamation (the server's maintenance, every second) frees the settled segments.
        let waiting = Instant::now();
        loop {
            n += 1;
            let id = format!("e{n}");
            let (status, body) = publish(&addr, std::slice::from_ref(&id));
            if status == 200 {
                resumed_after.push(waiting.elapsed());
                let got = drain(&addr);
                assert_eq!(got, vec![id.clone()]);
                acked.insert(id);
                published_total += 1;
                break;
            }
            assert_eq!(status, 507, "{}", String::from_utf8_lossy(&body));
            assert!(
                waiting.elapsed() < Duration::from_secs(30),
                "cycle {cycle}: publishes did not resume within 30 s"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    // Some events left in the log, then kill -9 and restart on the same (full-ish) disk.
    let mut tail: Vec<String> = Vec::new();
    for _ in 0..4 {
        let ids: Vec<String> = (0..4)
            .map(|_| {
                n += 1;
                format!("e{n}")
            })
            .collect();
        let (status, body) = publish(&addr, &ids);
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        tail.extend(ids);
    }
    server.0.kill().unwrap();
    server.0.wait().unwrap();
    let (mut server, addr) = start(&data, &config);
    let got = drain(&addr);
    for id in &got {
        assert!(!acked.contains(id), "acknowledged {id} delivered again");
    }
    assert_eq!(
        got, tail,
        "after kill -9: exactly the unacknowledged tail, in order"
    );
    sigterm(&server.0);
    assert!(server.0.wait().unwrap().success());
    eprintln!(
        "disk_full: {cycles} fill/free cycles on an 8 MiB tmpfs: {published_total} events \
         (16 KiB) published and acknowledged, {full_answers} publishes refused with 507, \
         publishes resumed after {resumed_after:.1?}; kill -9 + restart: {} unacknowledged \
         events intact, 0 acknowledged redelivered; {:.1?}",
        tail.len(),
        started.elapsed()
    );
}
