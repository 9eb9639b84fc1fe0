//! HTTP abuse (reliability research §5) against the real `gridlog serve` process: bad
//! credentials, oversized and lying bodies, deep JSON, huge batches, out-of-range parameters,
//! path traversal, forged and replayed lock tokens, 1,000 concurrent long-polls and slowloris.
//! Every case asserts the exact status and error code; the test prints how many cases ran and
//! the server's RSS and file-descriptor figures (from `/proc/<pid>/status` and `/proc/<pid>/fd`).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]
#![allow(
    clippy::too_many_lines,
    reason = "one scenario per function, case after case"
)]

mod common;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};

use base64::Engine as _;
use common::{Reply, parse_reply, read_reply, send_raw};
use gridlog_testkit::serve::{ORDERS_CONFIG, Served};
use hmac::Mac as _;

const KEY: &str = "abuse-key";
const Q: &str = "api-version=2024-06-01";
const BATCH: &str = "application/cloudevents-batch+json; charset=utf-8";

/// `gridlog serve` over a fresh data directory (topic `orders`), with request helpers.
struct Server(Served);

impl std::ops::Deref for Server {
    type Target = Served;

    fn deref(&self) -> &Served {
        &self.0
    }
}

impl Server {
    fn start() -> Self {
        Self(Served::start(
            Path::new(env!("CARGO_BIN_EXE_gridlog")),
            Some(ORDERS_CONFIG),
            KEY,
            &[],
        ))
    }

    fn raw(&self, raw: &[u8]) -> Reply {
        send_raw(self.addr, raw)
    }

    fn call(&self, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        let mut raw = format!("{method} {target} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n");
        for (name, value) in headers {
            let _ = write!(raw, "{name}: {value}\r\n");
        }
        let _ = write!(raw, "Content-Length: {}\r\n\r\n", body.len());
        let mut bytes = raw.into_bytes();
        bytes.extend_from_slice(body);
        self.raw(&bytes)
    }

    fn authed(&self, target: &str, content_type: &str, body: &[u8]) -> Reply {
        let auth = format!("SharedAccessKey {KEY}");
        self.call(
            "POST",
            target,
            &[("Authorization", &auth), ("Content-Type", content_type)],
            body,
        )
    }

    fn publish(&self, topic: &str, body: &str) -> Reply {
        self.authed(
            &format!("/topics/{topic}:publish?{Q}"),
            BATCH,
            body.as_bytes(),
        )
    }

    fn receive(&self, sub: &str, query: &str) -> Reply {
        self.authed(
            &format!("/topics/orders/eventsubscriptions/{sub}:receive?{Q}{query}"),
            "application/json",
            b"",
        )
    }

    fn settle(&self, sub: &str, action: &str, tokens: &[&str]) -> Reply {
        let body = serde_json::json!({ "lockTokens": tokens }).to_string();
        self.authed(
            &format!("/topics/orders/eventsubscriptions/{sub}:{action}?{Q}"),
            "application/json",
            body.as_bytes(),
        )
    }
}

/// Counts the cases and checks each one's exact status and error code.
#[derive(Default)]
struct Cases {
    ran: usize,
}

impl Cases {
    /// `code`: the `{"error":{"code"}}` (and `x-ms-error-code`) expected; `None` for answers
    /// without an error body (200, or the HTTP layer's own refusals).
    fn check(&mut self, what: &str, reply: &Reply, status: u16, code: Option<&str>) {
        assert_eq!(reply.status, status, "{what}: {}", reply.text());
        if let Some(code) = code {
            assert_eq!(reply.error_code(), code, "{what}");
        }
        // Error hygiene: no key, no file path, no backtrace in any answer.
        let text = reply.text();
        assert!(!text.contains(KEY), "{what}: the key is echoed");
        assert!(!text.contains("/tmp"), "{what}: a path leaks: {text}");
        assert!(!text.contains("panicked"), "{what}: {text}");
        self.ran += 1;
    }
}

