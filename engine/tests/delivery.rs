//! Each operation of docs/delivery.md against a real namespace (real files, manual clock).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly by design"
)]
#![allow(
    clippy::duration_suboptimal_units,
    reason = "seconds read best next to the documented limits"
)]

mod common;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use common::{NOW, START_MS, block_on, clock, event, id_of, open};
use gridlog::index::MemoryIndex;
use gridlog::{EngineError, Namespace, ReleaseDelay, SubscriptionConfig};

fn setup() -> (tempfile::TempDir, Arc<gridlog::ManualClock>, Namespace) {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let ns = open(dir.path(), &clock, &MemoryIndex::default());
    (dir, clock, ns)
}

#[test]
fn publish_receive_ack() {
    let (_dir, _clock, ns) = setup();
    let receipt = ns
        .publish("orders", &[event("a", "T"), event("b", "T")])
        .unwrap();
    assert_eq!(receipt.events, 2);
    assert_eq!(receipt.billing_units, 2);
    assert_eq!(receipt.seqs.len(), 2);
    let got = ns.receive("orders", "all", 10, NOW).unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(id_of(got[0].json()), "a");
    assert_eq!(
        got[0].json(),
        event("a", "T").json(),
        "stored bytes, not re-encoded"
    );
    assert!(got.iter().all(|r| r.delivery_count == 1));
    // Locked: nothing more to receive.
    assert!(ns.receive("orders", "all", 10, NOW).unwrap().is_empty());
    let tokens: Vec<&str> = got.iter().map(|r| r.lock_token.as_str()).collect();
    let outcome = ns.acknowledge("orders", "all", &tokens).unwrap();
    assert_eq!(outcome.succeeded.len(), 2);
    assert!(outcome.failed.is_empty());
    // Acked twice: TokenLost.
    let again = ns.acknowledge("orders", "all", &tokens).unwrap();
    assert_eq!(again.failed.len(), 2);
    assert_eq!(again.failed[0].code, "TokenLost");
    assert_eq!(again.failed[0].message, "Token has expired.");
    // The other subscription has its own copy.
    assert_eq!(ns.receive("orders", "plain", 10, NOW).unwrap().len(), 2);
    let stats = ns.stats();
    let orders = stats.topics.iter().find(|t| t.name == "orders").unwrap();
    assert_eq!(orders.events, 2);
    let all = orders
        .subscriptions
        .iter()
        .find(|s| s.name == "all")
        .unwrap();
    assert_eq!(all.meters.acked, 2);
    assert_eq!(all.meters.delivered, 2);
}

#[test]
fn receive_respects_max_and_oldest_first() {
    let (_dir, _clock, ns) = setup();
    let events: Vec<_> = (0..5).map(|i| event(&format!("e{i}"), "T")).collect();
    ns.publish("orders", &events).unwrap();
    let first = ns.receive("orders", "all", 2, NOW).unwrap();
    assert_eq!(
        first.iter().map(|r| id_of(r.json())).collect::<Vec<_>>(),
        ["e0", "e1"]
    );
    let rest = ns.receive("orders", "all", 100, NOW).unwrap();
    assert_eq!(rest.len(), 3);
}

#[test]
fn release_with_delay_and_redelivery_count() {
    let (_dir, clock, ns) = setup();
    ns.publish("orders", &[event("a", "T")]).unwrap();
    let got = ns.receive("orders", "all", 1, NOW).unwrap();
    let outcome = ns
        .release(
            "orders",
            "all",
            &[&got[0].lock_token],
            ReleaseDelay::TenSeconds,
        )
        .unwrap();
    assert_eq!(outcome.succeeded.len(), 1);
    assert!(ns.receive("orders", "all", 1, NOW).unwrap().is_empty());
    clock.advance(Duration::from_secs(9));
    assert!(ns.receive("orders", "all", 1, NOW).unwrap().is_empty());
    clock.advance(Duration::from_secs(1));
    let again = ns.receive("orders", "all", 1, NOW).unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].delivery_count, 2);
    // The old token is dead.
    let stale = ns
        .acknowledge("orders", "all", &[&got[0].lock_token])
        .unwrap();
    assert_eq!(stale.failed.len(), 1);
    let fresh = ns
        .acknowledge("orders", "all", &[&again[0].lock_token])
        .unwrap();
    assert_eq!(fresh.succeeded.len(), 1);
}

#[test]
fn release_zero_redelivers_immediately_before_new_events() {
    let (_dir, _clock, ns) = setup();
    ns.publish("orders", &[event("a", "T")]).unwrap();
    let got = ns.receive("orders", "all", 1, NOW).unwrap();
    ns.publish("orders", &[event("b", "T")]).unwrap();
    ns.release("orders", "all", &[&got[0].lock_token], ReleaseDelay::Zero)
        .unwrap();
    let again = ns.receive("orders", "all", 2, NOW).unwrap();
    assert_eq!(
        again.iter().map(|r| id_of(r.json())).collect::<Vec<_>>(),
        ["a", "b"]
    );
    assert_eq!(again[0].delivery_count, 2);
    assert_eq!(again[1].delivery_count, 1);
}

