//! The derived, in-memory state of a namespace and its ONE mutation path, [`NamespaceState::apply`],
//! used both by live operations (after their record is appended) and by replay on open, so live
//! and recovered state cannot differ.
//!
//! Memory is O(in-flight), not O(backlog): a subscription keeps only events that were delivered
//! at least once and are not settled (`pending`), plus the few settled ones above its scan
//! position (`settled_ahead`). Never-delivered events are found by scanning the WAL from `cursor`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::clock::MonotonicTime;
use crate::config::{
    SubscriptionConfig, TopicConfig, subscription_from_json_str, topic_from_json_str,
};
use crate::error::EngineError;
use crate::filter::Filter;
use crate::record::{DeadLetterReason, Entry, LockEntry, StateRecord};
use crate::token::TokenSecret;

mod backlog;
mod snapshot;

pub(crate) use backlog::filter_view;
pub use snapshot::{BillingSnap, PendingSnap, Snapshot, SubSnap, TopicSnap};

/// Longest release delay (1 h). A persisted visibility time is re-derived on apply with the time
/// left clamped to the release's own delay, or to this when the delay is unknown (a tag-8
/// `ReleaseV1` record, or a checkpoint written before delays were recorded).
pub const RELEASE_DELAY_MAX: Duration = Duration::from_hours(1);

/// [`RELEASE_DELAY_MAX`] in milliseconds, as recorded (`delay_ms` of `StateRecord::Release`).
pub const RELEASE_DELAY_MAX_MS: u32 = 3_600_000;

const _: () = assert!(RELEASE_DELAY_MAX.as_millis() == RELEASE_DELAY_MAX_MS as u128);

/// The clamp bound for a recorded release delay: the delay, at most [`RELEASE_DELAY_MAX`] (a
/// damaged or foreign record cannot hide an event for longer).
pub fn release_bound(delay_ms: u32) -> Duration {
    Duration::from_millis(u64::from(delay_ms)).min(RELEASE_DELAY_MAX)
}

/// Publish-time distance between two [`NamespaceState::time_marks`].
pub const TIME_MARK_STEP_MS: i64 = 60_000;

/// One reading of the clock: wall time (publish times, TTL, retention, user-visible times), lock
/// time (persisted lock deadlines, lock times and release visibility times) and monotonic time
/// (in-process expiry).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Now {
    /// Wall clock, Unix ms.
    pub wall_ms: i64,
    /// Lock clock, Unix ms: the boot clock plus the namespace's anchor for this boot
    /// (`crate::anchor`), which never steps within a boot; the wall clock when there is no
    /// anchor.
    pub lock_ms: i64,
    /// Monotonic clock.
    pub mono: MonotonicTime,
}

impl Now {
    /// A reading without a lock clock of its own: lock time is wall time.
    pub const fn on_wall(wall_ms: i64, mono: MonotonicTime) -> Self {
        Self {
            wall_ms,
            lock_ms: wall_ms,
            mono,
        }
    }

    /// The monotonic instant for the persisted lock-clock instant `target_ms`: the remaining
    /// time `target_ms - lock_now`, clamped to `[0, max]` (docs/delivery.md §5).
    pub fn mono_for(self, target_ms: i64, max: Duration) -> MonotonicTime {
        let remaining = u64::try_from(target_ms.saturating_sub(self.lock_ms)).unwrap_or(0);
        self.mono
            .saturating_add(Duration::from_millis(remaining).min(max))
    }
}

/// `ms + duration`, saturating.
pub fn add_ms(ms: i64, duration: Duration) -> i64 {
    ms.saturating_add(i64::try_from(duration.as_millis()).unwrap_or(i64::MAX))
}

/// Where an in-flight event stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PendingState {
    /// Visible to receives from `visible_at` on.
    Available {
        /// Persisted visibility time, on the lock clock ([`Now::lock_ms`]), Unix ms.
        visible_at_ms: i64,
        /// The release delay, ms: the time left until `visible_at_ms` is clamped to it whenever
        /// it is re-derived (after a restart). [`RELEASE_DELAY_MAX_MS`] when unknown.
        delay_ms: u32,
        /// The same, on the monotonic clock.
        visible_at: MonotonicTime,
    },
    /// Locked to one delivery until `deadline`.
    Locked {
        /// When this delivery's lock was taken, on the lock clock, Unix ms (renewals stop 1 h
        /// after it): its first deadline minus the lock duration.
        locked_at_ms: i64,
        /// Persisted deadline, on the lock clock, Unix ms.
        deadline_ms: i64,
        /// The same, on the monotonic clock.
        deadline: MonotonicTime,
    },
}

