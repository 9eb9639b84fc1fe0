//! `GET /metrics` on a real `gridlog serve` process: scraped over HTTP before and after publish,
//! receive and acknowledge; credentials; `--no-metrics`.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::float_cmp,
    clippy::too_many_lines,
    reason = "tests: counters are exact integers in f64"
)]

mod common;

use std::net::SocketAddr;
use std::path::Path;

use gridlog_testkit::serve::Served;

const KEY: &str = "metrics-test-key";

fn serve(extra: &[&str]) -> Served {
    Served::start(Path::new(env!("CARGO_BIN_EXE_gridlog")), None, KEY, extra)
}

fn call(
    addr: SocketAddr,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: &str,
) -> common::Reply {
    let auth = key.map_or_else(String::new, |k| {
        format!("Authorization: SharedAccessKey {k}\r\n")
    });
    let raw = format!(
        "{method} {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n{auth}Content-Type: application/cloudevents-batch+json; charset=utf-8\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    common::send_raw(addr, raw.as_bytes())
}

/// The value of the series `name{labels}` exactly as exposed (labels in exposition order).
fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| {
            let rest = line.strip_prefix(series)?;
            rest.strip_prefix(' ')?.trim().parse().ok()
        })
        .unwrap_or_else(|| panic!("no series {series} in:\n{text}"))
}

fn scrape(addr: SocketAddr) -> String {
    let reply = call(addr, "GET", "/metrics", Some(KEY), "");
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        reply.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    reply.text()
}

