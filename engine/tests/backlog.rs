//! The exact backlog (issue #17, item 12): events waiting in a subscription, kept through
//! publish, settlement, lock expiry, release, TTL, retention and filter changes, and the same
//! after a crash (index plus replay), a clean restart (index snapshot) and a rebuild from the
//! log alone.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly by design"
)]

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use common::{NOW, clock, event, id_of, options};
use gridlog::index::MemoryIndex;
use gridlog::{ManualClock, Namespace, NamespaceConfig, ReleaseDelay};

/// `orders` (retention 1 day) with `all` (every event; dead letters to `orders-dlq`) and `red`
/// (type `Red` only; dropped), and `orders-dlq` with `dead`.
fn config(red_types: &str) -> NamespaceConfig {
    NamespaceConfig::from_json_str(&format!(
        r#"{{"topics":[
        {{"name":"orders","properties":{{"eventRetentionInDays":1}},"eventSubscriptions":[
          {{"name":"all","properties":{{"deliveryConfiguration":{{"deliveryMode":"Queue","queue":{{
            "receiveLockDurationInSeconds":60,"maxDeliveryCount":3,"eventTimeToLive":"PT1H",
            "deadLetterTopic":"orders-dlq"}}}}}}}},
          {{"name":"red","properties":{{
            "filtersConfiguration":{{"includedEventTypes":[{red_types}]}},
            "deliveryConfiguration":{{"deliveryMode":"Queue","queue":{{
            "receiveLockDurationInSeconds":60,"maxDeliveryCount":3,"eventTimeToLive":"PT1H"}}}}}}}}]}},
        {{"name":"orders-dlq","properties":{{"eventRetentionInDays":7}},"eventSubscriptions":[{{"name":"dead"}}]}}]}}"#
    ))
    .unwrap()
}

/// (backlog, locked) of `orders/all`, `orders/red` and `orders-dlq/dead`.
fn backlogs(ns: &Namespace) -> [(u64, u64); 3] {
    let stats = ns.stats();
    let of = |topic: &str, sub: &str| {
        let sub = stats
            .topics
            .iter()
            .find(|t| t.name == topic)
            .and_then(|t| t.subscriptions.iter().find(|s| s.name == sub))
            .unwrap();
        (sub.backlog, sub.locked)
    };
    [
        of("orders", "all"),
        of("orders", "red"),
        of("orders-dlq", "dead"),
    ]
}

struct Fixture {
    dir: tempfile::TempDir,
    clock: Arc<ManualClock>,
    index: MemoryIndex,
    ns: Option<Namespace>,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let clock = clock();
        let index = MemoryIndex::default();
        let ns = Namespace::open(dir.path(), options(&clock, &index)).unwrap();
        ns.apply_config(&config(r#""Red""#)).unwrap();
        Self {
            dir,
            clock,
            index,
            ns: Some(ns),
        }
    }

    fn ns(&self) -> &Namespace {
        self.ns.as_ref().unwrap()
    }

    fn reopen(&mut self, path: &Path) {
        self.ns = Some(Namespace::open(path, options(&self.clock, &self.index)).unwrap());
    }

    /// Asserts `expected` now, then after a crash (the index of the last check plus a replay
    /// of what followed), a clean restart (the index snapshot alone) and a rebuild from the log
    /// (no index), and leaves a namespace whose index covers everything (closed cleanly).
    fn check(&mut self, expected: [(u64, u64); 3], step: &str) {
        assert_eq!(backlogs(self.ns()), expected, "{step}: live");
        let path = self.dir.path().to_path_buf();
        drop(self.ns.take());
        self.reopen(&path);
        assert_eq!(
            backlogs(self.ns()),
            expected,
            "{step}: crash, index + replay"
        );
        self.ns.take().unwrap().close().unwrap();
        self.reopen(&path);
        assert_eq!(backlogs(self.ns()), expected, "{step}: clean restart");
        drop(self.ns.take());
        self.index = MemoryIndex::default();
        self.reopen(&path);
        assert_eq!(
            backlogs(self.ns()),
            expected,
            "{step}: rebuilt from the log"
        );
        self.ns.take().unwrap().close().unwrap();
        self.reopen(&path);
        assert_eq!(backlogs(self.ns()), expected, "{step}: reopened");
    }

    /// Receives up to `max` from `sub`: the (id, token) pairs.
    fn receive(&self, sub: &str, max: u32) -> Vec<(String, String)> {
        self.ns()
            .receive("orders", sub, max, NOW)
            .unwrap()
            .into_iter()
            .map(|r| (id_of(r.json()), r.lock_token))
            .collect()
    }
}

fn token<'a>(got: &'a [(String, String)], id: &str) -> &'a str {
    &got.iter().find(|(i, _)| i == id).unwrap().1
}

