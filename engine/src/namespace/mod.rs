//! [`Namespace`]: what a process links. Topics, subscriptions, publish, receive (long-poll,
//! blocking and async), acknowledge / release / reject / renew, maintenance, stats.
//!
//! Every change of state is a [`txn::Txn`]: it decides under the namespace mutex, appends its
//! record(s) with `Durability::Never` while still holding it (so WAL order is apply order),
//! applies them through `NamespaceState::apply`, releases the mutex, and only then (under
//! `Durability::Always`) waits for a group-committed `fdatasync` covering them before it wakes
//! waiters and returns. Receives only see durable records (the WAL's reads stop at the durable
//! watermark).
//!
//! Files: this one (the handle, open, publish, settlement entry points, stats, close);
//! `configure` (topics and subscriptions), `receive` (long-polls), `delivery` (receive and
//! settlement decisions, the WAL scan), `maintenance` (sweep, reclamation, index write),
//! `recover` (open: index or rebuild), `backlog` (recount), `deadletter` (dead-letter events),
//! `peek` (the read-only peek) and `peeked` (its data), `republish` (dead-letter events
//! published again),
//! `types` (the plain data at the boundary). The shared [`Inner`] is made of parts, each a type
//! in its own file: `store` (WAL, state, index, clock), `waiters` (wake-ups), `workers`
//! (background threads); `txn` is the write protocol; `inner` holds what spans the parts.

mod backlog;
mod committer;
mod configure;
mod deadletter;
mod delivery;
mod hub;
mod hub_read;
mod inner;
mod maintenance;
mod mqtt;
mod mqtt_config;
mod peek;
mod peeked;
mod publish;
mod receive;
mod settle;
mod recover;
mod republish;
mod store;
mod txn;
mod types;
mod waiters;
mod workers;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use gridlog_format::{Event, decode_record};
use gridlog_wal::{RecordBytes, Seq, StdVfs, Vfs, Wal};

pub use committer::Committing;
pub use deadletter::{DEAD_LETTER_ATTRIBUTES, dead_letter_record, rfc3339_ms};
pub use peeked::{
    DeadLetterOrigin, PeekFilter, PeekPage, PeekState, Peeked, RepublishFailure, RepublishOutcome,
    Republished,
};
pub use types::{
    ApplyReport, FailedToken, HubStats, IndexKind, IndexRecovery, MAINTENANCE_INTERVAL_DEFAULT,
    MaintenanceReport, NamespaceOptions, NamespaceStats, OpenReport, PartitionStats,
    PublishReceipt, Received, ReleaseDelay, SettleOutcome, Settlement, SubscriptionInfo,
    SubscriptionStats,
    ThrottleStats, TokenFailure, TopicInfo, TopicStats,
};

use crate::error::EngineError;
use crate::index::{MemoryIndex, SledIndex, StateIndex};
use crate::record::{self, StateRecord};
use crate::throttle::{Direction, SharedThrottle};
use crate::token::TokenSecret;
use delivery::SettleOp;
use recover::recover_state;
use store::{Store, read_now};
use txn::Txn;
use waiters::Waiters;
use workers::Workers;

/// Most events one receive returns.
pub const RECEIVE_EVENTS_MAX: u32 = 100;
/// Longest long-poll the engine accepts (the API's 10–120 s is the caller's to enforce).
pub const RECEIVE_WAIT_MAX: Duration = Duration::from_mins(2);
/// Renewals are refused this long after the lock was taken.
pub const RENEW_WINDOW: Duration = Duration::from_hours(1);
/// Records scanned per mutex hold by one receive before it lets others in.
const SCAN_BUDGET_RECORDS: usize = 4096;
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

/// What a [`Namespace`] handle shares: the storage core, the waiters, the background workers,
/// the throughput limits and what open found. Each part is a type of its own, in its own file.
struct Inner {
    store: Store,
    waiters: Waiters,
    workers: Workers,
    /// The group commit of async writes (`committer.rs`).
    committer: committer::Committer,
    /// Throughput-unit limits (taken before the state mutex, never while holding it).
    throttle: SharedThrottle,
    /// The MQTT broker's resources, live (`mqtt_config.rs`; after the state mutex when both
    /// are taken).
    mqtt: parking_lot::RwLock<Arc<crate::config::mqtt::MqttConfig>>,
    report: OpenReport,
}

