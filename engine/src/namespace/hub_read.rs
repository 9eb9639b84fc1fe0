//! Reading a partition of an Event Hub from a position: the partition's sparse index gives the
//! WAL position to start at (never a scan of the whole log), then the WAL is read forward,
//! keeping the partition's events, until `max` events or the partition's last one.

use gridlog_wal::Seq;

use super::Namespace;
use super::hub::{not_found_hub, partition};
use crate::error::EngineError;
use crate::hub::{EventPosition, HubEvent, MessageFormat};
use crate::limits::HUB_READ_EVENTS_MAX;
use crate::record::{self, HubRecord, StateRecord};
use crate::state::PartitionState;
use crate::throttle::Direction;

/// Where a read starts and what it keeps.
#[derive(Clone, Copy, Debug)]
struct Plan {
    /// The hub's id.
    hub: u32,
    /// The WAL seq to start reading at.
    start: u64,
    /// One past the partition's last event's WAL seq.
    end: u64,
    /// Keep events with a sequence number at or above this.
    first_sequence_number: i64,
    /// Keep events enqueued at or after this, Unix ms.
    enqueued_from_ms: i64,
}

/// The read of `part` from `from`, `None` when it returns nothing.
fn plan(hub: u32, part: &PartitionState, from: &EventPosition) -> Option<Plan> {
    if part.is_empty() {
        return None;
    }
    let begin = part.begin_sequence_number;
    let first_mark = *part.marks.front()?;
    let end = u64::try_from(part.last_offset).ok()? + 1;
    let from_sequence = |first: i64| {
        let first = first.max(begin);
        (first < part.next_sequence_number).then(|| Plan {
            hub,
            start: part.mark_for_sequence(first).unwrap_or(first_mark).seq,
            end,
            first_sequence_number: first,
            enqueued_from_ms: i64::MIN,
        })
    };
    match *from {
        EventPosition::Earliest => from_sequence(begin),
        EventPosition::Latest => None,
        EventPosition::SequenceNumber { n, inclusive } => {
            from_sequence(if inclusive { n } else { n.saturating_add(1) })
        }
        EventPosition::Offset { offset, inclusive } => {
            let first = if inclusive {
                offset
            } else {
                offset.saturating_add(1)
            };
            let first = u64::try_from(first.max(0)).ok()?;
            (first < end).then(|| Plan {
                hub,
                start: first.max(part.mark_for_offset(first).unwrap_or(first_mark).seq),
                end,
                first_sequence_number: begin,
                enqueued_from_ms: i64::MIN,
            })
        }
        EventPosition::EnqueuedTime { ms, inclusive } => {
            let from_ms = if inclusive { ms } else { ms.saturating_add(1) };
            (part.last_enqueued_ms >= from_ms).then(|| Plan {
                hub,
                start: part.mark_for_time(from_ms).unwrap_or(first_mark).seq,
                end,
                first_sequence_number: begin,
                enqueued_from_ms: from_ms,
            })
        }
    }
}

impl Namespace {
    /// Up to `max` (1–1000) events of partition `partition` of `hub`, in order, from `from`, for
    /// consumer group `consumer_group` (which must exist; groups read independently, the engine
    /// keeps no position for them). Starts at the partition's sparse index, never scanning the
    /// whole log; an empty vector means nothing is there (yet). Events are visible once durable.
    /// Throttled by the hub egress limit of the namespace's throughput units.
    pub fn read_partition(
        &self,
        hub: &str,
        consumer_group: &str,
        partition_id: u32,
        from: &EventPosition,
        max: usize,
    ) -> Result<Vec<HubEvent>, EngineError> {
        if !(1..=HUB_READ_EVENTS_MAX).contains(&max) {
            return Err(EngineError::InvalidArgument {
                argument: "max",
                reason: format!("{max} is outside 1..={HUB_READ_EVENTS_MAX}"),
            });
        }
        let inner = &self.inner;
        let plan = {
            let st = inner.store.lock_state()?;
            let (state, part) = partition(&st, hub, partition_id)?;
            if state.config.consumer_group(consumer_group).is_none() {
                return Err(EngineError::NotFound {
                    kind: "consumer group",
                    name: format!("{}/{consumer_group}", state.config.name),
                });
            }
            let id = st.hubs.id(hub).ok_or_else(|| not_found_hub(hub))?;
            plan(id, part, from)
        };
        let Some(plan) = plan else {
            return Ok(Vec::new());
        };
        let granted = inner
            .throttle
            .grant(Direction::HubEgress, max as u64, || {
                inner.store.clock.monotonic()
            })
            .map_err(|refused| EngineError::Throttled {
                direction: refused.direction,
                retry_after: refused.retry_after,
            })?;
        let max = usize::try_from(granted).unwrap_or(max).min(max);
        let mut events = Vec::new();
        let mut bytes = 0_u64;
        for item in inner.store.wal.iter_from(Seq(plan.start)) {
            let (seq, stored) = item?;
            if seq.0 >= plan.end || events.len() >= max {
                break;
            }
            let StateRecord::Hub(HubRecord::Append {
                hub,
                partition,
                sequence_number,
                enqueued_at_ms,
                partition_key,
                format,
                body,
            }) = record::decode(seq.0, &stored)?
            else {
                continue;
            };
            if hub != plan.hub
                || partition != partition_id
                || sequence_number < plan.first_sequence_number
                || enqueued_at_ms < plan.enqueued_from_ms
            {
                continue;
            }
            let format = MessageFormat::from_byte(format).ok_or_else(|| EngineError::Corrupt {
                seq: seq.0,
                reason: format!("unknown event hub message format {format}"),
            })?;
            bytes += body.0.len() as u64;
            events.push(HubEvent {
                sequence_number,
                offset: i64::try_from(seq.0).unwrap_or(i64::MAX),
                enqueued_time_ms: enqueued_at_ms,
                partition_key: partition_key.map(str::to_owned),
                format,
                bytes: body.0.to_vec(),
            });
        }
        inner
            .throttle
            .charge(Direction::HubEgress, events.len() as u64, bytes, || {
                inner.store.clock.monotonic()
            });
        Ok(events)
    }
}