fn dead_letter_attributes(json: &[u8]) -> serde_json::Value {
    serde_json::from_slice(json).unwrap()
}

#[test]
fn reject_dead_letters_with_the_five_attributes() {
    let (_dir, clock, ns) = setup();
    ns.publish("orders", &[event("a", "T")]).unwrap();
    clock.advance(Duration::from_secs(5));
    let got = ns.receive("orders", "all", 1, NOW).unwrap();
    let outcome = ns.reject("orders", "all", &[&got[0].lock_token]).unwrap();
    assert_eq!(outcome.succeeded.len(), 1);
    assert!(ns.receive("orders", "all", 1, NOW).unwrap().is_empty());
    let dl = ns.receive("orders-dlq", "dead", 10, NOW).unwrap();
    assert_eq!(dl.len(), 1);
    let value = dead_letter_attributes(dl[0].json());
    assert_eq!(value["id"], "a");
    assert_eq!(value["data"]["id"], "a");
    assert_eq!(value["deadletterreason"], "Rejected by the receiver.");
    assert_eq!(value["deliveryattempts"], 1);
    assert_eq!(value["deliveryresult"], "Rejected.");
    assert_eq!(value["publishutc"], "2023-11-14T22:13:20Z");
    assert_eq!(value["deliveryattemptutc"], "2023-11-14T22:13:25Z");
    // The original bytes are kept as a prefix (attributes spliced at the end).
    let original = event("a", "T");
    let original = original.json();
    assert_eq!(
        &dl[0].json()[..original.len() - 1],
        &original[..original.len() - 1]
    );
    let stats = ns.stats();
    let all = &stats
        .topics
        .iter()
        .find(|t| t.name == "orders")
        .unwrap()
        .subscriptions[0];
    assert_eq!(all.meters.rejected, 1);
    assert_eq!(all.meters.dead_lettered, 1);
}

/// Issue #19: a push dispatcher's last failed attempt is dead-lettered at once with what it
/// met (e.g. a TLS failure) as the `deliveryresult`, and "Maximum delivery attempts was
/// exceeded." as the reason; the backlog and meters count it like any dead letter; a stale
/// token is refused.
#[test]
fn dead_letter_exhausted_names_what_the_last_attempt_met() {
    let (_dir, _clock, ns) = setup();
    ns.publish("orders", &[event("a", "T")]).unwrap();
    let got = ns.receive("orders", "all", 1, NOW).unwrap();
    let result = "TLS handshake failed: the destination's certificate chains to no trusted CA \
                  (tls_unknown_ca).";
    let outcome = ns
        .dead_letter_exhausted("orders", "all", &[&got[0].lock_token], result)
        .unwrap();
    assert_eq!(outcome.succeeded.len(), 1);
    let again = ns
        .dead_letter_exhausted("orders", "all", &[&got[0].lock_token], result)
        .unwrap();
    assert_eq!(again.failed.len(), 1, "the token was spent");
    assert!(ns.receive("orders", "all", 1, NOW).unwrap().is_empty());
    let dl = ns.receive("orders-dlq", "dead", 10, NOW).unwrap();
    assert_eq!(dl.len(), 1);
    let value = dead_letter_attributes(dl[0].json());
    assert_eq!(
        value["deadletterreason"],
        "Maximum delivery attempts was exceeded."
    );
    assert_eq!(value["deliveryresult"], result);
    assert_eq!(value["deliveryattempts"], 1);
    let stats = ns.stats();
    let all = &stats
        .topics
        .iter()
        .find(|t| t.name == "orders")
        .unwrap()
        .subscriptions[0];
    assert_eq!(all.meters.dead_lettered, 1);
    assert_eq!(all.backlog, 0);
}

