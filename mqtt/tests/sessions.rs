//! Persistent sessions end to end over TCP with the byte-level client: CONNACK Session
//! Present in both versions, subscriptions and the `QoS` 1 queue kept while the client is
//! away, unacknowledged deliveries sent again with DUP=1 in order, Clean Start discarding the
//! session, expiry measured from the disconnect on the namespace's (manual) clock, the
//! overflow of 100 messages or 1 MB ending the session, takeover keeping it, the Will Delay
//! Interval (cancelled by a reconnect), and a restart of broker and namespace.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]
#![allow(clippy::big_endian_bytes, reason = "MQTT integers are big-endian")]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Broker, Client, KEY, Opts, Props, Version, config_json, ids};
use gridlog::{ManualClock, SystemClock, Timestamp};

const VERSIONS: [Version; 2] = [Version::V311, Version::V5];
const HOUR: u32 = 3_600;

/// `sensor2` publishes `payloads` at `QoS` 1 to `sensors/sensor2/data`, each acknowledged.
fn publish_all(broker: &Broker, version: Version, client_id: &str, payloads: &[&[u8]]) {
    let mut publisher = Client::dev(broker.addr(), version, client_id, "sensor2");
    for payload in payloads {
        assert_eq!(
            publisher.publish("sensors/sensor2/data", payload, 1, &Props::default()),
            Some(0)
        );
    }
    publisher.disconnect(0);
}

/// Waits (up to 5 s) until `check` holds.
fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let start = Instant::now();
    while !check() {
        assert!(start.elapsed() < Duration::from_secs(5), "never: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The messages stored session `session` holds; `None` when there is no such session.
fn queued(broker: &Broker, session: &str) -> Option<usize> {
    broker
        .namespace
        .mqtt_sessions()
        .unwrap()
        .into_iter()
        .find(|s| s.client_id == session)
        .map(|s| s.queued)
}

/// Waits until the broker has stored that `session`'s connection ended (its expiry and will
/// delay count from then, so a test moves the clock only after).
fn wait_disconnected(broker: &Broker, session: &str) {
    eventually("the disconnect is stored", || {
        broker
            .namespace
            .mqtt_sessions()
            .unwrap()
            .iter()
            .any(|s| s.client_id == session && !s.connected)
    });
}

fn manual_clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(Timestamp::from_unix_millis(
        1_700_000_000_000,
    )))
}

#[test]
fn a_kept_session_holds_its_subscriptions_and_queue_until_the_client_returns() {
    let broker = Broker::start(&config_json(), true);
    let mut id = ids("kept");
    for version in VERSIONS {
        let session = id();
        let (mut subscriber, present) =
            Client::persistent(broker.addr(), version, &session, "sensor1", HOUR);
        assert!(!present, "a new session is not present");
        assert_eq!(subscriber.subscribe(&["sensors/sensor2/#"]), [1]);
        subscriber.disconnect(0);

        publish_all(&broker, version, &id(), &[b"1", b"2", b"3"]);
        let (mut subscriber, present) =
            Client::persistent(broker.addr(), version, &session, "sensor1", HOUR);
        assert!(present, "{version:?}: the stored session is resumed");
        for expected in [b"1", b"2", b"3"] {
            let delivery = subscriber.delivery();
            assert_eq!(delivery.topic, "sensors/sensor2/data");
            assert_eq!(delivery.payload, expected);
            assert_eq!((delivery.qos, delivery.dup), (1, false));
            subscriber.puback(delivery.id);
        }
        // The stored subscription is live again.
        publish_all(&broker, version, &id(), &[b"4"]);
        let delivery = subscriber.delivery();
        assert_eq!(delivery.payload, b"4");
        subscriber.puback(delivery.id);
        assert!(subscriber.quiet_for(Duration::from_millis(200)));
        subscriber.disconnect(0);

        // Clean Start (cleanSession=1) discards it: no subscription, nothing stored.
        let (mut clean, ack) = Client::connect_opts(
            broker.addr(),
            version,
            &session,
            Some("sensor1"),
            Some(KEY),
            &Opts::default(),
        );
        assert_eq!(ack, Some((0, false)), "{version:?}");
        publish_all(&broker, version, &id(), &[b"5"]);
        assert!(clean.quiet_for(Duration::from_millis(300)));
        clean.disconnect(0);
        let (subscriber, present) =
            Client::persistent(broker.addr(), version, &session, "sensor1", HOUR);
        assert!(!present, "{version:?}: discarded by the clean start");
        subscriber.disconnect(0);
    }
}

