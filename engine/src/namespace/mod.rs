//! [`Namespace`]: what a process links. Topics, subscriptions, publish, receive (long-poll,
//! blocking and async), acknowledge / release / reject / renew, maintenance, stats.
//!
//! Every operation decides under the namespace mutex, appends its record(s) with
//! `Durability::Never` while still holding it (so WAL order is apply order), applies them through
//! [`NamespaceState::apply`], releases the mutex, and then (`Durability::Always`) waits for a
//! group-committed `fdatasync` covering them before returning. Receives only see durable records
//! (the WAL's reads stop at the durable watermark).
//!
//! Files: this one (the handle, configuration, publish, waits, stats, close), `delivery`
//! (receive and settlement decisions, the WAL scan), `maintenance` (sweep, reclamation, index
//! write), `recover` (open: index or rebuild), `deadletter` (dead-letter events), `types`.

mod backlog;
mod deadletter;
mod delivery;
mod maintenance;
mod recover;
mod types;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, Weak};
use std::thread::JoinHandle;
use std::time::Duration;

use event_listener::Listener as _;
use gridlog_format::{Event, EventRecord, billing_units, decode_record};
use gridlog_wal::{Durability, RecordBytes, Seq, SeqRange, StdVfs, Vfs, Wal};
use parking_lot::{Condvar, Mutex, MutexGuard};

pub use deadletter::{DEAD_LETTER_ATTRIBUTES, dead_letter_record, rfc3339_ms};
pub use types::{
    ApplyReport, FailedToken, IndexKind, IndexRecovery, MAINTENANCE_INTERVAL_DEFAULT,
    MaintenanceReport, NamespaceOptions, NamespaceStats, OpenReport, PublishReceipt, Received,
    ReleaseDelay, SettleOutcome, SubscriptionInfo, SubscriptionStats, ThrottleStats, TokenFailure,
    TopicInfo, TopicStats,
};

use crate::anchor::ClockAnchor;
use crate::clock::Clock;
use crate::config::{
    DeliveryMode, NamespaceConfig, SubscriptionConfig, TopicConfig, subscription_to_json_string,
    topic_to_json_string,
};
use crate::error::EngineError;
use crate::index::{MemoryIndex, SledIndex, StateIndex};
use crate::record::{self, StateRecord};
use crate::state::{NamespaceState, Now};
use crate::throttle::{Direction, SharedThrottle};
use crate::token::TokenSecret;
use delivery::SettleOp;
use recover::recover_state;

/// Most events one receive returns.
pub const RECEIVE_EVENTS_MAX: u32 = 100;
/// Longest long-poll the engine accepts (the API's 10–120 s is the caller's to enforce).
pub const RECEIVE_WAIT_MAX: Duration = Duration::from_mins(2);
/// Renewals are refused this long after the lock was taken.
pub const RENEW_WINDOW: Duration = Duration::from_hours(1);
/// Records scanned per mutex hold by one receive before it lets others in.
const SCAN_BUDGET_RECORDS: usize = 4096;
/// Longest real-time sleep of a waiting receive whose clock does not follow real time (tests'
/// `ManualClock`) before it re-reads the clock; also the async ticker's period.
const WAIT_SLICE: Duration = Duration::from_millis(100);
/// Longest sleep of a waiting receive on a real-time clock: locks taken by other receives after
/// the waiter computed its wake-up are noticed within this (publishes and releases wake it).
const WAIT_SLICE_REAL_TIME: Duration = Duration::from_secs(1);
/// The `code` of every failed token.
pub const TOKEN_LOST_CODE: &str = "TokenLost";
/// The `message` of a failed token whose lock is gone.
pub const TOKEN_LOST_MESSAGE: &str = "Token has expired.";
/// The `message` of a failed token that is not a lock token at all.
pub const TOKEN_MALFORMED_MESSAGE: &str =
    "Lock token is malformed: not a lock token as returned by receive.";

/// A namespace: one data directory (`wal/`, `index/`, `clock.anchor`). Cheap to clone (shared handle);
/// `Send + Sync`.
#[derive(Clone)]
pub struct Namespace {
    inner: Arc<Inner>,
}

struct Inner {
    dir: PathBuf,
    wal: Wal,
    state: Mutex<NamespaceState>,
    /// Throughput-unit limits (taken before the state mutex, never while holding it).
    throttle: SharedThrottle,
    clock: Arc<dyn Clock>,
    /// The lock clock's anchor for this boot (`None`: lock time is wall time).
    anchor: Option<ClockAnchor>,
    durability: Durability,
    record_bytes_max: usize,
    index: Arc<dyn StateIndex>,
    /// Wake-ups per topic id: publishes, releases and dead-letter publishes notify their topic;
    /// close, poisoning and the async ticker notify all.
    wakers: Mutex<std::collections::HashMap<u32, Arc<event_listener::Event>>>,
    /// For waiters on a topic that does not exist (their receive fails at once anyway).
    notify: event_listener::Event,
    poisoned: AtomicBool,
    closed: AtomicBool,
    async_waiters: AtomicUsize,
    ticker: OnceLock<()>,
    stop: Mutex<bool>,
    stop_cv: Condvar,
    maintenance: Mutex<Option<JoinHandle<()>>>,
    report: OpenReport,
}