#[test]
fn reject_without_dead_letter_topic_drops() {
    let (_dir, _clock, ns) = setup();
    ns.publish("orders", &[event("a", "T")]).unwrap();
    let got = ns.receive("orders", "plain", 1, NOW).unwrap();
    ns.reject("orders", "plain", &[&got[0].lock_token]).unwrap();
    assert!(ns.receive("orders", "plain", 1, NOW).unwrap().is_empty());
    let stats = ns.stats();
    let orders = stats.topics.iter().find(|t| t.name == "orders").unwrap();
    let plain = orders
        .subscriptions
        .iter()
        .find(|s| s.name == "plain")
        .unwrap();
    assert_eq!(plain.meters.dropped, 1);
    assert!(
        ns.receive("orders-dlq", "dead", 10, NOW)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn renew_extends_from_now_within_one_hour() {
    let (_dir, clock, ns) = setup();
    ns.publish("orders", &[event("a", "T")]).unwrap();
    let got = ns.receive("orders", "all", 1, NOW).unwrap();
    let token = got[0].lock_token.as_str();
    // Renew every 50 s for almost an hour: the lock (60 s) never expires.
    for _ in 0..71 {
        clock.advance(Duration::from_secs(50));
        let outcome = ns.renew_locks("orders", "all", &[token]).unwrap();
        assert_eq!(outcome.succeeded.len(), 1, "renew within the hour");
        assert!(ns.receive("orders", "all", 1, NOW).unwrap().is_empty());
    }
    // 3600 s after the lock: refused.
    clock.advance(Duration::from_secs(50));
    let outcome = ns.renew_locks("orders", "all", &[token]).unwrap();
    assert_eq!(outcome.failed.len(), 1);
    // The lock still holds until its deadline (renewed at 3550 s → 3610 s); ack works.
    let ack = ns.acknowledge("orders", "all", &[token]).unwrap();
    assert_eq!(ack.succeeded.len(), 1);
}

#[test]
fn lock_expiry_redelivers_with_next_count_and_kills_old_token() {
    let (_dir, clock, ns) = setup();
    ns.publish("orders", &[event("a", "T")]).unwrap();
    let first = ns.receive("orders", "all", 1, NOW).unwrap();
    clock.advance(Duration::from_secs(59));
    assert!(ns.receive("orders", "all", 1, NOW).unwrap().is_empty());
    clock.advance(Duration::from_secs(1));
    let second = ns.receive("orders", "all", 1, NOW).unwrap();
    assert_eq!(second[0].delivery_count, 2);
    for op in 0..3 {
        let outcome = match op {
            0 => ns.acknowledge("orders", "all", &[&first[0].lock_token]),
            1 => ns.reject("orders", "all", &[&first[0].lock_token]),
            _ => ns.renew_locks("orders", "all", &[&first[0].lock_token]),
        }
        .unwrap();
        assert_eq!(outcome.failed.len(), 1, "old token fails for op {op}");
    }
    // An expired token fails too.
    clock.advance(Duration::from_secs(60));
    let outcome = ns
        .acknowledge("orders", "all", &[&second[0].lock_token])
        .unwrap();
    assert_eq!(outcome.failed.len(), 1);
}

#[test]
fn max_delivery_count_dead_letters() {
    let (_dir, clock, ns) = setup();
    ns.publish("orders", &[event("a", "T")]).unwrap();
    for n in 1..=3 {
        let got = ns.receive("orders", "all", 1, NOW).unwrap();
        assert_eq!(got[0].delivery_count, n);
        clock.advance(Duration::from_secs(60));
    }
    // The 4th delivery would exceed maxDeliveryCount (3).
    assert!(ns.receive("orders", "all", 1, NOW).unwrap().is_empty());
    let dl = ns.receive("orders-dlq", "dead", 10, NOW).unwrap();
    assert_eq!(dl.len(), 1);
    let value = dead_letter_attributes(dl[0].json());
    assert_eq!(
        value["deadletterreason"],
        "Maximum delivery attempts was exceeded."
    );
    assert_eq!(value["deliveryattempts"], 3);
    assert_eq!(
        value["deliveryresult"],
        "Event was not acknowledged nor rejected."
    );
}

#[test]
fn max_delivery_count_dead_letters_by_the_sweep_too() {
    let (_dir, clock, ns) = setup();
    ns.publish("orders", &[event("a", "T")]).unwrap();
    for _ in 1..=3 {
        ns.receive("orders", "all", 1, NOW).unwrap();
        clock.advance(Duration::from_secs(60));
    }
    let report = ns.run_maintenance().unwrap();
    assert_eq!(report.dead_lettered, 1);
    assert_eq!(ns.receive("orders-dlq", "dead", 10, NOW).unwrap().len(), 1);
}

#[test]
fn ttl_dead_letters_available_but_not_locked_events() {
    let (_dir, clock, ns) = setup();
    ns.publish("orders", &[event("never", "T"), event("locked", "T")])
        .unwrap();
    // Lock the second only: receive one event would take "never" first, so take both and
    // release the first.
    let got = ns.receive("orders", "all", 2, NOW).unwrap();
    ns.release(
        "orders",
        "all",
        &[&got[0].lock_token],
        ReleaseDelay::OneHour,
    )
    .unwrap();
    for _ in 0..71 {
        clock.advance(Duration::from_secs(50));
        let renewed = ns
            .renew_locks("orders", "all", &[&got[1].lock_token])
            .unwrap();
        assert_eq!(renewed.succeeded.len(), 1);
    }
    // Renewed last at 3550 s (deadline 3610 s); at 3600 s the TTL (1 h) has passed and
    // "locked" is still locked.
    clock.advance(Duration::from_secs(50));
    assert!(ns.receive("orders", "all", 2, NOW).unwrap().is_empty());
    let dl = ns.receive("orders-dlq", "dead", 10, NOW).unwrap();
    assert_eq!(dl.len(), 1);
    let value = dead_letter_attributes(dl[0].json());
    assert_eq!(value["id"], "never");
    assert_eq!(value["deadletterreason"], "TTL expired.");
    assert_eq!(value["deliveryresult"], "Expired.");
    // The locked one can still be acknowledged.
    let ack = ns
        .acknowledge("orders", "all", &[&got[1].lock_token])
        .unwrap();
    assert_eq!(ack.succeeded.len(), 1);
}

#[test]
fn ttl_dead_letters_never_delivered_events_in_the_sweep() {
    let (_dir, clock, ns) = setup();
    ns.publish("orders", &[event("a", "T"), event("b", "T")])
        .unwrap();
    clock.advance(Duration::from_secs(1800));
    ns.publish("orders", &[event("c", "T")]).unwrap();
    clock.advance(Duration::from_secs(1800));
    let report = ns.run_maintenance().unwrap();
    // "a" and "b" for `all` (dead-lettered) and `plain` (dropped).
    assert_eq!(report.dead_lettered, 4);
    let dl = ns.receive("orders-dlq", "dead", 10, NOW).unwrap();
    assert_eq!(dl.len(), 2);
    let got = ns.receive("orders", "all", 10, NOW).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(id_of(got[0].json()), "c");
}

#[test]
fn retention_removes_events_regardless_of_state() {
    let (_dir, clock, ns) = setup();
    ns.publish("orders-dlq", &[event("a", "T"), event("b", "T")])
        .unwrap();
    let got = ns.receive("orders-dlq", "dead", 1, NOW).unwrap();
    ns.release(
        "orders-dlq",
        "dead",
        &[&got[0].lock_token],
        ReleaseDelay::Zero,
    )
    .unwrap();
    // orders-dlq: default retention 7 days = default TTL, so TTL and retention coincide: the
    // retention wins (expired, not dead-lettered).
    clock.advance(Duration::from_secs(7 * 86_400));
    assert!(
        ns.receive("orders-dlq", "dead", 10, NOW)
            .unwrap()
            .is_empty()
    );
    let stats = ns.stats();
    let dl = &stats
        .topics
        .iter()
        .find(|t| t.name == "orders-dlq")
        .unwrap()
        .subscriptions[0];
    assert_eq!(dl.meters.expired, 2);
    assert_eq!(dl.meters.dead_lettered + dl.meters.dropped, 0);
}

#[test]
fn filters_select_events_and_subscriptions_see_only_later_events() {
    let (_dir, _clock, ns) = setup();
    ns.publish("orders", &[event("before", "Created")]).unwrap();
    let sub: SubscriptionConfig = {
        let config = gridlog::NamespaceConfig::from_json_str(
            r#"{"topics":[{"name":"orders","properties":{"eventRetentionInDays":1},"eventSubscriptions":[{"name":"created","properties":{
              "filtersConfiguration":{"includedEventTypes":["created"],
                "filters":[{"operatorType":"StringBeginsWith","key":"subject","values":["s/x"]}]}}}]}]}"#,
        )
        .unwrap();
        config.topics[0].subscriptions[0].clone()
    };
    ns.put_subscription("orders", sub).unwrap();
    ns.publish(
        "orders",
        &[
            event("x1", "Created"),
            event("x2", "Deleted"),
            event("y1", "Created"),
            event("x3", "CREATED"),
        ],
    )
    .unwrap();
    let got = ns.receive("orders", "created", 10, NOW).unwrap();
    assert_eq!(
        got.iter().map(|r| id_of(r.json())).collect::<Vec<_>>(),
        ["x1", "x3"]
    );
}