/// An event delivered at least once and not settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pending {
    /// Deliveries so far (the last token's generation).
    pub delivery_count: u32,
    /// The event's publish time, Unix ms.
    pub published_at_ms: i64,
    /// Time of the last delivery, Unix ms.
    pub last_delivered_at_ms: i64,
    /// The event's 64 KB billing units (what each settlement of it is metered as).
    pub units: u32,
    /// Available or locked.
    pub state: PendingState,
}

impl Pending {
    /// Is it locked at `now` (lock not expired)?
    pub fn is_locked(&self, now: Now) -> bool {
        matches!(self.state, PendingState::Locked { deadline, .. } if deadline > now.mono)
    }

    /// Is it available to a receive at `now` (visible, or its lock expired)?
    pub fn is_available(&self, now: Now) -> bool {
        match self.state {
            PendingState::Available { visible_at, .. } => visible_at <= now.mono,
            PendingState::Locked { deadline, .. } => deadline <= now.mono,
        }
    }

    /// When it next changes by itself (becomes visible or its lock expires), if in the future.
    pub fn next_change(&self, now: Now) -> Option<MonotonicTime> {
        let at = match self.state {
            PendingState::Available { visible_at, .. } => visible_at,
            PendingState::Locked { deadline, .. } => deadline,
        };
        (at > now.mono).then_some(at)
    }
}

/// Per-topic meters (counted by apply; persisted in checkpoints).
///
/// The billing meter is skipped by serde: a [`Snapshot`] carries it in its trailing
/// [`BillingSnap`], which keeps the layout of snapshots written before it a prefix of today's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicMeters {
    /// Events published (including dead-letter events published into it).
    pub events: u64,
    /// Bytes of their event records.
    pub bytes: u64,
    /// Billing units of the events published into it by `publish` (64 KB units per event,
    /// `gridlog_format::billing_units`; dead-letter events are not ingress and not counted).
    #[serde(skip)]
    pub publish_units: u64,
}

/// Per-subscription meters (counted by apply; persisted in checkpoints).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubMeters {
    /// Deliveries made (events locked by receives).
    pub delivered: u64,
    /// Acknowledged.
    pub acked: u64,
    /// Released.
    pub released: u64,
    /// Rejected by receivers.
    pub rejected: u64,
    /// Published into the dead-letter topic (any reason).
    pub dead_lettered: u64,
    /// Dead-lettered without a dead-letter topic.
    pub dropped: u64,
    /// Removed by topic retention (in-memory count since open: not persisted).
    pub expired: u64,
    /// Locks renewed.
    pub renewed: u64,
    /// Billing units of the deliveries made (each delivery of an event counts its 64 KB units).
    /// Carried in a [`Snapshot`]'s [`BillingSnap`], like the next one.
    #[serde(skip)]
    pub delivery_units: u64,
    /// Billing units of the settlements that succeeded: acknowledge, release, reject and renew
    /// lock each count the 64 KB units of the event they settle.
    #[serde(skip)]
    pub settlement_units: u64,
}

/// A topic.
#[derive(Clone, Debug)]
pub struct TopicState {
    /// Id.
    pub id: u32,
    /// Configuration (its `subscriptions` is always empty here).
    pub config: TopicConfig,
    /// The persisted JSON of `config`.
    pub config_json: String,
    /// Meters.
    pub meters: TopicMeters,
}

/// A subscription and its delivery state.
#[derive(Clone, Debug)]
pub struct SubState {
    /// Id.
    pub id: u64,
    /// Its topic's id.
    pub topic: u32,
    /// Configuration.
    pub config: SubscriptionConfig,
    /// The persisted JSON of `config`.
    pub config_json: String,
    /// Compiled filter.
    pub filter: Filter,
    /// It sees events with seq ≥ this.
    pub start_seq: u64,
    /// Every event below it has been scanned.
    pub cursor: u64,
    /// Events at or above `cursor` already settled (dead-lettered by TTL during a scan).
    pub settled_ahead: BTreeSet<u64>,
    /// In-flight events, by seq. Changed only through `put_pending` / `take_pending`, which
    /// keep `due` in step.
    pending: BTreeMap<u64, Pending>,
    /// (next change time, seq) of every in-flight event: visibility for available ones, the
    /// deadline for locked ones. Those at or before now are the redelivery candidates, found
    /// without walking every lock.
    due: BTreeSet<(MonotonicTime, u64)>,
    /// Meters.
    pub meters: SubMeters,
    /// Events waiting (`backlog.rs`): changed only through its methods there.
    backlog: u64,
    /// The backlog must be recounted from the log (`backlog.rs`).
    recount: bool,
}

