//! Throughput units for MQTT, on the wire: the namespace's and the session's inbound rates
//! (v5 PUBACK 0x97, 3.1.1 closed), the outbound rate (`QoS` 0 dropped, `QoS` 1 held back and
//! sent in order), the connect rate (v5 CONNACK 0x97, 3.1.1 0x03), the SUBSCRIBE/UNSUBSCRIBE
//! rates per session and per namespace (v5 SUBACK 0x97 / UNSUBACK 0x80, 3.1.1 SUBACK 0x80 and a
//! closed connection on UNSUBSCRIBE), the session's outbound rate. The namespace and the
//! broker share a manual clock, frozen unless a test moves it, so every figure is exact.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Broker, Client, Props, Version, config_json};
use gridlog::{ManualClock, Timestamp};
use gridlog_mqtt::stats::{CONNECT_OUTCOMES, PUBLISH_OUTCOMES, THROTTLE_REASONS};

/// The test configuration with `units` throughput units and no routing (the MQTT limits alone).
fn config(units: u32) -> String {
    let mut config: serde_json::Value = serde_json::from_str(&config_json()).unwrap();
    config["throughputUnits"] = units.into();
    config["topicSpacesConfiguration"]
        .as_object_mut()
        .unwrap()
        .remove("routeTopicResourceId");
    config.to_string()
}

fn start(units: u32) -> (Broker, Arc<ManualClock>) {
    start_with(&config(units))
}

fn start_with(config: &str) -> (Broker, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(Timestamp::from_unix_millis(
        1_700_000_000_000,
    )));
    (Broker::start_with_clock(config, true, clock.clone()), clock)
}

fn throttled(broker: &Broker, reason: &str) -> u64 {
    let index = THROTTLE_REASONS.iter().position(|r| *r == reason).unwrap();
    broker.stats.snapshot().throttled[index]
}

fn publishes(broker: &Broker, outcome: &str) -> u64 {
    let index = PUBLISH_OUTCOMES.iter().position(|o| *o == outcome).unwrap();
    broker.stats.snapshot().publishes[index]
}

fn publish_n(client: &mut Client, topic: &str, n: usize) {
    for i in 0..n {
        assert_eq!(
            client.publish(topic, i.to_string().as_bytes(), 1, &Props::default()),
            Some(0),
            "publish {i} of {n}"
        );
    }
}

#[test]
fn the_namespace_inbound_rate_is_a_thousand_per_tu_then_puback_0x97() {
    let (broker, clock) = start(1);
    let mut a = Client::dev(broker.addr(), Version::V5, "a", "sensor1");
    let mut b = Client::dev(broker.addr(), Version::V5, "b", "sensor2");
    publish_n(&mut a, "sensors/sensor1/t", 600);
    publish_n(&mut b, "sensors/sensor2/t", 400);
    // 1,000 in the namespace's second: the next is refused, whichever session sends it.
    let props = Props::default();
    assert_eq!(b.publish("sensors/sensor2/t", b"x", 1, &props), Some(0x97));
    assert_eq!(a.publish("sensors/sensor1/t", b"x", 1, &props), Some(0x97));
    assert_eq!(throttled(&broker, "inbound"), 2);
    assert_eq!(throttled(&broker, "session_inbound"), 0);
    // The connection stays; one millisecond later exactly one more fits.
    clock.advance(Duration::from_millis(1));
    assert_eq!(a.publish("sensors/sensor1/t", b"x", 1, &props), Some(0));
    assert_eq!(b.publish("sensors/sensor2/t", b"x", 1, &props), Some(0x97));
    assert_eq!(publishes(&broker, "accepted"), 1_001);
    assert_eq!(publishes(&broker, "throttled"), 3);
    assert_eq!(broker.namespace.stats().throttle.throttled_mqtt_inbound, 3);
}

#[test]
fn the_session_inbound_rate_is_a_thousand_whatever_the_units() {
    let (broker, clock) = start(2);
    let mut a = Client::dev(broker.addr(), Version::V5, "a", "sensor1");
    publish_n(&mut a, "sensors/sensor1/t", 1_000);
    let props = Props::default();
    assert_eq!(a.publish("sensors/sensor1/t", b"x", 1, &props), Some(0x97));
    assert_eq!(throttled(&broker, "session_inbound"), 1);
    // The namespace (2 TUs) still has room for another session.
    let mut b = Client::dev(broker.addr(), Version::V5, "b", "sensor2");
    publish_n(&mut b, "sensors/sensor2/t", 10);
    clock.advance(Duration::from_millis(1));
    assert_eq!(a.publish("sensors/sensor1/t", b"x", 1, &props), Some(0));
    assert_eq!(throttled(&broker, "inbound"), 0);
}

