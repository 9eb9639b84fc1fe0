//! The persisted [`Snapshot`] of a [`NamespaceState`] (checkpoint records and the index), its
//! older layouts, and the state's `snapshot` / `restore` (docs/format.md §6b).

use std::collections::HashMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{
    NamespaceState, Now, Pending, PendingState, RELEASE_DELAY_MAX_MS, SubMeters, SubState,
    TopicMeters, TopicState, release_bound,
};
use crate::config::{subscription_from_json_str, topic_from_json_str};
use crate::limits::TOKEN_SECRET_BYTES;
use crate::token::TokenSecret;

impl NamespaceState {
    /// The snapshot of everything derived (for checkpoints and the index).
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            secret: self.secret.as_ref().map(|s| *s.as_bytes()),
            created_at_ms: self.created_at_ms,
            last_published_at_ms: self.last_published_at_ms,
            next_topic_id: self.next_topic_id,
            next_sub_id: self.next_sub_id,
            time_marks: self.time_marks.iter().copied().collect(),
            topics: self
                .topics
                .values()
                .map(|topic| TopicSnap {
                    id: topic.id,
                    config_json: topic.config_json.clone(),
                    meters: topic.meters,
                })
                .collect(),
            subs: self
                .subs
                .values()
                .map(|sub| SubSnap {
                    id: sub.id,
                    topic: sub.topic,
                    config_json: sub.config_json.clone(),
                    start_seq: sub.start_seq,
                    cursor: sub.cursor,
                    settled_ahead: sub.settled_ahead.iter().copied().collect(),
                    pending: sub
                        .pending
                        .iter()
                        .map(|(seq, p)| {
                            let (locked, at_ms, locked_at_ms) = match p.state {
                                PendingState::Available { visible_at_ms, .. } => {
                                    (false, visible_at_ms, 0)
                                }
                                PendingState::Locked {
                                    locked_at_ms,
                                    deadline_ms,
                                    ..
                                } => (true, deadline_ms, locked_at_ms),
                            };
                            PendingSnap {
                                seq: *seq,
                                delivery_count: p.delivery_count,
                                published_at_ms: p.published_at_ms,
                                last_delivered_at_ms: p.last_delivered_at_ms,
                                locked,
                                at_ms,
                                locked_at_ms,
                            }
                        })
                        .collect(),
                    meters: sub.meters,
                })
                .collect(),
            billing: BillingSnap {
                topics: self
                    .topics
                    .values()
                    .map(|topic| (topic.id, topic.meters.publish_units))
                    .collect(),
                subs: self
                    .subs
                    .values()
                    .map(|sub| {
                        (
                            sub.id,
                            sub.meters.delivery_units,
                            sub.meters.settlement_units,
                        )
                    })
                    .collect(),
                pending_units: self
                    .subs
                    .values()
                    .flat_map(|sub| {
                        sub.pending
                            .iter()
                            .filter(|(_, p)| p.units != 1)
                            .map(|(seq, p)| (sub.id, *seq, p.units))
                    })
                    .collect(),
            },
            release_delays: self
                .subs
                .values()
                .flat_map(|sub| {
                    sub.pending.iter().filter_map(|(seq, p)| match p.state {
                        PendingState::Available { delay_ms, .. }
                            if delay_ms != RELEASE_DELAY_MAX_MS =>
                        {
                            Some((sub.id, *seq, delay_ms))
                        }
                        _ => None,
                    })
                })
                .collect(),
            backlog: self.backlog_section(),
        }
    }

    /// Replaces everything with `snapshot`, read at `now` (deadlines re-derived and clamped).
    pub fn restore(&mut self, snapshot: &Snapshot, now: Now) -> Result<(), String> {
        let applied = self.applied_seq;
        *self = Self::new();
        self.applied_seq = applied;
        self.secret = snapshot.secret.map(TokenSecret::from_bytes);
        self.created_at_ms = snapshot.created_at_ms;
        self.last_published_at_ms = snapshot.last_published_at_ms;
        self.next_topic_id = snapshot.next_topic_id;
        self.next_sub_id = snapshot.next_sub_id;
        self.time_marks = snapshot.time_marks.iter().copied().collect();
        let billing = &snapshot.billing;
        let publish_units: HashMap<u32, u64> = billing.topics.iter().copied().collect();
        let sub_units: HashMap<u64, (u64, u64)> = billing
            .subs
            .iter()
            .map(|&(id, delivery, settlement)| (id, (delivery, settlement)))
            .collect();
        let pending_units: HashMap<(u64, u64), u32> = billing
            .pending_units
            .iter()
            .map(|&(sub, seq, units)| ((sub, seq), units))
            .collect();
        let release_delays: HashMap<(u64, u64), u32> = snapshot
            .release_delays
            .iter()
            .map(|&(sub, seq, delay_ms)| ((sub, seq), delay_ms.min(RELEASE_DELAY_MAX_MS)))
            .collect();
        let backlogs: HashMap<u64, u64> = snapshot.backlog.iter().copied().collect();
        for topic in &snapshot.topics {
            let config = topic_from_json_str(&topic.config_json).map_err(|e| e.to_string())?;
            self.topic_names
                .insert(config.name.to_ascii_lowercase(), topic.id);
            self.topics.insert(
                topic.id,
                TopicState {
                    id: topic.id,
                    config,
                    config_json: topic.config_json.clone(),
                    meters: TopicMeters {
                        publish_units: publish_units.get(&topic.id).copied().unwrap_or(0),
                        ..topic.meters
                    },
                },
            );
        }
        for sub in &snapshot.subs {
            let retention = self
                .topics
                .get(&sub.topic)
                .ok_or("subscription of an unknown topic")?
                .config
                .retention();
            let config = subscription_from_json_str(&sub.config_json, retention)
                .map_err(|e| e.to_string())?;
            let lock = config.delivery.lock_duration;
            let pending: Vec<(u64, Pending)> = sub
                .pending
                .iter()
                .map(|p| {
                    let key = (sub.id, p.seq);
                    let units = pending_units.get(&key).copied().unwrap_or(1);
                    let delay_ms = release_delays
                        .get(&key)
                        .copied()
                        .unwrap_or(RELEASE_DELAY_MAX_MS);
                    (p.seq, p.restore(lock, units, delay_ms, now))
                })
                .collect();
            self.sub_names
                .insert((sub.topic, config.name.to_ascii_lowercase()), sub.id);
            let mut state = SubState::new(
                sub.id,
                sub.topic,
                config,
                sub.config_json.clone(),
                sub.start_seq,
            );
            state.cursor = sub.cursor;
            state.settled_ahead = sub.settled_ahead.iter().copied().collect();
            let (delivery_units, settlement_units) =
                sub_units.get(&sub.id).copied().unwrap_or((0, 0));
            state.meters = SubMeters {
                delivery_units,
                settlement_units,
                ..sub.meters
            };
            for (seq, pending) in pending {
                state.put_pending(seq, pending);
            }
            // A snapshot written before the backlog was kept: count it from the log.
            state.restore_backlog(backlogs.get(&sub.id).copied());
            self.subs.insert(sub.id, state);
            self.index_sub(sub.topic, sub.id);
        }
        Ok(())
    }
}