impl SubState {
    /// A subscription with nothing in flight, scanning from `start_seq`.
    fn new(
        id: u64,
        topic: u32,
        config: SubscriptionConfig,
        config_json: String,
        start_seq: u64,
    ) -> Self {
        Self {
            id,
            topic,
            filter: Filter::new(&config.filters),
            config,
            config_json,
            start_seq,
            cursor: start_seq,
            settled_ahead: BTreeSet::new(),
            pending: BTreeMap::new(),
            due: BTreeSet::new(),
            meters: SubMeters::default(),
            backlog: 0,
            recount: false,
        }
    }

    /// In-flight events by seq.
    pub fn pending(&self) -> &BTreeMap<u64, Pending> {
        &self.pending
    }

    fn due_key(seq: u64, pending: &Pending) -> (MonotonicTime, u64) {
        match pending.state {
            PendingState::Available { visible_at, .. } => (visible_at, seq),
            PendingState::Locked { deadline, .. } => (deadline, seq),
        }
    }

    fn put_pending(&mut self, seq: u64, pending: Pending) {
        if let Some(old) = self.pending.insert(seq, pending) {
            self.due.remove(&Self::due_key(seq, &old));
        }
        self.due.insert(Self::due_key(seq, &pending));
    }

    fn take_pending(&mut self, seq: u64) -> Option<Pending> {
        let old = self.pending.remove(&seq)?;
        self.due.remove(&Self::due_key(seq, &old));
        Some(old)
    }

    /// Seqs of in-flight events available at `now` (visible, or lock expired), ascending.
    pub fn available_seqs(&self, now: Now) -> Vec<u64> {
        let mut seqs: Vec<u64> = self
            .due
            .range(..=(now.mono, u64::MAX))
            .map(|&(_, seq)| seq)
            .collect();
        seqs.sort_unstable();
        seqs
    }

    /// When the next in-flight event becomes available by itself (after `now`), if any.
    pub fn next_change(&self, now: Now) -> Option<MonotonicTime> {
        use std::ops::Bound::{Excluded, Unbounded};
        self.due
            .range((Excluded((now.mono, u64::MAX)), Unbounded))
            .next()
            .map(|&(at, _)| at)
    }

    /// Drops in-flight events published at or before `now - retention_ms` (gone regardless of
    /// state); returns how many. Publish times grow with seq, so they are a prefix.
    pub fn expire_retention(&mut self, now: Now, retention_ms: i64) -> u64 {
        let mut expired = 0;
        while let Some((&seq, pending)) = self.pending.first_key_value()
            && now.wall_ms >= pending.published_at_ms.saturating_add(retention_ms)
        {
            self.take_pending(seq);
            expired += 1;
        }
        self.meters.expired += expired;
        self.unwait(expired);
        expired
    }

    /// Every event below this is settled or not this subscription's.
    pub fn floor(&self) -> u64 {
        self.pending
            .keys()
            .next()
            .copied()
            .unwrap_or(self.cursor)
            .min(self.cursor)
    }

    fn advance_cursor(&mut self, cursor: u64) {
        if cursor > self.cursor {
            self.cursor = cursor;
            self.settled_ahead = self.settled_ahead.split_off(&cursor);
        }
    }

    /// Moves the scan position forward (in memory: events skipped by the filter or retention
    /// need no record, a rescan after a restart decides the same).
    pub fn skip_to(&mut self, cursor: u64) {
        self.advance_cursor(cursor);
    }
}

/// The whole derived state of a namespace.
#[derive(Debug, Default)]
pub struct NamespaceState {
    /// Lock-token secret (from the `Created` record or a checkpoint).
    pub secret: Option<TokenSecret>,
    /// Creation time, Unix ms.
    pub created_at_ms: i64,
    /// Latest publish time (publish times are clamped to be non-decreasing).
    pub last_published_at_ms: i64,
    /// Topics by id.
    pub topics: BTreeMap<u32, TopicState>,
    /// Lower-cased topic name → id.
    pub topic_names: HashMap<String, u32>,
    /// Subscriptions by id.
    pub subs: BTreeMap<u64, SubState>,
    /// (topic id, lower-cased subscription name) → id.
    pub sub_names: HashMap<(u32, String), u64>,
    /// Next topic id.
    pub next_topic_id: u32,
    /// Next subscription id.
    pub next_sub_id: u64,
    /// Highest seq applied.
    pub applied_seq: u64,
    /// Sparse (seq, publish time) marks of the retained log, one per [`TIME_MARK_STEP_MS`] of
    /// publish time: publish times are non-decreasing, so they bound the publish time of every
    /// record (retention of topics without subscriptions, segment reclamation).
    pub time_marks: std::collections::VecDeque<(u64, i64)>,
    /// Subscription ids by topic id (derived; `backlog.rs`).
    topic_subs: HashMap<u32, Vec<u64>>,
    /// Chunks of a checkpoint being assembled (replay).
    checkpoint_buf: Vec<u8>,
    /// The chunk index expected next (0: none in progress).
    checkpoint_next: u32,
}

