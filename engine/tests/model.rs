//! Model-based test (proptest-state-machine): a pure in-memory reference model of one namespace
//! (topics, subscriptions, event states per docs/delivery.md) against the engine on a
//! crash-simulating file system. Transitions: publish, receive, acknowledge, release, reject,
//! renew (1–3 tokens per call), advance the clock, maintenance sweep (with segment reclamation),
//! delete + re-create a subscription, clean reopen, process crash (drop without close), and power
//! loss (wal's `CrashFs`, every outcome; half the time the index is lost too).
//!
//! A reopen and a process crash are restarts within one boot of the machine (the same
//! `ManualClock`: the lock clock's anchor in the data directory is reused); a power loss is a
//! reboot too (`ManualClock::reboot`: a new boot id, the anchor taken again). The model's clock
//! never steps the wall clock, so both give the same deadlines; wall steps are
//! `tests/tests/clock_jumps.rs`'s.
//!
//! Every operation is acknowledged only after its fsync (default durability), so after any
//! crash the engine must answer exactly as the model does.
//!
//! Cases: `PROPTEST_CASES` (default 256), 100–110 steps each. Seed: `GRIDLOG_MODEL_SEED`
//! (printed). Failures shrink and print the minimal transition sequence.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    reason = "a test fails loudly by design; indexes and times are small"
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use common::{NOW, START_MS, clock, event, id_of, seed, vfs_options};
use gridlog::index::MemoryIndex;
use gridlog::wal::testing::{CrashFs, Outcome};
use gridlog::{ManualClock, Namespace, NamespaceConfig, ReleaseDelay};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngSeed, TestRunner};
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest};

const ROOT: &str = "/model";
/// Segments reclaimed across all cases (printed: proves reclamation ran under the model).
static PURGED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
/// Subscriptions by engine creation order: (topic, name).
const SUBS: [(&str, &str); 3] = [("orders", "work"), ("orders", "other"), ("dlq", "dead")];

fn model_config() -> NamespaceConfig {
    NamespaceConfig::from_json_str(
        r#"{"topics":[
        {"name":"orders","properties":{"eventRetentionInDays":1},"eventSubscriptions":[
          {"name":"work","properties":{"deliveryConfiguration":{"deliveryMode":"Queue","queue":{
            "receiveLockDurationInSeconds":60,"maxDeliveryCount":3,"eventTimeToLive":"PT10M",
            "deadLetterTopic":"dlq"}}}},
          {"name":"other","properties":{"deliveryConfiguration":{"deliveryMode":"Queue","queue":{
            "receiveLockDurationInSeconds":60,"maxDeliveryCount":2,"eventTimeToLive":"PT5M"}}}}]},
        {"name":"dlq","properties":{"eventRetentionInDays":1},"eventSubscriptions":[{"name":"dead"}]}]}"#,
    )
    .unwrap()
}

// ---- the reference model -------------------------------------------------------------------

#[derive(Clone, Debug)]
struct MEvent {
    topic: usize,
    id: String,
    published_at: i64,
}

#[derive(Clone, Copy, Debug)]
enum MState {
    Available {
        n: u32,
        visible_at: i64,
    },
    Locked {
        n: u32,
        deadline: i64,
        locked_at: i64,
    },
}

impl MState {
    fn n(self) -> u32 {
        match self {
            Self::Available { n, .. } | Self::Locked { n, .. } => n,
        }
    }

    fn available(self, now: i64) -> bool {
        match self {
            Self::Available { visible_at, .. } => visible_at <= now,
            Self::Locked { deadline, .. } => deadline <= now,
        }
    }
}