fn sas(resource: &str, expiry: &str, tweak: impl FnOnce(String) -> String) -> String {
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let unsigned = format!("r={}&e={}", enc(resource), enc(expiry));
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(KEY.as_bytes()).unwrap();
    mac.update(unsigned.as_bytes());
    let sig = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    tweak(format!("{unsigned}&s={}", enc(&sig)))
}

fn credentials(server: &Server, cases: &mut Cases) {
    let path = format!("/topics/orders:publish?{Q}");
    let call = |headers: &[(&str, &str)], target: &str| {
        let mut all = vec![("Content-Type", BATCH)];
        all.extend_from_slice(headers);
        server.call("POST", target, &all, b"[]")
    };
    let orders = "https://ns.example/topics/orders";
    let good_sas = sas(orders, "4102444800", |s| s);
    let reply = call(&[("aeg-sas-token", &good_sas)], &path);
    cases.check("valid SAS (control)", &reply, 200, None);
    let reply = call(&[], &format!("{path}&aeg-sas-key={KEY}"));
    cases.check("key in the query (control)", &reply, 200, None);
    let wrong_case = KEY.to_uppercase();
    let expired = sas(orders, "1600000000", |s| s);
    let other_topic = sas("https://ns.example/topics/other", "4102444800", |s| s);
    let no_signature = sas(orders, "4102444800", |s| {
        s.split("&s=").next().unwrap().to_owned()
    });
    let text_expiry = sas(orders, "tomorrow", |s| s);
    let duplicated = sas(orders, "4102444800", |s| format!("{s}&e=4102444800"));
    let bad_signature = sas(orders, "4102444800", |s| {
        let (head, _) = s.split_once("&s=").unwrap();
        format!("{head}&s=%%%not-base64")
    });
    let other_expiry = sas(orders, "4102444800", |s| {
        s.replace("e=4102444800", "e=4102444801")
    });
    let auth_wrong = "SharedAccessKey wrong-key".to_owned();
    let auth_empty = "SharedAccessKey ".to_owned();
    let auth_case = format!("SharedAccessKey {wrong_case}");
    let auth_space = format!("SharedAccessKey  {KEY}x");
    for (what, headers) in [
        ("missing credentials", vec![]),
        ("wrong key", vec![("Authorization", auth_wrong.as_str())]),
        ("empty key", vec![("Authorization", auth_empty.as_str())]),
        (
            "key in the wrong case",
            vec![("Authorization", auth_case.as_str())],
        ),
        (
            "key with a suffix",
            vec![("Authorization", auth_space.as_str())],
        ),
        (
            "truncated aeg-sas-key",
            vec![("aeg-sas-key", &KEY[..KEY.len() - 1])],
        ),
        ("bearer token", vec![("Authorization", "Bearer a.b.c")]),
        ("expired SAS", vec![("aeg-sas-token", expired.as_str())]),
        (
            "SAS for another topic",
            vec![("aeg-sas-token", other_topic.as_str())],
        ),
        (
            "SAS without a signature",
            vec![("aeg-sas-token", no_signature.as_str())],
        ),
        (
            "SAS with a non-numeric expiry",
            vec![("aeg-sas-token", text_expiry.as_str())],
        ),
        (
            "SAS with a duplicated parameter",
            vec![("aeg-sas-token", duplicated.as_str())],
        ),
        (
            "SAS with a signature that is not base64",
            vec![("aeg-sas-token", bad_signature.as_str())],
        ),
        (
            "SAS with a changed expiry",
            vec![("aeg-sas-token", other_expiry.as_str())],
        ),
        ("SAS that is garbage", vec![("aeg-sas-token", "r=&e=&s=")]),
    ] {
        let reply = call(&headers, &path);
        cases.check(what, &reply, 401, Some("Unauthorized"));
    }
}

