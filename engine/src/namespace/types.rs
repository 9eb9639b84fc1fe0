//! Plain data types at the [`Namespace`](super::Namespace) boundary.

use std::ops::Range;
use std::sync::Arc;
use std::time::Duration;

use gridlog_wal::{RecordBytes, SeqRange, Vfs, WalOptions};

pub use gridlog_wal::Durability;

use crate::clock::{Clock, SystemClock};
use crate::config::{SubscriptionConfig, TopicConfig};
use crate::index::StateIndex;
use crate::state::{SubMeters, TopicMeters};

/// Which state index a namespace keeps.
#[derive(Clone, Debug, Default)]
pub enum IndexKind {
    /// sled (0.34.7) in `<dir>/index`. The default.
    #[default]
    Sled,
    /// In memory only: every open replays the whole retained WAL.
    Memory,
    /// A caller-provided index (tests share one across reopens).
    Custom(Arc<dyn StateIndex>),
}

/// Options for [`Namespace::open`](super::Namespace::open).
#[derive(Clone)]
pub struct NamespaceOptions {
    /// Durability of every acknowledged operation. Default `Always`: a call returns only after
    /// an `fdatasync` covers its record (group commit).
    pub durability: Durability,
    /// WAL options (segment size, record size, preallocation, recovery mode); its
    /// `durability` is replaced by [`Self::durability`].
    pub wal: WalOptions,
    /// The clock. Default: the system clock.
    pub clock: Arc<dyn Clock>,
    /// The state index. Default: sled.
    pub index: IndexKind,
    /// A file system for the WAL (tests: crash simulation, fault injection). Default: the real one.
    pub vfs: Option<Arc<dyn Vfs>>,
    /// Run [`Namespace::run_maintenance`](super::Namespace::run_maintenance) in a background
    /// thread this often: retention, due dead-letters, segment reclamation, index writes.
    /// Default [`MAINTENANCE_INTERVAL_DEFAULT`], so space comes back by itself once events are
    /// settled or expire; `None` leaves every sweep to the caller (deterministic tests).
    pub maintenance_interval: Option<Duration>,
}

/// How often the background maintenance sweep runs by default (the server's interval too).
pub const MAINTENANCE_INTERVAL_DEFAULT: Duration = Duration::from_secs(1);

impl Default for NamespaceOptions {
    fn default() -> Self {
        Self {
            durability: Durability::Always,
            wal: WalOptions::default(),
            clock: Arc::new(SystemClock::new()),
            index: IndexKind::Sled,
            vfs: None,
            maintenance_interval: Some(MAINTENANCE_INTERVAL_DEFAULT),
        }
    }
}

impl std::fmt::Debug for NamespaceOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NamespaceOptions")
            .field("durability", &self.durability)
            .field("wal", &self.wal)
            .field("index", &self.index)
            .field("maintenance_interval", &self.maintenance_interval)
            .finish_non_exhaustive()
    }
}

/// What [`Namespace::publish`](super::Namespace::publish) stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishReceipt {
    /// Events stored.
    pub events: usize,
    /// 64 KB billing units.
    pub billing_units: u64,
    /// Their WAL sequence numbers.
    pub seqs: SeqRange,
}

/// One received event.
#[derive(Clone)]
pub struct Received {
    /// The token that settles this delivery.
    pub lock_token: String,
    /// Deliveries of this event to the subscription so far, this one included (1 at first).
    pub delivery_count: u32,
    /// The event's WAL seq.
    pub seq: u64,
    pub(crate) bytes: RecordBytes,
    pub(crate) json: Range<usize>,
}

impl Received {
    /// A delivery of `json` that did not come from a namespace's log (`seq` 0): what another
    /// store behind the same front end, or a test double, hands out.
    pub fn from_json(lock_token: String, delivery_count: u32, json: Vec<u8>) -> Self {
        let range = 0..json.len();
        Self {
            lock_token,
            delivery_count,
            seq: 0,
            bytes: RecordBytes::from(json),
            json: range,
        }
    }

    /// The stored structured JSON of the event, exactly as published (a zero-copy slice of the
    /// WAL record; never re-encoded).
    pub fn json(&self) -> &[u8] {
        &self.bytes[self.json.clone()]
    }
}

impl std::fmt::Debug for Received {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Received")
            .field("seq", &self.seq)
            .field("delivery_count", &self.delivery_count)
            .field("json", &String::from_utf8_lossy(self.json()))
            .finish_non_exhaustive()
    }
}

/// `releaseDelayInSeconds`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum ReleaseDelay {
    /// 0 s.
    #[default]
    Zero,
    /// 10 s.
    TenSeconds,
    /// 60 s.
    OneMinute,
    /// 600 s.
    TenMinutes,
    /// 3600 s.
    OneHour,
}