fn corrupt(seq: u64, reason: impl Into<String>) -> EngineError {
    EngineError::Corrupt {
        seq,
        reason: reason.into(),
    }
}

impl NamespaceState {
    /// An empty state (before the `Created` record).
    pub fn new() -> Self {
        Self {
            next_topic_id: 1,
            next_sub_id: 1,
            ..Self::default()
        }
    }

    /// The topic id for `name` (case-insensitive).
    pub fn topic_id(&self, name: &str) -> Option<u32> {
        self.topic_names.get(&name.to_ascii_lowercase()).copied()
    }

    /// The subscription id for `topic`/`name` (case-insensitive).
    pub fn sub_id(&self, topic: u32, name: &str) -> Option<u64> {
        self.sub_names
            .get(&(topic, name.to_ascii_lowercase()))
            .copied()
    }

    /// The one mutation path: applies the record at `seq`, read at `now`.
    #[expect(clippy::too_many_lines, reason = "one match over every record kind")]
    pub fn apply(
        &mut self,
        seq: u64,
        record: &StateRecord<'_>,
        now: Now,
    ) -> Result<(), EngineError> {
        self.applied_seq = self.applied_seq.max(seq);
        match record {
            StateRecord::Created {
                secret,
                created_at_ms,
            } => {
                self.secret = Some(TokenSecret::from_bytes(*secret));
                self.created_at_ms = *created_at_ms;
            }
            StateRecord::TopicPut { id, config_json } => {
                let config = topic_from_json_str(config_json)
                    .map_err(|error| corrupt(seq, format!("topic config: {error}")))?;
                self.next_topic_id = self.next_topic_id.max(id.saturating_add(1));
                let lower = config.name.to_ascii_lowercase();
                if let Some(topic) = self.topics.get_mut(id) {
                    topic.config = config;
                    (*config_json).clone_into(&mut topic.config_json);
                } else {
                    {
                        if self.topic_names.contains_key(&lower) {
                            return Err(corrupt(seq, "topic name already taken"));
                        }
                        self.topic_names.insert(lower, *id);
                        self.topics.insert(
                            *id,
                            TopicState {
                                id: *id,
                                config,
                                config_json: (*config_json).to_owned(),
                                meters: TopicMeters::default(),
                            },
                        );
                    }
                }
            }
            StateRecord::TopicDeleted { id } => {
                let topic = self
                    .topics
                    .remove(id)
                    .ok_or_else(|| corrupt(seq, "deleting an unknown topic"))?;
                self.topic_names
                    .remove(&topic.config.name.to_ascii_lowercase());
                let subs: Vec<u64> = self
                    .subs
                    .values()
                    .filter(|sub| sub.topic == *id)
                    .map(|sub| sub.id)
                    .collect();
                for sub in subs {
                    self.remove_sub(sub);
                }
            }
            StateRecord::SubscriptionPut {
                id,
                topic,
                config_json,
                start_seq,
            } => {
                let retention = self
                    .topics
                    .get(topic)
                    .ok_or_else(|| corrupt(seq, "subscription of an unknown topic"))?
                    .config
                    .retention();
                let config = subscription_from_json_str(config_json, retention)
                    .map_err(|error| corrupt(seq, format!("subscription config: {error}")))?;
                self.next_sub_id = self.next_sub_id.max(id.saturating_add(1));
                let filter = Filter::new(&config.filters);
                if let Some(sub) = self.subs.get_mut(id) {
                    // New filters apply to events not yet scanned: count those again.
                    sub.recount |= sub.config.filters != config.filters;
                    sub.config = config;
                    sub.filter = filter;
                    (*config_json).clone_into(&mut sub.config_json);
                } else {
                    let key = (*topic, config.name.to_ascii_lowercase());
                    if self.sub_names.contains_key(&key) {
                        return Err(corrupt(seq, "subscription name already taken"));
                    }
                    self.sub_names.insert(key, *id);
                    self.subs.insert(
                        *id,
                        SubState::new(*id, *topic, config, (*config_json).to_owned(), *start_seq),
                    );
                    self.index_sub(*topic, *id);
                }
            }
            StateRecord::SubscriptionDeleted { id } => {
                if !self.subs.contains_key(id) {
                    return Err(corrupt(seq, "deleting an unknown subscription"));
                }
                self.remove_sub(*id);
            }
            StateRecord::Publish {
                topic,
                published_at_ms,
                event,
            } => {
                let size = gridlog_format::decode_record(event.0)
                    .map_err(|error| corrupt(seq, format!("published event: {error}")))?
                    .size();
                self.count_publish(seq, *topic, *published_at_ms, event.0.len());
                if let Some(topic) = self.topics.get_mut(topic) {
                    topic.meters.publish_units += gridlog_format::billing_units(u64::from(size));
                }
                self.count_waiting(seq, *topic, event.0);
            }
            StateRecord::LockV1 {
                sub,
                locked_at_ms,
                deadline_ms,
                cursor,
                entries,
            } => {
                let entries = entries.iter().map(|entry| entry.upgrade());
                self.apply_lock(*sub, *locked_at_ms, *deadline_ms, *cursor, entries, now);
            }
            StateRecord::Lock {
                sub,
                locked_at_ms,
                deadline_ms,
                cursor,
                entries,
            } => {
                let entries = entries.iter().copied();
                self.apply_lock(*sub, *locked_at_ms, *deadline_ms, *cursor, entries, now);
            }
            StateRecord::Ack { sub, entries } => {
                let Some(state) = self.subs.get_mut(sub) else {
                    return Ok(());
                };
                for entry in entries {
                    if let Some(&pending) = state.pending.get(&entry.seq)
                        && pending.delivery_count == entry.delivery_count
                    {
                        state.take_pending(entry.seq);
                        state.unwait(1);
                        state.meters.acked += 1;
                        state.meters.settlement_units += u64::from(pending.units);
                    }
                }
            }
            StateRecord::ReleaseV1 {
                sub,
                visible_at_ms,
                entries,
            } => {
                // The delay was not recorded: the longest one bounds it.
                self.apply_release(*sub, *visible_at_ms, RELEASE_DELAY_MAX_MS, entries, now);
            }
            StateRecord::Release {
                sub,
                visible_at_ms,
                delay_ms,
                entries,
            } => {
                self.apply_release(*sub, *visible_at_ms, *delay_ms, entries, now);
            }
            StateRecord::Renew {
                sub,
                deadline_ms,
                entries,
            } => {
                let Some(state) = self.subs.get_mut(sub) else {
                    return Ok(());
                };
                let new_deadline = now.mono_for(*deadline_ms, state.config.delivery.lock_duration);
                for entry in entries {
                    if let Some(&pending) = state.pending.get(&entry.seq)
                        && pending.delivery_count == entry.delivery_count
                        && let PendingState::Locked { locked_at_ms, .. } = pending.state
                    {
                        state.put_pending(
                            entry.seq,
                            Pending {
                                state: PendingState::Locked {
                                    locked_at_ms,
                                    deadline_ms: *deadline_ms,
                                    deadline: new_deadline,
                                },
                                ..pending
                            },
                        );
                        state.meters.renewed += 1;
                        state.meters.settlement_units += u64::from(pending.units);
                    }
                }
            }
            StateRecord::DeadLetter {
                sub,
                seq: event_seq,
                reason,
                target_topic,
                published_at_ms,
                event,
                ..
            } => {
                if let Some(state) = self.subs.get_mut(sub) {
                    let pending = state.take_pending(*event_seq);
                    let settled = pending.is_some()
                        || (*event_seq >= state.cursor && state.settled_ahead.insert(*event_seq));
                    if settled {
                        state.unwait(1);
                    }
                    if DeadLetterReason::from_byte(*reason) == Some(DeadLetterReason::Rejected) {
                        state.meters.rejected += 1;
                        state.meters.settlement_units +=
                            pending.map_or(1, |pending| u64::from(pending.units));
                    }
                    if target_topic.is_some() {
                        state.meters.dead_lettered += 1;
                    } else {
                        state.meters.dropped += 1;
                    }
                }
                if let Some(topic) = target_topic {
                    self.count_publish(seq, *topic, *published_at_ms, event.0.len());
                    self.count_waiting(seq, *topic, event.0);
                }
            }
            StateRecord::Checkpoint { chunk, count, body } => {
                if *chunk == 0 {
                    self.checkpoint_buf.clear();
                } else if *chunk != self.checkpoint_next {
                    // A chunk without its predecessors (the log starts mid-checkpoint): skip.
                    self.checkpoint_buf.clear();
                    self.checkpoint_next = 0;
                    return Ok(());
                }
                self.checkpoint_buf.extend_from_slice(body.0);
                self.checkpoint_next = chunk.saturating_add(1);
                if chunk.saturating_add(1) == *count {
                    self.checkpoint_next = 0;
                    let bytes = std::mem::take(&mut self.checkpoint_buf);
                    let snapshot = Snapshot::decode(&bytes)
                        .map_err(|error| corrupt(seq, format!("checkpoint: {error}")))?;
                    self.restore(&snapshot, now)
                        .map_err(|error| corrupt(seq, format!("checkpoint: {error}")))?;
                    self.applied_seq = seq;
                }
            }
        }
        Ok(())
    }