/// A full snapshot of [`NamespaceState`], in persisted (wall-clock) terms. Encoded with
/// `gridlog_format::encode_state_record`; layout in docs/format.md §6b.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Lock-token secret.
    pub secret: Option<[u8; TOKEN_SECRET_BYTES]>,
    /// Creation time.
    pub created_at_ms: i64,
    /// Latest publish time.
    pub last_published_at_ms: i64,
    /// Next topic id.
    pub next_topic_id: u32,
    /// Next subscription id.
    pub next_sub_id: u64,
    /// (seq, publish time) marks of the retained log.
    pub time_marks: Vec<(u64, i64)>,
    /// Topics.
    pub topics: Vec<TopicSnap>,
    /// Subscriptions.
    pub subs: Vec<SubSnap>,
    /// Billing meters and the billing units of in-flight events. After the subscriptions, so
    /// that a snapshot written before it (without it) is a prefix of today's layout and still
    /// decodes.
    pub billing: BillingSnap,
    /// (subscription id, seq, release delay ms) of each available in-flight event whose delay
    /// is known and other than [`RELEASE_DELAY_MAX_MS`]: on restore, the time left until its
    /// visibility time is clamped to it. Last, for the same reason as `billing`: a snapshot
    /// written before it decodes with no delays (each counts as the longest, 1 h).
    pub release_delays: Vec<(u64, u64, u32)>,
    /// (subscription id, backlog) of every subscription: the events waiting in it
    /// (`SubscriptionStats::backlog`). Last, for the same reason as `billing`: a snapshot written
    /// before it decodes with none, and each subscription's backlog is then counted from the log
    /// on open.
    pub backlog: Vec<(u64, u64)>,
}

