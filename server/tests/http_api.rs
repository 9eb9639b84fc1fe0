//! The HTTP API over a real engine: routing, query ranges, auth, limits, error bodies, long
//! polls, shutdown, management API; and error mapping with a failing backend.
#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests")]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use common::{KEY, TestServer, send_raw};
use gridlog::format::Event;
use gridlog::{NamespaceConfig, SubscriptionConfig, TopicConfig};
use gridlog::{Received, SettleOutcome};
use gridlog_server::auth::Authenticator;
use gridlog_server::backend::{BackendError, BoxFuture, DataPlane, Settle};
use hmac::Mac as _;

const EVENT: &str = r#"{"id": "id-1",  "source": "/test/source", "type": "Demo.Created", "specversion": "1.0", "data": {"key1": "v1", "n": 5}, "myext": "extval"}"#;

fn token_of(reply: &common::Reply, index: usize) -> String {
    reply.json()["value"][index]["brokerProperties"]["lockToken"]
        .as_str()
        .expect("lockToken")
        .to_owned()
}

#[test]
fn publish_receive_acknowledge_with_verbatim_event_bytes() {
    let server = TestServer::start();
    let reply = server.publish("orders", &format!("[{EVENT}]"));
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.body, b"{}");
    assert_eq!(
        reply.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert!(reply.header("x-ms-request-id").is_some());

    let reply = server.receive("all", "&maxEvents=10&maxWaitTime=10");
    assert_eq!(reply.status, 200, "{}", reply.text());
    let text = reply.text();
    // The stored bytes are spliced in as published (two spaces after "id-1", key order kept).
    assert!(text.contains(&format!(",\"event\":{EVENT}}}")), "{text}");
    assert!(
        text.starts_with("{\"value\":[{\"brokerProperties\":{\"lockToken\":"),
        "{text}"
    );
    let json = reply.json();
    assert_eq!(json["value"].as_array().unwrap().len(), 1);
    assert_eq!(json["value"][0]["brokerProperties"]["deliveryCount"], 1);
    let token = token_of(&reply, 0);

    let reply = server.settle("acknowledge", "", &[&token, "bogus"]);
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.text(),
        format!(
            r#"{{"failedLockTokens":[{{"lockToken":"bogus","error":{{"code":"TokenLost","message":"Lock token is malformed: not a lock token as returned by receive."}}}}],"succeededLockTokens":["{token}"]}}"#
        )
    );
    assert_eq!(
        reply.json(),
        serde_json::json!({
            "failedLockTokens": [{"lockToken": "bogus", "error": {"code": "TokenLost", "message": "Lock token is malformed: not a lock token as returned by receive."}}],
            "succeededLockTokens": [token]
        })
    );
    let reply = server.settle("acknowledge", "", &[]);
    assert_eq!(
        reply.json(),
        serde_json::json!({"failedLockTokens": [], "succeededLockTokens": []})
    );
}

#[test]
fn release_reject_renew_and_redelivery_count() {
    let server = TestServer::start();
    server.publish("orders", &format!("[{EVENT}]"));
    let token = token_of(&server.receive("all", "&maxWaitTime=10"), 0);
    assert_eq!(
        server.settle("renewLock", "", &[&token]).json()["succeededLockTokens"][0],
        token.as_str()
    );
    let reply = server.settle("release", "&releaseDelayInSeconds=0", &[&token]);
    assert_eq!(reply.json()["succeededLockTokens"][0], token.as_str());
    let again = server.receive("all", "&maxWaitTime=10");
    assert_eq!(
        again.json()["value"][0]["brokerProperties"]["deliveryCount"],
        2
    );
    let token = token_of(&again, 0);
    let reply = server.settle("reject", "", &[&token]);
    assert_eq!(reply.json()["succeededLockTokens"][0], token.as_str());
}