impl ReleaseDelay {
    /// The delay.
    pub const fn duration(self) -> Duration {
        Duration::from_secs(match self {
            Self::Zero => 0,
            Self::TenSeconds => 10,
            Self::OneMinute => 60,
            Self::TenMinutes => 600,
            Self::OneHour => 3600,
        })
    }

    /// The delay for `secs`, if it is one of 0, 10, 60, 600, 3600.
    pub const fn from_secs(secs: u64) -> Option<Self> {
        match secs {
            0 => Some(Self::Zero),
            10 => Some(Self::TenSeconds),
            60 => Some(Self::OneMinute),
            600 => Some(Self::TenMinutes),
            3600 => Some(Self::OneHour),
            _ => None,
        }
    }
}

/// A settlement of locked deliveries ([`Namespace::settle_async`](super::Namespace::settle_async)):
/// the API's four operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settlement {
    /// `:acknowledge`: done with.
    Acknowledge,
    /// `:release`: available again after the delay.
    Release(ReleaseDelay),
    /// `:reject`: dead-lettered ("Rejected by the receiver.").
    Reject,
    /// `:renewLock`: locked for another lock duration.
    RenewLock,
}

/// Why a settlement refused a token. Both answer the API's one code, `TokenLost` (what the Azure
/// SDKs know); the message tells them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenFailure {
    /// Not a lock token at all: wrong length, not URL-safe base64, or a layout version this build
    /// does not know (a typo, or a value that is not a token).
    Malformed,
    /// A token whose lock is gone: settled, expired, superseded by a later delivery, or minted
    /// under another namespace's secret.
    Lost,
}

impl TokenFailure {
    /// The `message` of the failed token.
    pub const fn message(self) -> &'static str {
        match self {
            Self::Malformed => super::TOKEN_MALFORMED_MESSAGE,
            Self::Lost => super::TOKEN_LOST_MESSAGE,
        }
    }
}

/// A token a settlement call could not apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailedToken {
    /// The token as given.
    pub lock_token: String,
    /// `TokenLost`.
    pub code: &'static str,
    /// `Token has expired.`, or `Lock token is malformed…` for a value that is not a token.
    pub message: &'static str,
    /// Why, typed.
    pub reason: TokenFailure,
}

/// Per-token results of a settlement call, in input order within each list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SettleOutcome {
    /// Tokens applied.
    pub succeeded: Vec<String>,
    /// Tokens refused.
    pub failed: Vec<FailedToken>,
}

/// What [`Namespace::apply_config`](super::Namespace::apply_config) changed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApplyReport {
    /// Topics created.
    pub topics_created: Vec<String>,
    /// Topics whose configuration changed.
    pub topics_updated: Vec<String>,
    /// Subscriptions created (`topic/subscription`).
    pub subscriptions_created: Vec<String>,
    /// Subscriptions whose configuration changed.
    pub subscriptions_updated: Vec<String>,
    /// Event Hubs created.
    pub hubs_created: Vec<String>,
    /// Event Hubs whose configuration changed.
    pub hubs_updated: Vec<String>,
    /// Topics, subscriptions and Event Hubs named and already as configured.
    pub unchanged: usize,
}

/// A topic as the namespace has it.
#[derive(Clone, Debug, PartialEq)]
pub struct TopicInfo {
    /// Configuration, with its subscriptions.
    pub config: TopicConfig,
    /// Meters.
    pub meters: TopicMeters,
}

/// A subscription as the namespace has it.
#[derive(Clone, Debug, PartialEq)]
pub struct SubscriptionInfo {
    /// Topic name.
    pub topic: String,
    /// Configuration.
    pub config: SubscriptionConfig,
    /// First seq it sees.
    pub start_seq: u64,
}

/// Meters of one subscription.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubscriptionStats {
    /// Name.
    pub name: String,
    /// Events waiting, exactly: published into the topic after the subscription was created,
    /// passing its filter, and neither settled (acknowledged, rejected, dead-lettered or
    /// dropped) nor removed by topic retention. Available, delayed (released with a delay),
    /// never-delivered and locked events all count: `backlog - locked` are not held by a
    /// consumer. An event past its TTL or at `maxDeliveryCount` waits until a receive or the
    /// sweep dead-letters it; one past retention until a receive or the sweep removes it.
    /// Kept by apply and persisted in snapshots (docs/delivery.md §10, "Backlog"): O(1) to read.
    pub backlog: u64,
    /// Records after the scan position, of any topic (how far the subscription's scan has to
    /// read; not a count of events).
    pub unscanned_records: u64,
    /// Events locked now (part of `backlog`).
    pub locked: u64,
    /// Counters.
    pub meters: SubMeters,
}

