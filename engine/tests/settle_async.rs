//! Settlement through the committer (`Namespace::settle_async`): the same outcomes as the
//! blocking calls, each settlement's own outcome when several share a transaction, the records
//! durable across a reopen, refusals before queueing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly by design"
)]

mod common;

use common::{NOW, block_on, clock, event, id_of, open};
use gridlog::index::MemoryIndex;
use gridlog::{EngineError, ReleaseDelay, Settlement, TokenFailure};

fn tokens_of(received: &[gridlog::Received]) -> Vec<String> {
    received.iter().map(|r| r.lock_token.clone()).collect()
}

#[test]
fn each_settlement_gets_its_own_outcome_and_the_records_survive_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let index = MemoryIndex::default();
    let ns = open(dir.path(), &clock, &index);
    let events: Vec<_> = (0..8).map(|i| event(&format!("e{i}"), "T")).collect();
    ns.publish("orders", &events).unwrap();
    let got = ns.receive("orders", "all", 8, NOW).unwrap();
    assert_eq!(got.len(), 8);
    let tokens = tokens_of(&got);
    // Four settlements queued before any is awaited: they share transactions.
    let ack = ns.settle_async(
        "orders",
        "all",
        vec![
            tokens[0].clone(),
            tokens[1].clone(),
            "not-a-token".to_owned(),
        ],
        Settlement::Acknowledge,
    );
    let release = ns.settle_async(
        "orders",
        "all",
        vec![tokens[2].clone()],
        Settlement::Release(ReleaseDelay::Zero),
    );
    let reject = ns.settle_async("orders", "all", vec![tokens[3].clone()], Settlement::Reject);
    let renew = ns.settle_async(
        "orders",
        "all",
        vec![tokens[4].clone()],
        Settlement::RenewLock,
    );
    let unknown = ns.settle_async(
        "orders",
        "nope",
        vec![tokens[5].clone()],
        Settlement::Reject,
    );
    let ack = block_on(ack).unwrap();
    assert_eq!(ack.succeeded, [tokens[0].clone(), tokens[1].clone()]);
    assert_eq!(ack.failed.len(), 1);
    assert_eq!(ack.failed[0].reason, TokenFailure::Malformed);
    assert_eq!(block_on(release).unwrap().succeeded, [tokens[2].clone()]);
    assert_eq!(block_on(reject).unwrap().succeeded, [tokens[3].clone()]);
    assert_eq!(block_on(renew).unwrap().succeeded, [tokens[4].clone()]);
    assert!(
        matches!(block_on(unknown), Err(EngineError::NotFound { .. })),
        "an unknown subscription is refused, its neighbours are not"
    );
    // The same token settled twice: the second is lost, as with the blocking call.
    let again = block_on(ns.settle_async(
        "orders",
        "all",
        vec![tokens[0].clone()],
        Settlement::Acknowledge,
    ))
    .unwrap();
    assert_eq!(again.failed[0].reason, TokenFailure::Lost);

    ns.close().unwrap();
    drop(ns);
    let ns = open(dir.path(), &clock, &index);
    // Released e2 is available at once; e0, e1 are acknowledged, e3 dead-lettered; e4..e7 are
    // still locked.
    let next = ns.receive("orders", "all", 8, NOW).unwrap();
    let ids: Vec<String> = next.iter().map(|r| id_of(r.json())).collect();
    assert_eq!(ids, ["e2"]);
    let dead = ns.receive("orders-dlq", "dead", 8, NOW).unwrap();
    assert_eq!(dead.len(), 1, "the rejected event was dead-lettered");
    let stats = ns.stats();
    let all = stats.topics[0]
        .subscriptions
        .iter()
        .find(|s| s.name == "all")
        .unwrap();
    assert_eq!(all.locked, 5, "e2 again and e4..e7: {all:?}");
}

#[test]
fn throttled_settlements_are_refused_before_they_are_queued() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let ns = open(dir.path(), &clock, &MemoryIndex::default());
    ns.set_throughput_units(Some(1)).unwrap();
    // One TU settles 2,000 tokens a second (authenticated or not); the next call is refused
    // whole, before it is queued.
    let budget: Vec<String> = (0..2_000).map(|i| format!("t{i}")).collect();
    let spent = block_on(ns.settle_async("orders", "all", budget, Settlement::Acknowledge));
    assert_eq!(spent.map(|o| o.failed.len()).ok(), Some(2_000));
    let refused = block_on(ns.settle_async(
        "orders",
        "all",
        vec!["t".to_owned()],
        Settlement::Acknowledge,
    ));
    assert!(
        matches!(refused, Err(EngineError::Throttled { .. })),
        "expected Throttled, got {:?}",
        refused.map(|o| o.failed.len())
    );
    assert_eq!(ns.stats().throttle.throttled_settlements, 1);
}

#[test]
fn a_settlement_after_close_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let ns = open(dir.path(), &clock, &MemoryIndex::default());
    ns.publish("orders", &[event("a", "T")]).unwrap();
    let got = ns.receive("orders", "all", 1, NOW).unwrap();
    ns.close().unwrap();
    let refused =
        block_on(ns.settle_async("orders", "all", tokens_of(&got), Settlement::Acknowledge));
    assert!(
        matches!(refused, Err(EngineError::Closed | EngineError::Poisoned)),
        "{refused:?}"
    );
}