#[derive(Clone, Debug)]
struct MSub {
    topic: usize,
    lock_ms: i64,
    max_dc: u32,
    ttl_ms: i64,
    dl_topic: Option<usize>,
    cursor: usize,
    pending: BTreeMap<usize, MState>,
    settled_ahead: BTreeSet<usize>,
    /// Bumped when the subscription is deleted and created again (a new id: old tokens fail).
    generation: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Expect {
    Nothing,
    Received(Vec<(String, u32)>),
    Settled(Vec<bool>),
}

#[derive(Clone, Debug)]
struct Model {
    now: i64,
    log: Vec<MEvent>,
    subs: Vec<MSub>,
    /// Every token handed out: (subscription, its generation, log index, delivery count).
    issued: Vec<(usize, u32, usize, u32)>,
    next_id: u32,
    expect: Expect,
}

#[derive(Clone, Copy, Debug)]
enum SettleKind {
    Ack,
    Release(u64),
    Reject,
    Renew,
}

#[derive(Clone, Debug)]
enum Transition {
    Publish(u8),
    Receive {
        sub: usize,
        max: u32,
    },
    Settle {
        kind: SettleKind,
        tokens: Vec<Index>,
    },
    Advance(u64),
    Maintain,
    /// Delete subscription `other` and create it again with the same configuration.
    RecreateOther,
    Reopen,
    Crash,
    PowerLoss {
        outcome: usize,
        seed: u64,
    },
}

impl Model {
    fn new() -> Self {
        let sub = |topic, lock_s: i64, max_dc, ttl_s: i64, dl_topic| MSub {
            topic,
            lock_ms: lock_s * 1000,
            max_dc,
            ttl_ms: ttl_s * 1000,
            dl_topic,
            cursor: 0,
            pending: BTreeMap::new(),
            settled_ahead: BTreeSet::new(),
            generation: 0,
        };
        Self {
            now: START_MS,
            log: Vec::new(),
            subs: vec![
                sub(0, 60, 3, 600, Some(1)),
                sub(0, 60, 2, 300, None),
                sub(1, 60, 10, 86_400, None),
            ],
            issued: Vec::new(),
            next_id: 0,
            expect: Expect::Nothing,
        }
    }

    /// Dead-letters `idx` from `sub`: settles it and (with a topic) appends the DL event.
    fn dead_letter(&mut self, sub: usize, idx: usize, dl_events: &mut Vec<MEvent>) {
        let s = &mut self.subs[sub];
        if s.pending.remove(&idx).is_none() && idx >= s.cursor {
            s.settled_ahead.insert(idx);
        }
        if let Some(topic) = s.dl_topic {
            dl_events.push(MEvent {
                topic,
                id: self.log[idx].id.clone(),
                published_at: self.now,
            });
        }
    }

    fn dead_letter_due(&self, sub: usize, state: MState, idx: usize) -> bool {
        let s = &self.subs[sub];
        state.n() >= s.max_dc || self.now >= self.log[idx].published_at + s.ttl_ms
    }

    fn receive(&mut self, sub: usize, max: u32) -> Vec<(String, u32)> {
        let max = max as usize;
        let now = self.now;
        let mut locks: Vec<(usize, u32)> = Vec::new();
        let mut dls: Vec<usize> = Vec::new();
        for (&idx, &state) in &self.subs[sub].pending {
            if locks.len() >= max {
                break;
            }
            if !state.available(now) {
                continue;
            }
            if self.dead_letter_due(sub, state, idx) {
                dls.push(idx);
            } else {
                locks.push((idx, state.n() + 1));
            }
        }
        let s = &self.subs[sub];
        let mut cursor = s.cursor;
        if locks.len() < max {
            for idx in s.cursor..self.log.len() {
                if locks.len() >= max {
                    break;
                }
                cursor = idx + 1;
                let ev = &self.log[idx];
                if ev.topic != s.topic
                    || s.pending.contains_key(&idx)
                    || s.settled_ahead.contains(&idx)
                {
                    continue;
                }
                if now >= ev.published_at + s.ttl_ms {
                    dls.push(idx);
                } else {
                    locks.push((idx, 1));
                }
            }
        }
        let mut dl_events = Vec::new();
        for idx in dls {
            self.dead_letter(sub, idx, &mut dl_events);
        }
        self.log.extend(dl_events);
        let s = &mut self.subs[sub];
        for &(idx, n) in &locks {
            s.pending.insert(
                idx,
                MState::Locked {
                    n,
                    deadline: now + s.lock_ms,
                    locked_at: now,
                },
            );
            s.settled_ahead.remove(&idx);
        }
        if cursor > s.cursor {
            s.cursor = cursor;
            s.settled_ahead = s.settled_ahead.split_off(&cursor);
        }
        for &(idx, n) in &locks {
            self.issued.push((sub, self.subs[sub].generation, idx, n));
        }
        locks
            .into_iter()
            .map(|(idx, n)| (self.log[idx].id.clone(), n))
            .collect()
    }