#[test]
fn data_and_extension_filters_read_the_stored_json() {
    let (_dir, _clock, ns) = setup();
    let config = gridlog::NamespaceConfig::from_json_str(
        r#"{"topics":[{"name":"orders","properties":{"eventRetentionInDays":1},"eventSubscriptions":[
          {"name":"big","properties":{"filtersConfiguration":{"filters":[
            {"operatorType":"NumberGreaterThan","key":"data.n","value":5},
            {"operatorType":"StringIn","key":"region","values":["EU"]}]}}}]}]}"#,
    )
    .unwrap();
    ns.apply_config(&config).unwrap();
    let make = |id: &str, n: i64, region: &str| {
        let json = format!(
            r#"{{"specversion":"1.0","id":"{id}","source":"/t","type":"T","region":"{region}","data":{{"n":{n}}}}}"#
        );
        gridlog::format::parse_structured(json.as_bytes()).unwrap()
    };
    ns.publish(
        "orders",
        &[make("a", 9, "eu"), make("b", 1, "eu"), make("c", 9, "us")],
    )
    .unwrap();
    let got = ns.receive("orders", "big", 10, NOW).unwrap();
    assert_eq!(
        got.iter().map(|r| id_of(r.json())).collect::<Vec<_>>(),
        ["a"]
    );
}

