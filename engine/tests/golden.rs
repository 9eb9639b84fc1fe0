//! The engine's WAL state records are pinned by docs/format.md §6b: every ```` ```golden:NAME ````
//! hex block in that section must be exactly what `StateRecord::encode` produces for the record
//! this test defines under NAME, and must decode back to it. Changing the encoding, or the
//! document, without the other breaks this test (same extraction as format/tests/golden.rs).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly by design"
)]

use gridlog::format::{encode_record, parse_structured};
use gridlog::record::{
    self, Bytes, Entry, HubRecord, LockEntry, LockEntryV1, MqttRecord, StateRecord,
};
use gridlog::{MqttMessage, MqttProperties, MqttWill};
use gridlog_testkit::golden::{fenced_blocks, format_doc_section, parse_hex, to_hex};

const BEGIN: &str = "<!-- BEGIN engine state records";
const END: &str = "<!-- END engine state records -->";

/// The minimal event of docs/format.md §6.1 example 1, as an event record.
fn minimal_event_record() -> Vec<u8> {
    let event =
        parse_structured(br#"{"specversion":"1.0","id":"1","source":"/s","type":"t"}"#).unwrap();
    encode_record(&gridlog::format::EventRecord::from_event(&event))
}

/// The record each golden block must encode.
fn expected(name: &str, event: &[u8]) -> StateRecord<'static> {
    let event: &'static [u8] = Box::leak(event.to_vec().into_boxed_slice());
    match name {
        "state-lock-v1" => StateRecord::LockV1 {
            sub: 3,
            locked_at_ms: 1_700_000_000_000,
            deadline_ms: 1_700_000_060_000,
            cursor: 42,
            entries: vec![
                LockEntryV1 {
                    seq: 40,
                    delivery_count: 1,
                    published_at_ms: 1_699_999_990_000,
                },
                LockEntryV1 {
                    seq: 41,
                    delivery_count: 2,
                    published_at_ms: 1_699_999_990_000,
                },
            ],
        },
        "state-lock-v2" => StateRecord::Lock {
            sub: 3,
            locked_at_ms: 1_700_000_000_000,
            deadline_ms: 1_700_000_060_000,
            cursor: 42,
            entries: vec![
                LockEntry {
                    seq: 40,
                    delivery_count: 1,
                    published_at_ms: 1_699_999_990_000,
                    units: 1,
                },
                LockEntry {
                    seq: 41,
                    delivery_count: 2,
                    published_at_ms: 1_699_999_990_000,
                    units: 3,
                },
            ],
        },
        "state-ack-v1" => StateRecord::Ack {
            sub: 3,
            entries: vec![Entry {
                seq: 300,
                delivery_count: 1,
            }],
        },
        "state-release-v1" => StateRecord::ReleaseV1 {
            sub: 3,
            visible_at_ms: 1_700_000_010_000,
            entries: vec![Entry {
                seq: 40,
                delivery_count: 1,
            }],
        },
        "state-release-v2" => StateRecord::Release {
            sub: 3,
            visible_at_ms: 1_700_000_010_000,
            delay_ms: 10_000,
            entries: vec![Entry {
                seq: 40,
                delivery_count: 1,
            }],
        },
        "state-publish-v1" => StateRecord::Publish {
            topic: 1,
            published_at_ms: 1_700_000_000_000,
            event: Bytes(event),
        },
        "state-dead-letter-drop-v1" => StateRecord::DeadLetter {
            sub: 2,
            seq: 7,
            delivery_count: 10,
            reason: 1,
            target_topic: None,
            published_at_ms: 1_700_000_000_000,
            event: Bytes(&[]),
        },
        other => expected_nested(other).unwrap_or_else(|| {
            panic!("golden:{other} has no record defined in engine/tests/golden.rs")
        }),
    }
}

