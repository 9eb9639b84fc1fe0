//! Throughput units over HTTP: `PUT /_gridlog/namespace` sets them, a publish over the limit is
//! 429 with `Retry-After` and the Event Grid error body, and the management API shows the
//! billing meters and the throttled count.
#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests")]

mod common;

use common::{KEY, TestServer};

/// A batch of `n` small events.
fn batch(n: usize) -> String {
    let events: Vec<String> = (0..n)
        .map(|i| format!(r#"{{"specversion":"1.0","id":"{i}","source":"/s","type":"t"}}"#))
        .collect();
    format!("[{}]", events.join(","))
}

#[test]
fn over_the_limit_is_429_with_retry_after_and_meters_are_reported() {
    let server = TestServer::start();
    let auth = format!("SharedAccessKey {KEY}");
    let h = [("Authorization", auth.as_str())];
    let call = |method: &str, path: &str, body: &str| {
        server.call(method, path, &h, Some("application/json"), body.as_bytes())
    };
    let reply = call("GET", "/_gridlog/namespace", "");
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["throughputUnits"], serde_json::Value::Null);
    for bad in [
        r#"{"throughputUnits":0}"#,
        r#"{"throughputUnits":41}"#,
        r#"{"x":1}"#,
    ] {
        assert_eq!(call("PUT", "/_gridlog/namespace", bad).status, 400, "{bad}");
    }
    let reply = call("PUT", "/_gridlog/namespace", r#"{"throughputUnits":1}"#);
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["throughputUnits"], 1);

    // 1 TU: 1,000 events/s with a 1 s burst. Batches of 1,000 back to back: the first fits,
    // a following one is refused until the bucket refills.
    let full = batch(1_000);
    let mut accepted = 0;
    let mut refused = None;
    for _ in 0..10 {
        let reply = server.publish("orders", &full);
        match reply.status {
            200 => accepted += 1_000,
            429 => {
                refused = Some(reply);
                break;
            }
            other => panic!("unexpected status {other}: {}", reply.text()),
        }
    }
    let refused = refused.expect("a 429 within 10 back-to-back batches at 1 TU");
    assert_eq!(refused.header("retry-after"), Some("1"));
    assert_eq!(refused.error_code(), "TooManyRequests");
    assert_eq!(refused.header("x-ms-error-code"), Some("TooManyRequests"));
    assert!(
        refused.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("ingress throughput limit")
    );
    println!("accepted {accepted} events before the first 429");

    let reply = call("GET", "/_gridlog/namespace", "");
    assert!(reply.json()["throttled"]["publish"].as_u64().unwrap() >= 1);

    // Receives and settlements are metered too.
    let reply = server.receive("all", "&maxEvents=2");
    assert_eq!(reply.status, 200, "{}", reply.text());
    let token = reply.json()["value"][0]["brokerProperties"]["lockToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(server.settle("acknowledge", "", &[&token]).status, 200);

    let reply = call("GET", "/_gridlog/topics/orders", "");
    let topic = reply.json();
    assert_eq!(topic["meters"]["publishBillingUnits"], accepted);
    assert_eq!(topic["meters"]["events"], accepted);
    let all = &topic["eventSubscriptions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "all")
        .unwrap()["meters"];
    assert_eq!(all["deliveryBillingUnits"], 2);
    assert_eq!(all["settlementBillingUnits"], 1);
    let reply = call("GET", "/_gridlog/topics/orders/eventSubscriptions/all", "");
    assert_eq!(reply.json()["meters"]["acknowledged"], 1);

    // A GET's answer can be PUT back (the meters are read-only and ignored).
    let reply = call("PUT", "/_gridlog/topics/orders", &topic.to_string());
    assert_eq!(reply.status, 200, "{}", reply.text());

    // Unlimited again: at once.
    let reply = call("PUT", "/_gridlog/namespace", r#"{"throughputUnits":null}"#);
    assert_eq!(reply.status, 200, "{}", reply.text());
    for _ in 0..3 {
        assert_eq!(server.publish("orders", &full).status, 200);
    }
}
