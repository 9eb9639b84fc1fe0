//! The MQTT broker's persistent sessions in the engine (`Namespace::mqtt_session_*`): the
//! tag-15 records round trip, sessions rebuilt from the WAL and from the index after a restart,
//! expiry and will delays on a manual clock, the queue's overflow (100 messages, 1 MB), clean
//! start, takeover, and sessions held at a stop marked disconnected at the next start.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly by design"
)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{clock, options};
use gridlog::index::MemoryIndex;
use gridlog::record::{MqttRecord, StateRecord};
use gridlog::{
    IndexKind, ManualClock, MqttMessage, MqttProperties, MqttWill, Namespace, SessionOpen,
};
use proptest::prelude::*;

fn open(dir: &std::path::Path, clock: &Arc<ManualClock>, index: &MemoryIndex) -> Namespace {
    Namespace::open(dir, options(clock, index)).unwrap()
}

fn session(client_id: &str, clean_start: bool, expiry_secs: u32) -> SessionOpen {
    SessionOpen {
        client_id: client_id.to_owned(),
        authentication_name: "sensor1".to_owned(),
        clean_start,
        expiry_secs,
        will: None,
    }
}

fn message(topic: &str, payload: &[u8]) -> MqttMessage {
    MqttMessage {
        topic: topic.to_owned(),
        payload: payload.to_vec(),
        qos: 1,
        properties: None,
    }
}

fn queued(ns: &Namespace, client_id: &str) -> Option<usize> {
    ns.mqtt_sessions()
        .unwrap()
        .into_iter()
        .find(|s| s.client_id == client_id)
        .map(|s| s.queued)
}

fn round_trip(record: &StateRecord<'_>) {
    let bytes = record.encode();
    assert_eq!(bytes[..3], [1, 2, 15], "state record, tag 15");
    assert_eq!(&gridlog::record::decode(1, &bytes).unwrap(), record);
}

#[test]
fn every_session_record_round_trips() {
    let will = MqttWill {
        delay_secs: 30,
        message: MqttMessage {
            properties: Some(MqttProperties {
                utf8_payload: true,
                content_type: Some("text/plain".into()),
                response_topic: Some("r/t".into()),
                correlation_data: Some(vec![1, 2]),
                message_expiry_secs: Some(60),
                user_properties: vec![("k".into(), "v".into())],
            }),
            ..message("a/b", b"gone")
        },
    };
    for record in [
        MqttRecord::Opened {
            client_id: "c",
            authentication_name: "sensor1",
            clean: false,
            expiry_secs: 3_600,
            will: Some(will.clone()),
        },
        MqttRecord::Subscribed {
            client_id: "c",
            filters: vec![("a/+", 1), ("b/#", 0)],
        },
        MqttRecord::Unsubscribed {
            client_id: "c",
            filters: vec!["a/+"],
        },
        MqttRecord::Enqueued {
            sessions: vec!["c", "d"],
            message: will.message.clone(),
        },
        MqttRecord::Acked {
            client_id: "c",
            ids: vec![7, 9],
        },
        MqttRecord::Disconnected {
            client_id: "c",
            at_ms: 1_700_000_000_000,
            will: true,
        },
        MqttRecord::Ended {
            client_id: "c",
            reason: 2,
        },
        MqttRecord::WillTaken { client_id: "c" },
    ] {
        round_trip(&StateRecord::Mqtt(record));
    }
}

