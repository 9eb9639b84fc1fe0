//! The persisted [`Snapshot`] of a [`NamespaceState`] (checkpoint records and the index), the
//! state's `snapshot` / `restore`, and the encoding: tagged with a layout version byte that
//! [`Snapshot::decode`] dispatches on; the untagged layouts older builds wrote are decoded by
//! `snapshot/legacy.rs` (docs/format.md §6b.1).

use std::collections::HashMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{
    Hubs, HubsSnap, MqttSessions, MqttSnap, NamespaceState, Now, Pending, PendingState, RELEASE_DELAY_MAX_MS, SubMeters, SubState,
    TopicMeters, TopicState, release_bound,
};
use crate::config::{subscription_from_json_str, topic_from_json_str};
use crate::limits::TOKEN_SECRET_BYTES;
use crate::token::TokenSecret;

mod legacy;

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
            hubs: self.hubs.snapshot(),
            mqtt: self.mqtt.snapshot(),
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
        self.hubs = Hubs::restore(&snapshot.hubs)?;
        self.mqtt = MqttSessions::restore(&snapshot.mqtt);
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

/// A full snapshot of [`NamespaceState`], in persisted (wall-clock) terms. Encoded by
/// [`Snapshot::encode`] (tagged with [`SNAPSHOT_VERSION`]); layout in docs/format.md §6b.1.
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
    /// The Event Hubs: each hub's configuration and partitions with their sparse index. Last,
    /// new in layout 6: a layout-5 snapshot decodes with no hubs (`legacy.rs`).
    pub hubs: HubsSnap,
    /// The MQTT broker's persistent sessions: subscriptions, queues, wills. Last, new in layout
    /// 7: a layout-5 or 6 snapshot decodes with none (`legacy.rs`).
    pub mqtt: MqttSnap,
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

impl Snapshot {
    /// The snapshot encoded as written today: a state record (`01 02`) whose body is the version
    /// byte [`SNAPSHOT_VERSION`], then the postcard fields of [`Snapshot`] (docs/format.md §6b.1).
    pub fn encode(&self) -> Vec<u8> {
        gridlog_format::encode_state_record(&TaggedRef {
            version: SNAPSHOT_VERSION,
            snapshot: self,
        })
    }

    /// Decodes an encoded snapshot by the first byte of its record body (docs/format.md §6b.1):
    /// `00` or `01` is the option tag of `secret` in an untagged layout 1–4 (written before the
    /// version byte; told apart by length, `legacy.rs`), [`SNAPSHOT_VERSION`] is today's tagged
    /// layout, and any other byte is the version of a layout this build does not know, refused
    /// with [`SnapshotError::UnknownVersion`] rather than tried as another layout.
    pub fn decode(bytes: &[u8]) -> Result<Self, SnapshotError> {
        let first = match gridlog_format::record_kind(bytes)? {
            gridlog_format::RecordKind::State => bytes.get(2).copied(),
            // Not a state record: the decoder below says so.
            _ => None,
        };
        match first {
            None | Some(0 | 1) => Ok(legacy::decode_untagged(bytes)?),
            Some(legacy::SNAPSHOT_VERSION_5) => Ok(legacy::decode_v5(bytes)?),
            Some(legacy::SNAPSHOT_VERSION_6) => Ok(legacy::decode_v6(bytes)?),
            Some(SNAPSHOT_VERSION) => {
                let tagged: Tagged = gridlog_format::decode_state_record(bytes)?;
                debug_assert_eq!(tagged.version, SNAPSHOT_VERSION);
                Ok(tagged.snapshot)
            }
            Some(version) => Err(SnapshotError::UnknownVersion(version)),
        }
    }
}

/// The layout version written first in a snapshot's record body (docs/format.md §6b.1). Layouts
/// 1–4 had no version byte: their body starts with the `00` / `01` option tag of `secret`, which
/// is why a version byte is at least 2; layout 5 was the first written, layout 6 added the
/// Event Hubs section, layout 7 the MQTT sessions.
pub const SNAPSHOT_VERSION: u8 = 7;

/// What [`Snapshot::encode`] writes: the version byte, then the snapshot's fields.
#[derive(Serialize)]
struct TaggedRef<'a> {
    version: u8,
    snapshot: &'a Snapshot,
}

/// What [`Snapshot::decode`] reads for a tagged layout [`SNAPSHOT_VERSION`].
#[derive(Deserialize)]
struct Tagged {
    version: u8,
    snapshot: Snapshot,
}

/// Why [`Snapshot::decode`] refused bytes.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SnapshotError {
    /// The snapshot is tagged with a layout version this build does not know (written by a newer
    /// gridlog, or damaged): refused, never read as another layout.
    #[error(
        "snapshot layout version {0} is unknown (this build reads layout {SNAPSHOT_VERSION} and \
         the untagged layouts 1 to 4)"
    )]
    UnknownVersion(u8),
    /// The bytes are no snapshot of a known layout: wrong record header, truncated, trailing
    /// bytes or invalid fields.
    #[error("{0}")]
    Corrupt(#[from] gridlog_format::FormatError),
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

#[cfg(test)]
mod tests {
    use super::{SNAPSHOT_VERSION, Snapshot, legacy};
    use crate::state::NamespaceState;

    /// The untagged decoder (every layout an older build reads) refuses a tagged snapshot: its
    /// version byte is no option tag.
    #[test]
    fn the_untagged_decoder_refuses_a_tagged_snapshot() {
        let snapshot = NamespaceState::new().snapshot();
        let tagged = snapshot.encode();
        assert_eq!(tagged[2], SNAPSHOT_VERSION);
        assert!(legacy::decode_untagged(&tagged).is_err());
        assert_eq!(Snapshot::decode(&tagged).unwrap(), snapshot);
        // Layout 4 is today's fields without the trailing Event Hubs and MQTT sections, which
        // for no hubs and no sessions are three zero varints (next id, count; sessions).
        let mut untagged = gridlog_format::encode_state_record(&snapshot);
        assert_eq!(untagged.split_off(untagged.len() - 3), [0, 0, 0]);
        assert_eq!(legacy::decode_untagged(&untagged).unwrap(), snapshot);
        assert_eq!(Snapshot::decode(&untagged).unwrap(), snapshot);
    }
}
