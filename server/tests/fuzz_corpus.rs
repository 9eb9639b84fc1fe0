//! Replays the committed `router` fuzz corpus (`fuzz/corpus/router/`) through the fuzz target's
//! body (`gridlog_server::http::fuzzing::router`), and the generated seeds it started from.
//! `GRIDLOG_FUZZ_SEEDS=<fuzz/corpus>` writes the seeds into `<dir>/router/`.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]
#![allow(clippy::too_many_lines, reason = "the seed list")]

use base64::Engine as _;
use gridlog_testkit::corpus::{replay, run_seeds, write_seeds};
use hmac::Mac as _;

use gridlog_server::http::fuzzing::{KEY, router, status_of};

fn sas(resource: &str) -> String {
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let unsigned = format!("r={}&e=4102444800", enc(resource));
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(KEY.as_bytes()).unwrap();
    mac.update(unsigned.as_bytes());
    let sig = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    format!("{unsigned}&s={}", enc(&sig))
}

fn seeds() -> Vec<(String, Vec<u8>)> {
    let auth = format!("Authorization: SharedAccessKey {KEY}");
    let batch = "Content-Type: application/cloudevents-batch+json; charset=utf-8";
    let event = r#"{"specversion":"1.0","id":"1","source":"/s","type":"t","data":{"a":[1,2]}}"#;
    let q = "api-version=2024-06-01";
    let sub = "/topics/orders/eventsubscriptions/all";
    let token_body = r#"{"lockTokens":["AQMAAAAAAAAAKgAAAAAAAAABAAAA","x"]}"#;
    let topic_body = r#"{"properties":{"eventRetentionInDays":1},"eventSubscriptions":[{"name":"sub1","properties":{"deliveryConfiguration":{"deliveryMode":"Queue","queue":{"receiveLockDurationInSeconds":60,"maxDeliveryCount":3}}}}]}"#;
    let sub_body = r#"{"properties":{"deliveryConfiguration":{"deliveryMode":"Queue","queue":{"receiveLockDurationInSeconds":300,"maxDeliveryCount":10,"eventTimeToLive":"PT1H"}},"filtersConfiguration":{"includedEventTypes":["t"],"filters":[{"operatorType":"StringContains","key":"subject","values":["a"]}]}}}"#;
    let mut seeds: Vec<(&str, String)> = vec![
        (
            "publish-batch",
            format!("POST /topics/orders:publish?{q}\n{auth}\n{batch}\n\n[{event},{event}]"),
        ),
        (
            "publish-structured",
            format!(
                "POST /topics/orders:publish?{q}\n{auth}\nContent-Type: application/cloudevents+json\n\n{event}"
            ),
        ),
        (
            "publish-binary",
            format!(
                "POST /topics/orders:publish?{q}\naeg-sas-key: {KEY}\nce-specversion: 1.0\nce-id: b1\nce-source: /b\nce-type: T\nContent-Type: application/json\n\n{{\"a\":1}}"
            ),
        ),
        (
            "publish-query-key",
            format!("POST /topics/orders:publish?{q}&aeg-sas-key={KEY}\n{batch}\n\n[]"),
        ),
        (
            "publish-sas",
            format!(
                "POST /topics/orders:publish?{q}\naeg-sas-token: {}\n{batch}\n\n[{event}]",
                sas("https://ns.example/topics/orders")
            ),
        ),
        (
            "publish-sas-authorization",
            format!(
                "POST /ns1/topics/orders:publish?{q}\nAuthorization: SharedAccessSignature {}\n{batch}\n\n[]",
                sas("https://ns.example/ns1/topics/orders")
            ),
        ),
        (
            "publish-no-auth",
            format!("POST /topics/orders:publish?{q}\n{batch}\n\n[]"),
        ),
        (
            "publish-wrong-key",
            format!(
                "POST /topics/orders:publish?{q}\nAuthorization: SharedAccessKey nope\n{batch}\n\n[]"
            ),
        ),
        (
            "publish-deep-json",
            format!(
                "POST /topics/orders:publish?{q}\n{auth}\n{batch}\n\n{}{}",
                "[".repeat(300),
                "]".repeat(300)
            ),
        ),
        (
            "publish-bad-length",
            format!("POST /topics/orders:publish?{q}\n{auth}\nContent-Length: abc\n\n[]"),
        ),
        (
            "publish-huge-length",
            format!("POST /topics/orders:publish?{q}\n{auth}\nContent-Length: 99999999999\n\n[]"),
        ),
        (
            "receive",
            format!("POST {sub}:receive?{q}&maxEvents=10&maxWaitTime=10\n{auth}\n\n"),
        ),
        (
            "receive-bad-max",
            format!("POST {sub}:receive?{q}&maxEvents=0\n{auth}\n\n"),
        ),
        (
            "receive-bad-wait",
            format!("POST {sub}:receive?{q}&maxWaitTime=1000000000\n{auth}\n\n"),
        ),
        (
            "receive-twice",
            format!("POST {sub}:receive?{q}&maxEvents=1&maxEvents=2\n{auth}\n\n"),
        ),
        (
            "receive-encoded",
            format!("POST /topics/ord%65rs/eventsubscriptions/a%6cl:receive?{q}\n{auth}\n\n"),
        ),
        (
            "acknowledge",
            format!(
                "POST {sub}:acknowledge?{q}\n{auth}\nContent-Type: application/json\n\n{token_body}"
            ),
        ),
        (
            "release-delay",
            format!("POST {sub}:release?{q}&releaseDelayInSeconds=60\n{auth}\n\n{token_body}"),
        ),
        (
            "reject",
            format!("POST {sub}:reject?{q}\n{auth}\n\n{token_body}"),
        ),
        (
            "renew",
            format!("POST {sub}:renewLock?{q}\n{auth}\n\n{token_body}"),
        ),
        (
            "settle-bad-body",
            format!("POST {sub}:acknowledge?{q}\n{auth}\n\n{{\"lockTokens\":\"x\"}}"),
        ),
        (
            "get-data-plane",
            format!("GET /topics/orders:publish?{q}\n{auth}\n\n"),
        ),
        (
            "traversal",
            format!("POST /topics/..%2Fx:publish?{q}\n{auth}\n{batch}\n\n[]"),
        ),
        (
            "traversal-dots",
            format!("POST /topics/%2e%2e/eventsubscriptions/%2e:receive?{q}\n{auth}\n\n"),
        ),
        (
            "nul",
            format!("POST /topics/a%00b:publish?{q}\n{auth}\n{batch}\n\n[]"),
        ),
        (
            "colon-in-name",
            format!("POST /topics/a%3Ab:publish?{q}\n{auth}\n{batch}\n\n[]"),
        ),
        ("health", "GET /_gridlog/health\n\n".to_owned()),
        ("list-topics", format!("GET /_gridlog/topics\n{auth}\n\n")),
        (
            "put-topic",
            format!("PUT /_gridlog/topics/orders\n{auth}\n\n{topic_body}"),
        ),
        (
            "get-topic",
            format!("GET /_gridlog/topics/orders\n{auth}\n\n"),
        ),
        (
            "delete-topic",
            format!("DELETE /_gridlog/topics/orders\n{auth}\n\n"),
        ),
        (
            "put-subscription",
            format!("PUT /_gridlog/topics/orders/eventSubscriptions/s2\n{auth}\n\n{sub_body}"),
        ),
        (
            "list-subscriptions",
            format!("GET /_gridlog/topics/orders/eventsubscriptions\n{auth}\n\n"),
        ),
        (
            "delete-subscription",
            format!("DELETE /_gridlog/topics/orders/eventSubscriptions/sub1\n{auth}\n\n"),
        ),
        (
            "management-bad-method",
            format!("PATCH /_gridlog/topics\n{auth}\n\n"),
        ),
        ("empty", String::new()),
        // Issue #17: a topic-scoped token through a prefix that names another topic.
        (
            "scope-bypass-publish",
            format!(
                "POST /topics/orders/topics/other:publish?{q}\naeg-sas-token: {}\n{batch}\n\n[{event}]",
                sas("https://ns.example/topics/orders")
            ),
        ),
        (
            "scope-bypass-receive",
            format!(
                "POST /topics/orders/eventsubscriptions/all/topics/orders/eventsubscriptions/other:receive?{q}\naeg-sas-token: {}\n\n",
                sas("https://ns.example/topics/orders/eventsubscriptions/all")
            ),
        ),
        (
            "scope-gridlog-management",
            format!(
                "GET /_gridlog/topics\naeg-sas-token: {}\n\n",
                sas("https://ns.example/_gridlog")
            ),
        ),
    ];
    seeds.push((
        "long-target",
        format!(
            "POST /topics/{}:publish?{q}\n{auth}\n\n[]",
            "a".repeat(9000)
        ),
    ));
    seeds
        .into_iter()
        .map(|(name, text)| (format!("{name}.txt"), text.into_bytes()))
        .collect()
}