#[test]
fn long_poll_returns_as_soon_as_an_event_arrives_and_shutdown_answers_waiters() {
    let mut server = TestServer::start();
    let addr = server.addr;
    let waiter = std::thread::spawn(move || {
        let started = Instant::now();
        let reply = send_raw(
            addr,
            format!(
                "POST /topics/orders/eventsubscriptions/all:receive?maxWaitTime=60&api-version=2024-06-01 HTTP/1.1\r\nHost: t\r\nAuthorization: SharedAccessKey {KEY}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
            )
            .as_bytes(),
        );
        (reply, started.elapsed())
    });
    std::thread::sleep(Duration::from_millis(300));
    server.publish("orders", &format!("[{EVENT}]"));
    let (reply, elapsed) = waiter.join().unwrap();
    assert_eq!(reply.json()["value"].as_array().unwrap().len(), 1);
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");

    // A receive waiting on an empty subscription is answered (empty) by the drain. `other`
    // got the event too: take it first so the waiter really waits.
    assert_eq!(
        server.receive("other", "&maxWaitTime=10").json()["value"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let waiter = std::thread::spawn(move || {
        let started = Instant::now();
        let reply = send_raw(
            addr,
            format!(
                "POST /topics/orders/eventsubscriptions/other:receive?api-version=2024-06-01&maxWaitTime=120 HTTP/1.1\r\nHost: t\r\nAuthorization: SharedAccessKey {KEY}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
            )
            .as_bytes(),
        );
        (reply, started.elapsed())
    });
    std::thread::sleep(Duration::from_millis(500));
    let started = Instant::now();
    server.shutdown();
    let (reply, elapsed) = waiter.join().unwrap();
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert!(reply.json()["value"].is_array());
    assert!(elapsed < Duration::from_secs(30), "{elapsed:?}");
    assert!(started.elapsed() < Duration::from_secs(15));
}

#[test]
fn routing_and_query_errors() {
    let server = TestServer::start();
    let auth = format!("SharedAccessKey {KEY}");
    let h = [("Authorization", auth.as_str())];
    for path in [
        "/",
        "/topics/orders",
        "/topics/orders:receive",
        "/topics/orders/eventSubscriptions/all:receive?api-version=2024-06-01",
        "/nope/x:publish",
    ] {
        let reply = server.call("POST", path, &h, None, b"");
        assert_eq!(
            (reply.status, reply.error_code().as_str()),
            (404, "NotFound"),
            "{path}"
        );
    }
    let reply = server.call(
        "GET",
        "/topics/orders:publish?api-version=2024-06-01",
        &h,
        None,
        b"",
    );
    assert_eq!(reply.status, 405);
    assert_eq!(reply.header("allow"), Some("POST"));
    assert_eq!(reply.error_code(), "MethodNotAllowed");
    for (query, code) in [
        ("", "MissingApiVersionParameter"),
        ("?api-version=2018-01-01", "InvalidApiVersionParameter"),
        (
            "?api-version=2024-06-01&maxEvents=0",
            "InvalidQueryParameter",
        ),
        (
            "?api-version=2024-06-01&maxEvents=101",
            "InvalidQueryParameter",
        ),
        (
            "?maxWaitTime=9&api-version=2024-06-01",
            "InvalidQueryParameter",
        ),
        (
            "?api-version=2024-06-01&maxWaitTime=121",
            "InvalidQueryParameter",
        ),
    ] {
        let reply = server.call(
            "POST",
            &format!("/topics/orders/eventsubscriptions/all:receive{query}"),
            &h,
            None,
            b"",
        );
        assert_eq!(
            (reply.status, reply.error_code().as_str()),
            (400, code),
            "{query}"
        );
    }
    let reply = server.settle("release", "&releaseDelayInSeconds=30", &["t"]);
    assert_eq!(
        (reply.status, reply.error_code().as_str()),
        (400, "InvalidQueryParameter")
    );
    let reply = server.post(
        "/topics/orders/eventsubscriptions/all:acknowledge?api-version=2024-06-01",
        Some("application/json"),
        b"{\"tokens\":[]}",
    );
    assert_eq!(
        (reply.status, reply.error_code().as_str()),
        (400, "InvalidRequestBody")
    );
    // Unknown topic / subscription; a percent-encoded ':' is part of the name.
    assert_eq!(server.publish("nope", "[]").status, 404);
    assert_eq!(server.publish("ord%3Aers", "[]").status, 404);
    assert_eq!(
        server.receive("nope", "&maxWaitTime=10").error_code(),
        "NotFound"
    );
    // Percent-encoded letters decode; a path prefix is allowed (an SDK endpoint with a path).
    assert_eq!(server.publish("ord%65rs", "[]").status, 200);
    let reply = server.post(
        "/ns1/topics/orders:publish?api-version=2023-11-01",
        Some("application/cloudevents-batch+json"),
        b"[]",
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    // Request ids: the client's is echoed.
    let reply = server.call(
        "POST",
        "/x",
        &[("x-ms-client-request-id", "abc-1")],
        None,
        b"",
    );
    assert_eq!(reply.header("x-ms-client-request-id"), Some("abc-1"));
    assert_eq!(reply.header("x-ms-request-id"), Some("abc-1"));
}

fn sas(key: &[u8], resource: &str, expiry: &str) -> String {
    // Reference §2.2, computed here from the primitives (not with the server's code).
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let unsigned = format!("r={}&e={}", enc(resource), enc(expiry));
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key).unwrap();
    mac.update(unsigned.as_bytes());
    let sig = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    format!("{unsigned}&s={}", enc(&sig))
}

#[test]
fn authentication_forms() {
    let server = TestServer::start();
    let path = "/topics/orders:publish?api-version=2024-06-01";
    let ct = Some("application/cloudevents-batch+json");
    let call = |headers: &[(&str, &str)], path: &str| server.call("POST", path, headers, ct, b"[]");
    // "test-key" is not base64: the raw bytes are the HMAC key.
    let good = sas(
        KEY.as_bytes(),
        "https://ns.example/topics/orders",
        "4102444800",
    );
    let sas_header = format!("SharedAccessSignature {good}");
    let expired = sas(
        KEY.as_bytes(),
        "https://ns.example/topics/orders",
        "2020-01-01T00:00:00Z",
    );
    let other_topic = sas(
        KEY.as_bytes(),
        "https://ns.example/topics/other",
        "4102444800",
    );
    let sub_scope = sas(
        KEY.as_bytes(),
        "https://ns.example/topics/orders/eventsubscriptions/all",
        "4102444800",
    );
    let auth = format!("SharedAccessKey {KEY}");
    for (headers, query, status) in [
        (vec![("Authorization", auth.as_str())], "", 200),
        (vec![("aeg-sas-key", KEY)], "", 200),
        (vec![], "&aeg-sas-key=test-key", 200),
        (vec![("aeg-sas-token", good.as_str())], "", 200),
        (vec![("Authorization", sas_header.as_str())], "", 200),
        (vec![], "", 401),
        (vec![("Authorization", "SharedAccessKey wrong")], "", 401),
        (vec![("Authorization", "Bearer x.y.z")], "", 401),
        (vec![("aeg-sas-key", "test-ke")], "", 401),
        (vec![("aeg-sas-token", expired.as_str())], "", 401),
        (vec![("aeg-sas-token", other_topic.as_str())], "", 401),
        // A subscription-scoped token cannot publish.
        (vec![("aeg-sas-token", sub_scope.as_str())], "", 401),
    ] {
        let reply = call(&headers, &format!("{path}{query}"));
        assert_eq!(
            reply.status,
            status,
            "{headers:?} {query}: {}",
            reply.text()
        );
        if status == 401 {
            assert_eq!(reply.error_code(), "Unauthorized");
            assert!(!reply.text().contains(KEY));
        }
    }
    // The subscription-scoped token can receive from that subscription only.
    let recv = |sub: &str| {
        server.call("POST", &format!("/topics/orders/eventsubscriptions/{sub}:receive?api-version=2024-06-01&maxWaitTime=10&maxEvents=1"), &[("aeg-sas-token", sub_scope.as_str())], None, b"")
    };
    assert_eq!(recv("other").status, 401);
    // A key in the query authenticates even when another parameter is bad (then 400).
    let reply = call(
        &[],
        "/topics/orders:publish?aeg-sas-key=test-key&api-version=bad",
    );
    assert_eq!(
        (reply.status, reply.error_code().as_str()),
        (400, "InvalidApiVersionParameter")
    );
    // Unauthenticated requests learn nothing about the query or the topic.
    let reply = server.call(
        "POST",
        "/topics/nope:publish?api-version=bad",
        &[],
        ct,
        b"[]",
    );
    assert_eq!(reply.status, 401);
}

#[test]
fn limits_body_url_events() {
    let server = TestServer::start();
    let path = "/topics/orders:publish?api-version=2024-06-01";
    // Content-Length over 1 MB: refused before reading.
    let big = vec![b' '; 1_048_577];
    let reply = server.post(path, Some("application/cloudevents-batch+json"), &big);
    assert_eq!(
        (reply.status, reply.error_code().as_str()),
        (413, "PayloadTooLarge")
    );
    // Chunked with no Content-Length: refused while streaming.
    let mut raw = format!(
        "POST {path} HTTP/1.1\r\nHost: t\r\nAuthorization: SharedAccessKey {KEY}\r\nContent-Type: application/cloudevents-batch+json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    for _ in 0..40 {
        raw.extend_from_slice(format!("{:x}\r\n", 32 * 1024).as_bytes());
        raw.extend(std::iter::repeat_n(b' ', 32 * 1024));
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(b"0\r\n\r\n");
    let reply = server.request(&raw);
    assert_eq!(
        (reply.status, reply.error_code().as_str()),
        (413, "PayloadTooLarge")
    );
    // An event over 1 MB inside a body under... the body cap comes first; 1,001 events → 413.
    let events: Vec<String> = (0..1001)
        .map(|i| format!(r#"{{"id":"{i}","source":"/s","type":"t","specversion":"1.0"}}"#))
        .collect();
    let reply = server.publish("orders", &format!("[{}]", events.join(",")));
    assert_eq!(
        (reply.status, reply.error_code().as_str()),
        (413, "PayloadTooLarge")
    );
    assert!(reply.text().contains("TooManyEvents"), "{}", reply.text());
    // Invalid events → 400 with the format's code.
    let reply = server.publish("orders", r#"[{"foo":"bar"}]"#);
    assert_eq!(
        (reply.status, reply.error_code().as_str()),
        (400, "MissingAttribute")
    );
    let reply = server.post(
        path,
        Some("application/cloudevents-batch+json"),
        b"not json",
    );
    assert_eq!(
        (reply.status, reply.error_code().as_str()),
        (400, "InvalidJson")
    );
    // URL over 8 KiB → 414.
    let long = format!(
        "/topics/{}:publish?api-version=2024-06-01",
        "a".repeat(9000)
    );
    let reply = server.post(&long, None, b"");
    assert_eq!(
        (reply.status, reply.error_code().as_str()),
        (414, "UriTooLong")
    );
    // Headers over 64 KiB: refused by the HTTP layer (431) without a crash.
    let huge = "x".repeat(70 * 1024);
    let reply = server.call("POST", path, &[("x-big", huge.as_str())], None, b"");
    assert_eq!(reply.status, 431);
}

#[test]
fn binary_mode_publish_is_delivered_as_structured_json() {
    let server = TestServer::start();
    let reply = server.call(
        "POST",
        "/topics/orders:publish?api-version=2024-06-01",
        &[
            ("Authorization", &format!("SharedAccessKey {KEY}")),
            ("ce-specversion", "1.0"),
            ("ce-id", "bin-1"),
            ("ce-source", "/bin"),
            ("ce-type", "Bin.Type"),
            ("ce-myext", "x"),
        ],
        Some("application/json"),
        br#"{"a":1}"#,
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    let reply = server.receive("all", "&maxWaitTime=10");
    let event = &reply.json()["value"][0]["event"];
    assert_eq!(event["id"], "bin-1");
    assert_eq!(event["data"], serde_json::json!({"a": 1}));
    assert_eq!(event["myext"], "x");
}

#[test]
fn slow_headers_are_cut_off() {
    use std::io::{Read, Write};
    let server = TestServer::start();
    let mut stream = std::net::TcpStream::connect(server.addr).unwrap();
    stream
        .write_all(b"POST /topics/orders:publish HTTP/1.1\r\nHost: t\r\n")
        .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let started = Instant::now();
    let mut buf = Vec::new();
    let _ = stream.read_to_end(&mut buf);
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_secs(8) && elapsed < Duration::from_secs(25),
        "{elapsed:?}"
    );
}

#[test]
fn management_api() {
    let server = TestServer::start();
    let auth = format!("SharedAccessKey {KEY}");
    let h = [("Authorization", auth.as_str())];
    let call = |method: &str, path: &str, body: &str| {
        server.call(method, path, &h, Some("application/json"), body.as_bytes())
    };
    assert_eq!(
        server
            .call("GET", "/_gridlog/health", &[], None, b"")
            .status,
        200
    );
    assert_eq!(
        server
            .call("GET", "/_gridlog/topics", &[], None, b"")
            .status,
        401
    );
    let reply = call(
        "PUT",
        "/_gridlog/topics/invoices",
        r#"{"properties":{"eventRetentionInDays":3}}"#,
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["properties"]["eventRetentionInDays"], 3);
    let reply = call(
        "PUT",
        "/_gridlog/topics/invoices/eventSubscriptions/paid",
        r#"{"properties":{"deliveryConfiguration":{"deliveryMode":"Queue","queue":{"receiveLockDurationInSeconds":120}},"filtersConfiguration":{"includedEventTypes":["Paid"]}}}"#,
    );
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        reply.json()["properties"]["deliveryConfiguration"]["queue"]["receiveLockDurationInSeconds"],
        120
    );
    let reply = call("GET", "/_gridlog/topics/invoices/eventSubscriptions", "");
    assert_eq!(reply.json()["value"].as_array().unwrap().len(), 1);
    let reply = call("GET", "/_gridlog/topics", "");
    assert_eq!(
        reply.json()["value"].as_array().unwrap().len(),
        2,
        "{}",
        reply.text()
    );
    // Re-putting the topic without eventSubscriptions keeps them.
    let reply = call(
        "PUT",
        "/_gridlog/topics/invoices",
        r#"{"name":"invoices","properties":{"eventRetentionInDays":4}}"#,
    );
    assert_eq!(reply.json()["eventSubscriptions"][0]["name"], "paid");
    // The new subscription works on the data plane.
    let reply = server.publish("invoices", r#"[{"id":"1","source":"/s","type":"Paid","specversion":"1.0"},{"id":"2","source":"/s","type":"Other","specversion":"1.0"}]"#);
    assert_eq!(reply.status, 200);
    let reply = server.post("/topics/invoices/eventsubscriptions/paid:receive?api-version=2024-06-01&maxEvents=10&maxWaitTime=10", None, b"");
    let value = reply.json()["value"].clone();
    assert_eq!(value.as_array().unwrap().len(), 1, "{value}");
    assert_eq!(value[0]["event"]["type"], "Paid");
    // Errors.
    let reply = call(
        "PUT",
        "/_gridlog/topics/invoices/eventSubscriptions/x1",
        r#"{"properties":{"deliveryConfiguration":{"queue":{"maxDeliveryCount":11}}}}"#,
    );
    assert_eq!(reply.status, 400, "{}", reply.text());
    let reply = call("PUT", "/_gridlog/topics/invoices", r#"{"name":"other"}"#);
    assert_eq!(reply.error_code(), "InvalidRequestBody");
    assert_eq!(call("GET", "/_gridlog/topics/nope", "").status, 404);
    assert_eq!(call("POST", "/_gridlog/topics", "").status, 405);
    // Delete.
    assert_eq!(
        call(
            "DELETE",
            "/_gridlog/topics/invoices/eventSubscriptions/paid",
            ""
        )
        .status,
        200
    );
    assert_eq!(
        call(
            "GET",
            "/_gridlog/topics/invoices/eventSubscriptions/paid",
            ""
        )
        .status,
        404
    );
    assert_eq!(call("DELETE", "/_gridlog/topics/invoices", "").status, 200);
    assert_eq!(call("DELETE", "/_gridlog/topics/invoices", "").status, 404);
}

/// A backend that fails every call with a given error (for the status mapping).
struct Failing(fn() -> BackendError);

impl DataPlane for Failing {
    fn publish(&self, _: &str, _: Vec<Event>) -> BoxFuture<Result<(), BackendError>> {
        let error = (self.0)();
        Box::pin(async move { Err(error) })
    }
    fn receive(
        &self,
        _: &str,
        _: &str,
        _: u32,
        _: Duration,
    ) -> BoxFuture<Result<Vec<Received>, BackendError>> {
        let error = (self.0)();
        Box::pin(async move { Err(error) })
    }
    fn settle(
        &self,
        _: &str,
        _: &str,
        _: Settle,
        _: Vec<String>,
    ) -> BoxFuture<Result<SettleOutcome, BackendError>> {
        let error = (self.0)();
        Box::pin(async move { Err(error) })
    }
    fn apply_config(&self, _: &NamespaceConfig) -> Result<(), BackendError> {
        Err((self.0)())
    }
    fn put_topic(&self, _: TopicConfig) -> Result<(), BackendError> {
        Err((self.0)())
    }
    fn topic(&self, _: &str) -> Option<TopicConfig> {
        None
    }
    fn topics(&self) -> Vec<TopicConfig> {
        Vec::new()
    }
    fn delete_topic(&self, _: &str) -> Result<(), BackendError> {
        Err((self.0)())
    }
    fn put_subscription(&self, _: &str, _: SubscriptionConfig) -> Result<(), BackendError> {
        Err((self.0)())
    }
    fn delete_subscription(&self, _: &str, _: &str) -> Result<(), BackendError> {
        Err((self.0)())
    }
    fn close(&self) -> Result<(), BackendError> {
        Ok(())
    }
}

#[test]
fn backend_errors_map_to_statuses() {
    type Case = (fn() -> BackendError, u16, &'static str);
    let cases: [Case; 4] = [
        (
            || BackendError::NoSpace("disk full".into()),
            507,
            "InsufficientStorage",
        ),
        (
            || BackendError::Throttled {
                limit: "ingress",
                retry_after_secs: 3,
            },
            429,
            "TooManyRequests",
        ),
        (
            || BackendError::Unavailable("closed".into()),
            503,
            "ServiceUnavailable",
        ),
        (
            || BackendError::Internal {
                code: "StorageError",
                message: "io".into(),
            },
            500,
            "StorageError",
        ),
    ];
    for (make, status, code) in cases {
        let server = TestServer::with_backend(Arc::new(Failing(make)), Authenticator::new([KEY]));
        for reply in [
            server.publish("orders", &format!("[{EVENT}]")),
            server.receive("all", ""),
            server.settle("acknowledge", "", &["t"]),
        ] {
            assert_eq!((reply.status, reply.error_code().as_str()), (status, code));
            if status == 429 {
                assert_eq!(reply.header("retry-after"), Some("3"));
            }
        }
    }
}

/// Issue #17, security item 6: a lone surrogate escape in `data` is refused like the same escape
/// in a `lockTokens` body (400 `InvalidJson`), so nothing is stored that strict JSON parsers
/// cannot read; nothing reaches the subscription.
#[test]
fn lone_surrogates_in_data_are_refused_like_in_lock_tokens() {
    let server = TestServer::start();
    for data in [r#""\ud800""#, r#"{"a":"x\udc00"}"#, r#"["\ud83d","b"]"#] {
        let reply = server.publish(
            "orders",
            &format!(
                r#"[{{"specversion":"1.0","id":"1","source":"/s","type":"t","data":{data}}}]"#
            ),
        );
        assert_eq!(reply.status, 400, "{data}: {}", reply.text());
        assert_eq!(reply.error_code(), "InvalidJson", "{data}");
    }
    let raw = br#"{"lockTokens":["\ud800"]}"#;
    let reply = server.post(
        "/topics/orders/eventsubscriptions/all:acknowledge?api-version=2024-06-01",
        Some("application/json"),
        raw,
    );
    assert_eq!(reply.status, 400, "{}", reply.text());
    // A valid pair is accepted and served back byte for byte.
    let event = r#"{"specversion":"1.0","id":"2","source":"/s","type":"t","data":"\ud83d\ude00"}"#;
    assert_eq!(server.publish("orders", &format!("[{event}]")).status, 200);
    let reply = server.receive("all", "&maxWaitTime=10");
    let value = reply.json()["value"].clone();
    assert_eq!(value.as_array().map(Vec::len), Some(1), "{}", reply.text());
    assert!(
        reply.text().contains(r#""data":"\ud83d\ude00""#),
        "{}",
        reply.text()
    );
}
