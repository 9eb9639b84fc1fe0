//! kill -9 loop: a child process (this test binary re-executed with `GRIDLOG_KILL_DIR` set) runs
//! a mixed workload on a real data directory (sled index, `Always` durability) and prints every
//! acknowledged operation; the parent SIGKILLs it at random points (some during open), checks
//! that locks taken just before the kill still hold with the same tokens, and at the end checks
//! I1 (no acknowledged publish lost: each is delivered by the final drain, was acknowledged, or
//! is in the dead-letter topic after `maxDeliveryCount` deliveries), I4 (no acknowledged event
//! delivered again or dead-lettered) and I6 (delivery counts never decrease), and that the
//! billing meters agree with the counts and with a rebuild from the log.
//!
//! Cycles: `GRIDLOG_KILL_CYCLES` (default 300). Seed: `GRIDLOG_KILL_SEED` (printed).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation,
    clippy::too_many_lines,
    reason = "a test fails loudly by design; the loop reads best in one piece"
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{NOW, event, id_of, seed};
use gridlog::index::MemoryIndex;
use gridlog::wal::testing::Rng;
use gridlog::{
    IndexKind, ManualClock, Namespace, NamespaceConfig, NamespaceOptions, ReleaseDelay, Timestamp,
};

const CHILD_DIR: &str = "GRIDLOG_KILL_DIR";
const CHILD_SEED: &str = "GRIDLOG_KILL_CHILD_SEED";
const CHILD_SLED: &str = "GRIDLOG_KILL_CHILD_SLED";

fn kill_config() -> NamespaceConfig {
    NamespaceConfig::from_json_str(
        r#"{"topics":[{"name":"orders","eventSubscriptions":[{"name":"work","properties":{
          "deliveryConfiguration":{"deliveryMode":"Queue","queue":{"receiveLockDurationInSeconds":300,
          "maxDeliveryCount":10,"deadLetterTopic":"dlq"}}}}]},
          {"name":"dlq","eventSubscriptions":[{"name":"dead"}]}]}"#,
    )
    .unwrap()
}

/// The child: runs until killed (or 20 s), printing `@P id…`, `@L id dc token`, `@a id` (ack
/// attempt), `@A id`, `@r id` (release attempt) and `@R id` after each acknowledged step.
#[test]
fn kill_child() {
    let Ok(dir) = std::env::var(CHILD_DIR) else {
        return;
    };
    let seed: u64 = std::env::var(CHILD_SEED).unwrap().parse().unwrap();
    let use_sled = std::env::var(CHILD_SLED).is_ok();
    let mut rng = Rng::new(seed);
    let mut out = std::io::stdout().lock();
    let ns = Namespace::open(&dir, common::kill_child_options(use_sled)).unwrap();
    // On its own line: libtest has printed "test kill_child ... " without a newline.
    writeln!(out, "\n@O").unwrap();
    ns.apply_config(&kill_config()).unwrap();
    let started = Instant::now();
    let mut held: Vec<(String, String)> = Vec::new();
    let mut n = 0;
    while started.elapsed() < Duration::from_secs(20) {
        match rng.below(10) {
            0..=3 => {
                let ids: Vec<String> = (0..=rng.below(3))
                    .map(|_| {
                        n += 1;
                        format!("s{seed}-{n}")
                    })
                    .collect();
                let events: Vec<_> = ids.iter().map(|id| event(id, "T")).collect();
                ns.publish("orders", &events).unwrap();
                writeln!(out, "@P {}", ids.join(" ")).unwrap();
            }
            4..=5 => {
                for r in ns.receive("orders", "work", 4, NOW).unwrap() {
                    let id = id_of(r.json());
                    writeln!(out, "@L {id} {} {}", r.delivery_count, r.lock_token).unwrap();
                    held.push((id, r.lock_token));
                }
            }
            6..=7 if !held.is_empty() => {
                let (id, token) = held.remove(rng.below(held.len() as u64) as usize);
                writeln!(out, "@a {id}").unwrap();
                let outcome = ns.acknowledge("orders", "work", &[&token]).unwrap();
                assert_eq!(outcome.succeeded.len(), 1);
                writeln!(out, "@A {id}").unwrap();
            }
            8 if !held.is_empty() => {
                let (id, token) = held.remove(rng.below(held.len() as u64) as usize);
                writeln!(out, "@r {id}").unwrap();
                let outcome = ns
                    .release("orders", "work", &[&token], ReleaseDelay::Zero)
                    .unwrap();
                assert_eq!(outcome.succeeded.len(), 1);
                writeln!(out, "@R {id}").unwrap();
            }
            9 => {
                ns.run_maintenance().unwrap();
            }
            _ => {}
        }
    }
}

