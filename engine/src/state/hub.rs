//! The Event Hubs part of the derived state: each hub's partitions, each an ordered log of
//! events in the WAL with its sparse index ([`HubMark`]s), and how the [`HubRecord`]s change it.
//!
//! The index is derived: it is built by applying the `Append` records (live and on replay) and
//! persisted in snapshots (checkpoints and the state index), so a missing or stale index is
//! rebuilt from the WAL with the same marks.

use std::collections::{BTreeMap, HashMap, VecDeque};

use serde::{Deserialize, Serialize};

use super::NamespaceState;
use super::apply::corrupt;
use crate::config::{EventHubConfig, hub_from_json_str};
use crate::error::EngineError;
use crate::limits::HUB_INDEX_STRIDE_EVENTS;
use crate::record::HubRecord;

/// One mark of a partition's sparse index: where an event lies in the WAL and when it was
/// enqueued. A partition keeps one per [`HUB_INDEX_STRIDE_EVENTS`] events (the first event of a
/// block, and the first event after the partition was empty).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HubMark {
    /// The event's sequence number.
    pub sequence_number: i64,
    /// The event's WAL seq (its offset).
    pub seq: u64,
    /// Its enqueued time, Unix ms.
    pub enqueued_ms: i64,
}

/// One partition of a hub.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionState {
    /// The sequence number the next event gets (0 for a partition never written).
    pub next_sequence_number: i64,
    /// The first retained event's sequence number (`next_sequence_number` when none is).
    pub begin_sequence_number: i64,
    /// The last event's offset (WAL seq); −1 when none was ever appended.
    pub last_offset: i64,
    /// The last event's enqueued time, Unix ms (0 when none was ever appended).
    pub last_enqueued_ms: i64,
    /// Events appended since the hub was created.
    pub events: u64,
    /// Bytes of their message bodies.
    pub bytes: u64,
    /// The sparse index of the retained events, ascending; the first one is at
    /// `begin_sequence_number` or before it.
    pub marks: VecDeque<HubMark>,
}

impl PartitionState {
    /// Has it no retained event?
    pub fn is_empty(&self) -> bool {
        self.begin_sequence_number >= self.next_sequence_number
    }

    /// The mark to start a read of sequence numbers ≥ `sequence_number` at: the last one at or
    /// before it (`None`: before every mark, so the first one).
    pub fn mark_for_sequence(&self, sequence_number: i64) -> Option<HubMark> {
        let after = self
            .marks
            .partition_point(|mark| mark.sequence_number <= sequence_number);
        self.marks.get(after.saturating_sub(1)).copied()
    }

    /// The mark to start a read of events enqueued at or after `ms` at: the last one enqueued
    /// strictly before it (every event between it and the next mark is enqueued at or after
    /// that mark's time, so nothing at or after `ms` lies before it).
    pub fn mark_for_time(&self, ms: i64) -> Option<HubMark> {
        let after = self.marks.partition_point(|mark| mark.enqueued_ms < ms);
        self.marks.get(after.saturating_sub(1)).copied()
    }

    /// The mark to start a read of offsets ≥ `seq` at.
    pub fn mark_for_offset(&self, seq: u64) -> Option<HubMark> {
        let after = self.marks.partition_point(|mark| mark.seq <= seq);
        self.marks.get(after.saturating_sub(1)).copied()
    }

    /// The lowest WAL seq a retained event of this partition lies at (`None`: none retained).
    pub fn floor_seq(&self) -> Option<u64> {
        (!self.is_empty()).then(|| self.marks.front().map(|mark| mark.seq))?
    }

