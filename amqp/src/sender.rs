//! Sender links to a hub or one of its partitions (reference §4): every transfer is split into
//! its events ([`crate::batch`]) and appended to one partition in one engine call, durably,
//! before the delivery is settled `accepted`; anything refused is settled `rejected` with the
//! condition the SDKs map (never released or modified, which Python cannot handle).

use gridlog::{HubMessage, MessageFormat, Namespace, PartitionTarget};
use ntex_amqp::codec::protocol::{self, TransferBody};
use ntex_amqp::error::LinkError;
use ntex_bytes::Bytes;

use crate::batch::{Incoming, split};
use crate::conditions;
use crate::error::MessageError;
use crate::parts::message_parts;

/// Where a sender link's events go.
#[derive(Clone, Debug)]
pub struct HubTarget {
    /// The hub.
    pub hub: String,
    /// The partition the address names, if any (it wins over a partition key).
    pub partition: Option<u32>,
}

/// Checks, at attach, that the hub (and partition) exist.
pub fn check(namespace: &Namespace, target: &HubTarget, entity: &str) -> Result<(), LinkError> {
    let info = namespace
        .hub_info(&target.hub)
        .map_err(|e| conditions::engine(&e, entity))?;
    match target.partition {
        Some(p) if usize::try_from(p).map_or(true, |p| p >= info.partition_ids.len()) => {
            Err(conditions::not_found(entity))
        }
        _ => Ok(()),
    }
}

fn message_error(error: &MessageError) -> LinkError {
    match error {
        MessageError::TooLarge => LinkError::new(protocol::ErrorCondition::LinkError(
            protocol::LinkError::MessageSizeExceeded,
        ))
        .description(error.to_string()),
        MessageError::Malformed => {
            conditions::amqp(protocol::AmqpError::DecodeError, error.to_string())
        }
        _ => conditions::vendor(conditions::ARGUMENT_ERROR, error.to_string()),
    }
}

/// The payload of a (reassembled) transfer.
pub fn payload(transfer: &protocol::Transfer) -> Result<Bytes, LinkError> {
    match transfer.body() {
        Some(TransferBody::Data(bytes)) => Ok(bytes.clone()),
        _ => Err(conditions::amqp(
            protocol::AmqpError::DecodeError,
            "the transfer carries no message".to_owned(),
        )),
    }
}

/// Stores one transfer's events; returns when they are durable.
pub async fn send(
    namespace: Namespace,
    target: HubTarget,
    entity: String,
    message_format: u32,
    payload: Bytes,
) -> Result<(), LinkError> {
    let Incoming {
        partition_key,
        events,
    } = split(message_format, &payload).map_err(|error| message_error(&error))?;
    let stored = tokio::task::spawn_blocking(move || {
        // A hub mapped to a topic also publishes each event as a CloudEvent: its parts.
        let parts = match namespace.hub_topic(&target.hub) {
            Ok(Some(_)) => events
                .iter()
                .map(|event| message_parts(event, partition_key.as_deref()))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|error| Err(message_error(&error)))?,
            Ok(None) => Vec::new(),
            Err(error) => return Err(Ok(error)),
        };
        let messages: Vec<HubMessage<'_>> = events
            .iter()
            .enumerate()
            .map(|(index, bytes)| HubMessage {
                format: MessageFormat::Amqp,
                bytes,
                partition_key: partition_key.as_deref(),
                parts: parts.get(index),
            })
            .collect();
        let to = match (target.partition, partition_key.as_deref()) {
            (Some(id), _) => PartitionTarget::Id(id),
            (None, Some(key)) => PartitionTarget::Key(key),
            (None, None) => PartitionTarget::RoundRobin,
        };
        namespace
            .send_to_hub(&target.hub, to, &messages)
            .map_err(Ok)
    })
    .await;
    // Err(Ok(_)): the engine refused; Err(Err(_)): the transfer was refused before it.
    match stored {
        Ok(Ok(_receipt)) => Ok(()),
        Ok(Err(Ok(e))) => Err(conditions::engine(&e, &entity)),
        Ok(Err(Err(refused))) => Err(refused),
        Err(join) => Err(conditions::amqp(
            protocol::AmqpError::InternalError,
            join.to_string(),
        )),
    }
}