/// The nested records: Event Hubs (docs/format.md §6b.2) and MQTT sessions (§6b.3).
fn expected_nested(name: &str) -> Option<StateRecord<'static>> {
    Some(match name {
        "state-hub-put-v1" => StateRecord::Hub(HubRecord::Put {
            id: 0,
            config_json: r#"{"name":"h"}"#,
            created_at_ms: 1_700_000_000_000,
        }),
        "state-hub-append-v1" => StateRecord::Hub(HubRecord::Append {
            hub: 0,
            partition: 2,
            sequence_number: 5,
            enqueued_at_ms: 1_700_000_000_000,
            partition_key: Some("k"),
            format: gridlog::MessageFormat::Amqp as u8,
            body: Bytes(b"hi"),
        }),
        "state-hub-expired-v1" => StateRecord::Hub(HubRecord::Expired {
            hub: 0,
            partition: 2,
            begin: 128,
        }),
        "state-mqtt-opened-v1" => StateRecord::Mqtt(MqttRecord::Opened {
            client_id: "c1",
            authentication_name: "sensor1",
            clean: false,
            expiry_secs: 3_600,
            will: Some(MqttWill {
                delay_secs: 30,
                message: MqttMessage {
                    topic: "s/1".into(),
                    payload: b"gone".to_vec(),
                    qos: 1,
                    properties: None,
                },
            }),
        }),
        "state-mqtt-subscribed-v1" => StateRecord::Mqtt(MqttRecord::Subscribed {
            client_id: "c1",
            filters: vec![("s/#", 1)],
        }),
        "state-mqtt-enqueued-v1" => StateRecord::Mqtt(MqttRecord::Enqueued {
            sessions: vec!["c1"],
            message: MqttMessage {
                topic: "s/1".into(),
                payload: b"hi".to_vec(),
                qos: 1,
                properties: Some(MqttProperties {
                    utf8_payload: true,
                    content_type: Some("text/plain".into()),
                    ..MqttProperties::default()
                }),
            },
        }),
        "state-mqtt-acked-v1" => StateRecord::Mqtt(MqttRecord::Acked {
            client_id: "c1",
            ids: vec![300],
        }),
        "state-mqtt-disconnected-v1" => StateRecord::Mqtt(MqttRecord::Disconnected {
            client_id: "c1",
            at_ms: 1_700_000_000_000,
            will: true,
        }),
        _ => return None,
    })
}

#[test]
fn docs_golden_blocks_match_the_encoder() {
    let section = format_doc_section(BEGIN, END);
    let goldens = fenced_blocks(&section, "golden:");
    assert!(
        goldens.len() >= 2,
        "docs/format.md §6b must hold at least two golden blocks"
    );
    let event = minimal_event_record();
    for (name, hex) in &goldens {
        if name == "rest-message-v1" {
            let message = gridlog::RestMessage {
                content_type: Some("application/json".to_owned()),
                properties: vec![("job".to_owned(), "j1".to_owned())],
                body: br#"{"a":1}"#.to_vec(),
            };
            assert_eq!(
                to_hex(&message.encode()),
                hex.trim(),
                "golden:{name} differs from the encoder; the encoder gives:\n{}",
                to_hex(&message.encode())
            );
            let mut bytes = parse_hex(hex);
            assert_eq!(gridlog::RestMessage::decode(&bytes).unwrap(), message);
            bytes[2] = 2;
            assert!(matches!(
                gridlog::RestMessage::decode(&bytes),
                Err(gridlog::RestMessageError::UnknownVersion(2))
            ));
            continue;
        }
        let record = expected(name, &event);
        let encoded = record.encode();
        assert_eq!(
            to_hex(&encoded),
            hex.trim(),
            "golden:{name} differs from the encoder; the encoder gives:\n{}",
            to_hex(&encoded)
        );
        let bytes = parse_hex(hex);
        assert_eq!(record::decode(1, &bytes).unwrap(), record);
    }
}