#[test]
fn the_backlog_is_exact_through_settlement_expiry_filters_and_restarts() {
    let mut f = Fixture::new();
    // e0..e9; even ones are `Red`.
    let events: Vec<_> = (0..10)
        .map(|i| event(&format!("e{i}"), if i % 2 == 0 { "Red" } else { "Blue" }))
        .collect();
    f.ns().publish("orders", &events).unwrap();
    f.check([(10, 0), (5, 0), (0, 0)], "published");

    let got = f.receive("all", 4);
    assert_eq!(got.len(), 4);
    f.check([(10, 4), (5, 0), (0, 0)], "locked (still waiting)");
    let ns = f.ns();
    ns.acknowledge("orders", "all", &[token(&got, "e0"), token(&got, "e1")])
        .unwrap();
    ns.release(
        "orders",
        "all",
        &[token(&got, "e2")],
        ReleaseDelay::TenSeconds,
    )
    .unwrap();
    ns.reject("orders", "all", &[token(&got, "e3")]).unwrap();
    // e2 is delayed (waiting), e3 rejected into orders-dlq (waiting there).
    f.check([(7, 0), (5, 0), (1, 0)], "acknowledged, released, rejected");

    let got = f.receive("red", 3);
    let ids: Vec<&str> = got.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(ids, ["e0", "e2", "e4"]);
    f.ns()
        .acknowledge("orders", "red", &[token(&got, "e0")])
        .unwrap();
    f.check([(7, 0), (4, 2), (1, 0)], "filtered subscription");

    // The locks expire: the events wait again, unlocked.
    f.clock.advance(Duration::from_secs(61));
    f.check([(7, 0), (4, 0), (1, 0)], "locks expired");

    // New filters apply to the events not yet scanned: e5..e9 now all pass.
    f.ns().apply_config(&config(r#""Red","Blue""#)).unwrap();
    f.check([(7, 0), (7, 0), (1, 0)], "filter changed");

    // Past the TTL: the sweep dead-letters everything (all: into orders-dlq; red: dropped).
    f.clock.advance(Duration::from_hours(1));
    let report = f.ns().run_maintenance().unwrap();
    assert_eq!(report.dead_lettered, 14);
    f.check([(0, 0), (0, 0), (8, 0)], "TTL dead-lettered");

    // Retention: a locked event and a never-delivered one, removed by the sweep.
    f.ns()
        .publish("orders", &[event("e10", "Red"), event("e11", "Blue")])
        .unwrap();
    assert_eq!(f.receive("all", 1).len(), 1);
    f.check([(2, 1), (2, 0), (8, 0)], "published again");
    f.clock.advance(Duration::from_hours(25));
    assert_eq!(
        backlogs(f.ns())[..2],
        [(2, 0), (2, 0)],
        "waiting until removed"
    );
    f.ns().run_maintenance().unwrap();
    // orders-dlq keeps its events 7 days (and `dead` for its default TTL): still waiting.
    f.check([(0, 0), (0, 0), (8, 0)], "retention");

    // A receive that skips an expired event: its `Lock` record moves the scan position past an
    // event it does not name, which a replay recounts.
    f.ns().publish("orders", &[event("e12", "Red")]).unwrap();
    f.clock.advance(Duration::from_hours(25));
    f.ns().publish("orders", &[event("e13", "Blue")]).unwrap();
    assert_eq!(backlogs(f.ns())[..2], [(2, 0), (2, 0)]);
    assert_eq!(f.receive("all", 10).len(), 1);
    assert_eq!(f.receive("red", 10).len(), 1);
    f.check(
        [(1, 1), (1, 1), (8, 0)],
        "expired event skipped by receives",
    );

    // Retention passing while closed: the open removes what the first sweep would.
    f.ns().publish("orders", &[event("e14", "Red")]).unwrap();
    f.ns.take().unwrap().close().unwrap();
    f.clock.advance(Duration::from_hours(25));
    let path = f.dir.path().to_path_buf();
    f.reopen(&path);
    f.check([(0, 0), (0, 0), (8, 0)], "expired while closed");
}

#[test]
fn deleting_and_recreating_a_subscription_starts_its_backlog_empty() {
    let mut f = Fixture::new();
    f.ns()
        .publish("orders", &[event("a", "Red"), event("b", "Blue")])
        .unwrap();
    f.ns().delete_subscription("orders", "red").unwrap();
    f.ns().apply_config(&config(r#""Red""#)).unwrap();
    f.ns().publish("orders", &[event("c", "Red")]).unwrap();
    f.check([(3, 0), (1, 0), (0, 0)], "recreated");
}