/// A [`Snapshot`] as written before backlogs (no trailing `backlog`).
#[derive(Deserialize)]
struct SnapshotV3 {
    secret: Option<[u8; TOKEN_SECRET_BYTES]>,
    created_at_ms: i64,
    last_published_at_ms: i64,
    next_topic_id: u32,
    next_sub_id: u64,
    time_marks: Vec<(u64, i64)>,
    topics: Vec<TopicSnap>,
    subs: Vec<SubSnap>,
    billing: BillingSnap,
    release_delays: Vec<(u64, u64, u32)>,
}

/// The billing part of a [`Snapshot`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingSnap {
    /// (topic id, publish units).
    pub topics: Vec<(u32, u64)>,
    /// (subscription id, delivery units, settlement units).
    pub subs: Vec<(u64, u64, u64)>,
    /// (subscription id, seq, units) of the in-flight events worth other than 1 unit.
    pub pending_units: Vec<(u64, u64, u32)>,
}

/// A [`Snapshot`] as written before release delays (no trailing `release_delays`).
#[derive(Deserialize)]
struct SnapshotV2 {
    secret: Option<[u8; TOKEN_SECRET_BYTES]>,
    created_at_ms: i64,
    last_published_at_ms: i64,
    next_topic_id: u32,
    next_sub_id: u64,
    time_marks: Vec<(u64, i64)>,
    topics: Vec<TopicSnap>,
    subs: Vec<SubSnap>,
    billing: BillingSnap,
}

/// A [`Snapshot`] as written before billing meters (no trailing [`BillingSnap`], no release
/// delays).
#[derive(Deserialize)]
struct SnapshotV1 {
    secret: Option<[u8; TOKEN_SECRET_BYTES]>,
    created_at_ms: i64,
    last_published_at_ms: i64,
    next_topic_id: u32,
    next_sub_id: u64,
    time_marks: Vec<(u64, i64)>,
    topics: Vec<TopicSnap>,
    subs: Vec<SubSnap>,
}

