//! The web console's HTTP side (issue #22): its static files (served without credentials, with a
//! Content-Security-Policy, absent without `App::with_console`), and the API routes it reads
//! through: `:peek` (read-only: nothing locked or counted, checked through the API afterwards)
//! and `:republishDeadLetters`. Path shapes and SAS scopes of both: `abuse_scope.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod common;

use std::sync::Arc;

use common::{KEY, Reply, TestServer};
use gridlog::{
    HubMessage, MessageFormat, Namespace, NamespaceConfig, NamespaceOptions, PartitionTarget,
};
use gridlog_server::auth::Authenticator;
use gridlog_server::console::CONTENT_SECURITY_POLICY;
use gridlog_server::http::App;
use serde_json::Value;

const Q: &str = "api-version=2024-06-01";

struct Fixture {
    server: TestServer,
    ns: Namespace,
    _dir: tempfile::TempDir,
}

impl Fixture {
    fn start(console: bool) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let ns = Namespace::open(dir.path(), NamespaceOptions::default()).unwrap();
        let config = NamespaceConfig::from_json_str(
            r#"{"topics":[
                {"name":"orders","eventSubscriptions":[{"name":"all","properties":{
                  "deliveryConfiguration":{"deliveryMode":"Queue","queue":{"deadLetterTopic":"dlq"}}}}]},
                {"name":"dlq","eventSubscriptions":[{"name":"dead"}]}],
              "eventHubs":[{"name":"telemetry","properties":{"partitionCount":2}}]}"#,
        )
        .unwrap();
        ns.apply_config(&config).unwrap();
        let server = TestServer::with_app(Arc::new(ns.clone()), move |backend, shutdown| {
            let app = App::new(backend, Authenticator::new([KEY]), shutdown);
            if console { app.with_console() } else { app }
        });
        Self {
            server,
            ns,
            _dir: dir,
        }
    }

    fn get(&self, target: &str, key: bool) -> Reply {
        let auth = format!("SharedAccessKey {KEY}");
        let headers: &[(&str, &str)] = if key {
            &[("Authorization", &auth)]
        } else {
            &[]
        };
        self.server.call("GET", target, headers, None, b"")
    }

    fn post_json(&self, target: &str, body: &str) -> Reply {
        self.server
            .post(target, Some("application/json"), body.as_bytes())
    }

    fn publish(&self, ids: &[&str]) {
        let events: Vec<String> = ids
            .iter()
            .map(|id| {
                format!(
                    r#"{{"specversion":"1.0","id":"{id}","source":"/s","type":"T.{id}","data":{{"n":"{id}"}}}}"#
                )
            })
            .collect();
        let reply = self.server.post(
            &format!("/topics/orders:publish?{Q}"),
            Some("application/cloudevents-batch+json"),
            format!("[{}]", events.join(",")).as_bytes(),
        );
        assert_eq!(reply.status, 200, "{}", reply.text());
    }

    fn receive(&self, max: u32) -> Vec<Value> {
        let reply = self.post_json(
            &format!(
                "/topics/orders/eventsubscriptions/all:receive?{Q}&maxEvents={max}&maxWaitTime=10"
            ),
            "",
        );
        assert_eq!(reply.status, 200, "{}", reply.text());
        reply.json()["value"].as_array().unwrap().clone()
    }

    /// (backlog, locked, delivered) of orders/all through the management API.
    fn meters(&self) -> (u64, u64, u64) {
        let reply = self.get("/_gridlog/topics/orders/eventSubscriptions/all", true);
        let m = &reply.json()["meters"];
        (
            m["backlog"].as_u64().unwrap(),
            m["locked"].as_u64().unwrap(),
            m["delivered"].as_u64().unwrap(),
        )
    }
}

