//! Event Hubs: send to a hub (one partition per call, durable before it returns), hub and
//! partition properties, and the async wait for a partition's next event. Reads are
//! `hub_read.rs`. Every change is one [`Txn`]; the engine knows nothing of AMQP.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use gridlog_format::EventRecord;

use super::txn::Txn;
use super::waiters::AsyncWaiter;
use super::{Inner, Namespace, not_found_topic};
use crate::error::EngineError;
use crate::hub::{
    EventOrigin, HubInfo, HubMessage, HubReceipt, PartitionInfo, PartitionTarget,
    partition_for_key,
};
use crate::ids::random_uuid;
use crate::limits::{HUB_PARTITION_KEY_BYTES_MAX, HUB_SEND_BYTES_MAX, PUBLISH_SEGMENT_RESERVE_BYTES};
use crate::record::{Bytes, HubRecord, StateRecord};
use crate::state::{HubState, NamespaceState, PartitionState};
use crate::throttle::Direction;

pub(super) fn not_found_hub(hub: &str) -> EngineError {
    EngineError::NotFound {
        kind: "event hub",
        name: hub.to_owned(),
    }
}

pub(super) fn not_found_partition(hub: &str, partition: u32) -> EngineError {
    EngineError::NotFound {
        kind: "partition",
        name: format!("{hub}/{partition}"),
    }
}

/// The hub named `name` and its partition `partition`.
pub(super) fn partition<'s>(
    st: &'s NamespaceState,
    name: &str,
    partition: u32,
) -> Result<(&'s HubState, &'s PartitionState), EngineError> {
    let hub = st
        .hubs
        .id(name)
        .and_then(|id| st.hubs.by_id.get(&id))
        .ok_or_else(|| not_found_hub(name))?;
    let state = hub
        .partitions
        .get(partition as usize)
        .ok_or_else(|| not_found_partition(name, partition))?;
    Ok((hub, state))
}