impl Snapshot {
    /// Decodes an encoded snapshot: today's layout, the one without backlogs (counted from the
    /// log on open), the one without release delays (whose
    /// released events then count the longest delay, 1 h), or the one without billing meters
    /// either (whose meters then also start at 0 and whose in-flight events count 1 unit each).
    /// Each layout is a strict prefix of the next and a decode must consume every byte, so no
    /// bytes decode as two layouts.
    pub fn decode(bytes: &[u8]) -> Result<Self, gridlog_format::FormatError> {
        gridlog_format::decode_state_record::<Self>(bytes).or_else(|error| {
            if let Ok(v3) = gridlog_format::decode_state_record::<SnapshotV3>(bytes) {
                return Ok(Self {
                    secret: v3.secret,
                    created_at_ms: v3.created_at_ms,
                    last_published_at_ms: v3.last_published_at_ms,
                    next_topic_id: v3.next_topic_id,
                    next_sub_id: v3.next_sub_id,
                    time_marks: v3.time_marks,
                    topics: v3.topics,
                    subs: v3.subs,
                    billing: v3.billing,
                    release_delays: v3.release_delays,
                    backlog: Vec::new(),
                });
            }
            if let Ok(v2) = gridlog_format::decode_state_record::<SnapshotV2>(bytes) {
                return Ok(Self {
                    secret: v2.secret,
                    created_at_ms: v2.created_at_ms,
                    last_published_at_ms: v2.last_published_at_ms,
                    next_topic_id: v2.next_topic_id,
                    next_sub_id: v2.next_sub_id,
                    time_marks: v2.time_marks,
                    topics: v2.topics,
                    subs: v2.subs,
                    billing: v2.billing,
                    release_delays: Vec::new(),
                    backlog: Vec::new(),
                });
            }
            let v1: SnapshotV1 = gridlog_format::decode_state_record(bytes).map_err(|_| error)?;
            Ok(Self {
                secret: v1.secret,
                created_at_ms: v1.created_at_ms,
                last_published_at_ms: v1.last_published_at_ms,
                next_topic_id: v1.next_topic_id,
                next_sub_id: v1.next_sub_id,
                time_marks: v1.time_marks,
                topics: v1.topics,
                subs: v1.subs,
                billing: BillingSnap::default(),
                release_delays: Vec::new(),
                backlog: Vec::new(),
            })
        })
    }
}

/// A topic in a [`Snapshot`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicSnap {
    /// Id.
    pub id: u32,
    /// ARM JSON without subscriptions.
    pub config_json: String,
    /// Meters.
    pub meters: TopicMeters,
}

/// A subscription in a [`Snapshot`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubSnap {
    /// Id.
    pub id: u64,
    /// Topic id.
    pub topic: u32,
    /// ARM JSON.
    pub config_json: String,
    /// First seq it sees.
    pub start_seq: u64,
    /// Scan position.
    pub cursor: u64,
    /// Settled events at or above the cursor.
    pub settled_ahead: Vec<u64>,
    /// In-flight events.
    pub pending: Vec<PendingSnap>,
    /// Meters.
    pub meters: SubMeters,
}

/// An in-flight event in a [`Snapshot`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingSnap {
    /// Seq.
    pub seq: u64,
    /// Deliveries so far.
    pub delivery_count: u32,
    /// Publish time.
    pub published_at_ms: i64,
    /// Last delivery time.
    pub last_delivered_at_ms: i64,
    /// Locked (else available).
    pub locked: bool,
    /// Deadline (locked) or visibility time (available), on the lock clock, Unix ms.
    pub at_ms: i64,
    /// Lock time on the lock clock (locked), else 0.
    pub locked_at_ms: i64,
}

impl PendingSnap {
    /// The in-flight event, read at `now`: a deadline clamped to `lock`, a visibility time to
    /// `delay_ms` (≤ 1 h).
    fn restore(&self, lock: Duration, units: u32, delay_ms: u32, now: Now) -> Pending {
        let state = if self.locked {
            PendingState::Locked {
                locked_at_ms: self.locked_at_ms,
                deadline_ms: self.at_ms,
                deadline: now.mono_for(self.at_ms, lock),
            }
        } else {
            PendingState::Available {
                visible_at_ms: self.at_ms,
                delay_ms,
                visible_at: now.mono_for(self.at_ms, release_bound(delay_ms)),
            }
        };
        Pending {
            delivery_count: self.delivery_count,
            published_at_ms: self.published_at_ms,
            last_delivered_at_ms: self.last_delivered_at_ms,
            units,
            state,
        }
    }
}
