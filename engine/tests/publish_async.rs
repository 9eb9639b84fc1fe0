//! The group-committed async write path (`Namespace::publish_async`, `mqtt_publish_async`):
//! outcomes per write, submission order kept in the WAL, refusals that do not fail their
//! neighbours, close.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly by design"
)]

mod common;

use std::time::Duration;

use common::{NOW, block_on, clock, event, id_of, open};
use gridlog::index::MemoryIndex;
use gridlog::{EngineError, MqttMessage, Namespace};

fn received_ids(ns: &Namespace, n: usize) -> Vec<String> {
    let mut ids = Vec::new();
    while ids.len() < n {
        let got = ns.receive("orders", "plain", 100, NOW).unwrap();
        assert!(!got.is_empty(), "only {} of {n} events", ids.len());
        ids.extend(got.iter().map(|r| id_of(r.json())));
    }
    ids
}

#[test]
fn writes_submitted_together_are_stored_in_submission_order_each_with_its_receipt() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let ns = open(dir.path(), &clock, &MemoryIndex::default());
    // Submitted before any is awaited: they share transactions (group commit).
    let pending: Vec<_> = (0..500)
        .map(|i| ns.publish_async("orders", vec![event(&format!("e{i:03}"), "T")]))
        .collect();
    let receipts: Vec<_> = pending.into_iter().map(|p| block_on(p).unwrap()).collect();
    for (a, b) in receipts.iter().zip(receipts.iter().skip(1)) {
        assert_eq!(a.events, 1);
        assert!(a.seqs.end <= b.seqs.start, "{a:?} then {b:?}");
    }
    let expected: Vec<String> = (0..500).map(|i| format!("e{i:03}")).collect();
    assert_eq!(received_ids(&ns, 500), expected);
    assert_eq!(ns.stats().topics[0].events, 500);
}

#[test]
fn a_refused_write_does_not_fail_the_writes_around_it() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let ns = open(dir.path(), &clock, &MemoryIndex::default());
    let first = ns.publish_async("orders", vec![event("a", "T")]);
    let unknown = ns.publish_async("no-such-topic", vec![event("b", "T")]);
    let empty = ns.publish_async("orders", Vec::new());
    let last = ns.publish_async("orders", vec![event("c", "T")]);
    block_on(first).unwrap();
    match block_on(unknown) {
        Err(EngineError::NotFound { kind, name }) => {
            assert_eq!((kind, name.as_str()), ("topic", "no-such-topic"));
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    assert_eq!(block_on(empty).unwrap().events, 0);
    block_on(last).unwrap();
    assert_eq!(received_ids(&ns, 2), ["a", "c"]);
}

#[test]
fn throttled_writes_are_refused_before_they_are_queued() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let ns = open(dir.path(), &clock, &MemoryIndex::default());
    ns.set_throughput_units(Some(1)).unwrap();
    let batch: Vec<_> = (0..1_000).map(|i| event(&format!("x{i}"), "T")).collect();
    block_on(ns.publish_async("orders", batch)).unwrap();
    let refused = block_on(ns.publish_async("orders", vec![event("y", "T")]));
    assert!(
        matches!(refused, Err(EngineError::Throttled { .. })),
        "{refused:?}"
    );
    clock.advance(Duration::from_millis(1));
    block_on(ns.publish_async("orders", vec![event("z", "T")])).unwrap();
    assert_eq!(ns.stats().topics[0].events, 1_001);
}

#[test]
fn an_mqtt_publish_routes_and_queues_in_one_write_and_qos0_or_nothing_is_immediate() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let ns = open(dir.path(), &clock, &MemoryIndex::default());
    let routed = Some(("orders".to_owned(), event("m1", "MQTT.EventPublished")));
    let enqueued = block_on(ns.mqtt_publish_async(routed, None)).unwrap();
    assert!(enqueued.queued.is_empty() && enqueued.overflowed.is_empty());
    assert_eq!(received_ids(&ns, 1), ["m1"]);
    // Nothing to store: resolved at once (a QoS 0 message queues nothing).
    let qos0 = MqttMessage {
        qos: 0,
        ..MqttMessage::default()
    };
    let nothing = block_on(ns.mqtt_publish_async(None, Some(qos0))).unwrap();
    assert!(nothing.queued.is_empty());
    // A refused route stores nothing of the write.
    let unknown = Some(("nope".to_owned(), event("m2", "T")));
    let refused = block_on(ns.mqtt_publish_async(unknown, None));
    assert!(
        matches!(refused, Err(EngineError::NotFound { .. })),
        "{refused:?}"
    );
}

#[test]
fn writes_after_close_fail_with_closed_and_writes_before_it_are_durable() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let index = MemoryIndex::default();
    let ns = open(dir.path(), &clock, &index);
    let pending: Vec<_> = (0..50)
        .map(|i| ns.publish_async("orders", vec![event(&format!("d{i}"), "T")]))
        .collect();
    let mut stored = 0;
    for write in pending {
        block_on(write).unwrap();
        stored += 1;
    }
    ns.close().unwrap();
    let after = block_on(ns.publish_async("orders", vec![event("late", "T")]));
    assert!(matches!(after, Err(EngineError::Closed)), "{after:?}");
    let ns = Namespace::open(dir.path(), common::options(&clock, &index)).unwrap();
    assert_eq!(stored, 50);
    assert_eq!(ns.stats().topics[0].events, 50);
}
