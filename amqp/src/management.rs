//! The `$management` node: `READ` of `com.microsoft:eventhub` and `com.microsoft:partition`
//! (reference §3). The response body is an amqp-value map with string keys; status 200, or
//! 400 (malformed), 401 (no token covers the hub), 404 (unknown hub or partition).

use chrono::DateTime;
use gridlog::{EngineError, Namespace, PartitionInfo};
use ntex_amqp::codec::Message;
use ntex_amqp::codec::types::{List, Variant, VariantMap};

use crate::cbs::{app_text, response};
use crate::error::ManagementError;

/// `last_enqueued_time_utc` of a partition that never held an event (0001-01-01, which the
/// SDKs map to their minimum time).
pub const NEVER_ENQUEUED_MS: i64 = -62_135_596_800_000;

/// What a request asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Request<'a> {
    /// Hub properties.
    Hub {
        /// The hub's name.
        name: &'a str,
    },
    /// Partition properties.
    Partition {
        /// The hub's name.
        name: &'a str,
        /// The partition id.
        partition: u32,
    },
}

impl<'a> Request<'a> {
    /// Parses a management request's application properties.
    pub fn parse(message: &'a Message) -> Result<Self, ManagementError> {
        if app_text(message, "operation") != Some("READ") {
            return Err(ManagementError::BadRequest);
        }
        let name = app_text(message, "name").ok_or(ManagementError::BadRequest)?;
        match app_text(message, "type") {
            Some("com.microsoft:eventhub") => Ok(Self::Hub { name }),
            Some("com.microsoft:partition") => {
                let partition = app_text(message, "partition")
                    .and_then(|p| p.parse().ok())
                    .ok_or(ManagementError::NotFound)?;
                Ok(Self::Partition { name, partition })
            }
            _ => Err(ManagementError::BadRequest),
        }
    }

    /// The hub the request is about.
    pub fn hub(&self) -> &str {
        match self {
            Self::Hub { name } | Self::Partition { name, .. } => name,
        }
    }
}

fn timestamp(ms: i64) -> Variant {
    Variant::Timestamp(DateTime::from_timestamp_millis(ms).unwrap_or_default())
}

fn map(entries: Vec<(&str, Variant)>) -> Variant {
    let map: ntex_util::HashMap<Variant, Variant> = entries
        .into_iter()
        .map(|(k, v)| (Variant::from(k.to_owned()), v))
        .collect();
    Variant::Map(VariantMap::new(map))
}

fn partition_body(info: &PartitionInfo) -> Variant {
    let last_time = if info.last_sequence_number < 0 {
        NEVER_ENQUEUED_MS
    } else {
        info.last_enqueued_time_ms
    };
    map(vec![
        ("name", Variant::from(info.hub.clone())),
        ("partition", Variant::from(info.id.clone())),
        ("type", Variant::from("com.microsoft:partition")),
        (
            "begin_sequence_number",
            Variant::Long(info.begin_sequence_number),
        ),
        (
            "last_enqueued_sequence_number",
            Variant::Long(info.last_sequence_number),
        ),
        (
            "last_enqueued_offset",
            Variant::from(info.last_offset.to_string()),
        ),
        ("last_enqueued_time_utc", timestamp(last_time)),
        ("is_partition_empty", Variant::Boolean(info.is_empty)),
    ])
}

fn not_found(error: &EngineError) -> ManagementError {
    match error {
        EngineError::NotFound { .. } => ManagementError::NotFound,
        _ => ManagementError::Internal,
    }
}

/// Answers a parsed request from the namespace.
pub fn answer(namespace: &Namespace, request: &Request<'_>) -> Result<Variant, ManagementError> {
    match *request {
        Request::Hub { name } => {
            let info = namespace.hub_info(name).map_err(|e| not_found(&e))?;
            let ids: Vec<Variant> = info
                .partition_ids
                .iter()
                .map(|id| Variant::from(id.clone()))
                .collect();
            let count = i32::try_from(ids.len()).unwrap_or(i32::MAX);
            Ok(map(vec![
                ("name", Variant::from(info.name)),
                ("type", Variant::from("com.microsoft:eventhub")),
                ("created_at", timestamp(info.created_at_ms)),
                ("partition_count", Variant::Int(count)),
                ("partition_ids", Variant::List(List(ids))),
            ]))
        }
        Request::Partition { name, partition } => namespace
            .partition_info(name, partition)
            .map(|info| partition_body(&info))
            .map_err(|e| not_found(&e)),
    }
}

/// The response message for a request's outcome.
pub fn reply(request: &Message, outcome: Result<Variant, ManagementError>) -> Message {
    match outcome {
        Ok(body) => response(request, 200, "OK", Some(body)),
        Err(e) => {
            let mut reply = response(request, e.status_code(), &e.to_string(), None);
            reply.set_app_property("error-condition", Variant::from(e.condition()));
            reply
        }
    }
}