fn bodies(server: &Server, cases: &mut Cases) {
    let path = format!("/topics/orders:publish?{Q}");
    let head = |extra: &str| {
        format!(
            "POST {path} HTTP/1.1\r\nHost: t\r\nAuthorization: SharedAccessKey {KEY}\r\nContent-Type: {BATCH}\r\nConnection: close\r\n{extra}\r\n"
        )
    };
    // One byte over 1 MiB, announced: refused, the body read and dropped (not kept).
    let (rss_before, _) = server.rss_kib();
    let over = vec![b' '; 1_048_577];
    let reply = server.authed(&path, BATCH, &over);
    cases.check(
        "body one byte over 1 MiB",
        &reply,
        413,
        Some("PayloadTooLarge"),
    );
    let (rss_after, _) = server.rss_kib();
    println!(
        "1 MiB + 1 body: server RSS {rss_before} KiB -> {rss_after} KiB (delta {} KiB)",
        rss_after.saturating_sub(rss_before)
    );
    assert!(rss_after.saturating_sub(rss_before) < 8 * 1024);

    // 3 MB announced on a kept-alive connection: the server reads and drops the body before it
    // answers 413, so the client (which sends everything first, as Python's `requests` does)
    // reads the answer instead of a reset, and the connection serves the next request.
    let mut raw = head("Content-Length: 3000000\r\n")
        .replace("Connection: close\r\n", "")
        .into_bytes();
    raw.resize(raw.len() + 3_000_000, b' ');
    raw.extend_from_slice(b"GET /_gridlog/health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream
        .set_write_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let written = stream.write_all(&raw);
    let mut answers = Vec::new();
    let _ = stream.read_to_end(&mut answers);
    let reply = parse_reply(&answers);
    assert!(
        written.is_ok(),
        "the server closed before it read the oversized body: {written:?}"
    );
    cases.check(
        "3 MB announced, then a request on the same connection",
        &reply,
        413,
        Some("PayloadTooLarge"),
    );
    let answers = String::from_utf8_lossy(&answers)
        .matches("HTTP/1.1 ")
        .count();
    assert_eq!(
        answers, 2,
        "the connection did not serve the request after the 413"
    );

    // 100 MB chunked: refused while streaming, long before the end; memory stays flat.
    let (rss_before, hwm_before) = server.rss_kib();
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    stream
        .set_write_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .write_all(head("Transfer-Encoding: chunked\r\n").as_bytes())
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        let chunk = vec![b' '; 64 * 1024];
        let mut sent = 0_u64;
        while sent < 100_000_000 {
            let framed = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
            if writer.write_all(&framed).is_err() {
                break;
            }
            sent += chunk.len() as u64;
        }
        let _ = writer.write_all(b"0\r\n\r\n");
        sent
    });
    let reply = read_reply(&mut stream);
    let _ = stream.shutdown(Shutdown::Both);
    let sent = sender.join().unwrap();
    cases.check(
        "chunked body of 100 MB",
        &reply,
        413,
        Some("PayloadTooLarge"),
    );
    let (rss_after, hwm_after) = server.rss_kib();
    println!(
        "100 MB chunked: refused after the client wrote {} KiB; server RSS {rss_before} -> {rss_after} KiB, peak {hwm_before} -> {hwm_after} KiB",
        sent / 1024
    );
    assert!(sent < 100_000_000, "the whole 100 MB was accepted");
    assert!(rss_after.saturating_sub(rss_before) < 16 * 1024);

    // Content-Length shorter than the body: the server reads exactly what was announced.
    let event = r#"[{"specversion":"1.0","id":"1","source":"/s","type":"t"}]"#;
    let mut raw = head("Content-Length: 10\r\n").into_bytes();
    raw.extend_from_slice(event.as_bytes());
    let reply = server.raw(&raw);
    cases.check(
        "Content-Length shorter than the body",
        &reply,
        400,
        Some("InvalidJson"),
    );

    // Content-Length longer than the body, then the client stops sending.
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut raw = head("Content-Length: 1000\r\n").into_bytes();
    raw.extend_from_slice(event.as_bytes());
    stream.write_all(&raw).unwrap();
    stream.shutdown(Shutdown::Write).unwrap();
    let reply = read_reply(&mut stream);
    cases.check(
        "Content-Length longer than the body",
        &reply,
        400,
        Some("InvalidBody"),
    );

    // Content-Length that is not a number: the HTTP parser refuses it.
    let raw = head("Content-Length: ten\r\n");
    let reply = server.raw(raw.as_bytes());
    cases.check("Content-Length not a number", &reply, 400, None);

    // 10,000-deep JSON: refused without a stack overflow, and the server lives on.
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let reply = server.authed(&path, BATCH, deep.as_bytes());
    cases.check("10,000-deep JSON", &reply, 400, Some("InvalidJson"));
    let deep_data = format!(
        r#"[{{"specversion":"1.0","id":"1","source":"/s","type":"t","data":{}1{}}}]"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let reply = server.authed(&path, BATCH, deep_data.as_bytes());
    cases.check("10,000-deep event data", &reply, 400, Some("InvalidJson"));

    // 100,000 tiny events in an allowed body size: the event-count limit.
    let tiny = format!("[{}{{}}]", "{},".repeat(99_999));
    assert!(tiny.len() < 1_048_576);
    let reply = server.authed(&path, BATCH, tiny.as_bytes());
    cases.check("100,000 tiny events", &reply, 413, Some("PayloadTooLarge"));
    assert!(reply.text().contains("TooManyEvents"), "{}", reply.text());
    let alive = server.call("GET", "/_gridlog/health", &[], b"");
    cases.check("health after the body cases", &alive, 200, None);
}