    /// One settlement call: the call names the first token's subscription; each token is judged
    /// against the state before the call (first occurrence of an event wins, tokens of other
    /// subscriptions fail), then the accepted ones are applied in order.
    fn settle(&mut self, kind: SettleKind, tokens: &[Index]) -> Vec<bool> {
        let picked: Vec<(usize, u32, usize, u32)> = tokens
            .iter()
            .map(|token| self.issued[token.index(self.issued.len())])
            .collect();
        let call_sub = picked[0].0;
        let generation = self.subs[call_sub].generation;
        let now = self.now;
        let s = &self.subs[call_sub];
        let lock_ms = s.lock_ms;
        let mut seen = BTreeSet::new();
        let mut accepted = Vec::new();
        let mut results = Vec::new();
        for &(sub, token_generation, idx, dc) in &picked {
            let ok = sub == call_sub
                && token_generation == generation
                && seen.insert(idx)
                && match s.pending.get(&idx) {
                    Some(&MState::Locked {
                        n,
                        deadline,
                        locked_at,
                    }) => {
                        n == dc
                            && deadline > now
                            && (!matches!(kind, SettleKind::Renew) || now < locked_at + 3_600_000)
                    }
                    _ => false,
                };
            if ok {
                accepted.push(idx);
            }
            results.push(ok);
        }
        let mut dl_events = Vec::new();
        for idx in accepted {
            let Some(&MState::Locked { n, locked_at, .. }) = self.subs[call_sub].pending.get(&idx)
            else {
                unreachable!("accepted tokens name locked events");
            };
            match kind {
                SettleKind::Ack => {
                    self.subs[call_sub].pending.remove(&idx);
                }
                SettleKind::Release(secs) => {
                    self.subs[call_sub].pending.insert(
                        idx,
                        MState::Available {
                            n,
                            visible_at: now + secs as i64 * 1000,
                        },
                    );
                }
                SettleKind::Reject => self.dead_letter(call_sub, idx, &mut dl_events),
                SettleKind::Renew => {
                    self.subs[call_sub].pending.insert(
                        idx,
                        MState::Locked {
                            n,
                            deadline: now + lock_ms,
                            locked_at,
                        },
                    );
                }
            }
        }
        self.log.extend(dl_events);
        results
    }

    fn maintain(&mut self) {
        let sweep_end = self.log.len();
        let mut dl_events = Vec::new();
        for sub in 0..self.subs.len() {
            let mut dls: Vec<usize> = self.subs[sub]
                .pending
                .iter()
                .filter(|(_, state)| state.available(self.now))
                .filter(|(idx, state)| self.dead_letter_due(sub, **state, **idx))
                .map(|(idx, _)| *idx)
                .collect();
            let s = &self.subs[sub];
            let mut cursor = s.cursor;
            for idx in s.cursor..sweep_end {
                let ev = &self.log[idx];
                if ev.topic == s.topic
                    && !s.pending.contains_key(&idx)
                    && !s.settled_ahead.contains(&idx)
                {
                    if self.now >= ev.published_at + s.ttl_ms {
                        dls.push(idx);
                    } else {
                        break;
                    }
                }
                cursor = idx + 1;
            }
            for idx in dls {
                self.dead_letter(sub, idx, &mut dl_events);
            }
            let s = &mut self.subs[sub];
            if cursor > s.cursor {
                s.cursor = cursor;
                s.settled_ahead = s.settled_ahead.split_off(&cursor);
            }
        }
        self.log.extend(dl_events);
    }
}

struct Reference;

impl ReferenceStateMachine for Reference {
    type State = Model;
    type Transition = Transition;

    fn init_state() -> BoxedStrategy<Self::State> {
        Just(Model::new()).boxed()
    }

    fn transitions(state: &Self::State) -> BoxedStrategy<Self::Transition> {
        let kind = prop_oneof![
            Just(SettleKind::Ack),
            prop::sample::select(vec![0_u64, 10, 60]).prop_map(SettleKind::Release),
            Just(SettleKind::Reject),
            Just(SettleKind::Renew),
        ];
        let settle = (kind, prop::collection::vec(any::<Index>(), 1..=3))
            .prop_map(|(kind, tokens)| Transition::Settle { kind, tokens });
        let base = prop_oneof![
            3 => (1_u8..=3).prop_map(Transition::Publish),
            4 => (0..SUBS.len(), 1_u32..=4).prop_map(|(sub, max)| Transition::Receive { sub, max }),
            2 => (1_u64..=300).prop_map(Transition::Advance),
            1 => Just(Transition::Maintain),
            1 => Just(Transition::RecreateOther),
            1 => Just(Transition::Reopen),
            1 => Just(Transition::Crash),
            1 => (0..Outcome::ALL.len(), any::<u64>())
                .prop_map(|(outcome, seed)| Transition::PowerLoss { outcome, seed }),
        ];
        if state.issued.is_empty() {
            base.boxed()
        } else {
            prop_oneof![12 => base, 6 => settle].boxed()
        }
    }

