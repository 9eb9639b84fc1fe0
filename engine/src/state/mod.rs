//! The derived, in-memory state of a namespace and its ONE mutation path, [`NamespaceState::apply`],
//! used both by live operations (after their record is appended) and by replay on open, so live
//! and recovered state cannot differ.
//!
//! Memory is O(in-flight), not O(backlog): a subscription keeps only events that were delivered
//! at least once and are not settled (`pending`), plus the few settled ones above its scan
//! position (`settled_ahead`). Never-delivered events are found by scanning the WAL from `cursor`.
use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use crate::clock::MonotonicTime;
use crate::config::{SubscriptionConfig, TopicConfig};
use crate::filter::Filter;
use crate::token::TokenSecret;

mod apply;
mod backlog;
mod hub;
mod mqtt;
mod now;
mod snapshot;

pub use hub::{HubMark, HubSnap, HubState, Hubs, HubsSnap, PartitionState};
pub use mqtt::{MqttSession, MqttSessionSnap, MqttSessions, MqttSnap};

pub use now::{Now, RELEASE_DELAY_MAX, RELEASE_DELAY_MAX_MS, add_ms, release_bound};
pub use snapshot::{
    BillingSnap, PendingSnap, SNAPSHOT_VERSION, Snapshot, SnapshotError, SubSnap, TopicSnap,
};

/// Publish-time distance between two [`NamespaceState::time_marks`].
pub const TIME_MARK_STEP_MS: i64 = 60_000;

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
/// The billing meter is skipped by serde: a snapshot carries it in its trailing
/// billing section, which keeps the layout of snapshots written before it a prefix of today's.
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
    /// Carried in a snapshot's billing section, like the next one.
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
    /// Event Hubs (`hub.rs`).
    pub hubs: Hubs,
    /// The MQTT broker's persistent sessions (`mqtt.rs`).
    pub mqtt: MqttSessions,
    /// Subscription ids by topic id (derived; `backlog.rs`).
    topic_subs: HashMap<u32, Vec<u64>>,
    /// Chunks of a checkpoint being assembled (replay).
    checkpoint_buf: Vec<u8>,
    /// The chunk index expected next (0: none in progress).
    checkpoint_next: u32,
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
