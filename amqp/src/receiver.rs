//! Receiver links on `{hub}/ConsumerGroups/{group}/Partitions/{id}` (reference §5): checked
//! and positioned at attach (the selector filter; `@latest` resolved then), registered with
//! their owner level, then served by a task that reads the partition as far as the client's
//! credit allows, sends each event settled, and waits for new events when it has read them
//! all. A receiver displaced by a higher owner level is detached with `amqp:link:stolen`.

use std::sync::Arc;
use std::time::Duration;

use gridlog::{EventPosition, HubEvent};
use ntex_amqp::SenderLink;
use ntex_amqp::codec::protocol::{self, Attach, ErrorCondition, TransferBody};
use ntex_amqp::codec::types::Variant;
use ntex_amqp::error::LinkError;

use crate::conditions;
use crate::deliver::payload;
use crate::limits::{READ_BATCH, RECEIVE_POLL_MS};
use crate::owners::{Ownership, Refusal};
use crate::selector;
use crate::shared::Shared;

/// The owner-level link property.
pub const EPOCH: &str = "com.microsoft:epoch";

/// What a receiver reads.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The hub (as configured).
    pub hub: String,
    /// The consumer group.
    pub group: String,
    /// The partition.
    pub partition: u32,
    /// Where reading starts (`@latest` already resolved).
    pub position: EventPosition,
    /// The owner level, if any.
    pub epoch: Option<i64>,
    /// The address as the client wrote it.
    pub entity: String,
}

fn stolen(description: String) -> LinkError {
    LinkError::new(ErrorCondition::LinkError(protocol::LinkError::Stolen)).description(description)
}

fn epoch(attach: &Attach) -> Result<Option<i64>, LinkError> {
    let Some(properties) = attach.0.properties.as_ref() else {
        return Ok(None);
    };
    match properties.iter().find(|(k, _)| k.as_str() == EPOCH) {
        None => Ok(None),
        Some((_, Variant::Long(e))) => Ok(Some(*e)),
        Some((_, Variant::Int(e))) => Ok(Some(i64::from(*e))),
        Some(_) => Err(conditions::vendor(
            conditions::ARGUMENT_ERROR,
            format!("{EPOCH} must be a long"),
        )),
    }
}

/// Checks a receiver attach and works out where it starts.
pub fn plan(
    shared: &Shared,
    attach: &Attach,
    (hub, group, partition): (&str, &str, u32),
    entity: &str,
) -> Result<Plan, LinkError> {
    let ns = &shared.namespace;
    let info = ns
        .hub_info(hub)
        .map_err(|e| conditions::engine(&e, entity))?;
    let group_known = info
        .consumer_groups
        .iter()
        .any(|g| g.eq_ignore_ascii_case(group));
    if !group_known || usize::try_from(partition).map_or(true, |p| p >= info.partition_ids.len()) {
        return Err(conditions::not_found(entity));
    }
    let filters = attach.0.source.as_ref().and_then(|s| s.filter.as_ref());
    let expression = match filters {
        Some(filters) => selector::expression(filters)
            .map_err(|e| conditions::vendor(conditions::ARGUMENT_ERROR, e.to_string()))?,
        None => None,
    };
    let position = match expression {
        Some(text) => selector::parse(text)
            .map_err(|e| conditions::vendor(conditions::ARGUMENT_ERROR, e.to_string()))?,
        None => EventPosition::Earliest,
    };
    let last = ns
        .partition_info(hub, partition)
        .map_err(|e| conditions::engine(&e, entity))?;
    let position = match position {
        EventPosition::Latest if last.last_sequence_number < 0 => EventPosition::Earliest,
        EventPosition::Latest => EventPosition::SequenceNumber {
            n: last.last_sequence_number,
            inclusive: false,
        },
        EventPosition::SequenceNumber { n, inclusive }
            if n > last.last_sequence_number + i64::from(inclusive) =>
        {
            return Err(conditions::vendor(
                conditions::ARGUMENT_OUT_OF_RANGE,
                format!(
                    "The supplied sequence number '{n}' is invalid. The last sequence number in the system is '{}'",
                    last.last_sequence_number
                ),
            ));
        }
        EventPosition::Offset { offset, .. } if offset > last.last_offset => {
            return Err(conditions::vendor(
                conditions::ARGUMENT_OUT_OF_RANGE,
                format!(
                    "The supplied offset '{offset}' is invalid. The last offset in the system is '{}'",
                    last.last_offset
                ),
            ));
        }
        other => other,
    };
    Ok(Plan {
        hub: info.name,
        group: group.to_owned(),
        partition,
        position,
        epoch: epoch(attach)?,
        entity: entity.to_owned(),
    })
}

