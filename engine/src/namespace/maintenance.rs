//! The maintenance sweep: retention, dead-lettering of what is due, segment reclamation behind a
//! checkpoint, and the index write.

use gridlog_wal::Seq;

use super::delivery::{DeadLetterPlan, Expired, Scan, dead_letter_reason, scan_one};
use super::txn::Txn;
use super::{Inner, MaintenanceReport, crc, ms};
use crate::error::EngineError;
use crate::index::IndexCheckpoint;
use crate::record::{self, HubRecord, StateRecord};

impl Inner {
    pub(super) fn run_maintenance(&self) -> Result<MaintenanceReport, EngineError> {
        let mut report = MaintenanceReport::default();
        {
            let mut st = Txn::begin(self)?;
            let now = st.now();
            // Scans stop at the log's end as of the start of the sweep: dead-letter events the
            // sweep itself publishes are left to the next one (whether a segment roll happened
            // to make them durable already must not matter).
            let sweep_end = self.store.wal.next_seq().0;
            let sub_ids: Vec<u64> = st.subs.keys().copied().collect();
            for sub_id in sub_ids {
                report.expired += Self::expire_retention(&mut st, sub_id, now);
                let s = &st.subs[&sub_id];
                let retention_ms = ms(st.topics[&s.topic].config.retention());
                let delivery = &s.config.delivery;
                let max_dc = delivery.max_delivery_count;
                let ttl_ms = ms(delivery.event_ttl);
                let mut plans: Vec<DeadLetterPlan> = s
                    .available_seqs(now)
                    .into_iter()
                    .filter_map(|seq| {
                        let p = &s.pending()[&seq];
                        dead_letter_reason(p, max_dc, ttl_ms, now)
                            .map(|reason| DeadLetterPlan::in_flight(seq, p, reason))
                    })
                    .collect();
                // Never-delivered events past their TTL: publish times are non-decreasing, so
                // the scan stops at the first matching event still within its TTL.
                let mut cursor = s.cursor;
                let mut expired = Expired::default();
                for item in self.store.wal.iter_from(Seq(s.cursor)) {
                    let (seq, bytes) = item?;
                    if seq.0 >= sweep_end {
                        break;
                    }
                    match scan_one(s, s.topic, seq.0, &bytes, now, retention_ms, ttl_ms)? {
                        Scan::Skip => {}
                        Scan::Expired { matched } => expired.count(matched),
                        Scan::DeadLetter(published_at_ms) => plans.push(
                            DeadLetterPlan::never_delivered(seq.0, published_at_ms, bytes),
                        ),
                        Scan::Deliver { .. } => break,
                    }
                    cursor = seq.0 + 1;
                }
                let outs = self.dead_letters(&st, sub_id, plans)?;
                let published_at_ms = now.wall_ms.max(st.last_published_at_ms);
                let records: Vec<StateRecord<'_>> =
                    Self::dead_letter_records(sub_id, &outs, published_at_ms).collect();
                if !records.is_empty() {
                    st.append(&records)?;
                }
                report.dead_lettered += outs.len() as u64;
                report.expired += expired.events;
                for topic in outs.iter().filter_map(|out| out.target) {
                    st.wake(topic);
                }
                if let Some(s) = st.subs.get_mut(&sub_id) {
                    s.skip_to(cursor);
                    s.meters.expired += expired.events;
                    s.unwait(expired.waiting);
                }
            }
            report.hub_events_expired = Self::expire_hubs(&mut st)?;
            st.commit()?;
        }
        let (checkpoints, purged) = self.reclaim()?;
        report.checkpoints = checkpoints;
        report.segments_purged = purged;
        report.index_written = self.write_index()?;
        Ok(report)
    }

