//! The read-only peek (issue #22): a subscription's waiting events and a topic's log, without
//! locking, counting a delivery, moving a scan or writing a record; and the re-publishing of
//! dead-letter events into their original topic.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly by design"
)]

mod common;

use std::time::Duration;

use common::{NOW, clock, event, id_of, open};
use gridlog::index::MemoryIndex;
use gridlog::limits::{PEEK_EVENTS_MAX, REPUBLISH_EVENTS_MAX};
use gridlog::{EngineError, Namespace, PeekFilter, PeekPage, PeekState, ReleaseDelay};

fn all() -> PeekFilter {
    PeekFilter::default()
}

/// (backlog, locked, delivered) of `orders/all`, and the WAL's next seq.
fn figures(ns: &Namespace) -> (u64, u64, u64, u64) {
    let stats = ns.stats();
    let sub = stats
        .topics
        .iter()
        .find(|t| t.name == "orders")
        .and_then(|t| t.subscriptions.iter().find(|s| s.name == "all"))
        .unwrap();
    (
        sub.backlog,
        sub.locked,
        sub.meters.delivered,
        stats.wal_next_seq,
    )
}

fn ids(page: &PeekPage) -> Vec<String> {
    page.events.iter().map(|e| id_of(e.json())).collect()
}

fn publish(ns: &Namespace, ids: &[(&str, &str)]) {
    let events: Vec<_> = ids.iter().map(|(id, ty)| event(id, ty)).collect();
    ns.publish("orders", &events).unwrap();
}

#[test]
fn peeking_a_subscription_locks_nothing_and_counts_no_delivery() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let ns = open(dir.path(), &clock, &MemoryIndex::default());
    publish(
        &ns,
        &[("1", "A"), ("2", "B"), ("3", "A"), ("4", "B"), ("5", "A")],
    );
    let got = ns.receive("orders", "all", 2, NOW).unwrap();
    assert_eq!(got.len(), 2);
    let before = figures(&ns);

    let page = ns
        .peek_subscription("orders", "all", 0, 10, &all())
        .unwrap();
    assert_eq!(ids(&page), ["1", "2", "3", "4", "5"]);
    let states: Vec<(PeekState, u32)> = page
        .events
        .iter()
        .map(|e| (e.state, e.delivery_count))
        .collect();
    assert_eq!(
        states,
        [
            (PeekState::Locked, 1),
            (PeekState::Locked, 1),
            (PeekState::Waiting, 0),
            (PeekState::Waiting, 0),
            (PeekState::Waiting, 0),
        ]
    );
    assert_eq!(
        page.next_seq, page.end_seq,
        "the whole backlog fits one page"
    );
    // Peek twice more, topic log too: nothing changes, no record is written.
    ns.peek_subscription("orders", "all", 0, 10, &all())
        .unwrap();
    ns.peek_topic("orders", 0, 10, &all()).unwrap();
    assert_eq!(figures(&ns), before);

    // A receive afterwards sees exactly what it would have: the three never delivered, first
    // delivery each.
    let rest = ns.receive("orders", "all", 10, NOW).unwrap();
    let counts: Vec<(String, u32)> = rest
        .iter()
        .map(|r| (id_of(r.json()), r.delivery_count))
        .collect();
    assert_eq!(
        counts,
        [("3".into(), 1), ("4".into(), 1), ("5".into(), 1)],
        "peek must not lock or count"
    );

    // Settled events leave the peek; released ones come back with their count.
    ns.acknowledge("orders", "all", &[&got[0].lock_token])
        .unwrap();
    ns.release(
        "orders",
        "all",
        &[&got[1].lock_token],
        ReleaseDelay::TenSeconds,
    )
    .unwrap();
    ns.release("orders", "all", &[&rest[0].lock_token], ReleaseDelay::Zero)
        .unwrap();
    let page = ns
        .peek_subscription("orders", "all", 0, 10, &all())
        .unwrap();
    let seen: Vec<(String, PeekState, u32)> = page
        .events
        .iter()
        .map(|e| (id_of(e.json()), e.state, e.delivery_count))
        .collect();
    assert_eq!(
        seen,
        [
            ("2".into(), PeekState::Delayed, 1),
            ("3".into(), PeekState::Available, 1),
            ("4".into(), PeekState::Locked, 1),
            ("5".into(), PeekState::Locked, 1),
        ]
    );
    clock.advance(Duration::from_secs(11));
    let page = ns
        .peek_subscription("orders", "all", 0, 10, &all())
        .unwrap();
    assert_eq!(page.events[0].state, PeekState::Available);
}