#[test]
fn per_token_results_forged_cross_subscription_duplicate() {
    let (_dir, _clock, ns) = setup();
    ns.publish("orders", &[event("a", "T"), event("b", "T")])
        .unwrap();
    let all = ns.receive("orders", "all", 2, NOW).unwrap();
    let plain = ns.receive("orders", "plain", 2, NOW).unwrap();
    let mut forged = all[0].lock_token.clone().into_bytes();
    forged[40] = if forged[40] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    let tokens = [
        all[0].lock_token.as_str(),
        "garbage",
        forged.as_str(),
        plain[1].lock_token.as_str(), // another subscription's token
        all[0].lock_token.as_str(),   // duplicate
        all[1].lock_token.as_str(),
    ];
    let outcome = ns.acknowledge("orders", "all", &tokens).unwrap();
    assert_eq!(
        outcome.succeeded,
        [all[0].lock_token.clone(), all[1].lock_token.clone()]
    );
    let failed: Vec<&str> = outcome
        .failed
        .iter()
        .map(|f| f.lock_token.as_str())
        .collect();
    assert_eq!(
        failed,
        [
            "garbage",
            forged.as_str(),
            plain[1].lock_token.as_str(),
            all[0].lock_token.as_str()
        ]
    );
    assert!(outcome.failed.iter().all(|f| f.code == "TokenLost"));
    // The cross-subscription token had no effect on `plain`.
    let plain_ack = ns
        .acknowledge("orders", "plain", &[&plain[1].lock_token])
        .unwrap();
    assert_eq!(plain_ack.succeeded.len(), 1);
}

#[test]
fn errors_are_typed() {
    let (_dir, _clock, ns) = setup();
    let err = ns.publish("nope", &[event("a", "T")]).unwrap_err();
    assert_eq!(err.code(), "NotFound");
    let err = ns.receive("orders", "nope", 1, NOW).unwrap_err();
    assert!(matches!(
        err,
        EngineError::NotFound {
            kind: "subscription",
            ..
        }
    ));
    let err = ns.receive("orders", "all", 0, NOW).unwrap_err();
    assert_eq!(err.code(), "InvalidArgument");
    let err = ns.receive("orders", "all", 101, NOW).unwrap_err();
    assert_eq!(err.code(), "InvalidArgument");
    let err = ns
        .receive("orders", "all", 1, Duration::from_secs(121))
        .unwrap_err();
    assert_eq!(err.code(), "InvalidArgument");
    let err = ns.delete_topic("orders-dlq").unwrap_err();
    assert_eq!(err.code(), "InvalidConfiguration");
    ns.close().unwrap();
    assert_eq!(ns.publish("orders", &[]).unwrap_err().code(), "Closed");
}

#[test]
fn config_is_idempotent_and_never_deletes() {
    let (_dir, _clock, ns) = setup();
    let report = ns.apply_config(&common::config()).unwrap();
    assert!(report.topics_created.is_empty() && report.topics_updated.is_empty());
    assert!(report.subscriptions_created.is_empty() && report.subscriptions_updated.is_empty());
    assert_eq!(report.unchanged, 5);
    let partial = gridlog::NamespaceConfig::from_json_str(
        r#"{"topics":[{"name":"other","eventSubscriptions":[{"name":"sub1"}]}]}"#,
    )
    .unwrap();
    let report = ns.apply_config(&partial).unwrap();
    assert_eq!(report.topics_created, ["other"]);
    assert_eq!(ns.topics().len(), 3);
    assert_eq!(ns.subscriptions("orders").unwrap().len(), 2);
    ns.delete_subscription("orders", "plain").unwrap();
    assert_eq!(ns.subscriptions("orders").unwrap().len(), 1);
    ns.delete_topic("other").unwrap();
    assert!(ns.topic("other").is_none());
    assert!(ns.topic("ORDERS").is_some(), "names are case-insensitive");
}

#[test]
fn long_poll_wakes_on_publish_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let ns = Namespace::open(
        dir.path(),
        gridlog::NamespaceOptions {
            wal: common::wal_options(),
            index: gridlog::IndexKind::Memory,
            ..gridlog::NamespaceOptions::default()
        },
    )
    .unwrap();
    ns.apply_config(&common::config()).unwrap();
    let waiter = {
        let ns = ns.clone();
        std::thread::spawn(move || {
            let start = std::time::Instant::now();
            let got = ns
                .receive("orders", "all", 1, Duration::from_secs(30))
                .unwrap();
            (got.len(), start.elapsed())
        })
    };
    std::thread::sleep(Duration::from_millis(200));
    ns.publish("orders", &[event("a", "T")]).unwrap();
    let (count, elapsed) = waiter.join().unwrap();
    assert_eq!(count, 1);
    assert!(elapsed < Duration::from_secs(10), "woke at {elapsed:?}");
    // Timeout: empty.
    let start = std::time::Instant::now();
    let got = ns
        .receive("orders", "all", 1, Duration::from_millis(300))
        .unwrap();
    assert!(got.is_empty());
    assert!(start.elapsed() >= Duration::from_millis(300));
}