proptest! {
    #[test]
    fn enqueued_and_subscribed_records_round_trip(
        client in "[ -~]{1,20}",
        topic in "[a-z/]{1,40}",
        payload in proptest::collection::vec(any::<u8>(), 0..300),
        filters in proptest::collection::vec(("[a-z+#/]{1,20}", 0u8..2), 0..5),
        ids in proptest::collection::vec(any::<u64>(), 0..5),
        user in proptest::collection::vec(("[ -~]{0,8}", "[ -~]{0,8}"), 0..3),
    ) {
        let message = MqttMessage {
            topic: topic.clone(),
            payload: payload.clone(),
            qos: 1,
            properties: (!user.is_empty()).then(|| MqttProperties {
                user_properties: user.clone(),
                ..MqttProperties::default()
            }),
        };
        round_trip(&StateRecord::Mqtt(MqttRecord::Enqueued {
            sessions: vec![client.as_str()],
            message,
        }));
        round_trip(&StateRecord::Mqtt(MqttRecord::Subscribed {
            client_id: &client,
            filters: filters.iter().map(|(f, q)| (f.as_str(), *q)).collect(),
        }));
        round_trip(&StateRecord::Mqtt(MqttRecord::Acked { client_id: &client, ids }));
    }
}

/// A session with two subscriptions, three messages queued (one acknowledged, one sent to the
/// connection), disconnected with a pending will.
fn populate(ns: &Namespace) -> u64 {
    let opened = ns
        .mqtt_session_open(&SessionOpen {
            will: Some(MqttWill {
                delay_secs: 300,
                message: message("sensors/sensor1/status", b"gone"),
            }),
            ..session("keeper", false, 3_600)
        })
        .unwrap();
    assert!(!opened.present);
    assert_ne!(opened.connection, 0);
    ns.mqtt_session_subscribe("keeper", &[("sensors/#".into(), 1), ("other/+".into(), 0)])
        .unwrap();
    let first = ns
        .mqtt_session_enqueue(&message("sensors/a", b"1"))
        .unwrap();
    assert_eq!(first.queued.len(), 1);
    ns.mqtt_session_disconnect("keeper", opened.connection, true)
        .unwrap();
    ns.mqtt_session_enqueue(&message("sensors/b", b"2"))
        .unwrap();
    ns.mqtt_session_enqueue(&message("sensors/c", b"3"))
        .unwrap();
    assert!(
        ns.mqtt_session_enqueue(&message("other/x", b"qos 0 subscription"))
            .unwrap()
            .queued
            .is_empty()
    );
    ns.mqtt_session_ack(&[("keeper".into(), vec![first.queued[0].1])])
        .unwrap();
    opened.connection
}

/// What a resume finds: Session Present, the subscriptions, (payload, dup) of the queue.
type Resumed = (bool, Vec<(String, u8)>, Vec<(Vec<u8>, bool)>);

/// What a resume of `keeper` finds.
fn resumed(ns: &Namespace) -> Resumed {
    let opened = ns
        .mqtt_session_open(&session("keeper", false, 3_600))
        .unwrap();
    let queue = opened
        .queue
        .iter()
        .map(|q| (q.message.payload.clone(), q.dup))
        .collect();
    (opened.present, opened.subscriptions, queue)
}

#[test]
fn sessions_are_rebuilt_from_the_wal_and_from_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let index = MemoryIndex::default();
    let ns = open(dir.path(), &clock, &index);
    populate(&ns);
    let before = ns.mqtt_sessions().unwrap();
    ns.close().unwrap();

    let expected = (
        true,
        vec![("sensors/#".to_owned(), 1), ("other/+".to_owned(), 0)],
        vec![(b"2".to_vec(), false), (b"3".to_vec(), false)],
    );
    // From the index (its snapshot holds the sessions).
    let ns = open(dir.path(), &clock, &index);
    assert_eq!(ns.mqtt_sessions().unwrap(), before);
    ns.close().unwrap();
    // Rebuilt from the WAL alone.
    let rebuilt = || {
        Namespace::open(
            dir.path(),
            gridlog::NamespaceOptions {
                index: IndexKind::Memory,
                ..options(&clock, &index)
            },
        )
        .unwrap()
    };
    let ns = rebuilt();
    assert_eq!(ns.mqtt_sessions().unwrap(), before);
    assert_eq!(resumed(&ns), expected);
    ns.close().unwrap();
    // Resumed once: what was queued counts as sent from then on (DUP=1 next time).
    let ns = rebuilt();
    let (_, _, queue) = resumed(&ns);
    assert_eq!(queue, [(b"2".to_vec(), true), (b"3".to_vec(), true)]);
}

