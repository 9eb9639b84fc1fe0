//! Restarts: clean close + reopen, process crash (drop without close), index rebuild, and
//! simulated power loss at every crash point of a workload (wal's `CrashFs`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly by design"
)]
#![allow(
    clippy::cast_possible_truncation,
    clippy::too_many_lines,
    reason = "test workloads: small indexes, long scenario functions"
)]
#![allow(
    clippy::duration_suboptimal_units,
    reason = "seconds read best next to the documented limits"
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use common::{NOW, clock, event, id_of, open, options, seed, vfs_options};
use gridlog::index::MemoryIndex;
use gridlog::wal::testing::{CrashFs, Rng};
use gridlog::{Clock as _, IndexRecovery, ManualClock, Namespace, NamespaceConfig, ReleaseDelay};

#[test]
fn close_and_reopen_keeps_locks_tokens_counts_and_settlements() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let index = MemoryIndex::default();
    let ns = open(dir.path(), &clock, &index);
    ns.publish(
        "orders",
        &[event("a", "T"), event("b", "T"), event("c", "T")],
    )
    .unwrap();
    let got = ns.receive("orders", "all", 2, NOW).unwrap();
    ns.acknowledge("orders", "all", &[&got[0].lock_token])
        .unwrap();
    ns.close().unwrap();

    let ns = Namespace::open(dir.path(), options(&clock, &index)).unwrap();
    assert!(matches!(
        ns.open_report().index,
        IndexRecovery::Loaded { .. }
    ));
    // "b" is still locked, with the same token; "c" was never delivered.
    let fresh = ns.receive("orders", "all", 10, NOW).unwrap();
    assert_eq!(
        fresh.iter().map(|r| id_of(r.json())).collect::<Vec<_>>(),
        ["c"]
    );
    clock.advance(Duration::from_secs(30));
    let renew = ns
        .renew_locks("orders", "all", &[&got[1].lock_token])
        .unwrap();
    assert_eq!(renew.succeeded.len(), 1, "the token survives the restart");
    clock.advance(Duration::from_secs(90));
    let again = ns.receive("orders", "all", 10, NOW).unwrap();
    let counts: BTreeMap<String, u32> = again
        .iter()
        .map(|r| (id_of(r.json()), r.delivery_count))
        .collect();
    assert_eq!(counts, BTreeMap::from([("b".into(), 2), ("c".into(), 2)]));
    ns.close().unwrap();
}

#[test]
fn process_crash_and_index_rebuild_give_the_same_state() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let index = MemoryIndex::default();
    let ns = open(dir.path(), &clock, &index);
    ns.publish("orders", &[event("a", "T"), event("b", "T")])
        .unwrap();
    ns.run_maintenance().unwrap(); // index covers the publishes
    let got = ns.receive("orders", "all", 1, NOW).unwrap();
    let rejected = ns.receive("orders", "plain", 1, NOW).unwrap();
    ns.reject("orders", "plain", &[&rejected[0].lock_token])
        .unwrap();
    drop(ns); // a crash: no close, no index write

    // Stale index: loaded, then the WAL replayed forward.
    let ns = Namespace::open(dir.path(), options(&clock, &index)).unwrap();
    match ns.open_report().index {
        IndexRecovery::Loaded { replayed, .. } => assert!(replayed >= 3, "{replayed}"),
        ref other => panic!("expected Loaded, got {other:?}"),
    }
    let token_ok = ns
        .renew_locks("orders", "all", &[&got[0].lock_token])
        .unwrap();
    assert_eq!(token_ok.succeeded.len(), 1);
    drop(ns);

    // No index at all: rebuilt from the WAL, same answers.
    let ns = Namespace::open(dir.path(), options(&clock, &MemoryIndex::default())).unwrap();
    assert!(matches!(
        ns.open_report().index,
        IndexRecovery::Rebuilt { .. }
    ));
    let plain = ns.receive("orders", "plain", 10, NOW).unwrap();
    assert_eq!(
        plain.iter().map(|r| id_of(r.json())).collect::<Vec<_>>(),
        ["b"]
    );
    // `plain` has no dead-letter topic: the rejected event was dropped.
    assert!(
        ns.receive("orders-dlq", "dead", 10, NOW)
            .unwrap()
            .is_empty()
    );
    let all = ns.receive("orders", "all", 10, NOW).unwrap();
    assert_eq!(
        all.iter().map(|r| id_of(r.json())).collect::<Vec<_>>(),
        ["b"]
    );
    let ack = ns
        .acknowledge("orders", "all", &[&got[0].lock_token])
        .unwrap();
    assert_eq!(ack.succeeded.len(), 1);
}