#[test]
fn peek_filters_by_type_and_subject_and_pages_to_the_end() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let ns = open(dir.path(), &clock, &MemoryIndex::default());
    let batch: Vec<(String, &str)> = (0..25)
        .map(|i| (i.to_string(), if i % 3 == 0 { "Odd.Type" } else { "B" }))
        .collect();
    let refs: Vec<(&str, &str)> = batch.iter().map(|(i, t)| (i.as_str(), *t)).collect();
    publish(&ns, &refs);
    let _locked = ns.receive("orders", "all", 4, NOW).unwrap();

    for topic_log in [false, true] {
        let peek = |from: u64, max: usize, filter: &PeekFilter| {
            if topic_log {
                ns.peek_topic("orders", from, max, filter).unwrap()
            } else {
                ns.peek_subscription("orders", "all", from, max, filter)
                    .unwrap()
            }
        };
        // Pages of 4, continued from next_seq until the end: every event once, in order.
        let mut from = 0;
        let mut seen = Vec::new();
        loop {
            let page = peek(from, 4, &all());
            assert!(page.events.len() <= 4);
            seen.extend(ids(&page));
            if page.next_seq == page.end_seq {
                break;
            }
            assert!(page.next_seq > from, "a page moves forward");
            from = page.next_seq;
        }
        let expected: Vec<String> = (0..25).map(|i| i.to_string()).collect();
        assert_eq!(seen, expected, "topic log: {topic_log}");

        let odd = PeekFilter {
            event_type: Some("odd.TYPE".to_owned()),
            subject_prefix: None,
        };
        let expected: Vec<String> = (0..25).step_by(3).map(|i| i.to_string()).collect();
        assert_eq!(ids(&peek(0, 100, &odd)), expected);
        let subject = PeekFilter {
            event_type: None,
            subject_prefix: Some("S/1".to_owned()),
        };
        let expected: Vec<String> = std::iter::once(1)
            .chain(10..20)
            .map(|i| i.to_string())
            .collect();
        assert_eq!(ids(&peek(0, 100, &subject)), expected);
        let both = PeekFilter {
            event_type: Some("Odd.Type".to_owned()),
            subject_prefix: Some("s/1".to_owned()),
        };
        assert_eq!(ids(&peek(0, 100, &both)), ["12", "15", "18"]);
        // From a later position.
        let page = peek(0, 100, &all());
        let tenth = page.events[10].seq;
        assert_eq!(ids(&peek(tenth, 2, &all())), ["10", "11"]);
    }
}

#[test]
fn peek_refuses_bad_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let ns = open(dir.path(), &clock, &MemoryIndex::default());
    for max in [0, PEEK_EVENTS_MAX + 1] {
        assert!(matches!(
            ns.peek_topic("orders", 0, max, &all()),
            Err(EngineError::InvalidArgument { .. })
        ));
        assert!(matches!(
            ns.peek_subscription("orders", "all", 0, max, &all()),
            Err(EngineError::InvalidArgument { .. })
        ));
    }
    assert!(matches!(
        ns.peek_topic("nope", 0, 1, &all()),
        Err(EngineError::NotFound { .. })
    ));
    assert!(matches!(
        ns.peek_subscription("orders", "nope", 0, 1, &all()),
        Err(EngineError::NotFound { .. })
    ));
    let empty = ns.peek_topic("orders", u64::MAX, 1, &all()).unwrap();
    assert!(empty.events.is_empty());
    assert_eq!(empty.next_seq, empty.end_seq);
}