#[test]
fn the_console_files_are_static_and_carry_their_policy() {
    let fixture = Fixture::start(true);
    for path in [
        "/_gridlog/console/",
        "/_gridlog/console/console.js",
        "/_gridlog/console/console.css",
    ] {
        let reply = fixture.get(path, false);
        assert_eq!(reply.status, 200, "{path}");
        assert_eq!(
            reply.header("content-security-policy"),
            Some(CONTENT_SECURITY_POLICY),
            "{path}"
        );
        assert_eq!(reply.header("x-content-type-options"), Some("nosniff"));
        // Nothing of the namespace is in them: the data comes from authenticated calls.
        assert!(!reply.text().contains("orders"), "{path}");
    }
    let redirect = fixture.get("/_gridlog/console", false);
    assert_eq!(redirect.status, 308);
    assert_eq!(redirect.header("location"), Some("/_gridlog/console/"));
    assert_eq!(
        fixture.get("/_gridlog/console/secret.json", false).status,
        404
    );
    assert_eq!(
        fixture.get("/_gridlog/console/../topics", false).status,
        404
    );
    let post = fixture
        .server
        .call("POST", "/_gridlog/console/", &[], None, b"");
    assert_eq!(post.status, 405);
    // Everything else still needs credentials.
    assert_eq!(fixture.get("/_gridlog/topics", false).status, 401);
    assert_eq!(fixture.get("/_gridlog/namespace", false).status, 401);
    assert_eq!(
        fixture
            .get(&format!("/topics/orders:peek?{Q}"), false)
            .status,
        401
    );

    let off = Fixture::start(false);
    assert_eq!(off.get("/_gridlog/console/", false).status, 404);
    assert_eq!(off.get("/_gridlog/console/console.js", true).status, 404);
}

