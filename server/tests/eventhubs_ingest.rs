//! Event Hubs REST ingest into the namespace's hubs: messages land in one partition (path
//! partition, publisher, `PartitionKey`, else round-robin) numbered as engine sends are, keep
//! their body, content type and properties, and a hub mapped to a topic also publishes them
//! into the topic; a name that is no hub still publishes into the topic of that name.
#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests")]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::TestServer;
use gridlog::{
    EventPosition, HubEvent, HubMessage, MessageFormat, Namespace, NamespaceConfig,
    NamespaceOptions, PartitionTarget, RestMessage, partition_for_key,
};
use gridlog_server::auth::Authenticator;
use gridlog_server::metrics::Metrics;

const BATCH: &str = "application/vnd.microsoft.servicebus.json";

fn start() -> (TestServer, Namespace, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let ns = Namespace::open(dir.path(), NamespaceOptions::default()).unwrap();
    ns.apply_config(
        &NamespaceConfig::from_json_str(
            r#"{"eventHubs":[
                 {"name":"jobs","topic":"orders","properties":{"partitionCount":4}},
                 {"name":"plain","properties":{"partitionCount":2}}],
               "topics":[{"name":"orders","eventSubscriptions":[{"name":"all"}]}]}"#,
        )
        .unwrap(),
    )
    .unwrap();
    let server = TestServer::with_backend(Arc::new(ns.clone()), Authenticator::new([]));
    (server, ns, dir)
}

fn read(ns: &Namespace, hub: &str, partition: u32) -> Vec<HubEvent> {
    ns.read_partition(hub, "$Default", partition, &EventPosition::Earliest, 100)
        .unwrap()
}

fn rest(event: &HubEvent) -> RestMessage {
    assert_eq!(event.format, MessageFormat::Rest);
    RestMessage::decode(&event.bytes).unwrap()
}