impl std::fmt::Debug for Namespace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Namespace")
            .field("dir", &self.inner.dir)
            .finish_non_exhaustive()
    }
}

fn not_found_topic(topic: &str) -> EngineError {
    EngineError::NotFound {
        kind: "topic",
        name: topic.to_owned(),
    }
}

fn not_found_sub(topic: &str, sub: &str) -> EngineError {
    EngineError::NotFound {
        kind: "subscription",
        name: format!("{topic}/{sub}"),
    }
}

fn ms(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

fn crc(bytes: &[u8]) -> u32 {
    crc32fast::hash(bytes)
}

/// The structured JSON of the event a publishing record carries, as a range of `bytes`.
fn event_json_range(seq: u64, bytes: &RecordBytes) -> Result<std::ops::Range<usize>, EngineError> {
    let rec = record::decode(seq, bytes)?;
    let (_, _, event) = rec.published().ok_or_else(|| EngineError::Corrupt {
        seq,
        reason: "expected a record that publishes an event".to_owned(),
    })?;
    let json = decode_record(event)
        .map_err(|error| EngineError::Corrupt {
            seq,
            reason: error.to_string(),
        })?
        .json();
    let start = (json.as_ptr() as usize).saturating_sub(bytes.as_ptr() as usize);
    Ok(start..start + json.len())
}

impl Namespace {
    /// Opens (recovering) or creates the namespace in `dir`.
    #[expect(
        clippy::needless_pass_by_value,
        reason = "the options are the caller's to give away; taking them by value is the API"
    )]
    pub fn open(dir: impl AsRef<Path>, options: NamespaceOptions) -> Result<Self, EngineError> {
        let dir = dir.as_ref().to_path_buf();
        let mut wal_options = options.wal.clone();
        wal_options.durability = options.durability;
        let wal_dir = dir.join("wal");
        let (wal, wal_report) = match &options.vfs {
            Some(vfs) => Wal::open_with_vfs(vfs.clone(), &wal_dir, wal_options)?,
            None => Wal::open(&wal_dir, wal_options)?,
        };
        let clock = options.clock.clone();
        let created = wal.next_seq() == Seq::FIRST;
        // The lock clock's anchor for this boot, found or taken (and persisted) before any
        // record that reads the lock clock is appended; under the WAL's directory lock.
        let vfs: Arc<dyn Vfs> = options.vfs.clone().unwrap_or_else(|| Arc::new(StdVfs));
        let (anchor, anchor_report) = crate::anchor::establish(&*vfs, &dir, &*clock, created);
        let now = read_now(&*clock, anchor);
        if created {
            let secret = TokenSecret::generate().map_err(EngineError::NoRandomness)?;
            let rec = StateRecord::Created {
                secret: *secret.as_bytes(),
                created_at_ms: now.wall_ms,
            };
            wal.append_with(&[&rec.encode()], Durability::Never)?;
            wal.sync()?;
        }
        let index: Arc<dyn StateIndex> = match &options.index {
            IndexKind::Memory => Arc::new(MemoryIndex::default()),
            IndexKind::Custom(index) => index.clone(),
            IndexKind::Sled => {
                let index_dir = dir.join("index");
                // An index sled cannot open is derived state: discard it and rebuild.
                let sled = match SledIndex::open(&index_dir) {
                    Ok(sled) => sled,
                    Err(_) => SledIndex::recreate(&index_dir)?,
                };
                Arc::new(sled)
            }
        };
        let now = read_now(&*clock, anchor);
        let (mut state, recovery) = recover_state(&wal, &*index, now, created)?;
        backlog::recount(&wal, &mut state, now)?;
        backlog::expire_on_open(&wal, &mut state, now)?;
        let throttle = SharedThrottle::new(clock.monotonic());
        let inner = Arc::new(Inner {
            dir,
            wal,
            state: Mutex::new(state),
            throttle,
            clock,
            anchor,
            durability: options.durability,
            record_bytes_max: options.wal.record_bytes_max as usize,
            index,
            wakers: Mutex::new(std::collections::HashMap::new()),
            notify: event_listener::Event::new(),
            poisoned: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            async_waiters: AtomicUsize::new(0),
            ticker: OnceLock::new(),
            stop: Mutex::new(false),
            stop_cv: Condvar::new(),
            maintenance: Mutex::new(None),
            report: OpenReport {
                wal: wal_report,
                index: recovery,
                clock: anchor_report,
            },
        });
        if let Some(every) = options.maintenance_interval {
            let weak = Arc::downgrade(&inner);
            let handle = std::thread::Builder::new()
                .name("gridlog-maintenance".into())
                .spawn(move || maintenance_loop(&weak, every))
                .map_err(|source| EngineError::Thread {
                    name: "gridlog-maintenance",
                    source,
                })?;
            *inner.maintenance.lock() = Some(handle);
        }
        Ok(Self { inner })
    }

    /// What open found and did.
    pub fn open_report(&self) -> &OpenReport {
        &self.inner.report
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    // ---- configuration ----------------------------------------------------------------------

    /// Creates or updates every topic and subscription named in `config`. Idempotent. Topics
    /// and subscriptions that exist but are not named are left alone (never deleted). Access
    /// keys and policies are the server's business and ignored here. `throughputUnits`, when
    /// present, replaces the namespace's (at once); absent, it is left as it is.
    pub fn apply_config(&self, config: &NamespaceConfig) -> Result<ApplyReport, EngineError> {
        config.validate()?;
        let mut report = ApplyReport::default();
        let inner = &self.inner;
        let mut st = inner.lock_state()?;
        // Validate the merged result first, so a failure changes nothing.
        let mut merged = current_config(&st, inner.throttle.units());
        if config.throughput_units.is_some() {
            merged.throughput_units = config.throughput_units;
        }
        for topic in &config.topics {
            merge_topic(&mut merged, topic);
        }
        merged.validate()?;
        inner
            .throttle
            .set_units(merged.throughput_units, inner.clock.monotonic());
        let now = inner.now();
        let mut records: Vec<Vec<u8>> = Vec::new();
        let mut next_topic = st.next_topic_id;
        let mut next_sub = st.next_sub_id;
        let mut seq = inner.wal.next_seq().0;
        for topic in &config.topics {
            let json = topic_to_json_string(&topic_without_subs(topic));
            let existing = st.topic_id(&topic.name);
            let id = existing.unwrap_or_else(|| {
                next_topic += 1;
                next_topic - 1
            });
            if existing.is_some_and(|id| st.topics[&id].config_json == json) {
                report.unchanged += 1;
            } else {
                records.push(
                    StateRecord::TopicPut {
                        id,
                        config_json: &json,
                    }
                    .encode(),
                );
                seq += 1;
                if existing.is_some() {
                    report.topics_updated.push(topic.name.clone());
                } else {
                    report.topics_created.push(topic.name.clone());
                }
            }
            for sub in &topic.subscriptions {
                let json = subscription_to_json_string(sub);
                let existing = st.sub_id(id, &sub.name);
                match existing {
                    Some(sub_id) if st.subs[&sub_id].config_json == json => report.unchanged += 1,
                    Some(sub_id) => {
                        records.push(
                            StateRecord::SubscriptionPut {
                                id: sub_id,
                                topic: id,
                                config_json: &json,
                                start_seq: 0,
                            }
                            .encode(),
                        );
                        seq += 1;
                        report
                            .subscriptions_updated
                            .push(format!("{}/{}", topic.name, sub.name));
                    }
                    None => {
                        let sub_id = next_sub;
                        next_sub += 1;
                        records.push(
                            StateRecord::SubscriptionPut {
                                id: sub_id,
                                topic: id,
                                config_json: &json,
                                start_seq: seq + 1,
                            }
                            .encode(),
                        );
                        seq += 1;
                        report
                            .subscriptions_created
                            .push(format!("{}/{}", topic.name, sub.name));
                    }
                }
            }
        }
        let encoded = records;
        if !encoded.is_empty() {
            inner.append_apply_encoded(&mut st, &encoded, now)?;
        }
        if st.subs.values().any(crate::state::SubState::needs_recount) {
            // New filters: the backlog is counted again from the log, all of which must be
            // durable to be read (a rare configuration change holds the lock over this sync).
            inner.wal.sync().inspect_err(|_| inner.poison())?;
            backlog::recount(&inner.wal, &mut st, now)?;
        }
        drop(st);
        if !encoded.is_empty() {
            inner.sync()?;
        }
        Ok(report)
    }

    /// Creates or updates a topic (its `subscriptions` are put too; unnamed ones are kept).
    pub fn put_topic(&self, topic: TopicConfig) -> Result<ApplyReport, EngineError> {
        self.apply_config(&NamespaceConfig {
            access_keys: Vec::new(),
            throughput_units: None,
            shared_access_policies: Vec::new(),
            event_hubs: Vec::new(),
            topics: vec![topic],
        })
    }

    /// Deletes a topic and its subscriptions. Refused (configuration error) while another
    /// topic's subscription dead-letters into it.
    pub fn delete_topic(&self, name: &str) -> Result<(), EngineError> {
        let inner = &self.inner;
        let mut st = inner.lock_state()?;
        let id = st.topic_id(name).ok_or_else(|| not_found_topic(name))?;
        let mut merged = current_config(&st, None);
        merged
            .topics
            .retain(|topic| !topic.name.eq_ignore_ascii_case(name));
        merged.validate()?;
        let now = inner.now();
        inner.append_apply(&mut st, &[StateRecord::TopicDeleted { id }], now)?;
        drop(st);
        inner.sync()
    }

    /// The topic named `name`, with its subscriptions.
    pub fn topic(&self, name: &str) -> Option<TopicInfo> {
        let st = self.inner.state.lock();
        let id = st.topic_id(name)?;
        Some(topic_info(&st, id))
    }

    /// Every topic.
    pub fn topics(&self) -> Vec<TopicInfo> {
        let st = self.inner.state.lock();
        st.topics.keys().map(|id| topic_info(&st, *id)).collect()
    }

    /// Creates or updates a subscription of `topic`. A new subscription sees only events
    /// published after this call.
    pub fn put_subscription(
        &self,
        topic: &str,
        subscription: SubscriptionConfig,
    ) -> Result<ApplyReport, EngineError> {
        let mut topic_config = {
            let st = self.inner.state.lock();
            let id = st.topic_id(topic).ok_or_else(|| not_found_topic(topic))?;
            st.topics[&id].config.clone()
        };
        topic_config.subscriptions = vec![subscription];
        self.put_topic(topic_config)
    }

    /// Deletes a subscription (its in-flight state is gone; its tokens fail).
    pub fn delete_subscription(&self, topic: &str, name: &str) -> Result<(), EngineError> {
        let inner = &self.inner;
        let mut st = inner.lock_state()?;
        let topic_id = st.topic_id(topic).ok_or_else(|| not_found_topic(topic))?;
        let id = st
            .sub_id(topic_id, name)
            .ok_or_else(|| not_found_sub(topic, name))?;
        let now = inner.now();
        inner.append_apply(&mut st, &[StateRecord::SubscriptionDeleted { id }], now)?;
        drop(st);
        inner.sync()
    }

    /// One subscription.
    pub fn subscription(&self, topic: &str, name: &str) -> Option<SubscriptionInfo> {
        let st = self.inner.state.lock();
        let topic_id = st.topic_id(topic)?;
        let id = st.sub_id(topic_id, name)?;
        Some(sub_info(&st, id))
    }

    /// The subscriptions of `topic`.
    pub fn subscriptions(&self, topic: &str) -> Result<Vec<SubscriptionInfo>, EngineError> {
        let st = self.inner.state.lock();
        let topic_id = st.topic_id(topic).ok_or_else(|| not_found_topic(topic))?;
        Ok(st
            .subs
            .values()
            .filter(|sub| sub.topic == topic_id)
            .map(|sub| sub_info(&st, sub.id))
            .collect())
    }

    // ---- publish ----------------------------------------------------------------------------

    /// Stores `events` in `topic` (one WAL batch); returns once durable (default durability).
    /// With throughput units configured, the batch is accepted whole or refused whole
    /// ([`EngineError::Throttled`]).
    pub fn publish(&self, topic: &str, events: &[Event]) -> Result<PublishReceipt, EngineError> {
        let inner = &self.inner;
        let bytes: u64 = events.iter().map(|event| event.size() as u64).sum();
        inner.throttle(Direction::Ingress, events.len() as u64, bytes)?;
        let event_records: Vec<EventRecord<'_>> =
            events.iter().map(EventRecord::from_event).collect();
        let billing = events
            .iter()
            .map(|event| billing_units(event.size() as u64))
            .sum();
        let mut st = inner.lock_state()?;
        let topic_id = st.topic_id(topic).ok_or_else(|| not_found_topic(topic))?;
        if events.is_empty() {
            let next = inner.wal.next_seq();
            return Ok(PublishReceipt {
                events: 0,
                billing_units: 0,
                seqs: SeqRange {
                    start: next,
                    end: next,
                },
            });
        }
        let now = inner.now();
        let published_at_ms = now.wall_ms.max(st.last_published_at_ms);
        // One pass per event, into one buffer for the batch: the state record embeds the event
        // record as it is encoded; the records applied borrow their event bytes from it.
        // Sized for the batch: an event's record is its JSON plus its type, subject, time and a
        // few framing bytes (an underestimate only costs a reallocation).
        let mut buf: Vec<u8> = Vec::with_capacity(
            events
                .iter()
                .map(|event| {
                    event.size()
                        + event.event_type().len()
                        + event.subject().map_or(0, str::len)
                        + PUBLISH_RECORD_SLACK_BYTES
                })
                .sum(),
        );
        let ranges: Vec<_> = event_records
            .iter()
            .map(|event| {
                StateRecord::encode_publish_into(topic_id, published_at_ms, event, &mut buf)
            })
            .collect();
        let encoded: Vec<&[u8]> = ranges.iter().map(|(rec, _)| &buf[rec.clone()]).collect();
        let records: Vec<StateRecord<'_>> = ranges
            .iter()
            .map(|(_, event)| StateRecord::Publish {
                topic: topic_id,
                published_at_ms,
                event: record::Bytes(&buf[event.clone()]),
            })
            .collect();
        let seqs = inner.append_encoded_apply(
            &mut st,
            &encoded,
            &records,
            now,
            crate::limits::PUBLISH_SEGMENT_RESERVE_BYTES,
        )?;
        drop(st);
        inner.sync_to(seqs.end)?;
        inner.notify_topic(topic_id);
        Ok(PublishReceipt {
            events: events.len(),
            billing_units: billing,
            seqs,
        })
    }

    // ---- receive ----------------------------------------------------------------------------

    /// Receives up to `max_events` (1–100) events, locking each for the subscription's lock
    /// duration. Returns at once if any is available; otherwise waits up to `max_wait` (≤ 120 s)
    /// for a publish, a delayed release or an expiring lock. An empty vector means none came.
    pub fn receive(
        &self,
        topic: &str,
        sub: &str,
        max_events: u32,
        max_wait: Duration,
    ) -> Result<Vec<Received>, EngineError> {
        check_receive_args(max_events, max_wait)?;
        let inner = &self.inner;
        let deadline = inner.clock.monotonic().saturating_add(max_wait);
        loop {
            let listener = inner.listen(topic);
            let (got, wake) = inner.try_receive(topic, sub, max_events, DeliveryMode::Queue)?;
            if !got.is_empty() {
                return Ok(got);
            }
            let now = inner.clock.monotonic();
            if scan_again(wake, now) {
                continue;
            }
            if now >= deadline {
                return Ok(got);
            }
            let until = wake.map_or(deadline, |wake| wake.min(deadline));
            let slice = if inner.clock.tracks_real_time() {
                WAIT_SLICE_REAL_TIME
            } else {
                WAIT_SLICE
            };
            let sleep = until.saturating_duration_since(now).min(slice);
            if !sleep.is_zero() {
                let _woken = listener.wait_timeout(sleep);
            }
        }
    }

    /// [`receive`](Self::receive) as a future (no runtime needed: wake-ups come from
    /// `event-listener` and a namespace ticker thread). The receive itself runs on the polling
    /// thread (a WAL scan and, under `Always`, an fsync), like any blocking-tolerant call.
    pub fn receive_async(
        &self,
        topic: &str,
        sub: &str,
        max_events: u32,
        max_wait: Duration,
    ) -> impl Future<Output = Result<Vec<Received>, EngineError>> + Send + 'static {
        self.receive_mode_async(topic, sub, max_events, max_wait, DeliveryMode::Queue)
    }

    /// [`receive_async`](Self::receive_async) for a **push** subscription (and only for one):
    /// what a push dispatcher calls to take the next events to deliver. Locks, delivery counts,
    /// `maxDeliveryCount`, TTL, dead-lettering and egress throughput work exactly as for a queue
    /// subscription; the dispatcher settles each event with [`acknowledge`](Self::acknowledge),
    /// [`release_after`](Self::release_after) or [`reject`](Self::reject).
    pub fn receive_push_async(
        &self,
        topic: &str,
        sub: &str,
        max_events: u32,
        max_wait: Duration,
    ) -> impl Future<Output = Result<Vec<Received>, EngineError>> + Send + 'static {
        self.receive_mode_async(topic, sub, max_events, max_wait, DeliveryMode::Push)
    }

    fn receive_mode_async(
        &self,
        topic: &str,
        sub: &str,
        max_events: u32,
        max_wait: Duration,
        mode: DeliveryMode,
    ) -> impl Future<Output = Result<Vec<Received>, EngineError>> + Send + 'static {
        let inner = self.inner.clone();
        let topic = topic.to_owned();
        let sub = sub.to_owned();
        async move {
            check_receive_args(max_events, max_wait)?;
            inner.start_ticker();
            let deadline = inner.clock.monotonic().saturating_add(max_wait);
            loop {
                let listener = inner.listen(&topic);
                let (got, wake) = inner.try_receive(&topic, &sub, max_events, mode)?;
                if !got.is_empty() {
                    return Ok(got);
                }
                let now = inner.clock.monotonic();
                if scan_again(wake, now) {
                    // Let the executor run others between two scan budgets.
                    YieldNow(false).await;
                    continue;
                }
                if now >= deadline {
                    return Ok(got);
                }
                let _guard = AsyncWaiter::new(&inner);
                listener.await;
            }
        }
    }

    // ---- settlement -------------------------------------------------------------------------

    /// Acknowledges deliveries: each succeeds if its token is this subscription's current,
    /// unexpired lock; otherwise it fails with `TokenLost`.
    pub fn acknowledge(
        &self,
        topic: &str,
        sub: &str,
        tokens: &[&str],
    ) -> Result<SettleOutcome, EngineError> {
        self.inner.settle(topic, sub, tokens, &SettleOp::Ack)
    }

    /// Releases deliveries: available again after `delay`.
    pub fn release(
        &self,
        topic: &str,
        sub: &str,
        tokens: &[&str],
        delay: ReleaseDelay,
    ) -> Result<SettleOutcome, EngineError> {
        self.inner
            .settle(topic, sub, tokens, &SettleOp::Release(delay.duration()))
    }

    /// Releases deliveries with any delay up to 1 h (longer is clamped to 1 h): what a push
    /// dispatcher uses for Event Grid's retry schedule (10 s, 30 s, 1 min, 5 min, …), which the
    /// API's [`ReleaseDelay`] values do not cover.
    pub fn release_after(
        &self,
        topic: &str,
        sub: &str,
        tokens: &[&str],
        delay: Duration,
    ) -> Result<SettleOutcome, EngineError> {
        self.inner
            .settle(topic, sub, tokens, &SettleOp::Release(delay))
    }

    /// Rejects deliveries: dead-lettered ("Rejected by the receiver.").
    pub fn reject(
        &self,
        topic: &str,
        sub: &str,
        tokens: &[&str],
    ) -> Result<SettleOutcome, EngineError> {
        self.inner.settle(topic, sub, tokens, &SettleOp::Reject)
    }

    /// Renews locks: deadline = now + lock duration, while within 1 h of the lock.
    pub fn renew_locks(
        &self,
        topic: &str,
        sub: &str,
        tokens: &[&str],
    ) -> Result<SettleOutcome, EngineError> {
        self.inner.settle(topic, sub, tokens, &SettleOp::Renew)
    }

    // ---- maintenance, stats, close ----------------------------------------------------------

    /// One maintenance sweep: retention of in-flight events, dead-lettering of available events
    /// at maxDeliveryCount or past their TTL (in flight or never delivered), a checkpoint plus
    /// segment reclamation when segments can go, and an index write.
    pub fn run_maintenance(&self) -> Result<MaintenanceReport, EngineError> {
        self.inner.run_maintenance()
    }

    /// The namespace's throughput units (`None`: unlimited).
    pub fn throughput_units(&self) -> Option<u32> {
        self.inner.throttle.units()
    }

    /// Sets the throughput units (1–40; `None`: unlimited), effective at once. Refused
    /// (configuration error) when out of range or when the namespace has more topics than the
    /// new value allows (100 per TU). In memory: a restart starts from the configuration given
    /// to [`apply_config`](Self::apply_config).
    pub fn set_throughput_units(&self, units: Option<u32>) -> Result<(), EngineError> {
        let inner = &self.inner;
        let st = inner.lock_state()?;
        current_config(&st, units).validate()?;
        // Under the state mutex: no concurrent configuration change interleaves.
        inner.throttle.set_units(units, inner.clock.monotonic());
        drop(st);
        Ok(())
    }

    /// Meters.
    pub fn stats(&self) -> NamespaceStats {
        let inner = &self.inner;
        let throttle = ThrottleStats {
            throughput_units: inner.throttle.units(),
            throttled_publishes: inner.throttle.refused(Direction::Ingress),
            throttled_receives: inner.throttle.refused(Direction::Delivery),
            throttled_settlements: inner.throttle.refused(Direction::Settlement),
        };
        let st = inner.state.lock();
        let now = inner.now();
        let next = inner.wal.next_seq().0;
        let topics = st
            .topics
            .values()
            .map(|topic| TopicStats {
                name: topic.config.name.clone(),
                events: topic.meters.events,
                bytes: topic.meters.bytes,
                publish_units: topic.meters.publish_units,
                subscriptions: st
                    .subs
                    .values()
                    .filter(|sub| sub.topic == topic.id)
                    .map(|sub| {
                        let locked = sub.pending().values().filter(|p| p.is_locked(now)).count();
                        SubscriptionStats {
                            name: sub.config.name.clone(),
                            backlog: sub.backlog(),
                            unscanned_records: next.saturating_sub(sub.cursor),
                            locked: locked as u64,
                            meters: sub.meters,
                        }
                    })
                    .collect(),
            })
            .collect();
        let segments = inner.wal.segments();
        NamespaceStats {
            topics,
            wal_segments: segments.len(),
            wal_bytes: segments.iter().map(|s| s.bytes).sum(),
            wal_first_seq: inner.wal.first_seq().0,
            wal_next_seq: next,
            throttle,
        }
    }

    /// The WAL's I/O since open: syncs by kind with a latency histogram, writes, segment bytes
    /// used and on disk (see `gridlog_wal::stats`). Lock-free apart from the segment list.
    pub fn wal_stats(&self) -> gridlog_wal::WalStats {
        self.inner.wal.stats()
    }

    /// Writes the index, closes the WAL (sync + close marker) and stops background threads.
    /// Later calls fail with `Closed`.
    pub fn close(&self) -> Result<(), EngineError> {
        let inner = &self.inner;
        inner.stop_background();
        if inner.closed.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        let index_result = if inner.poisoned.load(Ordering::Acquire) {
            Ok(())
        } else {
            inner.write_index().map(|_| ())
        };
        inner.notify_all();
        let wal_result = inner.wal.close();
        inner.index.close()?;
        index_result?;
        wal_result?;
        Ok(())
    }
}