#[test]
fn damaged_state_records_are_corrupt_not_panics() {
    for name in [
        "state-lock-v2",
        "state-mqtt-opened-v1",
        "state-mqtt-enqueued-v1",
    ] {
        let bytes = expected(name, &[]).encode();
        for cut in 0..bytes.len() {
            assert!(
                record::decode(1, &bytes[..cut]).is_err(),
                "{name}: prefix {cut}"
            );
        }
        let mut trailing = bytes.clone();
        trailing.push(0);
        assert!(record::decode(1, &trailing).is_err(), "{name}");
        let mut unknown = bytes;
        unknown[2] = 16; // no variant 16
        assert_eq!(record::decode(1, &unknown).unwrap_err().code(), "Corrupt");
    }
    // No MQTT record variant 8.
    let mut unknown = expected("state-mqtt-acked-v1", &[]).encode();
    unknown[3] = 8;
    assert_eq!(record::decode(1, &unknown).unwrap_err().code(), "Corrupt");
}

/// The publish path's one-pass encoding is byte for byte the `Publish` record's encoding (also
/// checked on every publish in debug builds), for small and large events and extreme times.
#[test]
fn one_pass_publish_encoding_equals_the_record_encoding() {
    for data_len in [0, 100, 1_000, 20_000, 500_000] {
        let json = format!(
            r#"{{"specversion":"1.0","id":"1","source":"/s","type":"t","subject":"x","data":"{}"}}"#,
            "d".repeat(data_len)
        );
        let event = parse_structured(json.as_bytes()).unwrap();
        let event_record = gridlog::format::EventRecord::from_event(&event);
        for (topic, published_at_ms) in [(0, 0), (7, 1_700_000_000_000), (u32::MAX, i64::MIN)] {
            let one_pass = StateRecord::encode_publish(topic, published_at_ms, &event_record);
            let plain = encode_record(&event_record);
            let two_pass = StateRecord::Publish {
                topic,
                published_at_ms,
                event: Bytes(&plain),
            }
            .encode();
            assert_eq!(one_pass, two_pass, "data {data_len} B, topic {topic}");
            assert_eq!(
                one_pass[one_pass.len() - event_record.encoded_len()..],
                plain[..]
            );
        }
    }
}

/// docs/format.md §6c pins the lock clock's anchor file (`clock.anchor`): its golden block must be
/// exactly what `ClockAnchor::encode` gives for the documented example, and decode back to it.
#[test]
fn docs_golden_clock_anchor_matches_the_encoder() {
    use gridlog::anchor::ClockAnchor;

    let section = format_doc_section("<!-- BEGIN clock anchor", "<!-- END clock anchor -->");
    let goldens = fenced_blocks(&section, "golden:");
    assert_eq!(goldens.len(), 1, "one golden block in §6c");
    let (name, hex) = &goldens[0];
    assert_eq!(name, "clock-anchor-v1");
    let anchor = ClockAnchor {
        boot_id: gridlog::clock::parse_boot_id("6f1e3c2a-9b4d-4e7f-8a21-3c5d7e9f0b12\n").unwrap(),
        offset_ms: 1_700_000_000_000 - 1_000_000,
    };
    let encoded = anchor.encode();
    assert_eq!(
        to_hex(&encoded),
        hex.trim(),
        "golden:{name} differs from the encoder; the encoder gives:\n{}",
        to_hex(&encoded)
    );
    assert_eq!(ClockAnchor::decode(&parse_hex(hex)), Ok(anchor));
}

const SNAPSHOTS_BEGIN: &str = "<!-- BEGIN engine snapshots";
const SNAPSHOTS_END: &str = "<!-- END engine snapshots -->";