#[test]
fn long_poll_wakes_on_publish_async_and_times_out() {
    let dir = tempfile::tempdir().unwrap();
    let ns = Namespace::open(
        dir.path(),
        gridlog::NamespaceOptions {
            wal: common::wal_options(),
            index: gridlog::IndexKind::Memory,
            ..gridlog::NamespaceOptions::default()
        },
    )
    .unwrap();
    ns.apply_config(&common::config()).unwrap();
    let publisher = {
        let ns = ns.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(200));
            ns.publish("orders", &[event("a", "T")]).unwrap();
        })
    };
    let got = block_on(ns.receive_async("orders", "all", 5, Duration::from_secs(30))).unwrap();
    assert_eq!(got.len(), 1);
    publisher.join().unwrap();
    let start = std::time::Instant::now();
    let got = block_on(ns.receive_async("orders", "all", 5, Duration::from_millis(300))).unwrap();
    assert!(got.is_empty());
    assert!(start.elapsed() >= Duration::from_millis(300));
}

#[test]
fn long_poll_wakes_when_a_lock_expires_on_the_manual_clock() {
    let (_dir, clock, ns) = setup();
    ns.publish("orders", &[event("a", "T")]).unwrap();
    ns.receive("orders", "all", 1, NOW).unwrap();
    let waiter = {
        let ns = ns.clone();
        std::thread::spawn(move || ns.receive("orders", "all", 1, Duration::from_secs(120)))
    };
    std::thread::sleep(Duration::from_millis(150));
    clock.advance(Duration::from_secs(61));
    let got = waiter.join().unwrap().unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].delivery_count, 2);
}

#[test]
fn concurrent_consumers_never_share_a_locked_event() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let ns = open(dir.path(), &clock, &MemoryIndex::default());
    let total = 400;
    for chunk in 0..4 {
        let events: Vec<_> = (0..total / 4)
            .map(|i| event(&format!("e{chunk}-{i}"), "T"))
            .collect();
        ns.publish("orders", &events).unwrap();
    }
    let consumers: Vec<_> = (0..4)
        .map(|_| {
            let ns = ns.clone();
            std::thread::spawn(move || {
                let mut ids = Vec::new();
                loop {
                    let got = ns.receive("orders", "all", 7, NOW).unwrap();
                    if got.is_empty() {
                        return ids;
                    }
                    let tokens: Vec<&str> = got.iter().map(|r| r.lock_token.as_str()).collect();
                    let outcome = ns.acknowledge("orders", "all", &tokens).unwrap();
                    assert_eq!(outcome.succeeded.len(), got.len());
                    ids.extend(got.iter().map(|r| id_of(r.json())));
                }
            })
        })
        .collect();
    let mut seen = HashSet::new();
    for consumer in consumers {
        for id in consumer.join().unwrap() {
            assert!(seen.insert(id.clone()), "{id} delivered twice");
        }
    }
    assert_eq!(seen.len(), total);
}

#[test]
fn wall_clock_jumps_neither_expire_nor_extend_locks_in_process() {
    let (_dir, clock, ns) = setup();
    ns.publish("orders", &[event("a", "T")]).unwrap();
    let got = ns.receive("orders", "all", 1, NOW).unwrap();
    clock.advance_wall(Duration::from_secs(600));
    assert!(
        ns.receive("orders", "all", 1, NOW).unwrap().is_empty(),
        "a wall jump does not expire a lock in process"
    );
    clock.advance_monotonic(Duration::from_secs(60));
    let again = ns.receive("orders", "all", 1, NOW).unwrap();
    assert_eq!(again.len(), 1);
    drop(got);
    let _ = START_MS;
}

#[test]
fn receive_refuses_push_subscriptions() {
    let (_dir, _clock, ns) = setup();
    let config = gridlog::NamespaceConfig::from_json_str(
        r#"{"topics":[{"name":"orders","properties":{"eventRetentionInDays":1},"eventSubscriptions":[
          {"name":"pushed","properties":{"deliveryConfiguration":{"deliveryMode":"Push","push":{}}}}]}]}"#,
    )
    .unwrap();
    ns.apply_config(&config).unwrap();
    let err = ns.receive("orders", "pushed", 1, NOW).unwrap_err();
    assert_eq!(err.code(), "InvalidArgument");
}