fn check_receive_args(max_events: u32, max_wait: Duration) -> Result<(), EngineError> {
    if !(1..=RECEIVE_EVENTS_MAX).contains(&max_events) {
        return Err(EngineError::InvalidArgument {
            argument: "max_events",
            reason: format!("{max_events} is outside 1..={RECEIVE_EVENTS_MAX}"),
        });
    }
    if max_wait > RECEIVE_WAIT_MAX {
        return Err(EngineError::InvalidArgument {
            argument: "max_wait",
            reason: format!("{max_wait:?} exceeds {RECEIVE_WAIT_MAX:?}"),
        });
    }
    Ok(())
}

/// Whether an empty [`Inner::try_receive`] must be repeated at once, deadline or not: its scan
/// stopped at [`SCAN_BUDGET_RECORDS`] with more of the log to read (`wake` is then the time of
/// the scan), or an event became available since. Without this a receive could answer "nothing"
/// while deliverable events lay further in the log, past other topics' records: a sparse topic
/// such as a dead-letter topic can have its next event many budgets past its subscription's
/// cursor. Each repeat advances the cursor or delivers, so the loop ends.
fn scan_again(wake: Option<crate::clock::MonotonicTime>, now: crate::clock::MonotonicTime) -> bool {
    wake.is_some_and(|wake| wake <= now)
}