    /// The sequence number retention may move `begin` to at `cutoff_ms` (events enqueued at or
    /// before it are past retention): the start of the first index block with an event after
    /// the cutoff, so whole blocks go. `None` when nothing can go.
    pub fn expiry_at(&self, cutoff_ms: i64) -> Option<i64> {
        if self.is_empty() {
            return None;
        }
        if self.last_enqueued_ms <= cutoff_ms {
            return Some(self.next_sequence_number);
        }
        // Block i ends before mark i + 1, whose time bounds every event in block i.
        let begin = self
            .marks
            .iter()
            .skip(1)
            .take_while(|mark| mark.enqueued_ms <= cutoff_ms)
            .last()?
            .sequence_number;
        (begin > self.begin_sequence_number).then_some(begin)
    }

    fn append(&mut self, seq: u64, sequence_number: i64, enqueued_ms: i64, bytes: usize) {
        let block_start = self
            .marks
            .back()
            .is_none_or(|mark| sequence_number - mark.sequence_number >= HUB_INDEX_STRIDE_EVENTS);
        if self.is_empty() || block_start {
            self.marks.push_back(HubMark {
                sequence_number,
                seq,
                enqueued_ms,
            });
        }
        self.next_sequence_number = sequence_number + 1;
        self.last_offset = i64::try_from(seq).unwrap_or(i64::MAX);
        self.last_enqueued_ms = enqueued_ms;
        self.events += 1;
        self.bytes += bytes as u64;
    }

    fn expire(&mut self, begin: i64) {
        self.begin_sequence_number = begin;
        if self.is_empty() {
            self.marks.clear();
            return;
        }
        while self
            .marks
            .get(1)
            .is_some_and(|mark| mark.sequence_number <= begin)
        {
            self.marks.pop_front();
        }
    }
}

/// An Event Hub.
#[derive(Clone, Debug)]
pub struct HubState {
    /// Id.
    pub id: u32,
    /// Configuration.
    pub config: EventHubConfig,
    /// The persisted JSON of `config`.
    pub config_json: String,
    /// When it was created, Unix ms.
    pub created_at_ms: i64,
    /// Its partitions, by index.
    pub partitions: Vec<PartitionState>,
    /// The partition the next round-robin send goes to (in memory only).
    pub round_robin: u32,
}

/// The hubs of a namespace.
#[derive(Clone, Debug, Default)]
pub struct Hubs {
    /// Hubs by id.
    pub by_id: BTreeMap<u32, HubState>,
    /// Lower-cased name → id.
    pub names: HashMap<String, u32>,
    /// Next hub id.
    pub next_id: u32,
}

impl Hubs {
    /// The hub id for `name` (case-insensitive).
    pub fn id(&self, name: &str) -> Option<u32> {
        self.names.get(&name.to_ascii_lowercase()).copied()
    }

    /// The lowest WAL seq any retained hub event lies at.
    pub fn floor_seq(&self) -> Option<u64> {
        self.by_id
            .values()
            .flat_map(|hub| &hub.partitions)
            .filter_map(PartitionState::floor_seq)
            .min()
    }
}

impl NamespaceState {
    /// Applies a [`HubRecord`] at `seq`.
    pub(super) fn apply_hub(
        &mut self,
        seq: u64,
        record: &HubRecord<'_>,
    ) -> Result<(), EngineError> {
        match record {
            HubRecord::Put {
                id,
                config_json,
                created_at_ms,
            } => self.apply_hub_put(seq, *id, config_json, *created_at_ms),
            HubRecord::Append {
                hub,
                partition,
                sequence_number,
                enqueued_at_ms,
                body,
                ..
            } => {
                let partition = self.partition_mut(seq, *hub, *partition)?;
                if *sequence_number != partition.next_sequence_number {
                    return Err(corrupt(
                        seq,
                        format!(
                            "event sequence number {sequence_number}, expected {}",
                            partition.next_sequence_number
                        ),
                    ));
                }
                partition.append(seq, *sequence_number, *enqueued_at_ms, body.0.len());
                Ok(())
            }
            HubRecord::Expired {
                hub,
                partition,
                begin,
            } => {
                let partition = self.partition_mut(seq, *hub, *partition)?;
                if *begin < partition.begin_sequence_number
                    || *begin > partition.next_sequence_number
                {
                    return Err(corrupt(seq, "retention outside the partition's events"));
                }
                partition.expire(*begin);
                Ok(())
            }
        }
    }