    /// Event Hubs retention: each partition's index blocks whose events are all past the hub's
    /// retention go, one `Expired` record per partition that changes. Returns the events
    /// removed.
    fn expire_hubs(st: &mut Txn<'_>) -> Result<u64, EngineError> {
        let now_ms = st.now().wall_ms;
        let mut expired = 0_u64;
        let plans: Vec<(u32, u32, i64)> = st
            .hubs
            .by_id
            .values()
            .flat_map(|hub| {
                let cutoff_ms = now_ms.saturating_sub(ms(hub.config.retention()));
                hub.partitions
                    .iter()
                    .enumerate()
                    .filter_map(move |(index, part)| {
                        let begin = part.expiry_at(cutoff_ms)?;
                        let partition = u32::try_from(index).ok()?;
                        Some((hub.id, partition, begin))
                    })
            })
            .collect();
        if plans.is_empty() {
            return Ok(0);
        }
        let records: Vec<StateRecord<'_>> = plans
            .iter()
            .map(|&(hub, partition, begin)| {
                let part = &st.hubs.by_id[&hub].partitions[partition as usize];
                expired += u64::try_from(begin - part.begin_sequence_number).unwrap_or(0);
                StateRecord::Hub(HubRecord::Expired {
                    hub,
                    partition,
                    begin,
                })
            })
            .collect();
        st.append(&records)?;
        Ok(expired)
    }

    /// Segment reclamation (docs/delivery.md §5): the WAL below the lowest seq anything still
    /// needs is dropped, once a checkpoint above it is durable.
    pub(super) fn reclaim(&self) -> Result<(u64, usize), EngineError> {
        let mut st = Txn::begin(self)?;
        let now = st.now();
        let mut boundary = self.store.wal.next_seq().0;
        for sub in st.subs.values() {
            boundary = boundary.min(sub.floor());
        }
        // Topics without subscriptions keep their events until their retention passes.
        let unread_retention = st
            .topics
            .values()
            .filter(|topic| !st.subs.values().any(|sub| sub.topic == topic.id))
            .map(|topic| ms(topic.config.retention()))
            .max();
        if let Some(retention_ms) = unread_retention {
            boundary = boundary.min(st.retained_from(now, retention_ms));
        }
        // Event Hubs keep every retained event's record (retention moves their floor).
        if let Some(floor) = st.hubs.floor_seq() {
            boundary = boundary.min(floor);
        }
        let purgeable = self
            .store
            .wal
            .segments()
            .iter()
            .filter(|segment| segment.sealed && segment.seqs.end.0 <= boundary)
            .count();
        if purgeable == 0 {
            return Ok((0, 0));
        }
        let snapshot = st.snapshot().encode();
        let chunk_bytes = (self.store.record_bytes_max / 2).clamp(1024, 1 << 20);
        let chunks: Vec<&[u8]> = snapshot.chunks(chunk_bytes).collect();
        let count = u32::try_from(chunks.len()).unwrap_or(u32::MAX);
        let records: Vec<StateRecord<'_>> = chunks
            .iter()
            .enumerate()
            .map(|(chunk, body)| StateRecord::Checkpoint {
                chunk: u32::try_from(chunk).unwrap_or(u32::MAX),
                count,
                body: record::Bytes(body),
            })
            .collect();
        st.append(&records)?;
        drop(records);
        // The checkpoint must be durable before anything below it goes, whatever the
        // namespace's durability: the commit syncs it, after releasing the lock.
        st.durable();
        st.commit()?;
        failpoint!("engine::reclaim::after_checkpoint_before_purge");
        let purged = self.store.wal.purge_before(Seq(boundary))?;
        self.store.state.lock().prune_time_marks(purged.first_seq.0);
        Ok((1, purged.segments_purged))
    }

    /// Writes the index: a snapshot covering everything applied, after syncing the WAL.
    pub(super) fn write_index(&self) -> Result<bool, EngineError> {
        // The snapshot is taken under the lock; the sync that makes what it covers durable
        // runs after the lock is released (never a sync under the state lock).
        let (covered, snapshot) = {
            let st = self.store.state.lock();
            (st.applied_seq, st.snapshot())
        };
        self.store
            .wal
            .sync_to(Seq(covered + 1))
            .inspect_err(|_| self.poison())?;
        let blob = {
            let bytes = self.store.wal.read(Seq(covered))?;
            let secret = snapshot.secret.ok_or(EngineError::Poisoned)?;
            let snapshot = snapshot.encode();
            gridlog_format::encode_state_record(&IndexCheckpoint {
                version: 1,
                covered_seq: covered,
                fingerprint: crc(&bytes),
                identity: crc(&secret),
                snapshot_crc: crc(&snapshot),
                snapshot,
            })
        };
        failpoint!("engine::index::before_store");
        self.store.index.store(&blob)?;
        failpoint!("engine::index::after_store");
        Ok(true)
    }
}
