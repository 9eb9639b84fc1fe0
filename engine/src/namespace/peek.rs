//! The read-only peek (docs/delivery.md §12): a topic's log from a position, and the events
//! waiting in a subscription, without locking anything, changing a delivery count, moving a
//! scan position or appending a record. Neither call begins a [`Txn`](super::txn::Txn).

use gridlog_format::decode_record;
use gridlog_wal::{RecordBytes, Seq, Wal};

use super::delivery::{Scan, resolve, scan_one};
use super::peeked::{DeadLetterOrigin, PeekFilter, PeekPage, PeekState, Peeked};
use super::{Inner, ms, not_found_topic};
use crate::error::EngineError;
use crate::limits::{
    PEEK_EVENTS_MAX, PEEK_SUBSCRIPTION_SCAN_RECORDS_MAX, PEEK_TOPIC_SCAN_RECORDS_MAX,
};
use crate::record::{self, StateRecord};
use crate::state::{NamespaceState, Now, Pending};

/// One record of the log that stores an event into a topic, decoded.
struct Logged {
    topic: u32,
    published_at_ms: i64,
    passes: bool,
    json: std::ops::Range<usize>,
    /// (source subscription id, source seq) of a dead-letter event.
    dead_letter: Option<(u64, u64)>,
}

/// Decodes `bytes` (the record at `seq`) if it stores an event (a publish or a dead-letter
/// event); `passes`: the event passes `filter`.
fn logged(seq: u64, bytes: &[u8], filter: &PeekFilter) -> Result<Option<Logged>, EngineError> {
    let rec = record::decode(seq, bytes)?;
    let Some((topic, published_at_ms, event)) = rec.published() else {
        return Ok(None);
    };
    let event = decode_record(event).map_err(|error| EngineError::Corrupt {
        seq,
        reason: error.to_string(),
    })?;
    let json = event.json();
    let start = (json.as_ptr() as usize).saturating_sub(bytes.as_ptr() as usize);
    let dead_letter = match rec {
        StateRecord::DeadLetter { sub, seq, .. } => Some((sub, seq)),
        _ => None,
    };
    Ok(Some(Logged {
        topic,
        published_at_ms,
        passes: filter.passes(event.event_type(), event.subject()),
        json: start..start + json.len(),
        dead_letter,
    }))
}

impl Logged {
    /// The peeked event: this record's bytes with its delivery count and state; `st` names a
    /// dead-letter event's origin.
    fn peeked(
        self,
        st: &NamespaceState,
        seq: u64,
        bytes: RecordBytes,
        delivery_count: u32,
        state: PeekState,
    ) -> Peeked {
        Peeked {
            seq,
            published_at_ms: self.published_at_ms,
            delivery_count,
            state,
            dead_letter: self.dead_letter.map(|source| origin(st, source)),
            bytes,
            json: self.json,
        }
    }
}

/// Where a dead-letter event came from, named as the state has it now.
fn origin(st: &NamespaceState, (sub, source_seq): (u64, u64)) -> DeadLetterOrigin {
    let sub = st.subs.get(&sub);
    DeadLetterOrigin {
        topic: sub
            .and_then(|s| st.topics.get(&s.topic))
            .map(|t| t.config.name.clone()),
        subscription: sub.map(|s| s.config.name.clone()),
        source_seq,
    }
}

fn pending_state(p: &Pending, now: Now) -> PeekState {
    if p.is_locked(now) {
        PeekState::Locked
    } else if p.is_available(now) {
        PeekState::Available
    } else {
        PeekState::Delayed
    }
}

/// Reads the log from `start` up to `end` (exclusive), at most `budget` records, handing each
/// to `take`, which says whether the page is now full. Returns where the next page starts: after
/// the last record read, or `end` once the log was read to it.
fn scan_log(
    wal: &Wal,
    start: u64,
    end: u64,
    budget: usize,
    mut take: impl FnMut(u64, RecordBytes) -> Result<bool, EngineError>,
) -> Result<u64, EngineError> {
    let mut next = start;
    for (scanned, item) in wal.iter_from(Seq(start)).enumerate() {
        if scanned >= budget {
            return Ok(next);
        }
        let (seq, bytes) = item?;
        if seq.0 >= end {
            break;
        }
        next = seq.0 + 1;
        if take(seq.0, bytes)? {
            return Ok(next);
        }
    }
    Ok(end)
}

/// The page size asked for, bounded to 1..=[`PEEK_EVENTS_MAX`].
fn page_size(max_events: usize) -> Result<usize, EngineError> {
    if (1..=PEEK_EVENTS_MAX).contains(&max_events) {
        Ok(max_events)
    } else {
        Err(EngineError::InvalidArgument {
            argument: "max_events",
            reason: format!("a peek returns 1 to {PEEK_EVENTS_MAX} events, not {max_events}"),
        })
    }
}

impl Inner {
    /// The log's durable end: the first seq a reader cannot see yet.
    fn visible_end(&self) -> u64 {
        self.store.wal.durable_seq().0 + 1
    }
}