#[test]
fn a_session_expires_its_interval_after_its_disconnect_and_takes_its_will() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let index = MemoryIndex::default();
    let ns = open(dir.path(), &clock, &index);
    populate(&ns);
    clock.advance(Duration::from_secs(299));
    let sweep = ns.mqtt_session_sweep().unwrap();
    assert!(sweep.wills.is_empty() && sweep.expired.is_empty());
    clock.advance(Duration::from_secs(1));
    let sweep = ns.mqtt_session_sweep().unwrap();
    assert_eq!(sweep.wills.len(), 1, "the will's 300 s delay passed");
    assert_eq!(sweep.wills[0].message.payload, b"gone");
    assert_eq!(sweep.wills[0].authentication_name, "sensor1");
    assert!(sweep.expired.is_empty());
    assert!(
        ns.mqtt_session_sweep().unwrap().wills.is_empty(),
        "taken once"
    );
    clock.advance(Duration::from_secs(3_300 - 1));
    assert!(ns.mqtt_session_sweep().unwrap().expired.is_empty());
    assert_eq!(queued(&ns, "keeper"), Some(2));
    clock.advance(Duration::from_secs(1));
    assert_eq!(ns.mqtt_session_sweep().unwrap().expired, ["keeper"]);
    assert_eq!(
        queued(&ns, "keeper"),
        None,
        "the session and its queue are gone"
    );
    let opened = ns
        .mqtt_session_open(&session("keeper", false, 3_600))
        .unwrap();
    assert!(!opened.present);
}

#[test]
fn wills_wait_for_their_delay_or_the_session_end_and_a_reconnect_cancels_them() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let ns = open(dir.path(), &clock, &MemoryIndex::default());
    let with_will = |delay_secs, expiry_secs| SessionOpen {
        will: Some(MqttWill {
            delay_secs,
            message: message("w", b"will"),
        }),
        ..session("w", false, expiry_secs)
    };
    // Delay 0: due at the disconnect.
    let opened = ns.mqtt_session_open(&with_will(0, 60)).unwrap();
    let due = ns
        .mqtt_session_disconnect("w", opened.connection, true)
        .unwrap();
    assert_eq!(due.map(|d| d.message.payload), Some(b"will".to_vec()));
    // A normal DISCONNECT drops it.
    let opened = ns.mqtt_session_open(&with_will(0, 60)).unwrap();
    assert!(
        ns.mqtt_session_disconnect("w", opened.connection, false)
            .unwrap()
            .is_none()
    );
    clock.advance(Duration::from_secs(61));
    assert!(ns.mqtt_session_sweep().unwrap().wills.is_empty());
    // Delays beyond 300 s are clamped; a delay beyond the expiry ends with the session.
    let opened = ns.mqtt_session_open(&with_will(10_000, 100)).unwrap();
    assert!(
        ns.mqtt_session_disconnect("w", opened.connection, true)
            .unwrap()
            .is_none()
    );
    clock.advance(Duration::from_secs(99));
    assert!(ns.mqtt_session_sweep().unwrap().wills.is_empty());
    clock.advance(Duration::from_secs(1));
    let sweep = ns.mqtt_session_sweep().unwrap();
    assert_eq!((sweep.wills.len(), sweep.expired.len()), (1, 1));
    // A reconnect within the delay cancels it (the new connection's will replaces it).
    let opened = ns.mqtt_session_open(&with_will(30, 600)).unwrap();
    ns.mqtt_session_disconnect("w", opened.connection, true)
        .unwrap();
    clock.advance(Duration::from_secs(20));
    ns.mqtt_session_open(&session("w", false, 600)).unwrap();
    clock.advance(Duration::from_secs(20));
    assert!(ns.mqtt_session_sweep().unwrap().wills.is_empty());
}

