//! Billing meters: each event in 64 KB units (`max(1, ceil(bytes / 65536))`), separately for
//! publish (per topic), delivery and settlement (per subscription); derived from the WAL, so
//! they survive a crash (drop without close), a rebuild without the index, and segment
//! reclamation (checkpoints carry them).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly by design"
)]

mod common;

use common::{NOW, clock, event, open, options};
use gridlog::format::{Event, billing_units, parse_structured};
use gridlog::index::MemoryIndex;
use gridlog::state::{BillingSnap, Snapshot};
use gridlog::{Namespace, NamespaceStats, ReleaseDelay};

/// An event whose structured JSON is about `bytes` long.
fn sized(id: &str, bytes: usize) -> Event {
    let payload = "p".repeat(bytes.saturating_sub(80));
    let json = format!(
        r#"{{"specversion":"1.0","id":"{id}","source":"/b","type":"B","data":"{payload}"}}"#
    );
    parse_structured(json.as_bytes()).unwrap()
}

fn units(event: &Event) -> u64 {
    billing_units(event.size() as u64)
}

/// (subscription, delivery units, settlement units).
type SubUnits = (String, u64, u64);

/// (topic, publish units, its subscriptions' units), by name.
fn meters(stats: &NamespaceStats) -> Vec<(String, u64, Vec<SubUnits>)> {
    let mut out: Vec<_> = stats
        .topics
        .iter()
        .map(|t| {
            let mut subs: Vec<_> = t
                .subscriptions
                .iter()
                .map(|s| {
                    (
                        s.name.clone(),
                        s.meters.delivery_units,
                        s.meters.settlement_units,
                    )
                })
                .collect();
            subs.sort();
            (t.name.clone(), t.publish_units, subs)
        })
        .collect();
    out.sort();
    out
}

fn sub_units(stats: &NamespaceStats, topic: &str, sub: &str) -> (u64, u64) {
    let t = stats.topics.iter().find(|t| t.name == topic).unwrap();
    let s = t.subscriptions.iter().find(|s| s.name == sub).unwrap();
    (s.meters.delivery_units, s.meters.settlement_units)
}

#[test]
fn every_operation_counts_its_events_in_64_kb_units() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let index = MemoryIndex::default();
    let ns = open(dir.path(), &clock, &index);
    let events = [
        sized("small", 200),
        sized("edge", 65_536),
        sized("mid", 70_000),
        sized("big", 200_000),
    ];
    let u: Vec<u64> = events.iter().map(units).collect();
    assert_eq!(
        u,
        [1, 1, 2, 4],
        "sizes {:?}",
        events.iter().map(Event::size).collect::<Vec<_>>()
    );
    let receipt = ns.publish("orders", &events).unwrap();
    assert_eq!(receipt.billing_units, 8);
    let stats = ns.stats();
    assert_eq!(
        stats
            .topics
            .iter()
            .find(|t| t.name == "orders")
            .unwrap()
            .publish_units,
        8
    );

    let got = ns.receive("orders", "all", 10, NOW).unwrap();
    assert_eq!(got.len(), 4);
    assert_eq!(sub_units(&ns.stats(), "orders", "all"), (8, 0));
    let token = |i: usize| got[i].lock_token.as_str();
    // ack small (1), release mid (2), renew big (4) then reject big (4): 11.
    ns.acknowledge("orders", "all", &[token(0)]).unwrap();
    ns.release("orders", "all", &[token(2)], ReleaseDelay::Zero)
        .unwrap();
    ns.renew_locks("orders", "all", &[token(3)]).unwrap();
    ns.reject("orders", "all", &[token(3)]).unwrap();
    // A failed settlement counts nothing.
    ns.acknowledge("orders", "all", &[token(0)]).unwrap();
    assert_eq!(sub_units(&ns.stats(), "orders", "all"), (8, 11));
    // The redelivery of mid counts again.
    let again = ns.receive("orders", "all", 10, NOW).unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(sub_units(&ns.stats(), "orders", "all"), (10, 11));
    // The rejected event went to orders-dlq: stored there, but dead-lettering is not ingress.
    let stats = ns.stats();
    let dlq = stats
        .topics
        .iter()
        .find(|t| t.name == "orders-dlq")
        .unwrap();
    assert_eq!((dlq.events, dlq.publish_units), (1, 0));
    let before = meters(&stats);
    println!("meters: {before:?}");

    // A crash (no close), then a reopen that loads the index, and one that rebuilds from the log.
    drop(ns);
    for index in [index, MemoryIndex::default()] {
        let ns = Namespace::open(dir.path(), options(&clock, &index)).unwrap();
        assert_eq!(meters(&ns.stats()), before);
        drop(ns);
    }
    // The lock on mid (2 units) survived: acknowledging it counts 2.
    let ns = Namespace::open(dir.path(), options(&clock, &MemoryIndex::default())).unwrap();
    ns.acknowledge("orders", "all", &[again[0].lock_token.as_str()])
        .unwrap();
    assert_eq!(sub_units(&ns.stats(), "orders", "all"), (10, 13));
    ns.close().unwrap();
}