#[test]
fn metrics_move_with_publish_receive_and_acknowledge() {
    let server = serve(&[]);
    let addr = server.addr;
    let sub = r#"{topic="default",subscription="default"}"#;
    let before = scrape(addr);
    assert_eq!(
        value(
            &before,
            r#"gridlog_published_events_total{topic="default"}"#
        ),
        0.0
    );
    assert_eq!(
        value(&before, &format!("gridlog_delivered_events_total{sub}")),
        0.0
    );
    let syncs_before = value(&before, r#"gridlog_wal_syncs_total{kind="data"}"#);
    assert!(value(&before, "gridlog_wal_segments") >= 1.0);

    let events: Vec<String> = (0..3)
        .map(|i| {
            format!(
                r#"{{"specversion":"1.0","id":"{i}","source":"/t","type":"T","data":{{"n":{i}}}}}"#
            )
        })
        .collect();
    let batch = format!("[{}]", events.join(","));
    let published = call(
        addr,
        "POST",
        "/topics/default:publish?api-version=2024-06-01",
        Some(KEY),
        &batch,
    );
    assert_eq!(published.status, 200, "{}", published.text());
    let after_publish = scrape(addr);
    assert_eq!(
        value(
            &after_publish,
            r#"gridlog_published_events_total{topic="default"}"#
        ),
        3.0
    );
    let bytes: usize = events.iter().map(String::len).sum();
    #[expect(clippy::cast_precision_loss, reason = "small")]
    let bytes = bytes as f64;
    assert_eq!(
        value(
            &after_publish,
            r#"gridlog_publish_billing_units_total{topic="default"}"#
        ),
        3.0,
        "one 64 KB unit per small event"
    );
    let stored = value(
        &after_publish,
        r#"gridlog_published_bytes_total{topic="default"}"#,
    );
    assert!(
        (bytes..bytes + 3.0 * 64.0).contains(&stored),
        "{stored} bytes stored for {bytes} bytes of JSON (plus a small record header each)"
    );
    assert_eq!(
        value(&after_publish, &format!("gridlog_unscanned_records{sub}")),
        3.0
    );
    // The backlog counts the 3 events before any receive scanned them.
    assert_eq!(
        value(&after_publish, &format!("gridlog_backlog_events{sub}")),
        3.0
    );
    let syncs_after = value(&after_publish, r#"gridlog_wal_syncs_total{kind="data"}"#);
    assert!(
        syncs_after > syncs_before,
        "a durable publish syncs: {syncs_before} -> {syncs_after}"
    );
    assert!(value(&after_publish, "gridlog_wal_sync_duration_seconds_count") >= syncs_after);
    assert_eq!(
        value(
            &after_publish,
            r#"gridlog_http_requests_total{operation="publish",status="200"}"#
        ),
        1.0
    );

    let received = call(
        addr,
        "POST",
        "/topics/default/eventsubscriptions/default:receive?api-version=2024-06-01&maxEvents=2&maxWaitTime=10",
        Some(KEY),
        "",
    );
    assert_eq!(received.status, 200, "{}", received.text());
    let tokens: Vec<String> = received.json()["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            v["brokerProperties"]["lockToken"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(tokens.len(), 2);
    let after_receive = scrape(addr);
    assert_eq!(
        value(
            &after_receive,
            &format!("gridlog_delivered_events_total{sub}")
        ),
        2.0
    );
    assert_eq!(
        value(&after_receive, &format!("gridlog_locked_events{sub}")),
        2.0
    );

    let body = serde_json::json!({ "lockTokens": [tokens[0]] }).to_string();
    let acked = call(
        addr,
        "POST",
        "/topics/default/eventsubscriptions/default:acknowledge?api-version=2024-06-01",
        Some(KEY),
        &body,
    );
    assert_eq!(acked.status, 200, "{}", acked.text());
    let body = serde_json::json!({ "lockTokens": [tokens[1]] }).to_string();
    let released = call(
        addr,
        "POST",
        "/topics/default/eventsubscriptions/default:release?api-version=2024-06-01",
        Some(KEY),
        &body,
    );
    assert_eq!(released.status, 200, "{}", released.text());
    let after_settle = scrape(addr);
    assert_eq!(
        value(
            &after_settle,
            &format!("gridlog_acknowledged_events_total{sub}")
        ),
        1.0
    );
    assert_eq!(
        value(
            &after_settle,
            &format!("gridlog_released_events_total{sub}")
        ),
        1.0
    );
    assert_eq!(
        value(
            &after_settle,
            &format!("gridlog_delivery_billing_units_total{sub}")
        ),
        2.0
    );
    assert_eq!(
        value(
            &after_settle,
            &format!("gridlog_settlement_billing_units_total{sub}")
        ),
        2.0,
        "one acknowledge and one release"
    );
    assert_eq!(
        value(
            &after_settle,
            r#"gridlog_throttled_operations_total{direction="ingress"}"#
        ),
        0.0
    );
    assert_eq!(
        value(&after_settle, &format!("gridlog_locked_events{sub}")),
        0.0
    );
    // Exact: 3 published, 1 acknowledged; the released one and the never-delivered one wait.
    assert_eq!(
        value(&after_settle, &format!("gridlog_backlog_events{sub}")),
        2.0
    );
    assert_eq!(
        value(
            &after_settle,
            r#"gridlog_http_requests_total{operation="metrics",status="200"}"#
        ),
        3.0,
        "the three scrapes before this one (a scrape is counted once answered)"
    );
    assert!(
        value(
            &after_settle,
            r#"gridlog_http_request_duration_seconds_count{operation="receive"}"#
        ) >= 1.0
    );
    println!(
        "scraped 4 times; {} lines in the last exposition, {} data syncs",
        after_settle.lines().count(),
        value(&after_settle, r#"gridlog_wal_syncs_total{kind="data"}"#)
    );
}

#[test]
fn metrics_need_credentials_and_can_be_turned_off() {
    let server = serve(&[]);
    let reply = call(server.addr, "GET", "/metrics", None, "");
    assert_eq!(reply.status, 401, "{}", reply.text());
    let reply = call(server.addr, "GET", "/metrics", Some("wrong"), "");
    assert_eq!(reply.status, 401);
    let reply = call(server.addr, "POST", "/metrics", Some(KEY), "");
    assert_eq!(reply.status, 405);
    let text = scrape(server.addr);
    assert!(
        text.contains(r#"gridlog_http_requests_total{operation="metrics",status="401"} 2"#),
        "{text}"
    );
    drop(server);

    let off = serve(&["--no-metrics"]);
    let reply = call(off.addr, "GET", "/metrics", Some(KEY), "");
    assert_eq!(reply.status, 404, "{}", reply.text());
}