#[test]
fn a_peek_through_the_api_locks_nothing_and_counts_nothing() {
    let fixture = Fixture::start(true);
    fixture.publish(&["a", "b", "c"]);
    let first = fixture.receive(1);
    assert_eq!(first[0]["event"]["id"], "a");
    let before = fixture.meters();
    assert_eq!(before, (3, 1, 1));

    let target = format!("/topics/orders/eventsubscriptions/all:peek?{Q}");
    let reply = fixture.get(&target, true);
    assert_eq!(reply.status, 200, "{}", reply.text());
    let page = reply.json();
    let seen: Vec<(String, String, u64)> = page["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["event"]["id"].as_str().unwrap().to_owned(),
                e["state"].as_str().unwrap().to_owned(),
                e["deliveryCount"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("a".into(), "locked".into(), 1),
            ("b".into(), "waiting".into(), 0),
            ("c".into(), "waiting".into(), 0),
        ]
    );
    assert_eq!(page["nextSequenceNumber"], page["endSequenceNumber"]);
    // The stored event bytes, verbatim.
    assert!(
        reply.text().contains(
            r#""event":{"specversion":"1.0","id":"b","source":"/s","type":"T.b","data":{"n":"b"}}"#
        ),
        "{}",
        reply.text()
    );
    // Filters, paging and the topic's log.
    let typed = fixture.get(&format!("{target}&type=t.C"), true).json();
    assert_eq!(typed["value"].as_array().unwrap().len(), 1);
    let one = fixture.get(&format!("{target}&maxEvents=1"), true).json();
    assert_eq!(one["value"].as_array().unwrap().len(), 1);
    let from = one["nextSequenceNumber"].as_u64().unwrap();
    let rest = fixture.get(&format!("{target}&from={from}"), true).json();
    let ids: Vec<&str> = rest["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["b", "c"]);
    let log = fixture
        .get(&format!("/topics/orders:peek?{Q}&maxEvents=100"), true)
        .json();
    assert_eq!(log["value"].as_array().unwrap().len(), 3);
    assert_eq!(log["value"][0]["state"], "logged");

    // Checked through the API afterwards: nothing changed, and a receive gets b and c on their
    // first delivery.
    assert_eq!(fixture.meters(), before);
    let rest = fixture.receive(10);
    let counts: Vec<(&str, u64)> = rest
        .iter()
        .map(|r| {
            (
                r["event"]["id"].as_str().unwrap(),
                r["brokerProperties"]["deliveryCount"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(counts, [("b", 1), ("c", 1)]);

    // Bad queries and unknown resources.
    for (query, status) in [
        ("maxEvents=0", 400),
        ("maxEvents=101", 400),
        ("from=x", 400),
        ("from=-1", 400),
    ] {
        let reply = fixture.get(&format!("{target}&{query}"), true);
        assert_eq!(reply.status, status, "{query}: {}", reply.text());
    }
    assert_eq!(
        fixture
            .get("/topics/orders/eventsubscriptions/all:peek", true)
            .status,
        400,
        "api-version is required"
    );
    assert_eq!(
        fixture.get(&format!("/topics/nope:peek?{Q}"), true).status,
        404
    );
    assert_eq!(
        fixture
            .get(
                &format!("/topics/orders/eventsubscriptions/nope:peek?{Q}"),
                true
            )
            .status,
        404
    );
}

#[test]
fn dead_letters_are_republished_into_their_topic() {
    let fixture = Fixture::start(true);
    fixture.publish(&["x", "y"]);
    let got = fixture.receive(2);
    let tokens: Vec<String> = got
        .iter()
        .map(|r| r["brokerProperties"]["lockToken"].to_string())
        .collect();
    let reply = fixture.post_json(
        &format!("/topics/orders/eventsubscriptions/all:reject?{Q}"),
        &format!(r#"{{"lockTokens":[{}]}}"#, tokens.join(",")),
    );
    assert_eq!(reply.status, 200);
    let dead = fixture.get(&format!("/topics/dlq:peek?{Q}"), true).json();
    let first = &dead["value"][0];
    assert_eq!(first["deadLetter"]["topic"], "orders");
    assert_eq!(first["deadLetter"]["subscription"], "all");
    assert_eq!(
        first["event"]["deadletterreason"],
        "Rejected by the receiver."
    );
    let seq = first["sequenceNumber"].as_u64().unwrap();

    let target = format!("/topics/dlq:republishDeadLetters?{Q}");
    for bad in [
        "{}",
        r#"{"sequenceNumbers":[]}"#,
        r#"{"sequenceNumbers":[1],"all":true}"#,
        r#"{"all":false}"#,
        r#"{"all":true,"other":1}"#,
        "not json",
    ] {
        let reply = fixture.post_json(&target, bad);
        assert_eq!(reply.status, 400, "{bad}: {}", reply.text());
        assert_eq!(reply.json()["error"]["code"], "InvalidRequestBody");
    }
    let one = fixture.post_json(&target, &format!(r#"{{"sequenceNumbers":[{seq},1]}}"#));
    assert_eq!(one.status, 200, "{}", one.text());
    let answer = one.json();
    assert_eq!(answer["republished"][0]["id"], "x");
    assert_eq!(answer["republished"][0]["topic"], "orders");
    assert_eq!(answer["failed"][0]["sequenceNumber"], 1);
    assert_eq!(answer["failed"][0]["error"]["code"], "NotADeadLetter");
    let all = fixture.post_json(&target, r#"{"all":true}"#).json();
    let ids: Vec<&str> = all["republished"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["x", "y"]);
    assert_eq!(all["nextSequenceNumber"], Value::Null);
    // Back in orders/all: x twice (one then all), y once; without the dead-letter attributes.
    let again = fixture.receive(10);
    let mut ids: Vec<&str> = again
        .iter()
        .map(|r| r["event"]["id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, ["x", "x", "y"]);
    assert!(
        again
            .iter()
            .all(|r| r["event"].get("deadletterreason").is_none())
    );
    assert_eq!(
        fixture
            .post_json(
                &format!("/topics/nope:republishDeadLetters?{Q}"),
                r#"{"all":true}"#
            )
            .status,
        404
    );
}

#[test]
fn the_namespace_answer_has_the_storage_figures() {
    let fixture = Fixture::start(true);
    fixture.publish(&["s"]);
    let ns = fixture.get("/_gridlog/namespace", true).json();
    let storage = &ns["storage"];
    assert!(storage["segments"].as_u64().unwrap() >= 1);
    assert!(storage["usedBytes"].as_u64().unwrap() > 0);
    assert!(storage["diskBytes"].as_u64().unwrap() >= storage["usedBytes"].as_u64().unwrap());
    assert!(
        storage["nextSequenceNumber"].as_u64().unwrap()
            > storage["firstSequenceNumber"].as_u64().unwrap()
    );
}

#[test]
fn the_namespace_answer_lists_the_event_hubs_and_their_partitions() {
    let fixture = Fixture::start(true);
    let message = HubMessage {
        format: MessageFormat::Amqp,
        bytes: b"opaque",
        partition_key: None,
        parts: None,
    };
    fixture
        .ns
        .send_to_hub("telemetry", PartitionTarget::Id(1), &[message, message])
        .unwrap();
    let ns = fixture.get("/_gridlog/namespace", true).json();
    let hubs = ns["eventHubs"].as_array().unwrap();
    assert_eq!(hubs.len(), 1, "{ns}");
    assert_eq!(hubs[0]["name"], "telemetry");
    assert_eq!(hubs[0]["events"], 2);
    let partitions = hubs[0]["partitions"].as_array().unwrap();
    assert_eq!(partitions.len(), 2);
    assert_eq!(partitions[0]["lastSequenceNumber"], -1);
    assert!(partitions[0]["lastEnqueuedTimeUtc"].is_null());
    assert_eq!(partitions[1]["id"], "1");
    assert_eq!(partitions[1]["lastSequenceNumber"], 1);
    assert_eq!(partitions[1]["retainedEvents"], 2);
    assert_eq!(partitions[1]["bytes"], 12);
    assert!(
        partitions[1]["lastEnqueuedTimeUtc"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
}