/// A future that is pending once (after waking its task) and then ready: a yield point between
/// two scan budgets of an async receive, with no runtime to ask.
struct YieldNow(bool);

impl Future for YieldNow {
    type Output = ();

    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        if self.0 {
            return std::task::Poll::Ready(());
        }
        self.0 = true;
        cx.waker().wake_by_ref();
        std::task::Poll::Pending
    }
}

struct AsyncWaiter<'a>(&'a Inner);

impl<'a> AsyncWaiter<'a> {
    fn new(inner: &'a Inner) -> Self {
        inner.async_waiters.fetch_add(1, Ordering::AcqRel);
        Self(inner)
    }
}

impl Drop for AsyncWaiter<'_> {
    fn drop(&mut self) {
        self.0.async_waiters.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Bytes a publish record needs beyond its JSON, type and subject (record headers, varints,
/// topic, publish and event times): at most 40; only sizes the batch's encoding buffer.
const PUBLISH_RECORD_SLACK_BYTES: usize = 64;

/// Reads the clock: wall, lock (on `anchor`, when it is this boot's) and monotonic time.
fn read_now(clock: &dyn Clock, anchor: Option<ClockAnchor>) -> Now {
    let wall_ms = clock.now().unix_millis();
    let lock_ms = anchor
        .and_then(|anchor| anchor.lock_ms(clock.boot()?))
        .unwrap_or(wall_ms);
    Now {
        wall_ms,
        lock_ms,
        mono: clock.monotonic(),
    }
}

fn maintenance_loop(weak: &Weak<Inner>, every: Duration) {
    loop {
        let Some(inner) = weak.upgrade() else { return };
        {
            let mut stop = inner.stop.lock();
            if *stop {
                return;
            }
            let _timeout = inner.stop_cv.wait_for(&mut stop, every);
            if *stop {
                return;
            }
        }
        // A failed sweep is retried at the next interval; a poisoned namespace fails every call.
        let _report = inner.run_maintenance();
    }
}

fn ticker_loop(weak: &Weak<Inner>) {
    loop {
        let Some(inner) = weak.upgrade() else { return };
        {
            let mut stop = inner.stop.lock();
            if *stop {
                return;
            }
            let _timeout = inner.stop_cv.wait_for(&mut stop, WAIT_SLICE);
            if *stop {
                return;
            }
        }
        if inner.async_waiters.load(Ordering::Acquire) > 0 {
            inner.notify_all();
        }
    }
}

fn topic_without_subs(topic: &TopicConfig) -> TopicConfig {
    TopicConfig {
        name: topic.name.clone(),
        retention_days: topic.retention_days,
        subscriptions: Vec::new(),
    }
}

/// The namespace's topics and subscriptions as a configuration (for validation).
fn current_config(st: &NamespaceState, throughput_units: Option<u32>) -> NamespaceConfig {
    NamespaceConfig {
        access_keys: Vec::new(),
        throughput_units,
        shared_access_policies: Vec::new(),
        event_hubs: Vec::new(),
        topics: st
            .topics
            .keys()
            .map(|id| topic_info(st, *id).config)
            .collect(),
    }
}

fn merge_topic(merged: &mut NamespaceConfig, topic: &TopicConfig) {
    let existing = merged
        .topics
        .iter_mut()
        .find(|t| t.name.eq_ignore_ascii_case(&topic.name));
    match existing {
        Some(existing) => {
            existing.retention_days = topic.retention_days;
            existing.name.clone_from(&topic.name);
            for sub in &topic.subscriptions {
                match existing
                    .subscriptions
                    .iter_mut()
                    .find(|s| s.name.eq_ignore_ascii_case(&sub.name))
                {
                    Some(slot) => *slot = sub.clone(),
                    None => existing.subscriptions.push(sub.clone()),
                }
            }
        }
        None => merged.topics.push(topic.clone()),
    }
}

fn topic_info(st: &NamespaceState, id: u32) -> TopicInfo {
    let topic = &st.topics[&id];
    let mut config = topic.config.clone();
    config.subscriptions = st
        .subs
        .values()
        .filter(|sub| sub.topic == id)
        .map(|sub| sub.config.clone())
        .collect();
    TopicInfo {
        config,
        meters: topic.meters,
    }
}

fn sub_info(st: &NamespaceState, id: u64) -> SubscriptionInfo {
    let sub = &st.subs[&id];
    SubscriptionInfo {
        topic: st.topics[&sub.topic].config.name.clone(),
        config: sub.config.clone(),
        start_seq: sub.start_seq,
    }
}

impl Inner {
    fn now(&self) -> Now {
        read_now(&*self.clock, self.anchor)
    }

    /// Takes `events` and `bytes` from `direction`'s throughput limit, or fails with `Throttled`.
    fn throttle(&self, direction: Direction, events: u64, bytes: u64) -> Result<(), EngineError> {
        self.throttle
            .try_take(direction, events, bytes, || self.clock.monotonic())
            .map_err(|refused| EngineError::Throttled {
                direction: refused.direction,
                retry_after: refused.retry_after,
            })
    }

    fn check_usable(&self) -> Result<(), EngineError> {
        if self.closed.load(Ordering::Acquire) {
            return Err(EngineError::Closed);
        }
        if self.poisoned.load(Ordering::Acquire) {
            return Err(EngineError::Poisoned);
        }
        Ok(())
    }

    fn lock_state(&self) -> Result<MutexGuard<'_, NamespaceState>, EngineError> {
        self.check_usable()?;
        let guard = self.state.lock();
        self.check_usable()?;
        Ok(guard)
    }

    /// After a failed append: a WAL that is not poisoned wrote nothing (a clean `NoSpace` at a
    /// segment roll, a rejected argument), so the state is intact and the namespace stays
    /// usable; otherwise poison.
    fn poison_unless_wal_intact(&self) {
        if self.wal.is_poisoned() {
            self.poison();
        }
    }

    fn poison(&self) {
        self.poisoned.store(true, Ordering::Release);
        self.notify_all();
    }

    /// A listener for wake-ups of `topic` (registered before the receive looks, so nothing that
    /// happens after the look is missed).
    fn listen(&self, topic: &str) -> event_listener::EventListener {
        let id = self.state.lock().topic_id(topic);
        match id {
            Some(id) => self.wakers.lock().entry(id).or_default().listen(),
            None => self.notify.listen(),
        }
    }

    /// Wakes the receives waiting on `topic`.
    fn notify_topic(&self, topic: u32) {
        let waker = self.wakers.lock().get(&topic).cloned();
        if let Some(waker) = waker {
            waker.notify(usize::MAX);
        }
    }

    /// Wakes every waiting receive.
    fn notify_all(&self) {
        let wakers: Vec<Arc<event_listener::Event>> =
            self.wakers.lock().values().cloned().collect();
        for waker in wakers {
            waker.notify(usize::MAX);
        }
        self.notify.notify(usize::MAX);
    }

    /// Appends `records` as one batch (not yet synced) and applies them, under the mutex.
    fn append_apply(
        &self,
        st: &mut NamespaceState,
        records: &[StateRecord<'_>],
        now: Now,
    ) -> Result<SeqRange, EngineError> {
        self.append_apply_reserving(st, records, now, 0)
    }

    /// [`Self::append_apply`], keeping `reserve` bytes of the active segment free
    /// ([`Wal::append_reserving`]): publishes keep room for settlements and checkpoints, so a
    /// full disk stops publishes (`NoSpace`, HTTP 507) while acknowledgements and reclamation go
    /// on.
    fn append_apply_reserving(
        &self,
        st: &mut NamespaceState,
        records: &[StateRecord<'_>],
        now: Now,
        reserve: u64,
    ) -> Result<SeqRange, EngineError> {
        let encoded: Vec<Vec<u8>> = records.iter().map(StateRecord::encode).collect();
        let slices: Vec<&[u8]> = encoded.iter().map(Vec::as_slice).collect();
        self.append_encoded_apply(st, &slices, records, now, reserve)
    }

    /// [`Self::append_apply_reserving`] of records already encoded: `encoded[i]` is the
    /// encoding of `records[i]`.
    fn append_encoded_apply(
        &self,
        st: &mut NamespaceState,
        encoded: &[&[u8]],
        records: &[StateRecord<'_>],
        now: Now,
        reserve: u64,
    ) -> Result<SeqRange, EngineError> {
        debug_assert_eq!(encoded.len(), records.len());
        let range = self
            .wal
            .append_reserving(encoded, Durability::Never, reserve)
            .inspect_err(|_| self.poison_unless_wal_intact())?;
        failpoint!("engine::append::after_wal_before_apply");
        for (offset, rec) in records.iter().enumerate() {
            st.apply(range.start.0 + offset as u64, rec, now)
                .inspect_err(|_| self.poison())?;
        }
        Ok(range)
    }

    fn append_apply_encoded(
        &self,
        st: &mut NamespaceState,
        encoded: &[Vec<u8>],
        now: Now,
    ) -> Result<SeqRange, EngineError> {
        let slices: Vec<&[u8]> = encoded.iter().map(Vec::as_slice).collect();
        let range = self
            .wal
            .append_with(&slices, Durability::Never)
            .inspect_err(|_| self.poison_unless_wal_intact())?;
        for (offset, bytes) in encoded.iter().enumerate() {
            let seq = range.start.0 + offset as u64;
            let rec = record::decode(seq, bytes)?;
            st.apply(seq, &rec, now).inspect_err(|_| self.poison())?;
        }
        Ok(range)
    }

    /// Makes what was appended durable (group commit), per the namespace's durability.
    fn sync(&self) -> Result<(), EngineError> {
        failpoint!("engine::append::after_apply_before_sync");
        if self.durability == Durability::Always {
            self.wal.sync().inspect_err(|_| self.poison())?;
        }
        Ok(())
    }

    /// [`Self::sync`] of the records before `end` only (the caller's own, `end` taken under the
    /// state lock right after its append), so that a caller never waits for a sync round that
    /// others' later appends need.
    fn sync_to(&self, end: Seq) -> Result<(), EngineError> {
        failpoint!("engine::append::after_apply_before_sync");
        if self.durability == Durability::Always {
            self.wal.sync_to(end).inspect_err(|_| self.poison())?;
        }
        Ok(())
    }

    /// Starts (once) the thread that wakes async waiters every [`WAIT_SLICE`] so they re-read
    /// the clock (futures have no timer without a runtime).
    fn start_ticker(self: &Arc<Self>) {
        self.ticker.get_or_init(|| {
            let weak = Arc::downgrade(self);
            // Without the thread, async waits still end at the next publish or settle.
            let _spawned = std::thread::Builder::new()
                .name("gridlog-ticker".into())
                .spawn(move || ticker_loop(&weak));
        });
    }

    fn stop_background(&self) {
        *self.stop.lock() = true;
        self.stop_cv.notify_all();
        let handle = self.maintenance.lock().take();
        if let Some(handle) = handle
            && handle.thread().id() != std::thread::current().id()
        {
            let _joined = handle.join();
        }
    }
}