    /// Applies a release (`Release`, or `ReleaseV1` with the longest delay): the events become
    /// available at `visible_at_ms`, at most `delay_ms` (≤ 1 h) of monotonic time from `now`.
    fn apply_release(
        &mut self,
        sub: u64,
        visible_at_ms: i64,
        delay_ms: u32,
        entries: &[Entry],
        now: Now,
    ) {
        let Some(state) = self.subs.get_mut(&sub) else {
            return;
        };
        let delay_ms = delay_ms.min(RELEASE_DELAY_MAX_MS);
        let visible_at = now.mono_for(visible_at_ms, release_bound(delay_ms));
        for entry in entries {
            if let Some(&pending) = state.pending.get(&entry.seq)
                && pending.delivery_count == entry.delivery_count
            {
                state.put_pending(
                    entry.seq,
                    Pending {
                        state: PendingState::Available {
                            visible_at_ms,
                            delay_ms,
                            visible_at,
                        },
                        ..pending
                    },
                );
                state.meters.released += 1;
                state.meters.settlement_units += u64::from(pending.units);
            }
        }
    }

    /// Applies a receive's locks (`Lock`, or `LockV1` with 1 unit per entry).
    fn apply_lock(
        &mut self,
        sub: u64,
        locked_at_ms: i64,
        deadline_ms: i64,
        cursor: u64,
        entries: impl Iterator<Item = LockEntry>,
        now: Now,
    ) {
        if self.may_skip_expired(sub, cursor, locked_at_ms)
            && let Some(state) = self.subs.get_mut(&sub)
        {
            state.recount = true;
        }
        let Some(state) = self.subs.get_mut(&sub) else {
            return;
        };
        let lock = state.config.delivery.lock_duration;
        let deadline = now.mono_for(deadline_ms, lock);
        // The record's lock time is the wall clock's (the delivery time users see, as
        // `deliveryattemptutc`); the renewal window runs on the lock clock, from the deadline
        // the lock was taken with.
        let locked_at_lock_ms =
            deadline_ms.saturating_sub(i64::try_from(lock.as_millis()).unwrap_or(i64::MAX));
        for entry in entries {
            state.put_pending(
                entry.seq,
                Pending {
                    delivery_count: entry.delivery_count,
                    published_at_ms: entry.published_at_ms,
                    last_delivered_at_ms: locked_at_ms,
                    units: entry.units,
                    state: PendingState::Locked {
                        locked_at_ms: locked_at_lock_ms,
                        deadline_ms,
                        deadline,
                    },
                },
            );
            if state.settled_ahead.remove(&entry.seq) {
                state.wait_again();
            }
            state.meters.delivered += 1;
            state.meters.delivery_units += u64::from(entry.units);
        }
        state.advance_cursor(cursor);
    }