#[test]
fn dead_letters_show_their_origin_and_republish_into_it() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let ns = open(dir.path(), &clock, &MemoryIndex::default());
    publish(&ns, &[("x1", "A"), ("x2", "B")]);
    let got = ns.receive("orders", "all", 2, NOW).unwrap();
    let tokens: Vec<&str> = got.iter().map(|r| r.lock_token.as_str()).collect();
    ns.reject("orders", "all", &tokens).unwrap();
    // The dead-letter topic's log: the two events, with where they came from.
    let page = ns.peek_topic("orders-dlq", 0, 10, &all()).unwrap();
    assert_eq!(ids(&page), ["x1", "x2"]);
    let origin = page.events[0].dead_letter.clone().unwrap();
    assert_eq!(origin.topic.as_deref(), Some("orders"));
    assert_eq!(origin.subscription.as_deref(), Some("all"));
    assert_eq!(origin.source_seq, got[0].seq);
    let json: serde_json::Value = serde_json::from_slice(page.events[0].json()).unwrap();
    assert_eq!(json["deadletterreason"], "Rejected by the receiver.");
    // And in its subscription, waiting.
    let waiting = ns
        .peek_subscription("orders-dlq", "dead", 0, 10, &all())
        .unwrap();
    assert_eq!(ids(&waiting), ["x1", "x2"]);
    assert!(waiting.events.iter().all(|e| e.dead_letter.is_some()));
    // `orders` itself has plain events only.
    let log = ns.peek_topic("orders", 0, 10, &all()).unwrap();
    assert!(log.events.iter().all(|e| e.dead_letter.is_none()));

    let before = ns.stats();
    let plain_seq = log.events[0].seq;
    let outcome = ns
        .republish_dead_letters("orders-dlq", &[page.events[1].seq, plain_seq, 999_999])
        .unwrap();
    assert_eq!(outcome.republished.len(), 1);
    assert_eq!(outcome.republished[0].id, "x2");
    assert_eq!(outcome.republished[0].topic, "orders");
    let codes: Vec<(u64, &str)> = outcome.failed.iter().map(|f| (f.seq, f.code)).collect();
    assert_eq!(
        codes,
        [(plain_seq, "NotADeadLetter"), (999_999, "NotADeadLetter")]
    );
    // The event is back in `orders/all` (and `plain`), without the dead-letter attributes.
    let again = ns.receive("orders", "all", 10, NOW).unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].delivery_count, 1);
    let json: serde_json::Value = serde_json::from_slice(again[0].json()).unwrap();
    assert_eq!(json["id"], "x2");
    assert_eq!(json["type"], "B");
    assert_eq!(json["data"]["id"], "x2");
    for name in gridlog::namespace::DEAD_LETTER_ATTRIBUTES {
        assert!(json.get(name).is_none(), "{name} must be stripped");
    }
    // The dead-letter events stay where they were.
    let dlq_after = ns.peek_topic("orders-dlq", 0, 10, &all()).unwrap();
    assert_eq!(ids(&dlq_after), ["x1", "x2"]);
    assert_eq!(
        ns.stats().topics[0].events,
        before.topics[0].events + 1,
        "one event published again"
    );

    // Bad calls.
    assert!(matches!(
        ns.republish_dead_letters("nope", &[1]),
        Err(EngineError::NotFound { .. })
    ));
    let too_many = vec![1_u64; REPUBLISH_EVENTS_MAX + 1];
    assert!(matches!(
        ns.republish_dead_letters("orders-dlq", &too_many),
        Err(EngineError::InvalidArgument { .. })
    ));
    // A dead-letter event asked for under another topic is not that topic's.
    let wrong = ns
        .republish_dead_letters("orders", &[page.events[0].seq])
        .unwrap();
    assert_eq!(wrong.failed[0].code, "NotADeadLetter");

    // Once its subscription is deleted, the origin is unknown and re-publishing says so.
    ns.delete_subscription("orders", "all").unwrap();
    let page = ns.peek_topic("orders-dlq", 0, 10, &all()).unwrap();
    assert_eq!(page.events[0].dead_letter.as_ref().unwrap().topic, None);
    let gone = ns
        .republish_dead_letters("orders-dlq", &[page.events[0].seq])
        .unwrap();
    assert_eq!(gone.failed[0].code, "SourceGone");
}

/// A filter that matches nothing among more in-flight events than one page may read: the page
/// comes back short (empty) with the position to continue from, and the pages reach the end.
#[test]
fn in_flight_reads_are_bounded_per_page() {
    use gridlog::limits::PEEK_SUBSCRIPTION_SCAN_RECORDS_MAX;
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let ns = open(dir.path(), &clock, &MemoryIndex::default());
    let total = PEEK_SUBSCRIPTION_SCAN_RECORDS_MAX + 50;
    for chunk in 0..total.div_ceil(1000) {
        let events: Vec<_> = (chunk * 1000..((chunk + 1) * 1000).min(total))
            .map(|i| event(&i.to_string(), "A"))
            .collect();
        ns.publish("orders", &events).unwrap();
    }
    let mut locked = 0;
    while locked < total {
        locked += ns.receive("orders", "all", 100, NOW).unwrap().len();
    }
    let none = PeekFilter {
        event_type: Some("B".to_owned()),
        subject_prefix: None,
    };
    let first = ns.peek_subscription("orders", "all", 0, 10, &none).unwrap();
    assert!(first.events.is_empty());
    assert!(
        first.next_seq < first.end_seq,
        "a short page says where to go on"
    );
    let second = ns
        .peek_subscription("orders", "all", first.next_seq, 10, &none)
        .unwrap();
    assert!(second.events.is_empty());
    assert_eq!(
        second.next_seq, second.end_seq,
        "the second page reaches the end"
    );
    // Without the filter, the first page is the first ten in flight.
    let page = ns
        .peek_subscription("orders", "all", 0, 10, &all())
        .unwrap();
    assert_eq!(
        ids(&page),
        (0..10).map(|i| i.to_string()).collect::<Vec<_>>()
    );
    assert!(page.events.iter().all(|e| e.state == PeekState::Locked));
}