#[test]
fn meters_and_in_flight_units_survive_reclamation() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let ns = open(dir.path(), &clock, &MemoryIndex::default());
    ns.delete_subscription("orders", "plain").unwrap();
    // ~1 KiB events in 64 KiB segments, plus one 3-unit event held locked across reclamation.
    for round in 0..8 {
        let events: Vec<Event> = (0..50)
            .map(|i| sized(&format!("e{round}-{i}"), 1_000))
            .collect();
        ns.publish("orders", &events).unwrap();
    }
    loop {
        let got = ns.receive("orders", "all", 100, NOW).unwrap();
        if got.is_empty() {
            break;
        }
        let tokens: Vec<&str> = got.iter().map(|r| r.lock_token.as_str()).collect();
        ns.acknowledge("orders", "all", &tokens).unwrap();
    }
    let held_event = sized("held", 150_000);
    assert_eq!(units(&held_event), 3);
    ns.publish("orders", &[held_event, event("tail", "T")])
        .unwrap();
    let held = ns.receive("orders", "all", 1, NOW).unwrap();
    assert_eq!(held.len(), 1);
    let report = ns.run_maintenance().unwrap();
    assert!(report.segments_purged >= 3, "{report:?}");
    let before = meters(&ns.stats());
    assert_eq!(before[0].1, 400 + 3 + 1, "{before:?}");
    assert_eq!(sub_units(&ns.stats(), "orders", "all"), (403, 400));
    println!(
        "reclaimed {} segment(s); meters {before:?}",
        report.segments_purged
    );
    drop(ns);
    // Rebuild without the index: the records counted are gone, the checkpoint has the totals.
    let ns = Namespace::open(dir.path(), options(&clock, &MemoryIndex::default())).unwrap();
    assert!(ns.stats().wal_first_seq > 1);
    assert_eq!(meters(&ns.stats()), before);
    // The held event's units came through the checkpoint too.
    ns.acknowledge("orders", "all", &[held[0].lock_token.as_str()])
        .unwrap();
    assert_eq!(sub_units(&ns.stats(), "orders", "all"), (403, 403));
    ns.close().unwrap();
}

#[test]
fn snapshots_written_before_billing_meters_still_decode() {
    let snapshot = Snapshot {
        secret: Some([7; 32]),
        created_at_ms: 1,
        last_published_at_ms: 2,
        next_topic_id: 3,
        next_sub_id: 4,
        time_marks: vec![(5, 6)],
        topics: Vec::new(),
        subs: Vec::new(),
        billing: BillingSnap::default(),
        release_delays: Vec::new(),
        backlog: Vec::new(),
        hubs: gridlog::state::HubsSnap::default(),
        mqtt: gridlog::state::MqttSnap::default(),
    };
    // The untagged layouts (docs/format.md §6b.1): what `encode_state_record` gives for the
    // struct itself, without its last sections (the Event Hubs, two zero varints when there are
    // none, and the MQTT sessions, one), is layout 4, written before the version byte.
    let layout4 = |snapshot: &Snapshot| {
        let mut bytes = gridlog::format::encode_state_record(snapshot);
        assert_eq!(bytes.split_off(bytes.len() - 3), [0, 0, 0]);
        bytes
    };
    let today = layout4(&snapshot);
    // An empty billing section is three empty sequences, then the empty release delays and the
    // empty backlogs: `00 00 00 00 00` at the end. Without the last, the bytes are the layout
    // before backlogs; without the last two, the layout before release delays; without all
    // five, the layout before billing meters.
    assert_eq!(&today[today.len() - 5..], [0, 0, 0, 0, 0]);
    for short in [0, 1, 2, 5] {
        assert_eq!(
            Snapshot::decode(&today[..today.len() - short]).unwrap(),
            snapshot,
            "{short} bytes short"
        );
    }
    let with_billing = Snapshot {
        billing: BillingSnap {
            topics: vec![(1, 10)],
            subs: vec![(1, 20, 30)],
            pending_units: vec![(1, 9, 4)],
        },
        release_delays: vec![(1, 9, 10_000)],
        backlog: vec![(1, 7)],
        ..snapshot
    };
    let bytes = layout4(&with_billing);
    assert_eq!(Snapshot::decode(&bytes).unwrap(), with_billing);
    // The backlogs are the last section: `01` one entry, `01` sub, `07` backlog. Without it,
    // the layout before backlogs (none: counted from the log on open).
    assert_eq!(&bytes[bytes.len() - 3..], [0x01, 0x01, 0x07]);
    let without_backlog = &bytes[..bytes.len() - 3];
    assert_eq!(
        Snapshot::decode(without_backlog).unwrap(),
        Snapshot {
            backlog: Vec::new(),
            ..with_billing.clone()
        }
    );
    // Before it, the release delays: `01` one entry, `01` sub, `09` seq, `90 4e` 10,000 ms.
    // Without them, the billing section decodes alone.
    assert_eq!(
        &without_backlog[without_backlog.len() - 5..],
        [0x01, 0x01, 0x09, 0x90, 0x4e]
    );
    assert_eq!(
        Snapshot::decode(&without_backlog[..without_backlog.len() - 5]).unwrap(),
        Snapshot {
            release_delays: Vec::new(),
            backlog: Vec::new(),
            ..with_billing.clone()
        }
    );
    // Damaged: no layout.
    assert!(Snapshot::decode(&bytes[..bytes.len() - 1]).is_err());
}