#[derive(Default)]
struct History {
    published: BTreeSet<String>,
    acked: BTreeSet<String>,
    /// Ack attempted, outcome unknown.
    maybe_acked: BTreeSet<String>,
    max_count: BTreeMap<String, u32>,
}

#[test]
fn kill_9_loop_keeps_the_invariants() {
    if std::env::var(CHILD_DIR).is_ok() {
        return;
    }
    let cycles: u64 = std::env::var("GRIDLOG_KILL_CYCLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    let seed = seed("GRIDLOG_KILL_SEED", 0x9999);
    let mut rng = Rng::new(seed);
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("ns");
    let exe = std::env::current_exe().unwrap();
    let mut history = History::default();
    let mut killed_in_open = 0;
    let mut survivors_checked = 0;
    let mut open_estimate = Duration::from_millis(50);
    let mut sled_cycles = 0;
    let started = Instant::now();
    for cycle in 0..cycles {
        let mut command = Command::new(&exe);
        if cycle % 5 == 4 {
            command.env(CHILD_SLED, "1");
            sled_cycles += 1;
        }
        let child = common::KillChild::spawn(
            command
                .args(["--exact", "kill_child", "--nocapture", "--test-threads=1"])
                .env(CHILD_DIR, &dir)
                .env(CHILD_SEED, (seed ^ ((cycle + 1) * 0x9e37_79b9)).to_string()),
        );
        // A quarter of the kills land during process start, open and recovery; the rest at a
        // random point of the workload.
        if rng.below(4) == 0 {
            let est = open_estimate.as_millis().max(1) as u64;
            std::thread::sleep(Duration::from_millis(rng.below(est)));
        } else {
            if let Some(took) = child.open_time(Duration::from_secs(30)) {
                open_estimate = (open_estimate * 3 + took) / 4;
            }
            std::thread::sleep(Duration::from_millis(rng.below(100)));
        }
        let (complete, opened) = child.kill(&format!("cycle {cycle}"));
        if !opened {
            killed_in_open += 1;
        }
        let mut locks: Vec<(String, String)> = Vec::new();
        let mut touched: BTreeSet<String> = BTreeSet::new();
        for line in complete.lines() {
            let mut parts = line.split(' ');
            match parts.next() {
                Some("@P") => history.published.extend(parts.map(str::to_owned)),
                Some("@L") => {
                    let id = parts.next().unwrap().to_owned();
                    let count: u32 = parts.next().unwrap().parse().unwrap();
                    let token = parts.next().unwrap().to_owned();
                    let slot = history.max_count.entry(id.clone()).or_default();
                    assert!(
                        count > *slot,
                        "cycle {cycle}: {id} delivered as {count} after {slot}"
                    );
                    *slot = count;
                    locks.push((id, token));
                }
                Some("@a") => {
                    let id = parts.next().unwrap().to_owned();
                    history.maybe_acked.insert(id.clone());
                    touched.insert(id);
                }
                Some("@A") => {
                    history.acked.insert(parts.next().unwrap().to_owned());
                }
                Some("@r") => {
                    touched.insert(parts.next().unwrap().to_owned());
                }
                _ => {}
            }
        }
        // Every 5th cycle: the locks this child took and never touched hold, same tokens.
        if cycle % 5 == 0 && dir.exists() {
            let ns = Namespace::open(&dir, common::kill_child_options(false)).unwrap();
            for (id, token) in locks.iter().filter(|(id, _)| !touched.contains(id)) {
                let renew = ns.renew_locks("orders", "work", &[token.as_str()]).unwrap();
                assert_eq!(renew.succeeded.len(), 1, "cycle {cycle}: lock of {id} lost");
                survivors_checked += 1;
            }
            ns.close().unwrap();
        }
    }
    // Final check: every lock expired (the wall clock far ahead), drain everything.
    let clock = Arc::new(ManualClock::new(Timestamp::from_unix_millis(
        gridlog::Clock::now(&gridlog::SystemClock::new()).unix_millis() + 7_200_000,
    )));
    let ns = Namespace::open(
        &dir,
        NamespaceOptions {
            index: IndexKind::Sled,
            ..common::options(&clock, &MemoryIndex::default())
        },
    )
    .unwrap();
    let mut delivered = BTreeSet::new();
    loop {
        let got = ns.receive("orders", "work", 100, NOW).unwrap();
        if got.is_empty() {
            break;
        }
        for r in &got {
            let id = id_of(r.json());
            assert!(
                !history.acked.contains(&id),
                "I4: acknowledged {id} delivered again"
            );
            if let Some(before) = history.max_count.get(&id) {
                assert!(r.delivery_count > *before, "I6: {id} count went back");
            }
            delivered.insert(id);
        }
        let tokens: Vec<&str> = got.iter().map(|r| r.lock_token.as_str()).collect();
        ns.acknowledge("orders", "work", &tokens).unwrap();
    }
    // Events delivered `maxDeliveryCount` times went to the dead-letter topic. Which ones cannot
    // be told from the children's lines: a kill can fall between a receive and the printing of
    // its deliveries, so a 10th delivery may go unseen (the long tier's 10,000 cycles at f694995
    // dead-lettered 1,911 events, 9 of them after a 10th delivery no child printed). The
    // dead-letter topic says exactly.
    let mut dead: BTreeMap<String, u64> = BTreeMap::new();
    loop {
        let got = ns.receive("dlq", "dead", 100, NOW).unwrap();
        if got.is_empty() {
            break;
        }
        for r in &got {
            let event: serde_json::Value = serde_json::from_slice(r.json()).unwrap();
            let id = event["id"].as_str().unwrap().to_owned();
            let reason = event["deadletterreason"].as_str().unwrap_or_default();
            let attempts = event["deliveryattempts"].as_u64().unwrap_or_default();
            assert!(
                reason.starts_with("Maximum delivery attempts"),
                "dead-letter {id}: reason {reason:?}"
            );
            assert_eq!(attempts, 10, "dead-letter {id}: {attempts} attempts");
            assert!(
                !history.acked.contains(&id),
                "I4: acknowledged {id} dead-lettered"
            );
            assert!(
                !delivered.contains(&id),
                "{id} both delivered by the drain and dead-lettered"
            );
            assert!(
                dead.insert(id.clone(), attempts).is_none(),
                "{id} dead-lettered twice"
            );
        }
        let tokens: Vec<&str> = got.iter().map(|r| r.lock_token.as_str()).collect();
        ns.acknowledge("dlq", "dead", &tokens).unwrap();
    }
    for id in &history.published {
        assert!(
            delivered.contains(id) || history.maybe_acked.contains(id) || dead.contains_key(id),
            "I1: acknowledged publish {id} lost (delivered at most {:?} times as far as the \
             children printed)",
            history.max_count.get(id)
        );
    }
    let dead_unseen = dead
        .keys()
        .filter(|id| history.max_count.get(*id).is_none_or(|count| *count < 10))
        .count();
    // Billing meters after all the kills: every event here is 1 unit, so each meter equals its
    // count; and the meters loaded from the index equal those rebuilt from the log alone.
    let stats = ns.stats();
    let orders = |stats: &gridlog::NamespaceStats| {
        stats
            .topics
            .iter()
            .position(|topic| topic.name == "orders")
            .unwrap()
    };
    let topic = &stats.topics[orders(&stats)];
    let work = &topic.subscriptions[0].meters;
    assert_eq!(topic.publish_units, topic.events);
    assert_eq!(work.delivery_units, work.delivered);
    assert_eq!(
        work.settlement_units,
        work.acked + work.released + work.renewed + work.rejected
    );
    ns.close().unwrap();
    let rebuilt = Namespace::open(
        &dir,
        NamespaceOptions {
            index: IndexKind::Memory,
            ..common::options(&clock, &MemoryIndex::default())
        },
    )
    .unwrap();
    let again = rebuilt.stats();
    let again_topic = &again.topics[orders(&again)];
    assert_eq!(again_topic.publish_units, topic.publish_units);
    assert_eq!(again_topic.subscriptions[0].meters, *work);
    rebuilt.close().unwrap();
    eprintln!(
        "billing units after the kills: publish {}, delivery {}, settlement {}",
        topic.publish_units, work.delivery_units, work.settlement_units
    );
    eprintln!(
        "kill -9: {cycles} cycles ({sled_cycles} with the sled index; {killed_in_open} killed \
         before open finished; open takes ~{open_estimate:.0?}), {} publishes, \
         {} acks, {survivors_checked} surviving locks re-verified, {} drained, {} dead-lettered \
         after 10 deliveries ({dead_unseen} of them with a delivery the children did not print); \
         seed {seed}; {:.1?}",
        history.published.len(),
        history.acked.len(),
        delivered.len(),
        dead.len(),
        started.elapsed()
    );
    assert!(history.published.len() > 50);
}