/// Meters of one topic.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TopicStats {
    /// Name.
    pub name: String,
    /// Events published into it.
    pub events: u64,
    /// Bytes of their records.
    pub bytes: u64,
    /// Billing units of the events published into it (64 KB units per event, dead-letter
    /// events excluded); durable. The subscriptions' `meters.delivery_units` and
    /// `meters.settlement_units` are the other two billing meters.
    pub publish_units: u64,
    /// Its subscriptions.
    pub subscriptions: Vec<SubscriptionStats>,
}

/// One partition of an Event Hub in [`HubStats`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PartitionStats {
    /// Partition id (`"0"`, …).
    pub id: String,
    /// First retained event's sequence number (the next one when empty).
    pub begin_sequence_number: i64,
    /// Last event's sequence number (−1: none ever sent).
    pub last_sequence_number: i64,
    /// Last event's enqueued time, Unix ms (0: none ever sent).
    pub last_enqueued_time_ms: i64,
    /// Events retained (`last − begin + 1`).
    pub retained_events: u64,
    /// Events sent to it since the hub was created.
    pub events: u64,
    /// Bytes of their messages.
    pub bytes: u64,
    /// Sparse-index marks held in memory.
    pub index_marks: u64,
}

/// Meters of one Event Hub.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HubStats {
    /// Name.
    pub name: String,
    /// Its partitions.
    pub partitions: Vec<PartitionStats>,
}

/// [`Namespace::stats`](super::Namespace::stats).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NamespaceStats {
    /// Per topic.
    pub topics: Vec<TopicStats>,
    /// Per Event Hub.
    pub hubs: Vec<HubStats>,
    /// Live WAL segments.
    pub wal_segments: usize,
    /// Bytes used by them.
    pub wal_bytes: u64,
    /// Oldest retained seq.
    pub wal_first_seq: u64,
    /// Next seq.
    pub wal_next_seq: u64,
    /// Throughput units and throttled requests.
    pub throttle: ThrottleStats,
}

/// Throughput units and the requests they refused (counted in memory since open).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ThrottleStats {
    /// Configured throughput units (`None`: unlimited).
    pub throughput_units: Option<u32>,
    /// Publish requests refused with `Throttled`.
    pub throttled_publishes: u64,
    /// Receive requests refused with `Throttled`.
    pub throttled_receives: u64,
    /// Settlement requests (acknowledge, release, reject, renew lock) refused with `Throttled`.
    pub throttled_settlements: u64,
    /// Event Hubs sends refused with `Throttled`.
    pub throttled_hub_sends: u64,
    /// Event Hubs partition reads refused with `Throttled`.
    pub throttled_hub_reads: u64,
    /// MQTT PUBLISH packets refused over the MQTT inbound limit.
    pub throttled_mqtt_inbound: u64,
    /// MQTT deliveries held back or dropped over the MQTT outbound limit.
    pub throttled_mqtt_outbound: u64,
    /// MQTT CONNECTs refused over the connect-rate limit.
    pub throttled_mqtt_connects: u64,
}

/// What one maintenance sweep did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MaintenanceReport {
    /// Events dead-lettered (or dropped) for maxDeliveryCount or TTL.
    pub dead_lettered: u64,
    /// In-flight events removed by retention.
    pub expired: u64,
    /// Event Hubs events removed by retention.
    pub hub_events_expired: u64,
    /// Checkpoint records written.
    pub checkpoints: u64,
    /// Segments purged.
    pub segments_purged: usize,
    /// The index was written.
    pub index_written: bool,
}

/// How the state was recovered on open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IndexRecovery {
    /// A new namespace.
    Created,
    /// The index was valid: loaded, then the WAL replayed forward from `covered + 1`.
    Loaded {
        /// The seq it covered.
        covered: u64,
        /// Records replayed after it.
        replayed: u64,
    },
    /// No usable index: state rebuilt from the WAL.
    Rebuilt {
        /// Why (missing, ahead of the WAL, fingerprint mismatch, corrupt, …).
        reason: String,
        /// Records replayed.
        replayed: u64,
    },
}

/// What [`Namespace::open`](super::Namespace::open) found and did.
#[derive(Clone, Debug)]
pub struct OpenReport {
    /// The WAL's recovery.
    pub wal: gridlog_wal::RecoveryReport,
    /// The state's recovery.
    pub index: IndexRecovery,
    /// The lock clock: this boot's anchor reused, or taken again (and why).
    pub clock: crate::anchor::AnchorReport,
}