#[test]
fn sled_index_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let sled_options = || gridlog::NamespaceOptions {
        index: gridlog::IndexKind::Sled,
        ..options(&clock, &MemoryIndex::default())
    };
    let ns = Namespace::open(dir.path(), sled_options()).unwrap();
    ns.apply_config(&common::config()).unwrap();
    ns.publish("orders", &[event("a", "T")]).unwrap();
    let got = ns.receive("orders", "all", 1, NOW).unwrap();
    ns.close().unwrap();
    let ns = Namespace::open(dir.path(), sled_options()).unwrap();
    assert!(matches!(
        ns.open_report().index,
        IndexRecovery::Loaded { replayed: 0, .. }
    ));
    let ack = ns
        .acknowledge("orders", "all", &[&got[0].lock_token])
        .unwrap();
    assert_eq!(ack.succeeded.len(), 1);
    ns.close().unwrap();
}

// ---- power loss -------------------------------------------------------------------------------

fn crash_config() -> NamespaceConfig {
    NamespaceConfig::from_json_str(
        r#"{"topics":[{"name":"orders","eventSubscriptions":[{"name":"work","properties":{
          "deliveryConfiguration":{"deliveryMode":"Queue","queue":{"receiveLockDurationInSeconds":60,
          "maxDeliveryCount":10}}}}]}]}"#,
    )
    .unwrap()
}

/// One acknowledged operation of the workload, with the file-system op counts around it.
#[derive(Clone, Debug)]
enum Op {
    Published(Vec<String>),
    Locked(Vec<(String, String, u32)>, i64), // (id, token, delivery count), lock time
    Acked(Vec<String>),                      // ids
    Released,
    Advanced,
}

#[derive(Clone, Debug)]
struct Done {
    start: usize,
    end: usize,
    op: Op,
}

const ROOT: &str = "/ns";

fn run_workload(fs: &CrashFs, clock: &Arc<ManualClock>, rng: &mut Rng) -> Vec<Done> {
    let ns = Namespace::open(
        ROOT,
        vfs_options(clock, &MemoryIndex::default(), Arc::new(fs.clone())),
    )
    .unwrap();
    ns.apply_config(&crash_config()).unwrap();
    let mut done = Vec::new();
    let mut held: Vec<(String, String)> = Vec::new();
    let mut next_id = 0;
    for _ in 0..14 {
        let start = fs.ops();
        let op = match rng.below(5) {
            0 | 1 => {
                let n = 1 + rng.below(3) as usize;
                let ids: Vec<String> = (0..n)
                    .map(|_| {
                        next_id += 1;
                        format!("e{next_id}")
                    })
                    .collect();
                let events: Vec<_> = ids.iter().map(|id| event(id, "T")).collect();
                ns.publish("orders", &events).unwrap();
                Op::Published(ids)
            }
            2 => {
                let got = ns.receive("orders", "work", 3, NOW).unwrap();
                let locked: Vec<(String, String, u32)> = got
                    .iter()
                    .map(|r| (id_of(r.json()), r.lock_token.clone(), r.delivery_count))
                    .collect();
                held.extend(locked.iter().map(|(id, t, _)| (id.clone(), t.clone())));
                Op::Locked(locked, clock.now().unix_millis())
            }
            3 if !held.is_empty() => {
                let (id, token) = held.remove(rng.below(held.len() as u64) as usize);
                let outcome = ns.acknowledge("orders", "work", &[&token]).unwrap();
                if outcome.succeeded.is_empty() {
                    continue;
                }
                Op::Acked(vec![id])
            }
            4 if !held.is_empty() => {
                let (id, token) = held.remove(rng.below(held.len() as u64) as usize);
                let outcome = ns
                    .release("orders", "work", &[&token], ReleaseDelay::Zero)
                    .unwrap();
                if outcome.succeeded.is_empty() {
                    continue;
                }
                let _ = id;
                Op::Released
            }
            _ => {
                let by = Duration::from_secs(20);
                clock.advance(by);
                Op::Advanced
            }
        };
        done.push(Done {
            start,
            end: fs.ops(),
            op,
        });
    }
    drop(ns);
    done
}

