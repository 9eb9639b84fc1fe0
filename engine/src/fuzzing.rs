//! Bodies of the engine's fuzz targets (`fuzz/fuzz_targets/{lock_token,crash_state}.rs`),
//! shared with the stable corpus replay in `engine/tests/fuzz_corpus.rs`. Feature `fuzzing`
//! (it needs the WAL's crash-simulating file system).
//!
//! Each body panics only when an invariant breaks.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use gridlog_format::{Event, parse_structured};
use gridlog_wal::testing::{CrashFs, Outcome};

use crate::clock::{Clock as _, ManualClock, Timestamp};
use crate::config::NamespaceConfig;
use crate::index::MemoryIndex;
use crate::limits::TOKEN_SECRET_BYTES;
use crate::namespace::{IndexKind, Namespace, NamespaceOptions, ReleaseDelay};
use crate::token::{LockToken, TOKEN_CHARS, TokenError, TokenFields, TokenSecret, fuzz_decode};
use crate::{Durability, WalOptions};

// ---- lock tokens ------------------------------------------------------------------------------

static SECRET: std::sync::LazyLock<TokenSecret> =
    std::sync::LazyLock::new(|| TokenSecret::from_bytes([7; TOKEN_SECRET_BYTES]));
static OTHER_SECRET: std::sync::LazyLock<TokenSecret> =
    std::sync::LazyLock::new(|| TokenSecret::from_bytes([8; TOKEN_SECRET_BYTES]));

/// Lock-token decoding. The input is decoded as a token as it is; then its first 20 bytes
/// choose the fields of a freshly minted token and the rest, in `(position, byte)` pairs,
/// edits the token's text: the edited text must verify if and only if it is unchanged, and a
/// token never verifies under another namespace's secret.
pub fn lock_token(data: &[u8]) {
    fuzz_decode(data);
    if data.len() < 20 {
        return;
    }
    let (head, edits) = data.split_at(20);
    let fields = TokenFields {
        subscription_id: u64::from_le_bytes(array(&head[0..8])),
        seq: u64::from_le_bytes(array(&head[8..16])),
        generation: u32::from_le_bytes(array(&head[16..20])),
    };
    let token = LockToken::mint(&SECRET, fields);
    assert_eq!(token.len(), TOKEN_CHARS);
    assert_eq!(LockToken::verify(&SECRET, &token), Ok(fields));
    assert_eq!(
        LockToken::verify(&OTHER_SECRET, &token),
        Err(TokenError::BadMac),
        "a token verified under another secret"
    );
    let mut text = token.clone().into_bytes();
    for pair in edits.chunks(2) {
        match *pair {
            // Position 0xff truncates: a token cut short must be refused as malformed.
            [0xff, keep] => text.truncate(usize::from(keep) % (TOKEN_CHARS + 1)),
            [at, byte] => {
                let at = usize::from(at);
                if at < text.len() {
                    text[at] = byte;
                } else {
                    text.push(byte);
                }
            }
            _ => {}
        }
    }
    let Ok(edited) = std::str::from_utf8(&text) else {
        return;
    };
    let outcome = LockToken::verify(&SECRET, edited);
    if edited == token {
        assert_eq!(outcome, Ok(fields));
    } else {
        assert!(
            outcome.is_err(),
            "an edited token verified: {token} -> {edited}: {outcome:?}"
        );
        if edited.len() != TOKEN_CHARS {
            assert!(matches!(outcome, Err(TokenError::Malformed { .. })));
        }
    }
}

fn array<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut out = [0_u8; N];
    out.copy_from_slice(bytes);
    out
}

// ---- crash states -----------------------------------------------------------------------------

const DIR: &str = "/ns";
const TOPIC: &str = "orders";
const SUB: &str = "work";
const START_MS: i64 = 1_700_000_000_000;
/// Most workload operations taken from one input.
pub const OPS_MAX: usize = 24;
/// Most receives in one workload, so no event reaches `maxDeliveryCount` (10) before the drain.
const RECEIVES_MAX: usize = 6;
const LOCK_SECS: u64 = 60;

fn config() -> NamespaceConfig {
    let json = r#"{"topics":[{"name":"orders","eventSubscriptions":[{"name":"work","properties":{
      "deliveryConfiguration":{"deliveryMode":"Queue","queue":{"receiveLockDurationInSeconds":60,
      "maxDeliveryCount":10}}}}]}]}"#;
    match NamespaceConfig::from_json_str(json) {
        Ok(config) => config,
        Err(error) => panic!("the fuzz configuration does not parse: {error}"),
    }
}

