//! Throughput units through the `Namespace` API, on a manual clock (exact, no sleeps): publish
//! batches accepted whole or refused whole, receive and settlement limits, runtime changes.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly by design"
)]

mod common;

use std::time::Duration;

use common::{NOW, clock, event, open};
use gridlog::index::MemoryIndex;
use gridlog::{Direction, EngineError, NamespaceConfig};

fn batch(prefix: &str, n: usize) -> Vec<gridlog::format::Event> {
    (0..n)
        .map(|i| event(&format!("{prefix}{i}"), "T"))
        .collect()
}

fn throttled(result: Result<impl std::fmt::Debug, EngineError>) -> (Direction, Duration) {
    match result {
        Err(EngineError::Throttled {
            direction,
            retry_after,
        }) => (direction, retry_after),
        other => panic!("expected Throttled, got {other:?}"),
    }
}

#[test]
fn publish_batches_are_accepted_whole_or_refused_whole() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let ns = open(dir.path(), &clock, &MemoryIndex::default());
    assert_eq!(ns.throughput_units(), None);
    ns.set_throughput_units(Some(1)).unwrap();
    assert_eq!(ns.throughput_units(), Some(1));
    ns.publish("orders", &batch("a", 1_000)).unwrap();
    let (direction, retry_after) = throttled(ns.publish("orders", &batch("b", 1)));
    assert_eq!(direction, Direction::Ingress);
    assert_eq!(retry_after, Duration::from_millis(1));
    let error = ns.publish("orders", &batch("b", 1)).unwrap_err();
    assert_eq!(error.code(), "Throttled");
    // Half a second refills 500: a batch of 600 is refused whole (nothing stored) ...
    clock.advance(Duration::from_millis(500));
    let (_, retry_after) = throttled(ns.publish("orders", &batch("c", 600)));
    assert_eq!(retry_after, Duration::from_millis(100));
    let stats = ns.stats();
    assert_eq!(stats.topics[0].name, "orders");
    assert_eq!(stats.topics[0].events, 1_000);
    assert_eq!(stats.topics[0].publish_units, 1_000);
    // ... and 500 fit exactly.
    ns.publish("orders", &batch("d", 500)).unwrap();
    assert_eq!(ns.stats().topics[0].events, 1_500);
    assert_eq!(ns.stats().throttle.throttled_publishes, 3);
    assert_eq!(ns.stats().throttle.throughput_units, Some(1));
    ns.close().unwrap();
}

#[test]
fn receive_and_settlement_have_their_own_two_thousand_per_tu() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let ns = open(dir.path(), &clock, &MemoryIndex::default());
    for round in 0..3 {
        ns.publish("orders", &batch(&format!("r{round}-"), 1_000))
            .unwrap();
    }
    ns.set_throughput_units(Some(1)).unwrap();
    let mut tokens = Vec::new();
    for _ in 0..20 {
        let got = ns.receive("orders", "plain", 100, NOW).unwrap();
        assert_eq!(got.len(), 100);
        tokens.extend(got.into_iter().map(|r| r.lock_token));
    }
    let (direction, retry_after) = throttled(ns.receive("orders", "plain", 100, NOW));
    assert_eq!(direction, Direction::Delivery);
    assert_eq!(retry_after, Duration::from_micros(500));
    // 25 ms refill 50 events: a receive of up to 100 gets 50.
    clock.advance(Duration::from_millis(25));
    assert_eq!(ns.receive("orders", "plain", 100, NOW).unwrap().len(), 50);
    // Settlements: 2,000 tokens, then refused whole.
    let refs: Vec<&str> = tokens.iter().map(String::as_str).collect();
    for chunk in refs.chunks(100) {
        let outcome = ns.acknowledge("orders", "plain", chunk).unwrap();
        assert_eq!(outcome.succeeded.len(), 100);
    }
    let (direction, _) = throttled(ns.acknowledge("orders", "plain", &refs[..1]));
    assert_eq!(direction, Direction::Settlement);
    let stats = ns.stats();
    assert_eq!(stats.throttle.throttled_receives, 1);
    assert_eq!(stats.throttle.throttled_settlements, 1);
    let plain = &stats.topics[0].subscriptions[1];
    assert_eq!(plain.name, "plain");
    assert_eq!(plain.meters.acked, 2_000);
    ns.close().unwrap();
}

#[test]
fn changing_throughput_units_takes_effect_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let ns = open(dir.path(), &clock, &MemoryIndex::default());
    ns.set_throughput_units(Some(1)).unwrap();
    ns.publish("orders", &batch("a", 1_000)).unwrap();
    throttled(ns.publish("orders", &batch("b", 40)));
    // 40 TUs: 40 events per millisecond from now on.
    let mut config = NamespaceConfig::from_json_str(r#"{"throughputUnits":40}"#).unwrap();
    ns.apply_config(&config).unwrap();
    assert_eq!(ns.throughput_units(), Some(40));
    clock.advance(Duration::from_millis(1));
    ns.publish("orders", &batch("c", 40)).unwrap();
    // A configuration without throughputUnits leaves them alone.
    config.throughput_units = None;
    ns.apply_config(&config).unwrap();
    assert_eq!(ns.throughput_units(), Some(40));
    // Unlimited.
    ns.set_throughput_units(None).unwrap();
    for round in 0..5 {
        ns.publish("orders", &batch(&format!("d{round}-"), 1_000))
            .unwrap();
    }
    // Out of range: refused, unchanged.
    for bad in [0, 41] {
        let error = ns.set_throughput_units(Some(bad)).unwrap_err();
        assert_eq!(error.code(), "InvalidConfiguration", "{bad}");
    }
    assert_eq!(ns.throughput_units(), None);
    ns.close().unwrap();
}