#[test]
fn unacknowledged_deliveries_are_sent_again_with_dup_in_order() {
    let broker = Broker::start(&config_json(), true);
    let mut id = ids("dup");
    for version in VERSIONS {
        let session = id();
        let (mut subscriber, _) =
            Client::persistent(broker.addr(), version, &session, "sensor1", HOUR);
        assert_eq!(subscriber.subscribe(&["sensors/sensor2/#"]), [1]);
        publish_all(&broker, version, &id(), &[b"a", b"b"]);
        let first = subscriber.delivery();
        let second = subscriber.delivery();
        assert_eq!((first.dup, second.dup), (false, false));
        subscriber.puback(first.id);
        // Acknowledgements reach the engine in batches: wait for this one (until then a
        // reconnect would get it again, with DUP=1).
        eventually("the acknowledgement is stored", || {
            queued(&broker, &session) == Some(1)
        });
        subscriber.drop_connection();

        let (mut subscriber, present) =
            Client::persistent(broker.addr(), version, &session, "sensor1", HOUR);
        assert!(present);
        let again = subscriber.delivery();
        assert_eq!(
            again.payload, b"b",
            "{version:?}: the acknowledged one is gone"
        );
        assert!(again.dup, "{version:?}: sent before, so DUP=1");
        subscriber.puback(again.id);
        assert!(subscriber.quiet_for(Duration::from_millis(200)));
        eventually("the acknowledgement is stored", || {
            broker
                .namespace
                .mqtt_sessions()
                .unwrap()
                .iter()
                .any(|s| s.client_id == session && s.queued == 0)
        });
        subscriber.drop_connection();
        let (mut subscriber, present) =
            Client::persistent(broker.addr(), version, &session, "sensor1", HOUR);
        assert!(present);
        assert!(subscriber.quiet_for(Duration::from_millis(300)));
        subscriber.disconnect(0);
    }
}

#[test]
fn a_session_expires_its_expiry_interval_after_the_disconnect() {
    let clock = manual_clock();
    let broker = Broker::start_with(&config_json(), true, clock.clone(), None);
    let mut id = ids("expiry");
    // v5: 60 s asked for; 3.1.1: the namespace's maximum, 1 h.
    for (version, expiry) in [(Version::V5, 60), (Version::V311, HOUR)] {
        let session = id();
        let (mut subscriber, _) =
            Client::persistent(broker.addr(), version, &session, "sensor1", expiry);
        assert_eq!(subscriber.subscribe(&["sensors/sensor2/#"]), [1]);
        subscriber.disconnect(0);
        wait_disconnected(&broker, &session);
        publish_all(&broker, version, &id(), &[b"kept"]);
        clock.advance(Duration::from_secs(u64::from(expiry) - 1));
        std::thread::sleep(Duration::from_millis(1_500));
        let (mut subscriber, present) =
            Client::persistent(broker.addr(), version, &session, "sensor1", expiry);
        assert!(present, "{version:?}: one second before expiry");
        let delivery = subscriber.delivery();
        assert_eq!(delivery.payload, b"kept");
        subscriber.puback(delivery.id);
        subscriber.disconnect(0);
        wait_disconnected(&broker, &session);

        publish_all(&broker, version, &id(), &[b"lost"]);
        clock.advance(Duration::from_secs(u64::from(expiry) + 1));
        eventually("the session expires", || {
            broker
                .namespace
                .mqtt_sessions()
                .unwrap()
                .iter()
                .all(|s| s.client_id != session)
        });
        let (mut subscriber, present) =
            Client::persistent(broker.addr(), version, &session, "sensor1", expiry);
        assert!(!present, "{version:?}: expired");
        assert!(subscriber.quiet_for(Duration::from_millis(300)));
        subscriber.disconnect(0);
    }
}

#[test]
fn the_session_expiry_interval_is_clamped_to_the_namespace_maximum() {
    let broker = Broker::start(&config_json(), true);
    let (mut client, ack) = Client::connect_opts(
        broker.addr(),
        Version::V5,
        "clamp",
        Some("sensor1"),
        Some(KEY),
        &Opts {
            keep: true,
            expiry: Some(u32::MAX),
            ..Opts::default()
        },
    );
    assert_eq!(ack, Some((0, false)));
    assert_eq!(
        client.connack_session_expiry(),
        Some(HOUR),
        "1 h, the default maximum"
    );
    assert!(client.ping());
    assert_eq!(queued(&broker, "clamp"), Some(0));
}