fn options(clock: &Arc<ManualClock>, fs: &CrashFs) -> NamespaceOptions {
    NamespaceOptions {
        durability: Durability::Always,
        wal: WalOptions {
            // Small segments: the workloads roll.
            segment_bytes_target: 2048,
            preallocate: false,
            prepare_spare: false,
            ..WalOptions::default()
        },
        clock: clock.clone(),
        index: IndexKind::Custom(Arc::new(MemoryIndex::default())),
        vfs: Some(Arc::new(fs.clone())),
        maintenance_interval: None,
    }
}

fn event(id: &str) -> Event {
    let json = format!(
        r#"{{"specversion":"1.0","id":"{id}","source":"/fuzz","type":"T","data":{{"pad":"{}"}}}}"#,
        "x".repeat(200)
    );
    match parse_structured(json.as_bytes()) {
        Ok(event) => event,
        Err(error) => panic!("the fuzz event does not parse: {error}"),
    }
}

fn id_of(json: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(json)
        .ok()
        .and_then(|value| value["id"].as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("a delivered event has no id: {json:?}"))
}

/// What one completed workload operation did.
#[derive(Clone, Debug)]
enum Done {
    Published(Vec<String>),
    /// `(id, token, delivery count)` and the lock time.
    Locked(Vec<(String, String, u32)>, i64),
    /// Settled for good (acknowledged or rejected).
    Settled(String),
    /// Released, renewed, or otherwise touched the lock of this event.
    Touched(String),
    Other,
}

#[derive(Clone, Debug)]
struct Step {
    start: usize,
    end: usize,
    done: Done,
}

/// A little reader over the fuzz input.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    fn u64(&mut self) -> u64 {
        let mut bytes = [0_u8; 8];
        for b in &mut bytes {
            *b = self.byte();
        }
        u64::from_le_bytes(bytes)
    }
}

/// The crash-state target. The input chooses the crash outcome, the crash point (as a fraction
/// of the file-system operations the workload made), a seed for the torn or garbled sectors,
/// and the workload: publishes, receives, acknowledgements, releases, rejects, renewals, forged
/// tokens, clock steps, maintenance and clean restarts. After the simulated power loss the
/// namespace must reopen (unless no operation had completed), keep every completed publish,
/// never redeliver a settled event, never lower a delivery count, invent no event, keep
/// untouched live locks with their tokens, and reopen again to the same state.
pub fn crash_state(data: &[u8]) {
    let _ = crash_state_checked(data);
}

/// [`crash_state`], returning how many events the post-crash drain delivered (`None`: nothing
/// had completed before the crash, so there was nothing to check).
pub fn crash_state_checked(data: &[u8]) -> Option<usize> {
    let mut input = Input(data);
    let outcome = Outcome::ALL[usize::from(input.byte()) % Outcome::ALL.len()];
    let point = u16::from_le_bytes([input.byte(), input.byte()]);
    let seed = input.u64();
    let fs = CrashFs::new();
    let clock = Arc::new(ManualClock::new(Timestamp::from_unix_millis(START_MS)));
    let steps = run_workload(&fs, &clock, &mut input);
    let mut replay = fs.replay();
    let total = replay.len();
    let k = usize::try_from(u64::from(point) * total as u64 / u64::from(u16::MAX)).unwrap_or(total);
    replay.advance_to(k);
    let crashed = replay.crash(outcome, seed);
    let what = format!("crash at op {k}/{total} {outcome:?} seed {seed}");
    let delivered = check_after_crash(&crashed, &clock, &steps, k, &what);
    // Recovery is idempotent: a second open (after the first one's drain was acknowledged and
    // the namespace dropped without close) delivers nothing new that was settled.
    let delivered = delivered?;
    let ns = Namespace::open(DIR, options(&clock, &crashed))
        .unwrap_or_else(|error| panic!("{what}: second open failed: {error}"));
    clock.advance(Duration::from_secs(LOCK_SECS + 1));
    let again = ns
        .receive(TOPIC, SUB, 100, Duration::ZERO)
        .unwrap_or_else(|error| panic!("{what}: receive after reopen: {error}"));
    for received in &again {
        let id = id_of(received.json());
        assert!(
            !delivered.contains(&id),
            "{what}: {id}, acknowledged in the drain, came back after a second reopen"
        );
    }
    Some(delivered.len())
}