/// The snapshot of docs/format.md §6b.1: topic 1 "t" and its subscription 1 "s", seq 10 in
/// flight (released with a 10 s delay, 3 billing units), 5 events waiting; Event Hub 0 "h" with
/// one partition of 3 events (WAL seqs 18–20); MQTT session "c1" of `sensor1`, disconnected,
/// subscribed to `s/#`, one message (seq 21) queued.
fn golden_snapshot() -> gridlog::state::Snapshot {
    use gridlog::state::{
        BillingSnap, PendingSnap, Snapshot, SubMeters, SubSnap, TopicMeters, TopicSnap,
    };
    const T0: i64 = 1_700_000_000_000;
    Snapshot {
        secret: Some([7; 32]),
        created_at_ms: T0,
        last_published_at_ms: T0 + 5_000,
        next_topic_id: 2,
        next_sub_id: 2,
        time_marks: vec![(3, T0)],
        topics: vec![TopicSnap {
            id: 1,
            config_json: r#"{"name":"t"}"#.to_owned(),
            meters: TopicMeters {
                events: 12,
                bytes: 900,
                publish_units: 0,
            },
        }],
        subs: vec![SubSnap {
            id: 1,
            topic: 1,
            config_json: r#"{"name":"s"}"#.to_owned(),
            start_seq: 3,
            cursor: 11,
            settled_ahead: Vec::new(),
            pending: vec![PendingSnap {
                seq: 10,
                delivery_count: 1,
                published_at_ms: T0,
                last_delivered_at_ms: T0 + 1_000,
                locked: false,
                at_ms: T0 + 11_000,
                locked_at_ms: 0,
            }],
            meters: SubMeters {
                delivered: 1,
                released: 1,
                ..SubMeters::default()
            },
        }],
        billing: BillingSnap {
            topics: vec![(1, 14)],
            subs: vec![(1, 3, 3)],
            pending_units: vec![(1, 10, 3)],
        },
        release_delays: vec![(1, 10, 10_000)],
        backlog: vec![(1, 5)],
        hubs: gridlog::state::HubsSnap {
            next_id: 1,
            hubs: vec![gridlog::state::HubSnap {
                id: 0,
                config_json: r#"{"name":"h","properties":{"partitionCount":1}}"#.to_owned(),
                created_at_ms: T0,
                partitions: vec![gridlog::state::PartitionState {
                    next_sequence_number: 3,
                    begin_sequence_number: 0,
                    last_offset: 20,
                    last_enqueued_ms: T0 + 2_000,
                    events: 3,
                    bytes: 30,
                    marks: [gridlog::state::HubMark {
                        sequence_number: 0,
                        seq: 18,
                        enqueued_ms: T0,
                    }]
                    .into(),
                }],
            }],
        },
        mqtt: gridlog::state::MqttSnap {
            sessions: vec![gridlog::state::MqttSessionSnap {
                client_id: "c1".to_owned(),
                authentication_name: "sensor1".to_owned(),
                expiry_secs: 3_600,
                connected: false,
                opened_seq: 17,
                disconnected_at_ms: T0 + 3_000,
                subscriptions: vec![("s/#".to_owned(), 1)],
                queue: vec![(
                    21,
                    true,
                    MqttMessage {
                        topic: "s/1".into(),
                        payload: b"hi".to_vec(),
                        qos: 1,
                        properties: None,
                    },
                )],
                will: None,
            }],
        },
    }
}