/// Registers the receiver with its owner level.
pub fn register(shared: &Shared, plan: &Plan) -> Result<Ownership, LinkError> {
    shared
        .owners
        .attach(&plan.hub, &plan.group, plan.partition, plan.epoch)
        .map_err(|refusal| match refusal {
            Refusal::Stolen { present } => stolen(format!(
                "A receiver with a higher epoch '{present}' already exists on '{}'; a receiver with epoch {} cannot be created",
                plan.entity,
                plan.epoch.map_or_else(|| "none".to_owned(), |e| e.to_string())
            )),
            Refusal::TooMany => conditions::amqp(
                protocol::AmqpError::ResourceLimitExceeded,
                "Exceeded the maximum number of allowed receivers per partition in a consumer group which is 5".to_owned(),
            ),
        })
}

enum Wake {
    Go,
    Stop,
}

/// Waits for credit, a close or a takeover.
async fn credit(link: &SenderLink, ownership: &mut Ownership) -> Wake {
    loop {
        if link.is_closed() || ownership.stolen.borrow().is_some() {
            return Wake::Stop;
        }
        if link.credit() > 0 {
            return Wake::Go;
        }
        tokio::select! {
            () = async { let _ = link.on_credit_update().await; } => {}
            () = async { let _ = link.on_close().await; } => return Wake::Stop,
            _ = ownership.stolen.changed() => {}
        }
    }
}

async fn read(
    shared: &Arc<Shared>,
    plan: &Plan,
    position: EventPosition,
    max: usize,
) -> Result<Vec<HubEvent>, LinkError> {
    let ns = shared.namespace.clone();
    let (hub, group, partition) = (plan.hub.clone(), plan.group.clone(), plan.partition);
    let read = tokio::task::spawn_blocking(move || {
        ns.read_partition(&hub, &group, partition, &position, max)
    })
    .await;
    match read {
        Ok(Ok(events)) => Ok(events),
        Ok(Err(e)) => Err(conditions::engine(&e, &plan.entity)),
        Err(e) => Err(conditions::amqp(
            protocol::AmqpError::InternalError,
            e.to_string(),
        )),
    }
}

/// Serves a receiver link until it closes or is taken over.
pub async fn run(shared: Arc<Shared>, link: SenderLink, plan: Plan, mut ownership: Ownership) {
    let mut position = plan.position;
    loop {
        if let Wake::Stop = credit(&link, &mut ownership).await {
            break;
        }
        let max = usize::try_from(link.credit())
            .unwrap_or(READ_BATCH)
            .min(READ_BATCH);
        let events = match read(&shared, &plan, position, max).await {
            Ok(events) => events,
            Err(e) => {
                let _ = link.close_with_error(e).await;
                return;
            }
        };
        let Some(last) = events.last() else {
            let after = shared
                .namespace
                .partition_info(&plan.hub, plan.partition)
                .map_or(i64::MAX, |p| p.last_sequence_number);
            let wait = shared.namespace.wait_partition(
                &plan.hub,
                plan.partition,
                after,
                Duration::from_millis(RECEIVE_POLL_MS),
            );
            tokio::select! {
                _ = wait => {}
                () = async { let _ = link.on_close().await; } => break,
                _ = ownership.stolen.changed() => {}
            }
            continue;
        };
        position = EventPosition::Offset {
            offset: last.offset,
            inclusive: false,
        };
        for event in &events {
            let body = match payload(event) {
                Ok(body) => body,
                Err(e) => {
                    tracing::warn!(sequence_number = event.sequence_number, error = %e, "a stored event cannot be delivered");
                    continue;
                }
            };
            // An explicit message-format 0: rhea hands a transfer without one to the
            // application undecoded.
            if link
                .transfer(TransferBody::Data(body))
                .settled()
                .format(0)
                .send()
                .await
                .is_err()
            {
                return;
            }
        }
    }
    if let Some(thief) = *ownership.stolen.borrow() {
        let _ = link
            .close_with_error(stolen(format!(
                "New receiver with higher epoch of '{thief}' is created hence current receiver with epoch '{}' is getting disconnected",
                plan.epoch.map_or_else(|| "none".to_owned(), |e| e.to_string())
            )))
            .await;
    }
}