/// Ambiguous or oversized request framing: refused by the HTTP layer, never guessed at.
fn framing(server: &Server, cases: &mut Cases) {
    let head = format!(
        "POST /topics/orders:publish?{Q} HTTP/1.1\r\nHost: t\r\nAuthorization: SharedAccessKey {KEY}\r\nContent-Type: {BATCH}\r\nConnection: close\r\n"
    );
    // Request smuggling shapes. Both framings: the body is read by Transfer-Encoding alone and
    // the connection is closed after the answer (RFC 9112 §6.1), so the bytes after the chunked
    // body are never taken as a second request.
    let keep_alive = head.replace("Connection: close\r\n", "");
    let raw = format!(
        "{keep_alive}Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n[]\r\n0\r\n\r\nGET /_gridlog/health HTTP/1.1\r\nHost: t\r\n\r\n"
    );
    let mut stream = TcpStream::connect(server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    stream.write_all(raw.as_bytes()).unwrap();
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let responses = String::from_utf8_lossy(&answer)
        .matches("HTTP/1.1 ")
        .count();
    let reply = parse_reply(&answer);
    cases.check(
        "Content-Length and Transfer-Encoding together",
        &reply,
        200,
        None,
    );
    assert_eq!(
        responses,
        1,
        "a second request was smuggled: {}",
        String::from_utf8_lossy(&answer)
    );
    let raw = format!("{head}Content-Length: 2\r\nContent-Length: 3\r\n\r\n[] ");
    let reply = server.raw(raw.as_bytes());
    cases.check("two different Content-Length headers", &reply, 400, None);
    // 200 header lines (over the HTTP layer's count limit).
    let mut raw = head.clone();
    for i in 0..200 {
        let _ = write!(raw, "x-h{i}: v\r\n");
    }
    raw.push_str("Content-Length: 2\r\n\r\n[]");
    let reply = server.raw(raw.as_bytes());
    cases.check("200 header lines", &reply, 431, None);
    // A query over the URL limit.
    let target = format!("/topics/orders:publish?{Q}&pad={}", "x".repeat(9000));
    let reply = server.authed(&target, BATCH, b"[]");
    cases.check("query over 8 KiB", &reply, 414, Some("UriTooLong"));
}

fn parameters(server: &Server, cases: &mut Cases) {
    for (what, query) in [
        ("maxEvents=0", "&maxEvents=0"),
        ("maxEvents=101", "&maxEvents=101"),
        ("maxEvents=-1", "&maxEvents=-1"),
        ("maxEvents=abc", "&maxEvents=abc"),
        ("maxEvents given twice", "&maxEvents=1&maxEvents=2"),
        ("maxWaitTime=9", "&maxWaitTime=9"),
        ("maxWaitTime=1000000000", "&maxWaitTime=1000000000"),
        ("maxWaitTime=-10", "&maxWaitTime=-10"),
    ] {
        let reply = server.receive("all", query);
        cases.check(what, &reply, 400, Some("InvalidQueryParameter"));
    }
    let reply = server.authed(
        "/topics/orders/eventsubscriptions/all:receive",
        "application/json",
        b"",
    );
    cases.check(
        "no api-version",
        &reply,
        400,
        Some("MissingApiVersionParameter"),
    );
    let reply = server.authed(
        &format!("/topics/orders/eventsubscriptions/all:release?{Q}&releaseDelayInSeconds=7"),
        "application/json",
        br#"{"lockTokens":["x"]}"#,
    );
    cases.check(
        "releaseDelayInSeconds=7",
        &reply,
        400,
        Some("InvalidQueryParameter"),
    );
}

fn names(server: &Server, cases: &mut Cases) {
    let before = server.tree();
    let auth = format!("SharedAccessKey {KEY}");
    let long = "a".repeat(300);
    for (what, topic, status, code) in [
        ("topic ../x", "../x", 404, "NotFound"),
        ("topic ..%2Fx", "..%2Fx", 404, "NotFound"),
        ("topic %2e%2e", "%2e%2e", 404, "NotFound"),
        ("topic a/b", "a/b", 404, "NotFound"),
        ("topic a%2Fb", "a%2Fb", 404, "NotFound"),
        ("topic a%5Cb", "a%5Cb", 404, "NotFound"),
        ("topic with NUL", "a%00b", 404, "NotFound"),
        ("topic of 300 characters", long.as_str(), 404, "NotFound"),
        ("topic CON", "CON", 404, "NotFound"),
        ("empty topic", "", 404, "NotFound"),
        (
            "topic with a Cyrillic look-alike",
            "%D0%BErders",
            404,
            "NotFound",
        ),
    ] {
        let reply = server.publish(topic, "[]");
        cases.check(what, &reply, status, Some(code));
    }
    // Creating topics and subscriptions with such names is refused by name validation.
    for (what, target) in [
        ("create topic ..%2Fevil", "/_gridlog/topics/..%2Fevil"),
        ("create topic %2e%2e", "/_gridlog/topics/%2e%2e"),
        ("create topic with NUL", "/_gridlog/topics/evil%00x"),
        ("create topic a%5Cevil", "/_gridlog/topics/a%5Cevil"),
        (
            "create topic of 51 characters",
            "/_gridlog/topics/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ),
        (
            "create subscription ..%2F..%2Fevil",
            "/_gridlog/topics/orders/eventSubscriptions/..%2F..%2Fevil",
        ),
    ] {
        let reply = server.call("PUT", target, &[("Authorization", &auth)], b"{}");
        cases.check(what, &reply, 400, Some("ConfigInvalidName"));
    }
    let after = server.tree();
    let data = server.root().join("data");
    for path in after.difference(&before) {
        assert!(
            path.starts_with(&data),
            "a file appeared outside the data dir: {}",
            path.display()
        );
    }
    for path in &after {
        let name = path.to_string_lossy();
        assert!(
            !name.contains("evil") && !name.contains(".."),
            "a file named after a request: {name}"
        );
    }
    println!(
        "names: {} paths under the temp root before, {} after; none outside the data dir",
        before.len(),
        after.len()
    );
}

fn tokens(server: &Server, cases: &mut Cases) {
    let events: Vec<String> = (0..2)
        .map(|i| format!(r#"{{"specversion":"1.0","id":"t{i}","source":"/s","type":"t"}}"#))
        .collect();
    let reply = server.publish("orders", &format!("[{}]", events.join(",")));
    cases.check("publish two events", &reply, 200, None);
    let got = server.receive("all", "&maxEvents=2&maxWaitTime=10").json();
    let token = |reply: &serde_json::Value, i: usize| {
        reply["value"][i]["brokerProperties"]["lockToken"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (first, second) = (token(&got, 0), token(&got, 1));
    let other = server
        .receive("other", "&maxEvents=1&maxWaitTime=10")
        .json();
    let other_token = token(&other, 0);
    let failed_codes = |reply: &Reply| -> Vec<String> {
        reply.json()["failedLockTokens"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["error"]["code"].as_str().unwrap().to_owned())
            .collect()
    };
    let succeeded = |reply: &Reply| {
        reply.json()["succeededLockTokens"]
            .as_array()
            .unwrap()
            .len()
    };

    let reply = server.settle("all", "acknowledge", &[&first]);
    cases.check("acknowledge (control)", &reply, 200, None);
    assert_eq!(succeeded(&reply), 1);
    let reply = server.settle("all", "acknowledge", &[&first]);
    cases.check("token replayed after ack", &reply, 200, None);
    assert_eq!(failed_codes(&reply), ["TokenLost"]);
    let reply = server.settle("all", "renewLock", &[&other_token]);
    cases.check("token of another subscription", &reply, 200, None);
    assert_eq!(failed_codes(&reply), ["TokenLost"]);
    let forged = "AQ".to_owned() + &"A".repeat(48);
    let truncated = &second[..30];
    let reply = server.settle("all", "release", &[&forged, truncated, "", &second]);
    cases.check(
        "forged, truncated and empty tokens beside a good one",
        &reply,
        200,
        None,
    );
    assert_eq!(
        failed_codes(&reply),
        ["TokenLost", "TokenLost", "TokenLost"]
    );
    assert_eq!(succeeded(&reply), 1, "the good token still applies");
    let reply = server.authed(
        &format!("/topics/orders/eventsubscriptions/all:reject?{Q}"),
        "application/json",
        br#"{"lockTokens":[1,2]}"#,
    );
    cases.check(
        "tokens that are not strings",
        &reply,
        400,
        Some("InvalidRequestBody"),
    );
    let many: Vec<String> = (0..1001).map(|i| format!("t{i}")).collect();
    let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    let reply = server.settle("all", "acknowledge", &refs);
    cases.check("1,001 tokens", &reply, 400, Some("TooManyLockTokens"));
}

/// 1,000 concurrent long-polls and a slowloris client at once; the server keeps answering.
fn load(server: &Server, cases: &mut Cases) {
    // 1,000 client sockets live in this process: stay under its open-file limit.
    let limit = open_files_limit();
    let poll_count = 1000.min(limit.saturating_sub(100));
    if poll_count < 1000 {
        println!("open-file limit {limit}: {poll_count} long-polls instead of 1,000");
    }
    let (rss_before, _) = server.rss_kib();
    let fds_before = server.fds();
    // Slowloris: one header byte per second.
    let addr = server.addr;
    let slow = std::thread::spawn(move || {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_millis(900)))
            .unwrap();
        let started = Instant::now();
        let head =
            b"POST /topics/orders:publish?api-version=2024-06-01 HTTP/1.1\r\nHost: t\r\nX-Slow: ";
        let mut buf = [0_u8; 4096];
        let mut answer = Vec::new();
        for byte in head.iter().chain(std::iter::repeat(&b'a')) {
            if stream.write_all(&[*byte]).is_err() {
                break;
            }
            match stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
                Err(e)
                    if e.kind() == std::io::ErrorKind::WouldBlock
                        || e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(_) => break,
            }
            if started.elapsed() > Duration::from_secs(40) {
                break;
            }
        }
        (started.elapsed(), answer)
    });
    let target =
        format!("/topics/orders/eventsubscriptions/all:receive?{Q}&maxEvents=1&maxWaitTime=10");
    let request = format!(
        "POST {target} HTTP/1.1\r\nHost: t\r\nAuthorization: SharedAccessKey {KEY}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
    );
    let started = Instant::now();
    let mut polls: Vec<TcpStream> = (0..poll_count)
        .map(|_| {
            let mut stream = TcpStream::connect(server.addr).unwrap();
            stream.write_all(request.as_bytes()).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(45)))
                .unwrap();
            stream
        })
        .collect();
    std::thread::sleep(Duration::from_millis(500));
    let (rss_during, _) = server.rss_kib();
    let fds_during = server.fds();
    // Still responsive: health, and a publish whose events go to exactly that many waiters.
    let t = Instant::now();
    let reply = server.call("GET", "/_gridlog/health", &[], b"");
    let health_ms = t.elapsed().as_millis();
    cases.check("health during 1,000 long-polls", &reply, 200, None);
    let events: Vec<String> = (0..5)
        .map(|i| format!(r#"{{"specversion":"1.0","id":"p{i}","source":"/s","type":"t"}}"#))
        .collect();
    let t = Instant::now();
    let reply = server.publish("orders", &format!("[{}]", events.join(",")));
    let publish_ms = t.elapsed().as_millis();
    cases.check("publish during 1,000 long-polls", &reply, 200, None);
    assert!(
        health_ms < 2000 && publish_ms < 2000,
        "{health_ms} ms, {publish_ms} ms"
    );
    let mut ids = Vec::new();
    let mut answered = 0;
    for stream in &mut polls {
        let reply = read_reply(stream);
        assert_eq!(reply.status, 200, "{}", reply.text());
        answered += 1;
        for item in reply.json()["value"].as_array().unwrap() {
            ids.push(item["event"]["id"].as_str().unwrap().to_owned());
        }
    }
    let polls_took = started.elapsed();
    drop(polls);
    assert_eq!(answered, poll_count);
    // Each published event goes to exactly one waiter (the event released by the token cases
    // is available too).
    let distinct: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(
        distinct.len(),
        ids.len(),
        "an event went to two waiters: {ids:?}"
    );
    let published = ids.iter().filter(|id| id.starts_with('p')).count();
    assert_eq!(published, 5, "{ids:?}");
    let delivered = ids.len();
    cases.ran += 1; // the long-polls themselves
    let (slow_took, slow_answer) = slow.join().unwrap();
    let slow_status = (!slow_answer.is_empty()).then(|| parse_reply(&slow_answer).status);
    println!("slowloris: cut off after {slow_took:?} (answer: {slow_status:?})");
    assert!(
        slow_took >= Duration::from_secs(8) && slow_took < Duration::from_secs(20),
        "{slow_took:?}"
    );
    assert!(
        slow_status.is_none() || slow_status == Some(408),
        "{slow_status:?}"
    );
    cases.ran += 1;
    std::thread::sleep(Duration::from_millis(500));
    let (rss_after, hwm) = server.rss_kib();
    let fds_after = server.fds();
    println!(
        "{poll_count} long-polls: all answered in {polls_took:?} ({delivered} events delivered, health {health_ms} ms, publish {publish_ms} ms during); server RSS {rss_before} -> {rss_during} -> {rss_after} KiB (peak {hwm} KiB), fds {fds_before} -> {fds_during} -> {fds_after}"
    );
    assert!(fds_during <= fds_before + poll_count + 16, "{fds_during}");
    assert!(
        fds_after <= fds_before + 16,
        "fds leak: {fds_before} -> {fds_after}"
    );
    assert!(
        rss_during.saturating_sub(rss_before) < 128 * 1024,
        "RSS grew by {} KiB for 1,000 long-polls",
        rss_during - rss_before
    );
}

/// The soft limit on open files of this process (`/proc/self/limits`).
fn open_files_limit() -> usize {
    std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|limits| {
            limits
                .lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| l.split_whitespace().nth(3))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(1024)
}

#[test]
fn http_abuse() {
    let started = Instant::now();
    let server = Server::start();
    let mut cases = Cases::default();
    credentials(&server, &mut cases);
    bodies(&server, &mut cases);
    framing(&server, &mut cases);
    parameters(&server, &mut cases);
    names(&server, &mut cases);
    tokens(&server, &mut cases);
    load(&server, &mut cases);
    let reply = server.call("GET", "/_gridlog/health", &[], b"");
    cases.check("health at the end", &reply, 200, None);
    println!(
        "HTTP abuse: {} cases against gridlog serve in {:?}",
        cases.ran,
        started.elapsed()
    );
    assert!(cases.ran >= 40, "{}", cases.ran);
}
