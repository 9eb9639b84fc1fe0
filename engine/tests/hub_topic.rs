//! An Event Hub mapped to a topic: each message sent to the hub is also published into the
//! topic as the `CloudEvent` its parts make (`gridlog::MessageParts`), in the same transaction;
//! a message that makes no valid event refuses the whole send, and nothing of it is stored.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly by design"
)]

mod common;

use std::time::Duration;

use common::{START_MS, clock, options};
use gridlog::index::MemoryIndex;
use gridlog::{
    EventPosition, HubMessage, MessageBody, MessageFormat, MessageParts, Namespace,
    NamespaceConfig, PartitionTarget, rfc3339_ms,
};
use serde_json::{Value, json};

fn config() -> NamespaceConfig {
    NamespaceConfig::from_json_str(
        r#"{"topics":[{"name":"jobs","eventSubscriptions":[{"name":"all"}]}],
            "eventHubs":[{"name":"status","topic":"jobs","properties":{"partitionCount":2}},
                         {"name":"plain","properties":{"partitionCount":1}}]}"#,
    )
    .unwrap()
}

fn parts(body: &[u8], user: &Value, broker: &Value) -> MessageParts {
    MessageParts {
        body: MessageBody::Raw(body.to_vec()),
        user_properties: user.as_object().cloned().unwrap_or_default(),
        broker_properties: broker.as_object().cloned().unwrap_or_default(),
    }
}

fn receive(ns: &Namespace) -> Vec<Value> {
    ns.receive("jobs", "all", 100, Duration::ZERO)
        .unwrap()
        .iter()
        .map(|received| serde_json::from_slice(received.json()).unwrap())
        .collect()
}

#[test]
fn a_send_to_a_mapped_hub_publishes_its_events_into_the_topic() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let index = MemoryIndex::default();
    let ns = Namespace::open(dir.path(), options(&clock, &index)).unwrap();
    ns.apply_config(&config()).unwrap();

    let first = parts(
        br#"{"job":"extract","rows":42}"#,
        &json!({"Job-Name": "extract", "type": "Job.Finished"}),
        &json!({"MessageId": "m-1", "ContentType": "application/json", "PartitionKey": "k"}),
    );
    let second = parts(&[0xff, 0x00], &json!({}), &json!({}));
    let sends = [
        HubMessage {
            format: MessageFormat::Amqp,
            bytes: b"first",
            partition_key: Some("k"),
            parts: Some(&first),
        },
        HubMessage {
            format: MessageFormat::Amqp,
            bytes: b"second",
            partition_key: Some("k"),
            parts: Some(&second),
        },
    ];
    let receipt = ns
        .send_to_hub("status", PartitionTarget::Id(1), &sends)
        .unwrap();
    assert_eq!(receipt.count, 2);
    let stored = ns
        .read_partition("status", "$Default", 1, &EventPosition::Earliest, 10)
        .unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[0].bytes, b"first");

    let events = receive(&ns);
    assert_eq!(events.len(), 2, "{events:?}");
    let time = rfc3339_ms(START_MS);
    assert_eq!(
        events[0],
        json!({"specversion":"1.0","id":"m-1","source":"/eventhubs/status","type":"Job.Finished",
            "time":time,"datacontenttype":"application/json","jobname":"extract",
            "partitionkey":"k","partitionid":"1","data":{"job":"extract","rows":42}})
    );
    assert_eq!(events[1]["data_base64"], "/wA=");
    assert_eq!(events[1]["type"], "EventHubs.Message");
    assert_eq!(events[1]["id"].as_str().unwrap().len(), 36);
    // A publisher names itself in the source.
    let third = parts(b"t", &json!({}), &json!({}));
    let publisher = [HubMessage {
        format: MessageFormat::Rest,
        bytes: b"third",
        partition_key: None,
        parts: Some(&third),
    }];
    ns.send_to_hub("status", PartitionTarget::Publisher("dev-1"), &publisher)
        .unwrap();
    assert_eq!(
        receive(&ns)[0]["source"],
        "/eventhubs/status/publishers/dev-1"
    );

    // The events survive a restart with the partition records.
    ns.close().unwrap();
    drop(ns);
    let ns = Namespace::open(dir.path(), options(&clock, &index)).unwrap();
    let stored = ns
        .read_partition("status", "$Default", 1, &EventPosition::Earliest, 10)
        .unwrap();
    assert_eq!(stored.len(), 2);
    assert_eq!(ns.stats().topics[0].name, "jobs");
}

#[test]
fn a_message_that_makes_no_event_refuses_the_whole_send() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let index = MemoryIndex::default();
    let ns = Namespace::open(dir.path(), options(&clock, &index)).unwrap();
    ns.apply_config(&config()).unwrap();
    let good = parts(b"ok", &json!({}), &json!({}));
    let reserved = parts(b"bad", &json!({"id": "x"}), &json!({}));
    let message = |parts| HubMessage {
        format: MessageFormat::Amqp,
        bytes: b"x",
        partition_key: None,
        parts,
    };
    let error = ns
        .send_to_hub(
            "status",
            PartitionTarget::Id(0),
            &[message(Some(&good)), message(Some(&reserved))],
        )
        .unwrap_err();
    assert_eq!(error.code(), "InvalidEvent");
    assert_eq!(error.detail_code(), "InvalidProperties");
    assert!(error.to_string().starts_with("message 1:"), "{error}");
    let missing = ns
        .send_to_hub("status", PartitionTarget::Id(0), &[message(None)])
        .unwrap_err();
    assert_eq!(missing.code(), "InvalidArgument");
    let big = MessageParts {
        body: MessageBody::Json(Value::from("x".repeat(1_048_576))),
        ..good.clone()
    };
    let too_large = ns
        .send_to_hub("status", PartitionTarget::Id(0), &[message(Some(&big))])
        .unwrap_err();
    assert!(
        matches!(&too_large, gridlog::EngineError::HubEvent { source, .. } if source.is_limit()),
        "{too_large}"
    );
    // Nothing of the refused sends was stored, in the partition or the topic.
    assert_eq!(
        ns.partition_info("status", 0).unwrap().last_sequence_number,
        -1
    );
    assert!(receive(&ns).is_empty());
    // A hub without a topic ignores the parts.
    ns.send_to_hub(
        "plain",
        PartitionTarget::RoundRobin,
        &[message(Some(&reserved))],
    )
    .unwrap();
    assert!(receive(&ns).is_empty());
    assert_eq!(ns.hub_topic("status").unwrap().as_deref(), Some("jobs"));
    assert_eq!(ns.hub_topic("plain").unwrap(), None);
    assert_eq!(ns.hub_topic("nope").unwrap_err().code(), "NotFound");
}