    fn count_publish(&mut self, seq: u64, topic: u32, published_at_ms: i64, record_len: usize) {
        self.last_published_at_ms = self.last_published_at_ms.max(published_at_ms);
        let due = self
            .time_marks
            .back()
            .is_none_or(|&(_, at)| published_at_ms >= at.saturating_add(TIME_MARK_STEP_MS));
        if due {
            self.time_marks.push_back((seq, published_at_ms));
        }
        if let Some(topic) = self.topics.get_mut(&topic) {
            topic.meters.events += 1;
            topic.meters.bytes += record_len as u64;
        }
    }

    /// The lowest seq that may hold an event published less than `retention_ms` before `now`:
    /// every record below it was published at or before `now - retention_ms`.
    pub fn retained_from(&self, now: Now, retention_ms: i64) -> u64 {
        if self.last_published_at_ms.saturating_add(retention_ms) <= now.wall_ms {
            return u64::MAX;
        }
        self.time_marks
            .iter()
            .take_while(|&&(_, at)| at.saturating_add(retention_ms) <= now.wall_ms)
            .last()
            .map_or(0, |&(seq, _)| seq)
    }

    /// Forgets marks of purged records (keeps the last one below `first_seq`, which still bounds
    /// the records after it).
    pub fn prune_time_marks(&mut self, first_seq: u64) {
        while self.time_marks.len() > 1 && self.time_marks[1].0 <= first_seq {
            self.time_marks.pop_front();
        }
    }