#[test]
fn the_queue_overflows_at_100_messages_or_1_mb() {
    let dir = tempfile::tempdir().unwrap();
    let ns = open(dir.path(), &clock(), &MemoryIndex::default());
    for (client_id, payload, fits) in [
        ("count", vec![1u8; 10], 100),
        ("bytes", vec![2u8; 200 << 10], 5),
    ] {
        let opened = ns
            .mqtt_session_open(&session(client_id, true, 600))
            .unwrap();
        ns.mqtt_session_subscribe(client_id, &[(format!("{client_id}/#"), 1)])
            .unwrap();
        ns.mqtt_session_disconnect(client_id, opened.connection, false)
            .unwrap();
        let topic = format!("{client_id}/t");
        for _ in 0..fits {
            let enqueued = ns.mqtt_session_enqueue(&message(&topic, &payload)).unwrap();
            assert_eq!(enqueued.queued.len(), 1);
        }
        assert_eq!(queued(&ns, client_id), Some(fits));
        let enqueued = ns.mqtt_session_enqueue(&message(&topic, &payload)).unwrap();
        assert_eq!(enqueued.overflowed, [client_id]);
        assert!(enqueued.queued.is_empty());
        assert_eq!(
            queued(&ns, client_id),
            None,
            "{client_id}: the session ended"
        );
    }
}

#[test]
fn clean_start_expiry_zero_takeover_and_restart() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let index = MemoryIndex::default();
    let ns = open(dir.path(), &clock, &index);
    // Expiry 0 stores nothing.
    let opened = ns.mqtt_session_open(&session("c", false, 0)).unwrap();
    assert_eq!((opened.present, opened.connection), (false, 0));
    assert!(ns.mqtt_sessions().unwrap().is_empty());
    // Stored, then resumed by an expiry-0 connection: present, and no longer stored.
    let first = ns.mqtt_session_open(&session("c", false, 60)).unwrap();
    ns.mqtt_session_subscribe("c", &[("a".into(), 1)]).unwrap();
    let resumed = ns.mqtt_session_open(&session("c", false, 0)).unwrap();
    assert!(resumed.present);
    assert_eq!(resumed.subscriptions, [("a".to_owned(), 1)]);
    assert!(ns.mqtt_sessions().unwrap().is_empty());
    // Clean start discards.
    ns.mqtt_session_open(&session("c", false, 60)).unwrap();
    ns.mqtt_session_subscribe("c", &[("a".into(), 1)]).unwrap();
    let clean = ns.mqtt_session_open(&session("c", true, 60)).unwrap();
    assert!(!clean.present && clean.subscriptions.is_empty());
    // A takeover: the old connection's disconnect changes nothing.
    let newer = ns.mqtt_session_open(&session("c", false, 60)).unwrap();
    assert!(newer.present);
    ns.mqtt_session_disconnect("c", clean.connection, true)
        .unwrap();
    ns.mqtt_session_disconnect("c", first.connection, true)
        .unwrap();
    assert!(ns.mqtt_sessions().unwrap()[0].connected, "still connected");
    // Held at the stop: disconnected at the next start, expiry from then.
    ns.close().unwrap();
    clock.advance(Duration::from_hours(1));
    let ns = open(dir.path(), &clock, &index);
    assert!(ns.mqtt_sessions().unwrap()[0].connected);
    assert_eq!(ns.mqtt_sessions_restarted().unwrap(), 1);
    assert!(!ns.mqtt_sessions().unwrap()[0].connected);
    assert_eq!(ns.mqtt_sessions_restarted().unwrap(), 0);
    clock.advance(Duration::from_secs(59));
    assert!(ns.mqtt_session_sweep().unwrap().expired.is_empty());
    clock.advance(Duration::from_secs(1));
    assert_eq!(ns.mqtt_session_sweep().unwrap().expired, ["c"]);
}