#[test]
fn stress_receivers_publisher_and_maintenance_in_parallel() {
    let dir = tempfile::tempdir().unwrap();
    // The real clock: receives wait (20 ms) on the engine's clock.
    let ns = Namespace::open(
        dir.path(),
        gridlog::NamespaceOptions {
            wal: gridlog::WalOptions {
                segment_bytes_target: 4096,
                ..common::wal_options()
            },
            index: gridlog::IndexKind::Memory,
            ..gridlog::NamespaceOptions::default()
        },
    )
    .unwrap();
    ns.apply_config(&common::config()).unwrap();
    ns.delete_subscription("orders", "plain").unwrap();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let publisher = {
        let ns = ns.clone();
        std::thread::spawn(move || {
            for batch in 0..60 {
                let events: Vec<_> = (0..10)
                    .map(|i| event(&format!("b{batch}-{i}"), "T"))
                    .collect();
                ns.publish("orders", &events).unwrap();
            }
        })
    };
    let sweeper = {
        let ns = ns.clone();
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut purged = 0;
            while !stop.load(std::sync::atomic::Ordering::Acquire) {
                purged += ns.run_maintenance().unwrap().segments_purged;
                std::thread::sleep(Duration::from_millis(5));
            }
            purged
        })
    };
    let consumers: Vec<_> = (0..3)
        .map(|_| {
            let ns = ns.clone();
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut ids = Vec::new();
                while !stop.load(std::sync::atomic::Ordering::Acquire) {
                    let got = ns
                        .receive("orders", "all", 5, Duration::from_millis(20))
                        .unwrap();
                    let tokens: Vec<&str> = got.iter().map(|r| r.lock_token.as_str()).collect();
                    let outcome = ns.acknowledge("orders", "all", &tokens).unwrap();
                    assert_eq!(outcome.succeeded.len(), got.len());
                    ids.extend(got.iter().map(|r| id_of(r.json())));
                }
                ids
            })
        })
        .collect();
    publisher.join().unwrap();
    let start = std::time::Instant::now();
    while ns.stats().topics[0].subscriptions[0].meters.acked < 600 {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "consumers stalled"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    stop.store(true, std::sync::atomic::Ordering::Release);
    let mut seen = HashSet::new();
    for consumer in consumers {
        for id in consumer.join().unwrap() {
            assert!(seen.insert(id.clone()), "{id} delivered twice");
        }
    }
    let purged = sweeper.join().unwrap();
    assert_eq!(seen.len(), 600);
    assert!(purged > 0);
    eprintln!("stress: 600 events, {purged} segments reclaimed concurrently");
}

#[test]
fn long_poll_on_the_dead_letter_topic_wakes_on_reject() {
    let dir = tempfile::tempdir().unwrap();
    let ns = Namespace::open(
        dir.path(),
        gridlog::NamespaceOptions {
            wal: common::wal_options(),
            index: gridlog::IndexKind::Memory,
            ..gridlog::NamespaceOptions::default()
        },
    )
    .unwrap();
    ns.apply_config(&common::config()).unwrap();
    ns.publish("orders", &[event("a", "T")]).unwrap();
    let got = ns.receive("orders", "all", 1, NOW).unwrap();
    let waiter = {
        let ns = ns.clone();
        std::thread::spawn(move || {
            let start = std::time::Instant::now();
            let got = ns
                .receive("orders-dlq", "dead", 1, Duration::from_secs(30))
                .unwrap();
            (got.len(), start.elapsed())
        })
    };
    std::thread::sleep(Duration::from_millis(200));
    ns.reject("orders", "all", &[&got[0].lock_token]).unwrap();
    let (count, elapsed) = waiter.join().unwrap();
    assert_eq!(count, 1);
    assert!(elapsed < Duration::from_secs(10), "woke at {elapsed:?}");
}