#[test]
fn inbound_bytes_count_too_and_a_v311_publisher_is_disconnected() {
    let (broker, clock) = start(1);
    let big = vec![b'x'; 300 * 1024];
    let props = Props::default();
    let mut a = Client::dev(broker.addr(), Version::V311, "a", "sensor1");
    for _ in 0..3 {
        assert_eq!(a.publish("sensors/sensor1/t", &big, 1, &props), Some(0));
    }
    // 1.2 MB in a 1 MB second: 3.1.1 has no negative PUBACK, the connection is closed.
    assert_eq!(a.publish("sensors/sensor1/t", &big, 1, &props), None);
    assert_eq!(publishes(&broker, "throttled"), 1);
    // A second later it fits again.
    clock.advance(Duration::from_secs(1));
    let mut b = Client::dev(broker.addr(), Version::V5, "b", "sensor1");
    assert_eq!(b.publish("sensors/sensor1/t", &big, 1, &props), Some(0));
}

#[test]
fn connects_are_two_hundred_per_second_per_tu() {
    let config = config(1).replace(
        r#""maximumClientSessionsPerAuthenticationName":5"#,
        r#""maximumClientSessionsPerAuthenticationName":100"#,
    );
    assert!(config.contains(r#"AuthenticationName":100"#));
    let (broker, clock) = start_with(&config);
    let addr = broker.addr();
    let mut kept = Vec::new();
    for n in 0..200 {
        // Every CONNECT counts, refused or not.
        let password = if n % 2 == 0 { common::KEY } else { "wrong" };
        let (client, code) = Client::connect(
            addr,
            Version::V5,
            &format!("c{n}"),
            Some("viewer"),
            Some(password),
        );
        assert_eq!(code, Some(if n % 2 == 0 { 0 } else { 0x86 }), "connect {n}");
        kept.push(client);
    }
    let (_, code) = Client::connect(addr, Version::V5, "v5", Some("viewer"), Some(common::KEY));
    assert_eq!(code, Some(0x97));
    let (_, code) = Client::connect(addr, Version::V311, "v3", Some("viewer"), Some(common::KEY));
    assert_eq!(code, Some(0x03));
    assert_eq!(throttled(&broker, "connect_rate"), 2);
    let index = CONNECT_OUTCOMES
        .iter()
        .position(|o| *o == "connect_rate")
        .unwrap();
    assert_eq!(broker.stats.snapshot().connects[index], 2);
    assert_eq!(broker.namespace.stats().throttle.throttled_mqtt_connects, 2);
    // 5 ms: one more.
    clock.advance(Duration::from_millis(5));
    Client::dev(addr, Version::V311, "later", "sensor1");
    let (_, code) = Client::connect(addr, Version::V5, "v5", Some("viewer"), Some(common::KEY));
    assert_eq!(code, Some(0x97));
}

/// The first payload byte of every PUBLISH that arrives before `client` has been quiet for a
/// while (acknowledged).
fn drain(client: &mut Client) -> Vec<u8> {
    let mut heads = Vec::new();
    while client.data_within(Duration::from_millis(300)) {
        let (_, payload, _) = client.receive();
        heads.push(payload[0]);
    }
    heads
}

#[test]
fn outbound_qos1_deliveries_wait_in_order_and_qos0_ones_are_dropped() {
    let (broker, clock) = start(1);
    let mut s1 = Client::dev(broker.addr(), Version::V5, "s1", "sensor2");
    let mut s2 = Client::dev(broker.addr(), Version::V311, "s2", "viewer");
    assert_eq!(s1.subscribe(&["sensors/#"]), [1]);
    assert_eq!(s2.subscribe(&["sensors/+/temp"]), [1]);
    let mut publisher = Client::dev(broker.addr(), Version::V5, "p", "sensor1");
    let props = Props::default();
    // Three messages of 300 KiB to two subscribers: 1.8 MB out of a 1 MB second.
    for n in 0..3u8 {
        let mut payload = vec![b'0' + n; 300 * 1024];
        payload[0] = n;
        assert_eq!(
            publisher.publish("sensors/sensor1/temp", &payload, 1, &props),
            Some(0),
            "the publisher is not held back by the outbound rate"
        );
    }
    let mut got = [drain(&mut s1), drain(&mut s2)];
    assert_eq!(
        got[0].len() + got[1].len(),
        3,
        "1 MB holds three 300 KiB deliveries: {got:?}"
    );
    assert_eq!(throttled(&broker, "outbound"), 3);
    // A second later the held-back ones go, in order, to whoever waited.
    clock.advance(Duration::from_secs(1));
    for _ in 0..20 {
        got[0].extend(drain(&mut s1));
        got[1].extend(drain(&mut s2));
        if got[0].len() + got[1].len() == 6 {
            break;
        }
    }
    assert_eq!(got, [vec![0, 1, 2], vec![0, 1, 2]]);
    assert_eq!(broker.stats.snapshot().deliveries[1], 6);
    assert_eq!(
        broker.stats.snapshot().delivery_bytes,
        6 * 300 * 1024,
        "each delivery counted once"
    );

    // QoS 0 over the limit: dropped, never sent later.
    clock.advance(Duration::from_secs(1));
    for n in 0..3u8 {
        let mut payload = vec![b'0'; 300 * 1024];
        payload[0] = n;
        assert_eq!(
            publisher.publish("sensors/sensor1/temp", &payload, 0, &props),
            Some(0)
        );
    }
    let sent = drain(&mut s1).len() + drain(&mut s2).len();
    assert_eq!(sent, 3);
    assert_eq!(throttled(&broker, "outbound"), 6);
    clock.advance(Duration::from_secs(1));
    assert_eq!(drain(&mut s1).len() + drain(&mut s2).len(), 0);
}

#[test]
fn without_throughput_units_nothing_is_throttled() {
    let broker = Broker::start(&config_json(), true);
    let mut a = Client::dev(broker.addr(), Version::V5, "a", "sensor1");
    let big = vec![b'x'; 400 * 1024];
    for _ in 0..4 {
        assert_eq!(
            a.publish("sensors/sensor1/t", &big, 1, &Props::default()),
            Some(0)
        );
    }
    assert_eq!(
        broker.stats.snapshot().throttled,
        [0; THROTTLE_REASONS.len()]
    );
}

#[test]
fn subscribe_requests_are_five_per_second_per_session_then_suback_0x97() {
    let (broker, clock) = start(1);
    let mut a = Client::dev(broker.addr(), Version::V5, "a", "sensor1");
    for n in 0..4 {
        assert_eq!(
            a.subscribe(&[&format!("sensors/{n}/t")]),
            [1],
            "request {n}"
        );
    }
    assert_eq!(a.unsubscribe(&["sensors/0/t"]), Some(vec![0]));
    // The sixth request of the second: every filter refused, nothing subscribed.
    assert_eq!(a.subscribe(&["sensors/9/t", "sensors/8/t"]), [0x97, 0x97]);
    // An UNSUBSCRIBE over the rate: 0x80 for each (MQTT 5 has no 0x97 there), nothing removed.
    assert_eq!(a.unsubscribe(&["sensors/1/t"]), Some(vec![0x80]));
    assert_eq!(throttled(&broker, "session_subscribe_rate"), 2);
    // 5/s: one more request 200 ms later, then refused again.
    clock.advance(Duration::from_millis(200));
    assert_eq!(
        a.unsubscribe(&["sensors/1/t"]),
        Some(vec![0]),
        "still there"
    );
    assert_eq!(a.subscribe(&["sensors/9/t"]), [0x97]);
    // Another session has its own five.
    let mut b = Client::dev(broker.addr(), Version::V5, "b", "sensor2");
    assert_eq!(b.subscribe(&["sensors/#"]), [1]);
    // A second later the rate is back: five requests again.
    clock.advance(Duration::from_secs(1));
    for n in 0..5 {
        assert_eq!(
            a.subscribe(&[&format!("sensors/{n}/x")]),
            [1],
            "request {n}"
        );
    }
    assert_eq!(a.subscribe(&["sensors/9/t"]), [0x97]);
    assert_eq!(throttled(&broker, "session_subscribe_rate"), 4);
    assert_eq!(throttled(&broker, "subscribe_rate"), 0);
}

#[test]
fn over_the_subscribe_rate_v311_gets_suback_0x80_and_an_unsubscribe_closes() {
    let (broker, clock) = start(1);
    let mut a = Client::dev(broker.addr(), Version::V311, "a", "sensor1");
    for n in 0..5 {
        assert_eq!(
            a.subscribe(&[&format!("sensors/{n}/t")]),
            [1],
            "request {n}"
        );
    }
    assert_eq!(a.subscribe(&["sensors/9/t", "sensors/8/t"]), [0x80, 0x80]);
    assert!(a.ping(), "a refused SUBSCRIBE keeps the connection");
    // 3.1.1's UNSUBACK has no code: the connection is closed.
    assert_eq!(a.unsubscribe(&["sensors/1/t"]), None);
    assert_eq!(throttled(&broker, "session_subscribe_rate"), 2);
    clock.advance(Duration::from_secs(1));
    let mut b = Client::dev(broker.addr(), Version::V311, "b", "sensor1");
    assert_eq!(b.subscribe(&["sensors/#"]), [1]);
    assert_eq!(b.unsubscribe(&["sensors/#"]), Some(Vec::new()));
}

#[test]
fn subscribe_requests_are_two_hundred_per_second_per_namespace_whatever_the_units() {
    let config = config(2).replace(
        r#""maximumClientSessionsPerAuthenticationName":5"#,
        r#""maximumClientSessionsPerAuthenticationName":100"#,
    );
    let (broker, clock) = start_with(&config);
    let mut clients: Vec<Client> = (0..41)
        .map(|n| Client::dev(broker.addr(), Version::V5, &format!("c{n}"), "sensor1"))
        .collect();
    // 40 sessions × 5 requests: the namespace's 200 (not scaled by the 2 TUs).
    for client in &mut clients[..40] {
        for n in 0..5 {
            assert_eq!(client.subscribe(&[&format!("sensors/{n}/t")]), [1]);
        }
    }
    let last = &mut clients[40];
    assert_eq!(last.subscribe(&["sensors/a/t"]), [0x97]);
    assert_eq!(last.unsubscribe(&["sensors/a/t"]), Some(vec![0x80]));
    assert_eq!(throttled(&broker, "subscribe_rate"), 2);
    assert_eq!(throttled(&broker, "session_subscribe_rate"), 0);
    // 200/s: one more every 5 ms.
    clock.advance(Duration::from_millis(5));
    assert_eq!(last.subscribe(&["sensors/a/t"]), [1]);
    assert_eq!(last.subscribe(&["sensors/b/t"]), [0x97]);
    clock.advance(Duration::from_secs(1));
    assert_eq!(last.subscribe(&["sensors/b/t"]), [1]);
    assert_eq!(throttled(&broker, "subscribe_rate"), 3);
}

/// Publishes `n` `QoS` `qos` messages from `publisher` and reads them at `subscriber`
/// (acknowledged): how many arrived.
fn relay(publisher: &mut Client, subscriber: &mut Client, n: usize, qos: u8) -> usize {
    for i in 0..n {
        let payload = [u8::try_from(i % 256).unwrap()];
        let ack = publisher.publish("sensors/sensor1/t", &payload, qos, &Props::default());
        assert_eq!(ack, Some(0), "publish {i}");
    }
    drain(subscriber).len()
}

#[test]
fn the_session_outbound_rate_is_a_hundred_qos1_held_back_qos0_dropped() {
    // 2 TUs: the namespace's outbound rate (2,000/s) is not the one reached.
    let (broker, clock) = start(2);
    let mut s = Client::dev(broker.addr(), Version::V5, "s", "sensor2");
    assert_eq!(s.subscribe(&["sensors/#"]), [1]);
    let mut p = Client::dev(broker.addr(), Version::V5, "p", "sensor1");
    assert_eq!(relay(&mut p, &mut s, 50, 1), 50);
    assert_eq!(relay(&mut p, &mut s, 50, 1), 50);
    // The 101st QoS 1 message of the second waits: not lost, sent when the rate allows.
    assert_eq!(relay(&mut p, &mut s, 1, 1), 0);
    assert_eq!(throttled(&broker, "session_outbound"), 1);
    assert_eq!(throttled(&broker, "outbound"), 0);
    // Another subscriber is not held back by this session's rate.
    let mut t = Client::dev(broker.addr(), Version::V5, "t", "viewer");
    assert_eq!(t.subscribe(&["sensors/+/temp"]), [1]);
    assert_eq!(
        p.publish("sensors/sensor1/temp", b"t", 1, &Props::default()),
        Some(0)
    );
    assert_eq!(drain(&mut t), [b't']);
    // 100/s: one more every 10 ms, in order (the one held back, payload 0, then the temp one).
    clock.advance(Duration::from_millis(10));
    assert_eq!(drain(&mut s), [0]);
    clock.advance(Duration::from_millis(10));
    assert_eq!(drain(&mut s), [b't']);
    assert_eq!(throttled(&broker, "session_outbound"), 2);

    // QoS 0 over the rate: dropped, never sent later.
    clock.advance(Duration::from_secs(1));
    assert_eq!(relay(&mut p, &mut s, 100, 0), 100);
    assert_eq!(relay(&mut p, &mut s, 1, 0), 0);
    assert_eq!(throttled(&broker, "session_outbound"), 3);
    clock.advance(Duration::from_secs(1));
    assert!(drain(&mut s).is_empty());
    // And the rate is back a second later.
    assert_eq!(relay(&mut p, &mut s, 100, 0), 100);
}