#[expect(clippy::too_many_lines, reason = "one match arm per operation")]
fn run_workload(fs: &CrashFs, clock: &Arc<ManualClock>, input: &mut Input<'_>) -> Vec<Step> {
    let open = || {
        Namespace::open(DIR, options(clock, fs))
            .unwrap_or_else(|error| panic!("open on a healthy file system failed: {error}"))
    };
    let mut ns = open();
    // The configuration is one WAL batch: a power loss before it is acknowledged may keep a
    // prefix of it (the server re-applies its configuration at every start).
    let start = fs.ops();
    if let Err(error) = ns.apply_config(&config()) {
        panic!("apply_config failed: {error}");
    }
    let mut steps = vec![Step {
        start,
        end: fs.ops(),
        done: Done::Other,
    }];
    let mut held: Vec<(String, String)> = Vec::new();
    let mut next_id = 0_u32;
    let mut receives = 0;
    for _ in 0..OPS_MAX {
        if input.0.is_empty() {
            break;
        }
        let (op, arg) = (input.byte(), input.byte());
        let start = fs.ops();
        let pick = |held: &mut Vec<(String, String)>| {
            (!held.is_empty()).then(|| held.remove(usize::from(arg) % held.len()))
        };
        let done = match op % 10 {
            0 => {
                let ids: Vec<String> = (0..=arg % 3)
                    .map(|_| {
                        next_id += 1;
                        format!("e{next_id}")
                    })
                    .collect();
                let events: Vec<Event> = ids.iter().map(|id| event(id)).collect();
                if let Err(error) = ns.publish(TOPIC, &events) {
                    panic!("publish failed: {error}");
                }
                Done::Published(ids)
            }
            1 if receives < RECEIVES_MAX => {
                receives += 1;
                let got = ns
                    .receive(TOPIC, SUB, u32::from(arg % 4) + 1, Duration::ZERO)
                    .unwrap_or_else(|error| panic!("receive failed: {error}"));
                let locked: Vec<(String, String, u32)> = got
                    .iter()
                    .map(|r| (id_of(r.json()), r.lock_token.clone(), r.delivery_count))
                    .collect();
                held.extend(locked.iter().map(|(id, t, _)| (id.clone(), t.clone())));
                Done::Locked(locked, clock.now().unix_millis())
            }
            kind @ 2..=5 => {
                let Some((id, token)) = pick(&mut held) else {
                    continue;
                };
                let tokens = [token.as_str()];
                let result = match kind {
                    2 => ns.acknowledge(TOPIC, SUB, &tokens),
                    3 => ns.release(TOPIC, SUB, &tokens, ReleaseDelay::Zero),
                    4 => ns.reject(TOPIC, SUB, &tokens),
                    _ => ns.renew_locks(TOPIC, SUB, &tokens),
                };
                let outcome = result.unwrap_or_else(|error| panic!("settle failed: {error}"));
                if kind == 5 && !outcome.succeeded.is_empty() {
                    held.push((id.clone(), token));
                }
                if matches!(kind, 2 | 4) && !outcome.succeeded.is_empty() {
                    Done::Settled(id)
                } else {
                    Done::Touched(id)
                }
            }
            6 => {
                clock.advance(Duration::from_secs(u64::from(arg % 4) * 20));
                Done::Other
            }
            7 => {
                if let Err(error) = ns.run_maintenance() {
                    panic!("maintenance failed: {error}");
                }
                Done::Other
            }
            8 => {
                if arg % 2 == 0
                    && let Err(error) = ns.close()
                {
                    panic!("close failed: {error}");
                }
                drop(ns);
                ns = open();
                Done::Other
            }
            _ => {
                // A forged token and a garbage one: refused one by one, never an error.
                let forged = LockToken::mint(
                    &SECRET,
                    TokenFields {
                        subscription_id: 1,
                        seq: u64::from(arg),
                        generation: 1,
                    },
                );
                let garbage = format!("{arg:02x}-not-a-token");
                let outcome = ns
                    .acknowledge(TOPIC, SUB, &[&forged, &garbage])
                    .unwrap_or_else(|error| panic!("acknowledge of forged tokens failed: {error}"));
                assert!(
                    outcome.succeeded.is_empty() && outcome.failed.len() == 2,
                    "forged tokens were accepted: {outcome:?}"
                );
                Done::Other
            }
        };
        steps.push(Step {
            start,
            end: fs.ops(),
            done,
        });
    }
    drop(ns); // no close: the power loss may come at any point
    steps
}