#[test]
fn push_receive_and_release_after_any_delay() {
    let (_dir, clock, ns) = setup();
    let config = gridlog::NamespaceConfig::from_json_str(
        r#"{"topics":[{"name":"orders","properties":{"eventRetentionInDays":1},"eventSubscriptions":[
          {"name":"pushed","properties":{"deliveryConfiguration":{"deliveryMode":"Push","push":{"maxDeliveryCount":2}}}}]}]}"#,
    )
    .unwrap();
    ns.apply_config(&config).unwrap();
    ns.publish("orders", &[event("a", "T")]).unwrap();
    // A queue subscription refuses the push receive.
    let err = block_on(ns.receive_push_async("orders", "all", 1, NOW)).unwrap_err();
    assert_eq!(err.code(), "InvalidArgument");
    let got = block_on(ns.receive_push_async("orders", "pushed", 10, NOW)).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].delivery_count, 1);
    // 30 s: not one of the API's release delays.
    let token = got[0].lock_token.as_str();
    let outcome = ns
        .release_after("orders", "pushed", &[token], Duration::from_secs(30))
        .unwrap();
    assert_eq!(outcome.succeeded.len(), 1);
    clock.advance(Duration::from_secs(29));
    assert!(
        block_on(ns.receive_push_async("orders", "pushed", 10, NOW))
            .unwrap()
            .is_empty()
    );
    clock.advance(Duration::from_secs(1));
    let again = block_on(ns.receive_push_async("orders", "pushed", 10, NOW)).unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].delivery_count, 2);
    // maxDeliveryCount 2 reached: the next release makes it dead-letter instead of redeliver.
    ns.release_after(
        "orders",
        "pushed",
        &[again[0].lock_token.as_str()],
        Duration::ZERO,
    )
    .unwrap();
    assert!(
        block_on(ns.receive_push_async("orders", "pushed", 10, NOW))
            .unwrap()
            .is_empty()
    );
    let stats = ns.stats();
    let orders = stats.topics.iter().find(|t| t.name == "orders").unwrap();
    let pushed = orders
        .subscriptions
        .iter()
        .find(|s| s.name == "pushed")
        .unwrap();
    assert_eq!(pushed.meters.delivered, 2);
    assert_eq!(pushed.meters.released, 2);
    assert_eq!(pushed.meters.dropped, 1, "no dead-letter topic: dropped");
    // A delay over 1 h is clamped to 1 h.
    ns.publish("orders", &[event("b", "T")]).unwrap();
    let b = block_on(ns.receive_push_async("orders", "pushed", 10, NOW)).unwrap();
    ns.release_after(
        "orders",
        "pushed",
        &[b[0].lock_token.as_str()],
        Duration::from_secs(86_400),
    )
    .unwrap();
    clock.advance(Duration::from_secs(3600));
    assert_eq!(
        block_on(ns.receive_push_async("orders", "pushed", 10, NOW))
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn push_receive_counts_against_delivery_throughput() {
    let (_dir, clock, ns) = setup();
    let config = gridlog::NamespaceConfig::from_json_str(
        r#"{"topics":[{"name":"orders","properties":{"eventRetentionInDays":1},"eventSubscriptions":[
          {"name":"pushed","properties":{"deliveryConfiguration":{"deliveryMode":"Push","push":{}}}}]}]}"#,
    )
    .unwrap();
    ns.apply_config(&config).unwrap();
    for batch in 0..3 {
        let events: Vec<_> = (0..700)
            .map(|i| event(&format!("b{batch}-{i}"), "T"))
            .collect();
        ns.publish("orders", &events).unwrap();
    }
    // 1 TU: 2,000 deliveries a second, shared by pull and push receives.
    ns.set_throughput_units(Some(1)).unwrap();
    let mut delivered = 0;
    for _ in 0..20 {
        delivered += block_on(ns.receive_push_async("orders", "pushed", 100, NOW))
            .unwrap()
            .len();
    }
    assert_eq!(delivered, 2_000);
    match block_on(ns.receive_push_async("orders", "pushed", 100, NOW)) {
        Err(EngineError::Throttled { direction, .. }) => {
            assert_eq!(direction, gridlog::Direction::Delivery);
        }
        other => panic!("expected Throttled, got {other:?}"),
    }
    clock.advance(Duration::from_millis(50));
    let refill = block_on(ns.receive_push_async("orders", "pushed", 100, NOW)).unwrap();
    assert_eq!(refill.len(), 100, "50 ms refill 100 deliveries");
    println!("push receive at 1 TU: {delivered} delivered, then throttled (Delivery)");
}

/// A receive that gives up early must not answer "nothing" while deliverable events lie further
/// in the log. A scan reads at most a budget of records under the namespace lock (4,096), so a
/// sparse topic (a dead-letter topic, say) can have its next event many budgets past its
/// subscription's cursor. A zero-wait receive used to answer empty after the first budget, and a
/// waiting one scanned one budget per wake-up (100 ms apart). The long tier's engine kill -9
/// loop met it, 2026-11-30: its final drain of the dead-letter topic stopped early.
#[test]
fn a_receive_scans_past_other_topics_traffic_before_answering_empty() {
    let (_dir, _clock, ns) = setup();
    ns.publish("orders-dlq", &[event("first", "T")]).unwrap();
    // Far more than one scan budget of another topic's events between the two.
    for batch in 0..20 {
        let events: Vec<_> = (0..500)
            .map(|n| event(&format!("o{batch}-{n}"), "T"))
            .collect();
        ns.publish("orders", &events).unwrap();
    }
    ns.publish("orders-dlq", &[event("second", "T"), event("third", "T")])
        .unwrap();
    let got = ns.receive("orders-dlq", "dead", 1, NOW).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(id_of(got[0].json()), "first");
    let got = ns.receive("orders-dlq", "dead", 1, NOW).unwrap();
    assert_eq!(got.len(), 1, "a zero-wait receive answered empty");
    assert_eq!(id_of(got[0].json()), "second");
    let got = block_on(ns.receive_async("orders-dlq", "dead", 5, Duration::ZERO)).unwrap();
    assert_eq!(got.len(), 1, "a zero-wait async receive answered empty");
    assert_eq!(id_of(got[0].json()), "third");
}