#[test]
fn the_hundred_and_first_queued_message_or_the_first_beyond_1_mb_ends_the_session() {
    let broker = Broker::start(&config_json(), true);
    let mut id = ids("overflow");
    let version = Version::V5;
    let session = id();
    let (mut subscriber, _) = Client::persistent(broker.addr(), version, &session, "sensor1", HOUR);
    assert_eq!(subscriber.subscribe(&["sensors/sensor2/#"]), [1]);
    subscriber.disconnect(0);
    let payloads: Vec<Vec<u8>> = (0..100).map(|n| format!("{n}").into_bytes()).collect();
    let slices: Vec<&[u8]> = payloads.iter().map(Vec::as_slice).collect();
    publish_all(&broker, version, &id(), &slices);
    assert_eq!(queued(&broker, &session), Some(100));
    let overflows = broker.stats.snapshot().overflows;
    publish_all(&broker, version, &id(), &[b"101"]);
    assert_eq!(queued(&broker, &session), None);
    assert_eq!(broker.stats.snapshot().overflows, overflows + 1);
    let (subscriber, present) =
        Client::persistent(broker.addr(), version, &session, "sensor1", HOUR);
    assert!(!present, "the overflow ended the session");
    subscriber.disconnect(0);

    let session = id();
    let (mut subscriber, _) = Client::persistent(broker.addr(), version, &session, "sensor1", HOUR);
    assert_eq!(subscriber.subscribe(&["sensors/sensor2/#"]), [1]);
    subscriber.disconnect(0);
    let big = vec![7u8; 200 * 1024];
    publish_all(&broker, version, &id(), &[big.as_slice(); 5]);
    assert_eq!(queued(&broker, &session), Some(5));
    publish_all(&broker, version, &id(), &[big.as_slice()]);
    assert_eq!(queued(&broker, &session), None, "1,200 KiB is beyond 1 MB");
}

#[test]
fn a_takeover_keeps_the_session() {
    let broker = Broker::start(&config_json(), true);
    let mut id = ids("takeover");
    for version in VERSIONS {
        let session = id();
        let (mut first, _) = Client::persistent(broker.addr(), version, &session, "sensor1", HOUR);
        assert_eq!(first.subscribe(&["sensors/sensor2/#"]), [1]);
        let (mut second, present) =
            Client::persistent(broker.addr(), version, &session, "sensor1", HOUR);
        assert!(present, "{version:?}: the taken-over session is present");
        match first.read() {
            None => assert_eq!(version, Version::V311),
            Some(packet) => assert_eq!((packet.kind, packet.body[0]), (0xE0, 0x8E)),
        }
        publish_all(&broker, version, &id(), &[b"after"]);
        let delivery = second.delivery();
        assert_eq!(delivery.payload, b"after");
        second.puback(delivery.id);
        second.disconnect(0);
    }
}

#[test]
fn the_will_waits_for_its_delay_and_a_reconnect_cancels_it() {
    let clock = manual_clock();
    let broker = Broker::start_with(&config_json(), true, clock.clone(), None);
    let mut watcher = Client::dev(broker.addr(), Version::V5, "watcher", "sensor2");
    assert_eq!(watcher.subscribe(&["sensors/sensor1/status"]), [1]);
    let opts = Opts {
        keep: true,
        expiry: Some(600),
        will: Some(("sensors/sensor1/status", b"gone", 0x08)),
        will_delay: Some(30),
    };
    let connect = || {
        let (client, ack) = Client::connect_opts(
            broker.addr(),
            Version::V5,
            "willing",
            Some("sensor1"),
            Some(KEY),
            &opts,
        );
        assert_eq!(ack.map(|(code, _)| code), Some(0));
        client
    };
    connect().drop_connection();
    wait_disconnected(&broker, "willing");
    assert!(
        watcher.quiet_for(Duration::from_millis(1_500)),
        "not before its delay"
    );
    // Back in time: the will is cancelled.
    let client = connect();
    clock.advance(Duration::from_secs(31));
    assert!(watcher.quiet_for(Duration::from_millis(1_500)), "cancelled");
    client.drop_connection();
    wait_disconnected(&broker, "willing");
    clock.advance(Duration::from_secs(31));
    let (topic, payload, _) = watcher.receive();
    assert_eq!(
        (topic.as_str(), payload.as_slice()),
        ("sensors/sensor1/status", &b"gone"[..])
    );
    assert!(watcher.quiet_for(Duration::from_millis(1_500)), "once");
}

#[test]
fn a_restart_keeps_sessions_their_queues_and_what_was_in_flight() {
    let broker = Broker::start(&config_json(), true);
    let mut id = ids("restart");
    let session = id();
    let (mut subscriber, _) =
        Client::persistent(broker.addr(), Version::V311, &session, "sensor1", HOUR);
    assert_eq!(subscriber.subscribe(&["sensors/sensor2/#"]), [1]);
    publish_all(&broker, Version::V311, &id(), &[b"in flight"]);
    let delivery = subscriber.delivery();
    assert!(!delivery.dup);
    let dir = broker.stop();
    drop(subscriber);

    let broker = Broker::start_with(
        &config_json(),
        true,
        Arc::new(SystemClock::new()),
        Some(dir),
    );
    publish_all(&broker, Version::V311, &id(), &[b"queued"]);
    let (mut subscriber, present) =
        Client::persistent(broker.addr(), Version::V311, &session, "sensor1", HOUR);
    assert!(present);
    let again = subscriber.delivery();
    assert_eq!(
        (again.payload.as_slice(), again.dup),
        (&b"in flight"[..], true)
    );
    let queued = subscriber.delivery();
    assert_eq!(queued.payload, b"queued");
    subscriber.puback(again.id);
    subscriber.puback(queued.id);
    subscriber.disconnect(0);
}