    fn preconditions(state: &Self::State, transition: &Self::Transition) -> bool {
        !matches!(transition, Transition::Settle { .. }) || !state.issued.is_empty()
    }

    fn apply(mut state: Self::State, transition: &Self::Transition) -> Self::State {
        state.expect = match transition {
            Transition::Publish(n) => {
                for _ in 0..*n {
                    state.next_id += 1;
                    state.log.push(MEvent {
                        topic: 0,
                        id: format!("e{}", state.next_id),
                        published_at: state.now,
                    });
                }
                Expect::Nothing
            }
            Transition::Receive { sub, max } => Expect::Received(state.receive(*sub, *max)),
            Transition::Settle { kind, tokens } => Expect::Settled(state.settle(*kind, tokens)),
            Transition::Advance(secs) => {
                state.now += *secs as i64 * 1000;
                Expect::Nothing
            }
            Transition::Maintain => {
                state.maintain();
                Expect::Nothing
            }
            Transition::RecreateOther => {
                let old = &state.subs[1];
                state.subs[1] = MSub {
                    cursor: state.log.len(),
                    pending: BTreeMap::new(),
                    settled_ahead: BTreeSet::new(),
                    generation: old.generation + 1,
                    ..old.clone()
                };
                Expect::Nothing
            }
            Transition::Reopen | Transition::Crash | Transition::PowerLoss { .. } => {
                Expect::Nothing
            }
        };
        state
    }
}

// ---- the system under test -----------------------------------------------------------------

struct Harness {
    fs: CrashFs,
    clock: Arc<ManualClock>,
    index: MemoryIndex,
    ns: Option<Namespace>,
    /// Token strings, parallel to the model's `issued`.
    tokens: Vec<String>,
    next_id: u32,
    /// Segments reclaimed so far in this case.
    purged: usize,
}

impl Harness {
    fn open(&mut self) {
        let mut options = vfs_options(&self.clock, &self.index, Arc::new(self.fs.clone()));
        // Tiny segments: maintenance sweeps reclaim segments (checkpoint + purge) under the
        // model too, crashes included.
        options.wal.segment_bytes_target = 2048;
        let ns = Namespace::open(ROOT, options).unwrap();
        self.ns = Some(ns);
    }

    fn ns(&self) -> &Namespace {
        self.ns.as_ref().unwrap()
    }
}

struct EngineTest;

impl StateMachineTest for EngineTest {
    type SystemUnderTest = Harness;
    type Reference = Reference;

    fn init_test(_ref_state: &Model) -> Harness {
        let mut harness = Harness {
            fs: CrashFs::new(),
            clock: clock(),
            index: MemoryIndex::default(),
            ns: None,
            tokens: Vec::new(),
            next_id: 0,
            purged: 0,
        };
        harness.open();
        harness.ns().apply_config(&model_config()).unwrap();
        harness
    }