#[test]
fn batch_with_a_partition_key_lands_in_the_key_partition_and_the_topic() {
    let (server, ns, _dir) = start();
    let body = br#"[
        {"Body":{"status":"done"},"UserProperties":{"job":"j1","attempt":2},
         "BrokerProperties":{"PartitionKey":"job-7","ContentType":"application/json"}},
        {"Body":"second","BrokerProperties":{"PartitionKey":"job-7"}}]"#;
    let reply = server.post("/jobs/messages?api-version=2014-01", Some(BATCH), body);
    assert_eq!(reply.status, 201, "{}", reply.text());
    let partition = partition_for_key("job-7", 4);
    let events = read(&ns, "jobs", partition);
    assert_eq!(
        events.iter().map(|e| e.sequence_number).collect::<Vec<_>>(),
        [0, 1]
    );
    assert_eq!(events[0].partition_key.as_deref(), Some("job-7"));
    let first = rest(&events[0]);
    assert_eq!(first.body, br#"{"status":"done"}"#);
    assert_eq!(first.content_type.as_deref(), Some("application/json"));
    assert_eq!(
        first.properties,
        [
            ("attempt".to_owned(), "2".to_owned()),
            ("job".to_owned(), "j1".to_owned())
        ]
    );
    assert_eq!(rest(&events[1]).body, b"second");
    // The same send is in the mapped topic, as CloudEvents.
    let got = ns
        .receive("orders", "all", 10, Duration::from_secs(1))
        .unwrap();
    assert_eq!(got.len(), 2);
    let event: serde_json::Value = serde_json::from_slice(got[0].json()).unwrap();
    assert_eq!(event["data"]["status"], "done");
    assert_eq!(event["job"], "j1");
    // An engine send (what AMQP does) continues the same numbering.
    let parts = gridlog::MessageParts {
        body: gridlog::MessageBody::Raw(b"amqp".to_vec()),
        user_properties: serde_json::Map::new(),
        broker_properties: serde_json::Map::new(),
    };
    let receipt = ns
        .send_to_hub(
            "jobs",
            PartitionTarget::Key("job-7"),
            &[HubMessage {
                format: MessageFormat::Amqp,
                bytes: b"amqp",
                partition_key: Some("job-7"),
                parts: Some(&parts),
            }],
        )
        .unwrap();
    assert_eq!(
        (receipt.partition, receipt.first_sequence_number),
        (partition, 2)
    );
    // `/metrics` shows the partitions.
    let text = Metrics::new(Arc::new(ns.clone())).render().unwrap();
    for series in [
        format!(r#"gridlog_hub_last_sequence_number{{hub="jobs",partition="{partition}"}} 2"#),
        format!(r#"gridlog_hub_events_total{{hub="jobs",partition="{partition}"}} 3"#),
        r#"gridlog_hub_last_sequence_number{hub="plain",partition="1"} -1"#.to_owned(),
        r#"gridlog_throttled_operations_total{direction="hub_ingress"} 0"#.to_owned(),
    ] {
        assert!(text.contains(&series), "{series} not in:\n{text}");
    }
}

#[test]
fn partition_and_publisher_paths_choose_the_partition() {
    let (server, ns, _dir) = start();
    let reply = server.call(
        "POST",
        "/jobs/partitions/2/messages",
        &[("BrokerProperties", r#"{"Label":"l1"}"#)],
        Some("text/plain"),
        b"to two",
    );
    assert_eq!(reply.status, 201, "{}", reply.text());
    let events = read(&ns, "jobs", 2);
    assert_eq!(events.len(), 1);
    let stored = rest(&events[0]);
    assert_eq!(stored.body, b"to two");
    assert_eq!(stored.content_type.as_deref(), Some("text/plain"));
    let reply = server.post("/jobs/publishers/dev1/messages", None, b"from dev1");
    assert_eq!(reply.status, 201, "{}", reply.text());
    let partition = partition_for_key("dev1", 4);
    let events = read(&ns, "jobs", partition);
    assert_eq!(rest(events.last().unwrap()).body, b"from dev1");
    for bad in ["/jobs/partitions/4/messages", "/jobs/partitions/x/messages"] {
        let reply = server.post(bad, None, b"x");
        assert_eq!(reply.status, 404, "{bad}: {}", reply.text());
    }
    let mixed = br#"[{"Body":"a","BrokerProperties":{"PartitionKey":"k1"}},{"Body":"b"}]"#;
    let reply = server.post("/jobs/messages", Some(BATCH), mixed);
    assert_eq!(reply.status, 400, "{}", reply.text());
}

#[test]
fn a_hub_without_topic_takes_turns_and_publishes_nowhere_else() {
    let (server, ns, _dir) = start();
    for body in [&b"one"[..], b"two", b"three"] {
        let reply = server.post("/plain/messages", None, body);
        assert_eq!(reply.status, 201, "{}", reply.text());
    }
    assert_eq!(read(&ns, "plain", 0).len(), 2);
    assert_eq!(read(&ns, "plain", 1).len(), 1);
    assert!(
        ns.receive("orders", "all", 10, Duration::ZERO)
            .unwrap()
            .is_empty()
    );
    // A message that makes no CloudEvent (an array property) is fine for a hub without topic.
    let reply = server.post(
        "/plain/messages",
        Some(BATCH),
        br#"[{"Body":"x","UserProperties":{"list":[1,2]}}]"#,
    );
    assert_eq!(reply.status, 201, "{}", reply.text());
    let stored = rest(read(&ns, "plain", 1).last().unwrap());
    assert_eq!(stored.properties, [("list".to_owned(), "[1,2]".to_owned())]);
}

#[test]
fn a_name_that_is_no_hub_publishes_into_its_topic() {
    let (server, ns, _dir) = start();
    let reply = server.post("/orders/messages", None, b"into the topic");
    assert_eq!(reply.status, 201, "{}", reply.text());
    let got = ns
        .receive("orders", "all", 10, Duration::from_secs(1))
        .unwrap();
    assert_eq!(got.len(), 1);
    let reply = server.post("/nothing/messages", None, b"x");
    assert_eq!(reply.status, 404, "{}", reply.text());
}