impl std::fmt::Debug for Namespace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Namespace")
            .field("dir", &self.inner.store.dir)
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
        let store = Store::new(
            dir,
            wal,
            state,
            index,
            clock,
            anchor,
            options.durability,
            options.wal.record_bytes_max as usize,
        );
        let inner = Arc::new(Inner {
            store,
            waiters: Waiters::default(),
            workers: Workers::default(),
            committer: committer::Committer::default(),
            throttle,
            mqtt: parking_lot::RwLock::default(),
            report: OpenReport {
                wal: wal_report,
                index: recovery,
                clock: anchor_report,
            },
        });
        if created {
            // The namespace's first record: the secret its lock tokens are signed with.
            let secret = TokenSecret::generate().map_err(EngineError::NoRandomness)?;
            let mut txn = Txn::begin(&inner)?;
            let created_at_ms = txn.now().wall_ms;
            txn.append(&[StateRecord::Created {
                secret: *secret.as_bytes(),
                created_at_ms,
            }])?;
            txn.durable();
            txn.commit()?;
        }
        if let Some(every) = options.maintenance_interval {
            inner
                .workers
                .spawn_maintenance(Arc::downgrade(&inner), every)?;
        }
        Ok(Self { inner })
    }

    /// What open found and did.
    pub fn open_report(&self) -> &OpenReport {
        &self.inner.report
    }

    /// The data directory.
    pub fn dir(&self) -> &Path {
        &self.inner.store.dir
    }

    // ---- publish ----------------------------------------------------------------------------

    /// Stores `events` in `topic` (one WAL batch); returns once durable (default durability).
    /// With throughput units configured, the batch is accepted whole or refused whole
    /// ([`EngineError::Throttled`]). [`Self::publish_async`] is the same without blocking the
    /// caller, group-committed with other callers' writes.
    pub fn publish(&self, topic: &str, events: &[Event]) -> Result<PublishReceipt, EngineError> {
        publish::throttle_publish(&self.inner, events)?;
        let mut st = Txn::begin(&self.inner)?;
        let receipt = publish::publish_in(&mut st, topic, events)?;
        st.commit()?;
        Ok(receipt)
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

    /// Dead-letters deliveries whose attempts are spent, naming what the last attempt met:
    /// the dead-letter event says "Maximum delivery attempts was exceeded." with
    /// `delivery_result` as its `deliveryresult` (e.g. a push attempt's TLS failure). What a
    /// push dispatcher calls after its last failed attempt, instead of releasing the event for
    /// the next receive to dead-letter with the standard text.
    pub fn dead_letter_exhausted(
        &self,
        topic: &str,
        sub: &str,
        tokens: &[&str],
        delivery_result: &str,
    ) -> Result<SettleOutcome, EngineError> {
        self.inner.settle(
            topic,
            sub,
            tokens,
            &SettleOp::Exhausted(delivery_result.to_owned()),
        )
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
        let st = inner.store.lock_state()?;
        self.with_live_mqtt(configure::current_config(&st, units))
            .validate()?;
        // Under the state mutex: no concurrent configuration change interleaves.
        inner
            .throttle
            .set_units(units, inner.store.clock.monotonic());
        drop(st);
        Ok(())
    }

    /// Takes `events` and `bytes` from `direction`'s throughput-unit limit, for a front end
    /// that meters its own traffic (the MQTT broker: [`Direction::MqttInbound`],
    /// [`Direction::MqttOutbound`], [`Direction::MqttConnect`]); always `Ok` while the
    /// namespace is unlimited.
    ///
    /// # Errors
    ///
    /// [`EngineError::Throttled`] with the time after which the same request would fit; nothing
    /// is taken.
    pub fn take_throughput(
        &self,
        direction: Direction,
        events: u64,
        bytes: u64,
    ) -> Result<(), EngineError> {
        self.inner.throttle(direction, events, bytes)
    }

    /// Meters.
    pub fn stats(&self) -> NamespaceStats {
        let inner = &self.inner;
        let throttle = ThrottleStats {
            throughput_units: inner.throttle.units(),
            throttled_publishes: inner.throttle.refused(Direction::Ingress),
            throttled_receives: inner.throttle.refused(Direction::Delivery),
            throttled_settlements: inner.throttle.refused(Direction::Settlement),
            throttled_hub_sends: inner.throttle.refused(Direction::HubIngress),
            throttled_hub_reads: inner.throttle.refused(Direction::HubEgress),
            throttled_mqtt_inbound: inner.throttle.refused(Direction::MqttInbound),
            throttled_mqtt_outbound: inner.throttle.refused(Direction::MqttOutbound),
            throttled_mqtt_connects: inner.throttle.refused(Direction::MqttConnect),
        };
        let st = inner.store.state.lock();
        let now = inner.store.now();
        let next = inner.store.wal.next_seq().0;
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
        let hubs = st
            .hubs
            .by_id
            .values()
            .map(|hub| HubStats {
                name: hub.config.name.clone(),
                partitions: hub
                    .partitions
                    .iter()
                    .enumerate()
                    .map(|(id, part)| PartitionStats {
                        id: id.to_string(),
                        begin_sequence_number: part.begin_sequence_number,
                        last_sequence_number: part.next_sequence_number - 1,
                        last_enqueued_time_ms: part.last_enqueued_ms,
                        retained_events: u64::try_from(
                            part.next_sequence_number - part.begin_sequence_number,
                        )
                        .unwrap_or(0),
                        events: part.events,
                        bytes: part.bytes,
                        index_marks: part.marks.len() as u64,
                    })
                    .collect(),
            })
            .collect();
        drop(st);
        let segments = inner.store.wal.segments();
        NamespaceStats {
            topics,
            hubs,
            wal_segments: segments.len(),
            wal_bytes: segments.iter().map(|s| s.bytes).sum(),
            wal_first_seq: inner.store.wal.first_seq().0,
            wal_next_seq: next,
            throttle,
        }
    }

    /// The WAL's I/O since open: syncs by kind with a latency histogram, writes, segment bytes
    /// used and on disk (see `gridlog_wal::stats`). Lock-free apart from the segment list.
    pub fn wal_stats(&self) -> gridlog_wal::WalStats {
        self.inner.store.wal.stats()
    }

    /// Writes the index, closes the WAL (sync + close marker) and stops background threads.
    /// Later calls fail with `Closed`.
    pub fn close(&self) -> Result<(), EngineError> {
        let inner = &self.inner;
        inner.workers.stop();
        inner.committer.stop();
        if inner.store.mark_closed() {
            return Ok(());
        }
        let index_result = if inner.store.is_poisoned() {
            Ok(())
        } else {
            inner.write_index().map(|_| ())
        };
        inner.waiters.notify_all();
        let wal_result = inner.store.wal.close();
        inner.store.index.close()?;
        index_result?;
        wal_result?;
        Ok(())
    }
}