/// Checks a crash state; returns the events the drain delivered and acknowledged, or `None` if
/// nothing had completed before the crash (and the namespace may legitimately be gone).
#[expect(clippy::too_many_lines, reason = "the invariants, one after the other")]
fn check_after_crash(
    fs: &CrashFs,
    clock: &Arc<ManualClock>,
    steps: &[Step],
    k: usize,
    what: &str,
) -> Option<BTreeSet<String>> {
    let nothing_completed = steps.iter().all(|s| s.end > k);
    let ns = match Namespace::open(DIR, options(clock, fs)) {
        Ok(ns) => ns,
        Err(error) => {
            assert!(nothing_completed, "{what}: open failed: {error}");
            return None;
        }
    };
    if ns.subscription(TOPIC, SUB).is_none() {
        assert!(nothing_completed, "{what}: the configuration was lost");
        return None;
    }
    let completed = || steps.iter().filter(|s| s.end <= k);
    let started = || steps.iter().filter(|s| s.start < k);
    let settled: BTreeSet<&str> = completed()
        .filter_map(|s| match &s.done {
            Done::Settled(id) => Some(id.as_str()),
            _ => None,
        })
        .collect();
    let maybe_settled: BTreeSet<&str> = started()
        .filter_map(|s| match &s.done {
            Done::Settled(id) => Some(id.as_str()),
            _ => None,
        })
        .collect();
    let published: BTreeSet<&str> = completed()
        .filter_map(|s| match &s.done {
            Done::Published(ids) => Some(ids.iter().map(String::as_str)),
            _ => None,
        })
        .flatten()
        .collect();
    let maybe_published: BTreeSet<&str> = started()
        .filter_map(|s| match &s.done {
            Done::Published(ids) => Some(ids.iter().map(String::as_str)),
            _ => None,
        })
        .flatten()
        .collect();
    let mut max_count: BTreeMap<&str, u32> = BTreeMap::new();
    for step in completed() {
        if let Done::Locked(locked, _) = &step.done {
            for (id, _, count) in locked {
                let slot = max_count.entry(id.as_str()).or_default();
                *slot = (*slot).max(*count);
            }
        }
    }
    // Untouched live locks keep their token across the crash.
    let now_ms = clock.now().unix_millis();
    for (i, step) in steps.iter().enumerate().filter(|(_, s)| s.end <= k) {
        let Done::Locked(locked, at_ms) = &step.done else {
            continue;
        };
        let lock_ms = i64::try_from(LOCK_SECS * 1000).unwrap_or(i64::MAX);
        if at_ms + lock_ms <= now_ms {
            continue;
        }
        for (id, token, _) in locked {
            let touched = steps[i + 1..].iter().any(|later| {
                later.start < k
                    && matches!(&later.done, Done::Settled(x) | Done::Touched(x) if x == id)
            });
            // A later receive of the same event can only follow an expiry; skip those too.
            let relocked = steps[i + 1..].iter().any(|later| {
                later.start < k
                    && matches!(&later.done, Done::Locked(l, _) if l.iter().any(|(x, _, _)| x == id))
            });
            if touched || relocked {
                continue;
            }
            let renew = ns
                .renew_locks(TOPIC, SUB, &[token.as_str()])
                .unwrap_or_else(|error| panic!("{what}: renew failed: {error}"));
            assert_eq!(
                renew.succeeded.len(),
                1,
                "{what}: the live lock of {id} lost its token"
            );
        }
    }
    // Drain: let every lock expire, receive and acknowledge everything.
    let mut delivered = BTreeSet::new();
    for _ in 0..4 {
        clock.advance(Duration::from_secs(LOCK_SECS + 1));
        loop {
            let got = ns
                .receive(TOPIC, SUB, 100, Duration::ZERO)
                .unwrap_or_else(|error| panic!("{what}: drain receive failed: {error}"));
            if got.is_empty() {
                break;
            }
            for received in &got {
                let id = id_of(received.json());
                assert!(
                    maybe_published.contains(id.as_str()),
                    "{what}: phantom event {id}"
                );
                assert!(
                    !settled.contains(id.as_str()),
                    "{what}: settled event {id} delivered again"
                );
                if let Some(&before) = max_count.get(id.as_str()) {
                    assert!(
                        received.delivery_count > before,
                        "{what}: the delivery count of {id} went back ({} after {before})",
                        received.delivery_count
                    );
                }
                assert!(
                    delivered.insert(id.clone()),
                    "{what}: {id} delivered twice in the drain"
                );
            }
            let tokens: Vec<&str> = got.iter().map(|r| r.lock_token.as_str()).collect();
            let outcome = ns
                .acknowledge(TOPIC, SUB, &tokens)
                .unwrap_or_else(|error| panic!("{what}: drain acknowledge failed: {error}"));
            assert_eq!(
                outcome.succeeded.len(),
                tokens.len(),
                "{what}: fresh locks refused: {outcome:?}"
            );
        }
    }
    for id in published {
        assert!(
            delivered.contains(id) || maybe_settled.contains(id),
            "{what}: completed publish {id} lost"
        );
    }
    drop(ns);
    Some(delivered)
}
