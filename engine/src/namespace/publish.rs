//! Publishing events to a topic: [`publish_in`], the decision every publish makes inside its
//! transaction (the synchronous [`Namespace::publish`] and the group-committed
//! [`Namespace::publish_async`]), and the throughput-unit check made before it.

use gridlog_format::{Event, EventRecord, billing_units};
use gridlog_wal::SeqRange;

use super::committer::{Committing, Write};
use super::txn::Txn;
use super::{Inner, Namespace, PublishReceipt, not_found_topic};
use crate::error::EngineError;
use crate::record::{self, StateRecord};
use crate::throttle::Direction;

/// Bytes a publish record needs beyond its JSON, type and subject (record headers, varints,
/// topic, publish and event times): at most 40; only sizes the batch's encoding buffer.
const PUBLISH_RECORD_SLACK_BYTES: usize = 64;

impl Namespace {
    /// [`Self::publish`] without blocking: the events are queued for the namespace's committer
    /// threads, which store every write queued so far in one transaction with one sync (group
    /// commit across callers; see `committer.rs`). The future resolves once the events are
    /// durable (default durability) or refused; it needs no particular async runtime. Writes
    /// submitted one after the other by one caller are stored in that order.
    pub fn publish_async(&self, topic: &str, events: Vec<Event>) -> Committing<PublishReceipt> {
        if let Err(refused) = throttle_publish(&self.inner, &events) {
            return Committing::ready(Err(refused));
        }
        let (reply, committing) = Committing::channel();
        self.inner.committer.submit(
            &self.inner,
            Write::Publish {
                topic: topic.to_owned(),
                events,
                reply,
            },
        );
        committing
    }
}

/// Takes a publish of `events` from the namespace's ingress throughput limit (before the
/// state lock, as every throughput check), or fails with `Throttled`: the batch is accepted
/// whole or refused whole.
pub(super) fn throttle_publish(inner: &Inner, events: &[Event]) -> Result<(), EngineError> {
    let bytes: u64 = events.iter().map(|event| event.size() as u64).sum();
    inner.throttle(Direction::Ingress, events.len() as u64, bytes)
}

/// Appends `events` to `topic` as one WAL batch in `st` and applies them (not yet synced:
/// the transaction's commit does that).
pub(super) fn publish_in(
    st: &mut Txn<'_>,
    topic: &str,
    events: &[Event],
) -> Result<PublishReceipt, EngineError> {
    let topic_id = st.topic_id(topic).ok_or_else(|| not_found_topic(topic))?;
    if events.is_empty() {
        let next = st.next_seq();
        return Ok(PublishReceipt {
            events: 0,
            billing_units: 0,
            seqs: SeqRange {
                start: next,
                end: next,
            },
        });
    }
    let event_records: Vec<EventRecord<'_>> = events.iter().map(EventRecord::from_event).collect();
    let billing = events
        .iter()
        .map(|event| billing_units(event.size() as u64))
        .sum();
    let published_at_ms = st.now().wall_ms.max(st.last_published_at_ms);
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
        .map(|event| StateRecord::encode_publish_into(topic_id, published_at_ms, event, &mut buf))
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
    let seqs = st.append_encoded(
        &encoded,
        &records,
        crate::limits::PUBLISH_SEGMENT_RESERVE_BYTES,
    )?;
    st.wake(topic_id);
    Ok(PublishReceipt {
        events: events.len(),
        billing_units: billing,
        seqs,
    })
}
