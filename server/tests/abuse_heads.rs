//! Oversized and malformed request heads (issue #17): every refusal, including the ones the HTTP
//! parser makes on its own (a head beyond its buffer, a garbage request line), is the documented
//! `{"error":{"code","message"}}` with `x-ms-error-code`; and the documented limits are the real
//! ones (a request with 150 small headers is served).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod common;

use std::fmt::Write as _;

use common::{KEY, Reply, TestServer};

const Q: &str = "api-version=2024-06-01";

fn publish_head(extra: &str, target: &str) -> String {
    format!(
        "POST {target} HTTP/1.1\r\nHost: t\r\nAuthorization: SharedAccessKey {KEY}\r\nContent-Type: application/cloudevents-batch+json; charset=utf-8\r\nConnection: close\r\n{extra}Content-Length: 2\r\n\r\n[]"
    )
}

fn check(what: &str, reply: &Reply, status: u16, code: &str) {
    assert_eq!(reply.status, status, "{what}: {}", reply.text());
    // `error_code` also checks the body's code against `x-ms-error-code` and the content type.
    assert_eq!(reply.error_code(), code, "{what}");
}

#[test]
fn oversized_and_malformed_heads_answer_json_errors() {
    let server = TestServer::start();
    let target = format!("/topics/orders:publish?{Q}");

    // A 9 KiB URL: over the 8 KiB limit.
    let long = format!("{target}&pad={}", "x".repeat(9 * 1024));
    let reply = server.request(publish_head("", &long).as_bytes());
    check("9 KiB URL", &reply, 414, "UriTooLong");

    // 33 KiB of headers in 10 headers: over the 32 KiB header limit.
    let mut extra = String::new();
    for i in 0..10 {
        let _ = write!(extra, "x-big{i}: {}\r\n", "v".repeat(33 * 1024 / 10));
    }
    let reply = server.request(publish_head(&extra, &target).as_bytes());
    check(
        "33 KiB of headers in 10 headers",
        &reply,
        431,
        "RequestHeaderFieldsTooLarge",
    );

    // 150 small headers, far under 32 KiB: served.
    let mut extra = String::new();
    for i in 0..150 {
        let _ = write!(extra, "x-h{i}: v\r\n");
    }
    let reply = server.request(publish_head(&extra, &target).as_bytes());
    assert_eq!(reply.status, 200, "150 small headers: {}", reply.text());

    // A 70 KiB head: beyond the parser's buffer.
    let mut extra = String::new();
    for i in 0..70 {
        let _ = write!(extra, "x-huge{i}: {}\r\n", "v".repeat(1024));
    }
    let reply = server.request(publish_head(&extra, &target).as_bytes());
    check("70 KiB head", &reply, 431, "RequestHeaderFieldsTooLarge");

    // A garbage request line.
    let reply = server.request(b"\x01\x02garbage here\r\n\r\n");
    check("garbage request line", &reply, 400, "InvalidRequest");
    let reply = server.request(b"GET / HTTP/9.9 nonsense\r\nHost: t\r\n\r\n");
    check("malformed version", &reply, 400, "InvalidRequest");

    // The server is unharmed.
    let reply = server.call("GET", "/_gridlog/health", &[], None, b"");
    assert_eq!(reply.status, 200);
}