#[test]
fn router_corpus_and_seeds() {
    let seeds = seeds();
    let statuses: std::collections::BTreeMap<String, Option<u16>> = seeds
        .iter()
        .map(|(name, _)| name.trim_end_matches(".txt").to_owned())
        .zip(run_seeds(&seeds, status_of))
        .collect();
    println!("seed statuses: {statuses:?}");
    // The seeds reach every layer: the store, the auth refusal, the parsers' refusals.
    for (name, status) in [
        ("publish-batch", 200),
        ("publish-binary", 200),
        ("publish-sas", 200),
        ("publish-sas-authorization", 200),
        ("publish-no-auth", 401),
        ("publish-deep-json", 400),
        ("publish-huge-length", 413),
        ("receive", 200),
        ("receive-bad-wait", 400),
        ("acknowledge", 200),
        ("put-topic", 200),
        ("put-subscription", 404),
        ("get-data-plane", 405),
        ("long-target", 414),
        ("health", 200),
        ("scope-bypass-publish", 404),
        ("scope-bypass-receive", 404),
        ("scope-gridlog-management", 401),
    ] {
        assert_eq!(statuses[name], Some(status), "{name}");
    }
    write_seeds("router", &seeds);
    assert!(replay(env!("CARGO_MANIFEST_DIR"), "router", router) >= 30);
}