fn check_messages(messages: &[HubMessage<'_>]) -> Result<u64, EngineError> {
    let bytes: usize = messages.iter().map(|message| message.bytes.len()).sum();
    if bytes > HUB_SEND_BYTES_MAX {
        return Err(EngineError::InvalidArgument {
            argument: "messages",
            reason: format!("{bytes} bytes exceed the {HUB_SEND_BYTES_MAX}-byte limit of a send"),
        });
    }
    if let Some(key) = messages
        .iter()
        .filter_map(|message| message.partition_key)
        .find(|key| key.len() > HUB_PARTITION_KEY_BYTES_MAX)
    {
        return Err(EngineError::InvalidArgument {
            argument: "partition_key",
            reason: format!(
                "{} bytes exceed the {HUB_PARTITION_KEY_BYTES_MAX}-byte limit",
                key.len()
            ),
        });
    }
    Ok(bytes as u64)
}

/// The encoded event records of `messages` for the hub's topic (`origin`): each message's
/// [`MessageParts`](crate::hub::MessageParts) mapped to its `CloudEvent`.
fn topic_events(
    messages: &[HubMessage<'_>],
    origin: EventOrigin<'_>,
) -> Result<Vec<Vec<u8>>, EngineError> {
    messages
        .iter()
        .enumerate()
        .map(|(index, message)| {
            let parts = message.parts.ok_or_else(|| EngineError::InvalidArgument {
                argument: "parts",
                reason: format!(
                    "message {index}: Event Hub '{}' is mapped to a topic, so every message \
                     needs the parts of its CloudEvent",
                    origin.hub
                ),
            })?;
            let event = parts
                .to_event(origin, random_uuid)
                .map_err(|source| EngineError::HubEvent { index, source })?;
            Ok(gridlog_format::encode_record(&EventRecord::from_event(
                &event,
            )))
        })
        .collect()
}

impl Namespace {
    /// Sends `messages` to Event Hub `hub`: all of them land in the one partition `target`
    /// names, with consecutive sequence numbers and one enqueued time, durable (per the
    /// namespace's durability) before `Ok`. For a hub mapped to a topic, each message's
    /// [`parts`](HubMessage::parts) become a `CloudEvent` published into the topic in the same
    /// transaction (refused whole with [`EngineError::HubEvent`] when one makes no valid event). Refused
    /// whole with [`EngineError::Throttled`] over the hub ingress limit of the namespace's
    /// throughput units, `NotFound` for an unknown hub or partition, `InvalidArgument` over
    /// 1 MB or for a partition key over 128 bytes.
    pub fn send_to_hub(
        &self,
        hub: &str,
        target: PartitionTarget<'_>,
        messages: &[HubMessage<'_>],
    ) -> Result<HubReceipt, EngineError> {
        let inner = &self.inner;
        let bytes = check_messages(messages)?;
        if let PartitionTarget::Key(key) | PartitionTarget::Publisher(key) = target
            && key.len() > HUB_PARTITION_KEY_BYTES_MAX
        {
            return Err(EngineError::InvalidArgument {
                argument: "partition_key",
                reason: format!("{} bytes exceed the 128-byte limit", key.len()),
            });
        }
        inner.throttle(Direction::HubIngress, messages.len() as u64, bytes)?;
        let mut st = Txn::begin(inner)?;
        let hub_id = st.hubs.id(hub).ok_or_else(|| not_found_hub(hub))?;
        let state = &st.hubs.by_id[&hub_id];
        let count = state.config.partition_count;
        let partition = match target {
            PartitionTarget::Id(id) if id < count => id,
            PartitionTarget::Id(id) => return Err(not_found_partition(hub, id)),
            PartitionTarget::Key(key) | PartitionTarget::Publisher(key) => {
                partition_for_key(key, count)
            }
            PartitionTarget::RoundRobin => state.round_robin % count,
        };
        let topic = match &state.config.topic {
            Some(name) => Some(st.topic_id(name).ok_or_else(|| not_found_topic(name))?),
            None => None,
        };
        let part = &state.partitions[partition as usize];
        let first = part.next_sequence_number;
        let enqueued_at_ms = st.now().wall_ms.max(part.last_enqueued_ms);
        // The topic's events, made before anything changes: a message that makes none refuses
        // the whole send.
        let event_records: Vec<Vec<u8>> = match topic {
            Some(_) => {
                let origin = EventOrigin {
                    hub: &state.config.name,
                    publisher: match target {
                        PartitionTarget::Publisher(name) => Some(name),
                        _ => None,
                    },
                    partition: match target {
                        PartitionTarget::Id(id) => Some(id),
                        _ => None,
                    },
                    time_ms: enqueued_at_ms,
                };
                topic_events(messages, origin)?
            }
            None => Vec::new(),
        };
        if matches!(target, PartitionTarget::RoundRobin) {
            let state = st.hubs.by_id.get_mut(&hub_id).ok_or_else(|| not_found_hub(hub))?;
            state.round_robin = (partition + 1) % count;
        }
        if messages.is_empty() {
            return Ok(HubReceipt {
                partition,
                first_sequence_number: first,
                count: 0,
                enqueued_time_ms: enqueued_at_ms,
            });
        }
        let published_at_ms = st.now().wall_ms.max(st.last_published_at_ms);
        let mut records: Vec<StateRecord<'_>> = messages
            .iter()
            .zip(first..)
            .map(|(message, sequence_number)| {
                StateRecord::Hub(HubRecord::Append {
                    hub: hub_id,
                    partition,
                    sequence_number,
                    enqueued_at_ms,
                    partition_key: message.partition_key,
                    format: message.format as u8,
                    body: Bytes(message.bytes),
                })
            })
            .collect();
        if let Some(topic) = topic {
            records.extend(event_records.iter().map(|event| StateRecord::Publish {
                topic,
                published_at_ms,
                event: Bytes(event),
            }));
        }
        st.append_reserving(&records, PUBLISH_SEGMENT_RESERVE_BYTES)?;
        drop(records);
        st.wake_hub(hub_id);
        if let Some(topic) = topic.filter(|_| !event_records.is_empty()) {
            st.wake(topic);
        }
        st.commit()?;
        Ok(HubReceipt {
            partition,
            first_sequence_number: first,
            count: messages.len(),
            enqueued_time_ms: enqueued_at_ms,
        })
    }

    /// Event Hub `hub`'s properties (`NotFound` for an unknown hub).
    pub fn hub_info(&self, hub: &str) -> Result<HubInfo, EngineError> {
        let st = self.inner.store.state.lock();
        let state = st
            .hubs
            .id(hub)
            .and_then(|id| st.hubs.by_id.get(&id))
            .ok_or_else(|| not_found_hub(hub))?;
        Ok(HubInfo {
            name: state.config.name.clone(),
            created_at_ms: state.created_at_ms,
            partition_ids: (0..state.config.partition_count)
                .map(|id| id.to_string())
                .collect(),
            consumer_groups: state.config.consumer_groups.clone(),
            retention_hours: state.config.retention_hours,
            topic: state.config.topic.clone(),
        })
    }

    /// The topic Event Hub `hub` is mapped to, if any (`NotFound` for an unknown hub): a front
    /// end gives each message's [`parts`](HubMessage::parts) to [`send_to_hub`](Self::send_to_hub)
    /// when there is one.
    pub fn hub_topic(&self, hub: &str) -> Result<Option<String>, EngineError> {
        let st = self.inner.store.state.lock();
        let state = st
            .hubs
            .id(hub)
            .and_then(|id| st.hubs.by_id.get(&id))
            .ok_or_else(|| not_found_hub(hub))?;
        Ok(state.config.topic.clone())
    }

    /// Every Event Hub's properties.
    pub fn hubs(&self) -> Vec<HubInfo> {
        let names: Vec<String> = {
            let st = self.inner.store.state.lock();
            st.hubs
                .by_id
                .values()
                .map(|hub| hub.config.name.clone())
                .collect()
        };
        names
            .iter()
            .filter_map(|name| self.hub_info(name).ok())
            .collect()
    }

    /// A partition's properties (`NotFound` for an unknown hub or partition).
    pub fn partition_info(&self, hub: &str, partition: u32) -> Result<PartitionInfo, EngineError> {
        let st = self.inner.store.state.lock();
        let (state, part) = self::partition(&st, hub, partition)?;
        Ok(partition_info(&state.config.name, partition, part))
    }

    /// Waits until partition `partition` of `hub` holds an event with a sequence number above
    /// `after_sequence` (`Ok(true)`), or `timeout` passes (`Ok(false)`). A future like
    /// [`receive_async`](Self::receive_async): no runtime needed, cancelled by dropping it.
    pub fn wait_partition(
        &self,
        hub: &str,
        partition: u32,
        after_sequence: i64,
        timeout: Duration,
    ) -> impl Future<Output = Result<bool, EngineError>> + Send + 'static {
        let inner = self.inner.clone();
        let hub = hub.to_owned();
        async move {
            inner.workers.start_ticker(Arc::downgrade(&inner));
            let deadline = inner.store.clock.monotonic().saturating_add(timeout);
            loop {
                let listener = inner.listen_hub(&hub);
                if inner.partition_last(&hub, partition)? > after_sequence {
                    return Ok(true);
                }
                if inner.store.clock.monotonic() >= deadline {
                    return Ok(false);
                }
                let _guard = AsyncWaiter::new(&inner.waiters);
                listener.await;
            }
        }
    }
}

impl Inner {
    /// A listener for wake-ups of Event Hub `hub`.
    fn listen_hub(&self, hub: &str) -> event_listener::EventListener {
        let id = self.store.state.lock().hubs.id(hub);
        self.waiters.listen_hub(id)
    }

    /// The last sequence number of a partition (−1 when none was sent).
    fn partition_last(&self, hub: &str, partition: u32) -> Result<i64, EngineError> {
        let st = self.store.lock_state()?;
        let (_, part) = self::partition(&st, hub, partition)?;
        Ok(part.next_sequence_number - 1)
    }
}

pub(super) fn partition_info(hub: &str, partition: u32, part: &PartitionState) -> PartitionInfo {
    PartitionInfo {
        hub: hub.to_owned(),
        id: partition.to_string(),
        begin_sequence_number: part.begin_sequence_number,
        last_sequence_number: part.next_sequence_number - 1,
        last_offset: part.last_offset,
        last_enqueued_time_ms: part.last_enqueued_ms,
        is_empty: part.is_empty(),
    }
}