    fn apply(mut sut: Harness, model: &Model, transition: Transition) -> Harness {
        match transition {
            Transition::Publish(n) => {
                let events: Vec<_> = (0..n)
                    .map(|_| {
                        sut.next_id += 1;
                        event(&format!("e{}", sut.next_id), "T")
                    })
                    .collect();
                sut.ns().publish("orders", &events).unwrap();
            }
            Transition::Receive { sub, max } => {
                let (topic, name) = SUBS[sub];
                let got = sut.ns().receive(topic, name, max, NOW).unwrap();
                let seen: Vec<(String, u32)> = got
                    .iter()
                    .map(|r| (id_of(r.json()), r.delivery_count))
                    .collect();
                assert_eq!(
                    Expect::Received(seen),
                    model.expect,
                    "receive {topic}/{name}"
                );
                sut.tokens.extend(got.into_iter().map(|r| r.lock_token));
            }
            Transition::Settle { kind, tokens } => {
                let (sub, _, _, _) = model.issued[tokens[0].index(model.issued.len())];
                let tokens: Vec<String> = tokens
                    .iter()
                    .map(|token| sut.tokens[token.index(sut.tokens.len())].clone())
                    .collect();
                let refs: Vec<&str> = tokens.iter().map(String::as_str).collect();
                let (topic, name) = SUBS[sub];
                let ns = sut.ns();
                let outcome = match kind {
                    SettleKind::Ack => ns.acknowledge(topic, name, &refs),
                    SettleKind::Release(secs) => {
                        ns.release(topic, name, &refs, ReleaseDelay::from_secs(secs).unwrap())
                    }
                    SettleKind::Reject => ns.reject(topic, name, &refs),
                    SettleKind::Renew => ns.renew_locks(topic, name, &refs),
                }
                .unwrap();
                assert_eq!(
                    outcome.succeeded.len() + outcome.failed.len(),
                    refs.len(),
                    "one result per token"
                );
                // Both lists keep the input order: merge them back into per-token results.
                let (mut ok, mut failed) = (0, 0);
                let per_token: Vec<bool> = refs
                    .iter()
                    .map(|token| {
                        if outcome.succeeded.get(ok).is_some_and(|t| t == token) {
                            ok += 1;
                            true
                        } else {
                            assert_eq!(outcome.failed[failed].lock_token, *token);
                            assert_eq!(outcome.failed[failed].code, "TokenLost");
                            failed += 1;
                            false
                        }
                    })
                    .collect();
                assert_eq!(
                    Expect::Settled(per_token),
                    model.expect,
                    "{kind:?} on {topic}/{name}"
                );
            }
            Transition::Advance(secs) => sut.clock.advance(Duration::from_secs(secs)),
            Transition::RecreateOther => {
                let config = model_config().topics[0].subscriptions[1].clone();
                sut.ns().delete_subscription("orders", "other").unwrap();
                sut.ns().put_subscription("orders", config).unwrap();
            }
            Transition::Maintain => {
                let report = sut.ns().run_maintenance().unwrap();
                sut.purged += report.segments_purged;
            }
            Transition::Reopen => {
                sut.ns.take().unwrap().close().unwrap();
                sut.open();
            }
            Transition::Crash => {
                drop(sut.ns.take());
                sut.open();
            }
            Transition::PowerLoss { outcome, seed } => {
                drop(sut.ns.take());
                sut.fs = sut.fs.crash(Outcome::ALL[outcome], seed);
                // The machine comes back in a new boot.
                sut.clock.reboot();
                if seed % 2 == 0 {
                    // Half the time the index is lost with the power too: rebuild from the WAL.
                    sut.index = MemoryIndex::default();
                }
                sut.open();
            }
        }
        sut
    }

    fn check_invariants(sut: &Harness, model: &Model) {
        assert_eq!(sut.tokens.len(), model.issued.len(), "tokens issued");
        // The exact backlog: every event of the subscription's topic not settled (in flight, or
        // at or after its scan position and not settled ahead), through every transition,
        // restarts and power losses included.
        let stats = sut.ns().stats();
        for ((topic, name), s) in SUBS.iter().zip(&model.subs) {
            let ahead = (s.cursor..model.log.len())
                .filter(|idx| {
                    model.log[*idx].topic == s.topic
                        && !s.pending.contains_key(idx)
                        && !s.settled_ahead.contains(idx)
                })
                .count();
            let backlog = stats
                .topics
                .iter()
                .find(|t| t.name == *topic)
                .and_then(|t| t.subscriptions.iter().find(|sub| sub.name == *name))
                .map(|sub| sub.backlog);
            assert_eq!(
                backlog,
                Some((s.pending.len() + ahead) as u64),
                "backlog of {topic}/{name}"
            );
        }
    }

    fn teardown(sut: Harness, _model: Model) {
        PURGED.fetch_add(sut.purged, std::sync::atomic::Ordering::Relaxed);
    }
}

#[test]
fn engine_matches_the_model() {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(256);
    let seed = seed("GRIDLOG_MODEL_SEED", 0x6d6f_6465_6c00);
    let config = Config {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config.clone());
    let started = std::time::Instant::now();
    let result = runner.run(
        &Reference::sequential_strategy(100..=110),
        |(initial, transitions, seen)| {
            EngineTest::test_sequential(config.clone(), initial, transitions, seen);
            Ok(())
        },
    );
    eprintln!(
        "model: {cases} cases of 100-110 steps, seed {seed} (GRIDLOG_MODEL_SEED), {} segments \
         reclaimed, {:.1?}",
        PURGED.load(std::sync::atomic::Ordering::Relaxed),
        started.elapsed()
    );
    if let Err(error) = result {
        panic!("engine diverged from the model (seed {seed}): {error}");
    }
}