    fn remove_sub(&mut self, id: u64) {
        if let Some(sub) = self.subs.remove(&id) {
            self.unindex_sub(sub.topic, id);
            self.sub_names
                .remove(&(sub.topic, sub.config.name.to_ascii_lowercase()));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{NamespaceState, Now, TIME_MARK_STEP_MS};
    use crate::clock::MonotonicTime;
    use crate::record::{Bytes, StateRecord};

    const T0: i64 = 1_700_000_000_000;

    fn now(wall_ms: i64, mono_secs: u64) -> Now {
        Now::on_wall(
            wall_ms,
            MonotonicTime::from_since_origin(Duration::from_secs(mono_secs)),
        )
    }

    #[test]
    fn persisted_deadlines_are_clamped_to_zero_and_the_maximum() {
        let at = now(T0, 100);
        let lock = Duration::from_mins(1);
        let mono = |secs| MonotonicTime::from_since_origin(Duration::from_secs(secs));
        assert_eq!(at.mono_for(T0 + 30_000, lock), mono(130));
        assert_eq!(
            at.mono_for(T0 + 3_600_000, lock),
            mono(160),
            "wall clock went back"
        );
        assert_eq!(at.mono_for(T0 - 5_000, lock), mono(100), "already passed");
        // Persisted deadlines are read on the lock clock, not the wall clock.
        let stepped = Now {
            wall_ms: T0 + 5 * 3_600_000,
            lock_ms: T0,
            mono: mono(100),
        };
        assert_eq!(stepped.mono_for(T0 + 30_000, lock), mono(130));
    }

    #[test]
    fn time_marks_bound_publish_times_for_retention() {
        let mut state = NamespaceState::new();
        let event = gridlog_format::parse_structured(
            br#"{"specversion":"1.0","id":"1","source":"/s","type":"t"}"#,
        )
        .unwrap();
        let record =
            gridlog_format::encode_record(&gridlog_format::EventRecord::from_event(&event));
        let event = Bytes(&record);
        let publish = |published_at_ms| StateRecord::Publish {
            topic: 1,
            published_at_ms,
            event,
        };
        // seq 10..=13 at T0, T0 + 30 s, T0 + 61 s, T0 + 200 s.
        for (seq, at) in [
            (10, T0),
            (11, T0 + 30_000),
            (12, T0 + 61_000),
            (13, T0 + 200_000),
        ] {
            state.apply(seq, &publish(at), now(at, 0)).unwrap();
        }
        assert_eq!(
            state.time_marks.iter().copied().collect::<Vec<_>>(),
            [(10, T0), (12, T0 + 61_000), (13, T0 + 200_000)]
        );
        const { assert!(TIME_MARK_STEP_MS <= 61_000) };
        let retention = 100_000;
        // Nothing old enough yet.
        assert_eq!(state.retained_from(now(T0 + 50_000, 0), retention), 0);
        // T0 + 100 s: the mark at seq 10 is expired; 11 may not be, so keep from 10.
        assert_eq!(state.retained_from(now(T0 + 100_000, 0), retention), 10);
        // T0 + 170 s: marks 10 and 12 expired; records from 12 on may be younger.
        assert_eq!(state.retained_from(now(T0 + 170_000, 0), retention), 12);
        // Everything expired once the last publish is.
        assert_eq!(
            state.retained_from(now(T0 + 300_000, 0), retention),
            u64::MAX
        );
        state.prune_time_marks(12);
        assert_eq!(state.time_marks.front(), Some(&(12, T0 + 61_000)));
    }

    #[test]
    fn apply_rejects_records_that_contradict_the_state() {
        let mut state = NamespaceState::new();
        let error = state
            .apply(1, &StateRecord::TopicDeleted { id: 9 }, now(T0, 0))
            .unwrap_err();
        assert_eq!(error.code(), "Corrupt");
        let error = state
            .apply(
                2,
                &StateRecord::SubscriptionPut {
                    id: 1,
                    topic: 9,
                    config_json: "{}",
                    start_seq: 3,
                },
                now(T0, 0),
            )
            .unwrap_err();
        assert_eq!(error.code(), "Corrupt");
    }
}

#[cfg(test)]
mod release_tests {
    use std::time::Duration;

    use super::{NamespaceState, Now, PendingState, RELEASE_DELAY_MAX_MS};
    use crate::clock::MonotonicTime;
    use crate::record::{Entry, LockEntry, StateRecord};

    const T0: i64 = 1_700_000_000_000;
    const HOUR_MS: i64 = 3_600_000;

    fn now(wall_ms: i64, mono_secs: u64) -> Now {
        Now::on_wall(
            wall_ms,
            MonotonicTime::from_since_origin(Duration::from_secs(mono_secs)),
        )
    }

    /// A state with topic 1, subscription 1 and seq 10 locked (first delivery) at `T0`.
    fn locked() -> NamespaceState {
        let mut state = NamespaceState::new();
        let at = now(T0, 0);
        state
            .apply(
                1,
                &StateRecord::TopicPut {
                    id: 1,
                    config_json: r#"{"name":"t"}"#,
                },
                at,
            )
            .unwrap();
        let sub = StateRecord::SubscriptionPut {
            id: 1,
            topic: 1,
            config_json: r#"{"name":"s"}"#,
            start_seq: 3,
        };
        state.apply(2, &sub, at).unwrap();
        let lock = StateRecord::Lock {
            sub: 1,
            locked_at_ms: T0,
            deadline_ms: T0 + 60_000,
            cursor: 11,
            entries: vec![LockEntry {
                seq: 10,
                delivery_count: 1,
                published_at_ms: T0,
                units: 1,
            }],
        };
        state.apply(3, &lock, at).unwrap();
        state
    }

    /// (monotonic visibility, recorded delay) of seq 10 after applying `record` at `at`.
    fn visible_after(record: &StateRecord<'_>, at: Now) -> (MonotonicTime, u32) {
        let mut state = locked();
        state.apply(4, record, at).unwrap();
        match state.subs[&1].pending()[&10].state {
            PendingState::Available {
                visible_at,
                delay_ms,
                ..
            } => (visible_at, delay_ms),
            PendingState::Locked { .. } => panic!("not released"),
        }
    }

    #[test]
    fn a_release_replayed_with_the_wall_clock_back_waits_its_own_delay_at_most() {
        let entries = vec![Entry {
            seq: 10,
            delivery_count: 1,
        }];
        let mono = |secs| MonotonicTime::from_since_origin(Duration::from_secs(secs));
        // Replayed at monotonic 100 s with the wall clock 5 h behind the release.
        let replay = now(T0 - 5 * HOUR_MS, 100);
        for (delay_ms, expected) in [(0, 100), (10_000, 110), (60_000, 160)] {
            let release = StateRecord::Release {
                sub: 1,
                visible_at_ms: T0 + i64::from(delay_ms),
                delay_ms,
                entries: entries.clone(),
            };
            assert_eq!(
                visible_after(&release, replay),
                (mono(expected), delay_ms),
                "{delay_ms}"
            );
            // Replayed with the wall clock right: the delay runs on from the release.
            let later = now(T0 + 4_000, 100);
            assert_eq!(
                visible_after(&release, later).0,
                mono(100 + (u64::from(delay_ms) / 1000).saturating_sub(4))
            );
        }
        // A damaged delay cannot hide an event for longer than 1 h.
        let release = StateRecord::Release {
            sub: 1,
            visible_at_ms: i64::MAX,
            delay_ms: u32::MAX,
            entries: entries.clone(),
        };
        assert_eq!(
            visible_after(&release, replay),
            (mono(3_700), RELEASE_DELAY_MAX_MS)
        );
        // The old record has no delay: bounded by 1 h, as it always was.
        let old = StateRecord::ReleaseV1 {
            sub: 1,
            visible_at_ms: T0,
            entries,
        };
        assert_eq!(
            visible_after(&old, replay),
            (mono(3_700), RELEASE_DELAY_MAX_MS)
        );
        assert_eq!(visible_after(&old, now(T0, 100)).0, mono(100));
    }

    #[test]
    fn snapshots_keep_release_delays() {
        let mut state = locked();
        let release = StateRecord::Release {
            sub: 1,
            visible_at_ms: T0 + 10_000,
            delay_ms: 10_000,
            entries: vec![Entry {
                seq: 10,
                delivery_count: 1,
            }],
        };
        state.apply(4, &release, now(T0, 0)).unwrap();
        let snapshot = state.snapshot();
        assert_eq!(snapshot.release_delays, [(1, 10, 10_000)]);
        let mut restored = NamespaceState::new();
        restored
            .restore(&snapshot, now(T0 - 5 * HOUR_MS, 100))
            .unwrap();
        assert_eq!(
            restored.subs[&1].pending()[&10].next_change(now(T0, 100)),
            Some(MonotonicTime::from_since_origin(Duration::from_secs(110)))
        );
        // Without the section (an older snapshot), the longest delay bounds it.
        let old = super::Snapshot {
            release_delays: Vec::new(),
            ..snapshot
        };
        restored.restore(&old, now(T0 - 5 * HOUR_MS, 100)).unwrap();
        assert_eq!(
            restored.subs[&1].pending()[&10].next_change(now(T0, 100)),
            Some(MonotonicTime::from_since_origin(Duration::from_secs(3_700)))
        );
    }
}