impl super::Namespace {
    /// Up to `max_events` (1–[`PEEK_EVENTS_MAX`]) events stored into `topic` (published, or
    /// dead-lettered into it), from log position `from_seq` on, passing `filter`; read-only.
    /// A page may be short (the scan reads at most [`PEEK_TOPIC_SCAN_RECORDS_MAX`] records):
    /// continue from [`PeekPage::next_seq`] until it equals [`PeekPage::end_seq`].
    pub fn peek_topic(
        &self,
        topic: &str,
        from_seq: u64,
        max_events: usize,
        filter: &PeekFilter,
    ) -> Result<PeekPage, EngineError> {
        let max = page_size(max_events)?;
        let topic_id = {
            let st = self.inner.store.lock_state()?;
            st.topic_id(topic).ok_or_else(|| not_found_topic(topic))?
        };
        let end = self.inner.visible_end();
        let start = from_seq.max(self.inner.store.wal.first_seq().0);
        let mut found: Vec<(u64, Logged, RecordBytes)> = Vec::new();
        // Read without the namespace's lock: the log below its durable end never changes.
        let next = scan_log(
            &self.inner.store.wal,
            start,
            end,
            PEEK_TOPIC_SCAN_RECORDS_MAX,
            |seq, bytes| {
                if let Some(entry) = logged(seq, &bytes, filter)?
                    && entry.topic == topic_id
                    && entry.passes
                {
                    found.push((seq, entry, bytes));
                }
                Ok(found.len() >= max)
            },
        )?;
        let st = self.inner.store.lock_state()?;
        let events = found
            .into_iter()
            .map(|(seq, entry, bytes)| entry.peeked(&st, seq, bytes, 0, PeekState::Logged))
            .collect();
        Ok(PeekPage {
            events,
            next_seq: next.min(end),
            end_seq: end,
        })
    }

    /// Up to `max_events` (1–[`PEEK_EVENTS_MAX`]) events waiting in `topic`/`sub` (what its
    /// backlog counts: in flight, locked ones included, then never delivered) at or after log
    /// position `from_seq`, passing `filter`, each with its delivery count and state. Nothing
    /// is locked, no delivery count or scan position changes and no record is written: a
    /// receive afterwards sees exactly what it would have seen. Short pages as for
    /// [`Self::peek_topic`] (at most [`PEEK_SUBSCRIPTION_SCAN_RECORDS_MAX`] records read).
    pub fn peek_subscription(
        &self,
        topic: &str,
        sub: &str,
        from_seq: u64,
        max_events: usize,
        filter: &PeekFilter,
    ) -> Result<PeekPage, EngineError> {
        let max = page_size(max_events)?;
        // Under the lock (read, never changed): the in-flight events and the scan position must
        // be seen together, as a receive sees them.
        let st = self.inner.store.lock_state()?;
        let now = self.inner.store.now();
        let end = self.inner.visible_end();
        let (topic_id, sub_id) = resolve(&st, topic, sub)?;
        let retention_ms = ms(st.topics[&topic_id].config.retention());
        let s = &st.subs[&sub_id];
        let mut events = Vec::new();
        let mut next = from_seq.max(s.start_seq);
        // In flight (delivered before, not settled): all below the scan position. Their reads
        // count against the same budget as the scan's.
        let in_flight: Vec<(u64, Pending)> = s
            .pending()
            .range(from_seq..)
            .filter(|(_, p)| now.wall_ms < p.published_at_ms.saturating_add(retention_ms))
            .map(|(seq, p)| (*seq, *p))
            .take(PEEK_SUBSCRIPTION_SCAN_RECORDS_MAX)
            .collect();
        let budget_spent = in_flight.len() >= PEEK_SUBSCRIPTION_SCAN_RECORDS_MAX;
        for (seq, p) in in_flight {
            if events.len() >= max {
                break;
            }
            next = seq + 1;
            let bytes = self.inner.store.wal.read(Seq(seq))?;
            let Some(entry) = logged(seq, &bytes, filter)? else {
                continue;
            };
            if entry.passes {
                let state = pending_state(&p, now);
                events.push(entry.peeked(&st, seq, bytes, p.delivery_count, state));
            }
        }
        // Never delivered: the log from the scan position, as a receive's scan decides (no TTL:
        // an event past it still waits until a receive or the sweep dead-letters it).
        if events.len() < max && !budget_spent {
            next = scan_log(
                &self.inner.store.wal,
                next.max(s.cursor),
                end,
                PEEK_SUBSCRIPTION_SCAN_RECORDS_MAX,
                |seq, bytes| {
                    if let Scan::Deliver { .. } =
                        scan_one(s, topic_id, seq, &bytes, now, retention_ms, i64::MAX)?
                        && let Some(entry) = logged(seq, &bytes, filter)?
                        && entry.passes
                    {
                        events.push(entry.peeked(&st, seq, bytes, 0, PeekState::Waiting));
                    }
                    Ok(events.len() >= max)
                },
            )?;
        }
        drop(st);
        Ok(PeekPage {
            events,
            next_seq: next.min(end),
            end_seq: end,
        })
    }
}