/// Checks the invariants after a power loss at file-system op `k`.
fn check_after_crash(
    fs: CrashFs,
    clock: &Arc<ManualClock>,
    done: &[Done],
    k: usize,
    what: &str,
) -> usize {
    let ns = match Namespace::open(
        ROOT,
        vfs_options(clock, &MemoryIndex::default(), Arc::new(fs)),
    ) {
        Ok(ns) => ns,
        // A crash before the namespace's first records are durable leaves nothing to check.
        Err(error) => {
            assert!(
                done.iter().all(|d| d.end > k) || done.is_empty(),
                "{what}: open failed after acknowledged ops: {error}"
            );
            return 0;
        }
    };
    // The configuration is acknowledged once all its records are synced: a power loss before
    // that may keep a prefix of them, the topic without its subscription (docs/reliability.md).
    if ns.topic("orders").is_none() || ns.subscription("orders", "work").is_none() {
        assert!(
            done.iter().all(|d| d.end > k),
            "{what}: topic or subscription lost"
        );
        return 0;
    }
    let acked_before: BTreeSet<String> = done
        .iter()
        .filter(|d| d.end <= k)
        .filter_map(|d| match &d.op {
            Op::Acked(ids) => Some(ids.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    let maybe_acked: BTreeSet<String> = done
        .iter()
        .filter(|d| d.start < k)
        .filter_map(|d| match &d.op {
            Op::Acked(ids) => Some(ids.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    let published: BTreeSet<String> = done
        .iter()
        .filter(|d| d.end <= k)
        .filter_map(|d| match &d.op {
            Op::Published(ids) => Some(ids.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    let mut max_count: BTreeMap<String, u32> = BTreeMap::new();
    for d in done.iter().filter(|d| d.end <= k) {
        if let Op::Locked(locked, _) = &d.op {
            for (id, _, count) in locked {
                let slot = max_count.entry(id.clone()).or_default();
                *slot = (*slot).max(*count);
            }
        }
    }
    // Locks taken before the crash, still within their deadline and never settled (not even
    // attempted) before the crash, hold with the same token.
    let now_ms = clock.now().unix_millis();
    let mut survivors = 0;
    for (i, d) in done.iter().enumerate().filter(|(_, d)| d.end <= k) {
        let Op::Locked(locked, at_ms) = &d.op else {
            continue;
        };
        if at_ms + 60_000 <= now_ms {
            continue;
        }
        for (id, token, _) in locked {
            let touched = done[i + 1..].iter().any(|later| {
                later.start < k
                    && (matches!(&later.op, Op::Acked(ids) if ids.contains(id))
                        || matches!(later.op, Op::Released))
            });
            if touched {
                continue;
            }
            let renew = ns.renew_locks("orders", "work", &[token.as_str()]).unwrap();
            assert_eq!(
                renew.succeeded.len(),
                1,
                "{what}: lock of {id} lost its token"
            );
            survivors += 1;
        }
    }
    // Drain: every lock expires, every event is received and acknowledged.
    let mut delivered: BTreeMap<String, u32> = BTreeMap::new();
    for _ in 0..12 {
        clock.advance(Duration::from_secs(61));
        loop {
            let got = ns.receive("orders", "work", 100, NOW).unwrap();
            if got.is_empty() {
                break;
            }
            for r in &got {
                let id = id_of(r.json());
                assert!(
                    !acked_before.contains(&id),
                    "{what}: acknowledged event {id} delivered again"
                );
                if let Some(before) = max_count.get(&id) {
                    assert!(
                        r.delivery_count > *before,
                        "{what}: {id} delivery count went back ({} after {before})",
                        r.delivery_count
                    );
                }
                delivered.insert(id, r.delivery_count);
            }
            let tokens: Vec<&str> = got.iter().map(|r| r.lock_token.as_str()).collect();
            ns.acknowledge("orders", "work", &tokens).unwrap();
        }
    }
    for id in &published {
        assert!(
            delivered.contains_key(id) || maybe_acked.contains(id),
            "{what}: acknowledged publish {id} lost"
        );
    }
    survivors
}

#[test]
fn power_loss_at_every_crash_point_keeps_the_invariants() {
    let seed = seed("GRIDLOG_CRASH_SEED", 0x5eed_0001);
    let mut rng = Rng::new(seed);
    let mut states = 0_usize;
    let mut survivors = 0_usize;
    for round in 0..8 {
        let fs = CrashFs::new();
        let workload_clock = clock();
        let done = run_workload(&fs, &workload_clock, &mut rng);
        // Every op boundary of acknowledged operations plus a stride through the rest.
        let bounds = done.iter().flat_map(|d| [d.start, d.end]);
        states += common::for_each_crash_state(&fs, bounds, seed, |crashed, k, at| {
            // The clock at the crash: the workload's clock at op k is not recorded, so
            // restart from the end time (later than any deadline written before k).
            let clock = Arc::new(ManualClock::new(workload_clock.now()));
            survivors += check_after_crash(
                crashed,
                &clock,
                &done,
                k,
                &format!("seed {seed} round {round} {at}"),
            );
        });
    }
    eprintln!(
        "power loss: {states} crash states checked, {survivors} surviving locks re-verified \
         (seed {seed})"
    );
    assert!(states > 500);
    assert!(survivors > 0);
}

#[test]
fn background_maintenance_writes_the_index() {
    let dir = tempfile::tempdir().unwrap();
    let index = MemoryIndex::default();
    let ns = Namespace::open(
        dir.path(),
        gridlog::NamespaceOptions {
            maintenance_interval: Some(Duration::from_millis(20)),
            clock: Arc::new(gridlog::SystemClock::new()),
            ..options(&clock(), &index)
        },
    )
    .unwrap();
    ns.apply_config(&common::config()).unwrap();
    let start = std::time::Instant::now();
    while gridlog::index::StateIndex::load(&index).unwrap().is_none() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "no sweep within 10 s"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    ns.close().unwrap();
}

#[test]
fn relaxed_durabilities_survive_a_clean_restart_and_a_process_crash() {
    for durability in [
        gridlog::Durability::Never,
        gridlog::Durability::Interval(Duration::from_millis(5)),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let clock = clock();
        let index = MemoryIndex::default();
        let relaxed = || gridlog::NamespaceOptions {
            durability,
            ..options(&clock, &index)
        };
        let ns = Namespace::open(dir.path(), relaxed()).unwrap();
        ns.apply_config(&common::config()).unwrap();
        ns.publish("orders", &[event("a", "T"), event("b", "T")])
            .unwrap();
        let got = ns.receive("orders", "all", 1, NOW).unwrap();
        assert_eq!(
            got.len(),
            1,
            "{durability:?}: records visible without a sync"
        );
        ns.acknowledge("orders", "all", &[&got[0].lock_token])
            .unwrap();
        drop(ns); // process crash: the page cache keeps everything
        let ns = Namespace::open(dir.path(), relaxed()).unwrap();
        let rest = ns.receive("orders", "all", 10, NOW).unwrap();
        assert_eq!(
            rest.iter().map(|r| id_of(r.json())).collect::<Vec<_>>(),
            ["b"],
            "{durability:?}"
        );
        ns.close().unwrap();
    }
}

/// Across a reboot (new boot id: the lock clock is anchored again on the wall clock), persisted
/// deadlines follow the wall clock, clamped to the lock duration. (Within one boot they are exact:
/// `engine/tests/lock_clock.rs`.)
#[test]
fn lock_deadlines_across_a_reboot_are_clamped_to_the_lock_duration() {
    // Wall clock stepped back an hour while down: the lock does not live an hour longer.
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let index = MemoryIndex::default();
    let ns = open(dir.path(), &clock, &index);
    ns.publish("orders", &[event("a", "T")]).unwrap();
    let got = ns.receive("orders", "all", 1, NOW).unwrap();
    ns.close().unwrap();
    clock.reboot();
    clock.rewind_wall(Duration::from_secs(3600));
    let ns = Namespace::open(dir.path(), options(&clock, &index)).unwrap();
    assert!(ns.receive("orders", "all", 1, NOW).unwrap().is_empty());
    clock.advance(Duration::from_secs(60));
    let again = ns.receive("orders", "all", 1, NOW).unwrap();
    assert_eq!(again.len(), 1, "remaining time clamped to the 60 s lock");
    assert_eq!(again[0].delivery_count, 2);
    drop(got);
    ns.close().unwrap();

    // Wall clock stepped forward past the deadline while down: the lock has expired.
    let dir = tempfile::tempdir().unwrap();
    let ns = open(dir.path(), &clock, &index);
    ns.publish("orders", &[event("b", "T")]).unwrap();
    let got = ns.receive("orders", "all", 1, NOW).unwrap();
    ns.close().unwrap();
    clock.reboot();
    clock.advance_wall(Duration::from_secs(61));
    let ns = Namespace::open(dir.path(), options(&clock, &MemoryIndex::default())).unwrap();
    let outcome = ns
        .acknowledge("orders", "all", &[&got[0].lock_token])
        .unwrap();
    assert_eq!(outcome.failed.len(), 1, "expired while down");
    assert_eq!(
        ns.receive("orders", "all", 1, NOW).unwrap()[0].delivery_count,
        2
    );
    ns.close().unwrap();
}

/// One open namespace per data directory: a second open in the same process (or another one)
/// is refused by the WAL's directory lock before anything is read, and the first keeps working.
#[test]
fn a_second_open_of_the_same_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let clock = clock();
    let index = MemoryIndex::default();
    let ns = open(dir.path(), &clock, &index);
    ns.publish("orders", &[event("a", "Order.Created")])
        .unwrap();
    let err = Namespace::open(dir.path(), options(&clock, &index)).unwrap_err();
    assert!(
        matches!(
            err,
            gridlog::EngineError::Wal(gridlog::wal::WalError::Locked { .. })
        ),
        "{err:?}"
    );
    ns.publish("orders", &[event("b", "Order.Created")])
        .unwrap();
    ns.close().unwrap();
    drop(ns);
    let ns = open(dir.path(), &clock, &index);
    let got = ns
        .receive("orders", "all", 10, Duration::from_secs(10))
        .unwrap();
    assert_eq!(got.len(), 2, "both publishes survived the refused open");
    ns.close().unwrap();
}

/// How a test restarts a namespace.
#[derive(Clone, Copy, Debug)]
enum Restart {
    /// `close` (writes the index) and open: the state is restored from the index snapshot.
    Clean,
    /// Drop without close after the index was written before the releases: loaded, then the
    /// `Release` records replayed.
    Crash,
    /// Drop without close, and the index lost: the whole WAL replayed.
    Rebuild,
}

impl Restart {
    const ALL: [Self; 3] = [Self::Clean, Self::Crash, Self::Rebuild];

    fn run(
        self,
        ns: Namespace,
        dir: &std::path::Path,
        clock: &Arc<ManualClock>,
        index: &MemoryIndex,
    ) -> Namespace {
        match self {
            Self::Clean => {
                ns.close().unwrap();
                let ns = Namespace::open(dir, options(clock, index)).unwrap();
                match ns.open_report().index {
                    IndexRecovery::Loaded { replayed, .. } => assert_eq!(replayed, 0, "{self:?}"),
                    ref other => panic!("{self:?}: expected Loaded, got {other:?}"),
                }
                ns
            }
            Self::Crash => {
                drop(ns);
                let ns = Namespace::open(dir, options(clock, index)).unwrap();
                match ns.open_report().index {
                    IndexRecovery::Loaded { replayed, .. } => assert!(replayed >= 1, "{self:?}"),
                    ref other => panic!("{self:?}: expected Loaded, got {other:?}"),
                }
                ns
            }
            Self::Rebuild => {
                drop(ns);
                let ns = Namespace::open(dir, options(clock, &MemoryIndex::default())).unwrap();
                assert!(
                    matches!(ns.open_report().index, IndexRecovery::Rebuilt { .. }),
                    "{self:?}"
                );
                ns
            }
        }
    }
}

/// Receives everything available now from `orders`/`all` and acknowledges it: (id, delivery
/// count), by id.
/// Advances `clock` by `ms` and checks that `n` events become available exactly then: none
/// 1 ms before.
fn visible_exactly_after(ns: &Namespace, clock: &ManualClock, ms: u64, n: usize, what: &str) {
    clock.advance(Duration::from_millis(ms - 1));
    assert!(available_now(ns).is_empty(), "{what}: 1 ms early");
    clock.advance(Duration::from_millis(1));
    assert_eq!(available_now(ns).len(), n, "{what}");
}

fn available_now(ns: &Namespace) -> Vec<(String, u32)> {
    let received = ns.receive("orders", "all", 10, NOW).unwrap();
    let tokens: Vec<&str> = received.iter().map(|r| r.lock_token.as_str()).collect();
    let acked = ns.acknowledge("orders", "all", &tokens).unwrap();
    assert_eq!(acked.succeeded.len(), tokens.len());
    let mut got: Vec<(String, u32)> = received
        .iter()
        .map(|r| (id_of(r.json()), r.delivery_count))
        .collect();
    got.sort();
    got
}

/// Issue 7: the `Release` record carries its delay, so after a restart with the wall clock
/// stepped back by hours an event released with no delay is available at once, and one released
/// with delay D exactly D of monotonic time after the restart (not up to an hour later), whether
/// the state comes from the index snapshot, the index plus replay, or a full replay.
#[test]
fn releases_wait_their_own_delay_after_a_restart_with_the_wall_clock_back() {
    for back_hours in [3, 30] {
        for restart in Restart::ALL {
            let dir = tempfile::tempdir().unwrap();
            let clock = clock();
            let index = MemoryIndex::default();
            let ns = open(dir.path(), &clock, &index);
            ns.publish(
                "orders",
                &[
                    event("a", "T"),
                    event("b", "T"),
                    event("c", "T"),
                    event("d", "T"),
                ],
            )
            .unwrap();
            ns.run_maintenance().unwrap(); // the index covers the publishes only
            let got = ns.receive("orders", "all", 4, NOW).unwrap();
            let token = |id: &str| {
                got.iter()
                    .find(|r| id_of(r.json()) == id)
                    .map(|r| r.lock_token.clone())
                    .unwrap()
            };
            for (id, delay) in [
                ("a", ReleaseDelay::Zero),
                ("b", ReleaseDelay::TenSeconds),
                ("c", ReleaseDelay::OneMinute),
            ] {
                let outcome = ns.release("orders", "all", &[&token(id)], delay).unwrap();
                assert_eq!(outcome.succeeded.len(), 1);
            }
            let outcome = ns
                .release_after("orders", "all", &[&token("d")], Duration::from_secs(25))
                .unwrap();
            assert_eq!(outcome.succeeded.len(), 1);
            clock.rewind_wall(Duration::from_hours(back_hours));
            let ns = restart.run(ns, dir.path(), &clock, &index);

            // Milliseconds of monotonic time after the restart at which each became available.
            let restarted = clock.monotonic();
            let mut seen: Vec<(String, u64)> = Vec::new();
            let mut expect = |ns: &Namespace, ids: &[&str]| {
                let got = available_now(ns);
                let at = clock.monotonic().saturating_duration_since(restarted);
                assert_eq!(
                    got.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(),
                    ids,
                    "{restart:?}, wall {back_hours} h back, {at:?} after the restart"
                );
                for (id, count) in got {
                    assert_eq!(count, 2, "{id}");
                    seen.push((id, at.as_millis() as u64));
                }
            };
            expect(&ns, &["a"]);
            for (step_ms, ids) in [
                (9_999, &[][..]),
                (1, &["b"]),
                (14_999, &[]),
                (1, &["d"]),
                (34_999, &[]),
                (1, &["c"]),
            ] {
                clock.advance(Duration::from_millis(step_ms));
                expect(&ns, ids);
            }
            eprintln!(
                "{restart:?} restart, wall clock {back_hours} h back: available after (ms) {seen:?}"
            );
            assert_eq!(
                seen,
                [
                    ("a".to_owned(), 0),
                    ("b".to_owned(), 10_000),
                    ("d".to_owned(), 25_000),
                    ("c".to_owned(), 60_000)
                ]
            );
            ns.close().unwrap();
        }
    }
}

/// Without a clock step, a restart changes nothing: the delay runs on from where it was. A wall
/// clock that went forward while the process was down changes nothing either within one boot
/// (the lock clock does not step); across a reboot it shortens the delay (the wall clock is then
/// the only measure of the downtime), like a lock deadline.
#[test]
fn release_delays_run_on_across_a_restart_and_a_forward_step_shortens_them_only_across_a_reboot() {
    for restart in Restart::ALL {
        let dir = tempfile::tempdir().unwrap();
        let clock = clock();
        let index = MemoryIndex::default();
        let ns = open(dir.path(), &clock, &index);
        ns.publish("orders", &[event("a", "T"), event("b", "T")])
            .unwrap();
        ns.run_maintenance().unwrap();
        let got = ns.receive("orders", "all", 2, NOW).unwrap();
        let tokens: Vec<&str> = got.iter().map(|r| r.lock_token.as_str()).collect();
        let outcome = ns
            .release("orders", "all", &tokens, ReleaseDelay::OneMinute)
            .unwrap();
        assert_eq!(outcome.succeeded.len(), 2);
        clock.advance(Duration::from_secs(20));
        let ns = restart.run(ns, dir.path(), &clock, &index);
        visible_exactly_after(&ns, &clock, 40_000, 2, &format!("{restart:?}: 20 s + 40 s"));
        ns.close().unwrap();

        for reboot in [false, true] {
            let dir = tempfile::tempdir().unwrap();
            let ns = open(dir.path(), &clock, &index);
            ns.publish("orders", &[event("c", "T")]).unwrap();
            ns.run_maintenance().unwrap();
            let got = ns.receive("orders", "all", 1, NOW).unwrap();
            ns.release(
                "orders",
                "all",
                &[&got[0].lock_token],
                ReleaseDelay::OneMinute,
            )
            .unwrap();
            clock.advance_wall(Duration::from_secs(45));
            if reboot {
                clock.reboot();
            }
            let ns = restart.run(ns, dir.path(), &clock, &index);
            let left = if reboot { 15_000 } else { 60_000 };
            visible_exactly_after(
                &ns,
                &clock,
                left,
                1,
                &format!("{restart:?}, reboot {reboot}: 45 s forward, {left} ms left"),
            );
            ns.close().unwrap();
        }
    }
}

/// A data directory written before `Release` carried its delay (tag 8, `ReleaseV1`) still opens
/// and replays: its released event is available at once when the wall clock did not move (or
/// moved within the boot), and bounded by the longest delay (1 h), as that record always was,
/// when it went back across a reboot.
#[test]
fn release_records_written_before_delays_were_recorded_still_replay() {
    use gridlog::record::{Entry, StateRecord, decode};

    for (back, reboot) in [
        (Duration::ZERO, false),
        (Duration::from_hours(5), false),
        (Duration::from_hours(5), true),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let clock = clock();
        let index = MemoryIndex::default();
        let ns = open(dir.path(), &clock, &index);
        ns.publish("orders", &[event("a", "T")]).unwrap();
        assert_eq!(ns.receive("orders", "all", 1, NOW).unwrap().len(), 1);
        ns.close().unwrap();

        // Append the release as an older gridlog wrote it: tag 8, no delay.
        let (wal, _) =
            gridlog::wal::Wal::open(dir.path().join("wal"), common::wal_options()).unwrap();
        let mut lock = None;
        for item in wal.iter_from(wal.first_seq()) {
            let (seq, bytes) = item.unwrap();
            if let StateRecord::Lock { sub, entries, .. } = decode(seq.0, &bytes).unwrap() {
                lock = Some((sub, entries[0].seq, entries[0].delivery_count));
            }
        }
        let (sub, seq, delivery_count) = lock.expect("the receive's Lock record");
        let old = StateRecord::ReleaseV1 {
            sub,
            visible_at_ms: clock.now().unix_millis(),
            entries: vec![Entry {
                seq,
                delivery_count,
            }],
        }
        .encode();
        assert_eq!(old[2], 8, "tag 8");
        wal.append(&old).unwrap();
        wal.close().unwrap();

        clock.rewind_wall(back);
        if reboot {
            clock.reboot();
        }
        let ns = Namespace::open(dir.path(), options(&clock, &index)).unwrap();
        if reboot {
            clock.advance(Duration::from_millis(3_599_999));
            assert!(available_now(&ns).is_empty());
            clock.advance(Duration::from_millis(1));
            assert_eq!(available_now(&ns), [("a".to_owned(), 2)], "bounded by 1 h");
        } else {
            // In the same boot the lock clock did not move, whatever the wall clock did.
            assert_eq!(available_now(&ns), [("a".to_owned(), 2)]);
        }
        ns.close().unwrap();
    }
}