/// docs/format.md §6b.1 pins the snapshot layouts: the tagged layout 7 is exactly what
/// `Snapshot::encode` gives and decodes back; layouts 5 and 6 and the untagged layouts 1–4 written by
/// older builds still decode (without the sections they lacked); a tagged layout this build does not know is
/// refused with a typed error.
#[test]
fn docs_golden_snapshots_decode_by_their_version() {
    use gridlog::state::{BillingSnap, Snapshot, SnapshotError};

    let goldens = fenced_blocks(
        &format_doc_section(SNAPSHOTS_BEGIN, SNAPSHOTS_END),
        "golden:",
    );
    let names: Vec<&str> = goldens.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "snapshot-v7",
            "snapshot-v6",
            "snapshot-v5",
            "snapshot-v4",
            "snapshot-v3",
            "snapshot-v2",
            "snapshot-v1",
            "snapshot-v8-unknown"
        ]
    );
    let today = golden_snapshot();
    let v6 = Snapshot {
        mqtt: gridlog::state::MqttSnap::default(),
        ..today.clone()
    };
    let v5 = Snapshot {
        hubs: gridlog::state::HubsSnap::default(),
        ..v6.clone()
    };
    let v3 = Snapshot {
        backlog: Vec::new(),
        ..v5.clone()
    };
    let v2 = Snapshot {
        release_delays: Vec::new(),
        ..v3.clone()
    };
    let v1 = Snapshot {
        billing: BillingSnap::default(),
        ..v2.clone()
    };
    for (name, hex) in &goldens {
        let bytes = parse_hex(hex);
        let decoded = Snapshot::decode(&bytes);
        match name.as_str() {
            "snapshot-v7" => {
                let encoded = today.encode();
                assert_eq!(
                    to_hex(&encoded),
                    hex.trim(),
                    "golden:{name} differs from the encoder; the encoder gives:\n{}",
                    to_hex(&encoded)
                );
                assert_eq!(bytes[2], gridlog::state::SNAPSHOT_VERSION);
                assert_eq!(decoded.unwrap(), today);
            }
            "snapshot-v6" => assert_eq!(decoded.unwrap(), v6),
            "snapshot-v5" | "snapshot-v4" => assert_eq!(decoded.unwrap(), v5),
            "snapshot-v3" => assert_eq!(decoded.unwrap(), v3),
            "snapshot-v2" => assert_eq!(decoded.unwrap(), v2),
            "snapshot-v1" => assert_eq!(decoded.unwrap(), v1),
            "snapshot-v8-unknown" => {
                assert!(
                    matches!(decoded, Err(SnapshotError::UnknownVersion(8))),
                    "{decoded:?}"
                );
            }
            other => panic!("golden:{other} has no snapshot defined in engine/tests/golden.rs"),
        }
    }
}

/// Every first body byte other than the untagged layouts' option tags (`00`, `01`), layouts 5 and 6 and today's
/// version is refused as an unknown version; a damaged tagged snapshot is
/// corrupt (no fallback to the untagged layouts); and the tagged layout is no untagged one (an
/// older build, which decodes layout 4 first, refuses it).
#[test]
fn tagged_snapshots_are_never_read_as_another_layout() {
    use gridlog::state::{SNAPSHOT_VERSION, Snapshot, SnapshotError};

    let encoded = golden_snapshot().encode();
    for version in 2..=u8::MAX {
        let mut bytes = encoded.clone();
        bytes[2] = version;
        let decoded = Snapshot::decode(&bytes);
        if version == SNAPSHOT_VERSION {
            assert_eq!(decoded.unwrap(), golden_snapshot());
        } else if version == 5 || version == 6 {
            // Layout 5 is today's without the Event Hubs and MQTT sections, layout 6 without
            // the MQTT section: these bytes have them, so as layout 5 or 6 they have trailing
            // bytes.
            assert!(
                matches!(decoded, Err(SnapshotError::Corrupt(_))),
                "{decoded:?}"
            );
        } else {
            assert!(
                matches!(decoded, Err(SnapshotError::UnknownVersion(v)) if v == version),
                "version {version}: {decoded:?}"
            );
        }
    }
    for cut in 0..encoded.len() {
        let decoded = Snapshot::decode(&encoded[..cut]);
        assert!(
            matches!(decoded, Err(SnapshotError::Corrupt(_))),
            "prefix {cut}: {decoded:?}"
        );
    }
    let mut trailing = encoded.clone();
    trailing.push(0);
    assert!(matches!(
        Snapshot::decode(&trailing),
        Err(SnapshotError::Corrupt(_))
    ));
    assert!(gridlog::format::decode_state_record::<Snapshot>(&encoded).is_err());
}