    fn apply_hub_put(
        &mut self,
        seq: u64,
        id: u32,
        config_json: &str,
        created_at_ms: i64,
    ) -> Result<(), EngineError> {
        let config = hub_from_json_str(config_json)
            .map_err(|error| corrupt(seq, format!("event hub config: {error}")))?;
        let hubs = &mut self.hubs;
        hubs.next_id = hubs.next_id.max(id.saturating_add(1));
        let count = config.partition_count as usize;
        if let Some(hub) = hubs.by_id.get_mut(&id) {
            if count < hub.partitions.len() {
                return Err(corrupt(seq, "an event hub's partition count went down"));
            }
            hub.partitions.resize_with(count, PartitionState::empty);
            hub.config = config;
            config_json.clone_into(&mut hub.config_json);
            return Ok(());
        }
        let lower = config.name.to_ascii_lowercase();
        if hubs.names.contains_key(&lower) {
            return Err(corrupt(seq, "event hub name already taken"));
        }
        hubs.names.insert(lower, id);
        hubs.by_id.insert(
            id,
            HubState {
                id,
                config,
                config_json: config_json.to_owned(),
                created_at_ms,
                partitions: (0..count).map(|_| PartitionState::empty()).collect(),
                round_robin: 0,
            },
        );
        Ok(())
    }

    fn partition_mut(
        &mut self,
        seq: u64,
        hub: u32,
        partition: u32,
    ) -> Result<&mut PartitionState, EngineError> {
        self.hubs
            .by_id
            .get_mut(&hub)
            .ok_or_else(|| corrupt(seq, "an event of an unknown event hub"))?
            .partitions
            .get_mut(partition as usize)
            .ok_or_else(|| corrupt(seq, "an event of an unknown partition"))
    }
}

impl PartitionState {
    /// A partition never written.
    pub fn empty() -> Self {
        Self {
            last_offset: -1,
            ..Self::default()
        }
    }
}

/// A hub in a [`Snapshot`](super::Snapshot).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HubSnap {
    /// Id.
    pub id: u32,
    /// ARM JSON.
    pub config_json: String,
    /// Creation time, Unix ms.
    pub created_at_ms: i64,
    /// Partitions, by index.
    pub partitions: Vec<PartitionState>,
}

/// The Event Hubs section of a [`Snapshot`](super::Snapshot).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HubsSnap {
    /// Next hub id.
    pub next_id: u32,
    /// Hubs.
    pub hubs: Vec<HubSnap>,
}

impl Hubs {
    /// The snapshot section.
    pub fn snapshot(&self) -> HubsSnap {
        HubsSnap {
            next_id: self.next_id,
            hubs: self
                .by_id
                .values()
                .map(|hub| HubSnap {
                    id: hub.id,
                    config_json: hub.config_json.clone(),
                    created_at_ms: hub.created_at_ms,
                    partitions: hub.partitions.clone(),
                })
                .collect(),
        }
    }

    /// The hubs of a snapshot section.
    pub fn restore(snap: &HubsSnap) -> Result<Self, String> {
        let mut hubs = Self {
            next_id: snap.next_id,
            ..Self::default()
        };
        for hub in &snap.hubs {
            let config = hub_from_json_str(&hub.config_json).map_err(|e| e.to_string())?;
            if hub.partitions.len() != config.partition_count as usize {
                return Err("an event hub's partitions do not match its configuration".into());
            }
            hubs.names.insert(config.name.to_ascii_lowercase(), hub.id);
            hubs.by_id.insert(
                hub.id,
                HubState {
                    id: hub.id,
                    config,
                    config_json: hub.config_json.clone(),
                    created_at_ms: hub.created_at_ms,
                    partitions: hub.partitions.clone(),
                    round_robin: 0,
                },
            );
        }
        Ok(hubs)
    }
}
