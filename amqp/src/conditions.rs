//! AMQP error conditions as Event Hubs sends them (reference §6), and how engine errors map
//! to them.

use gridlog::EngineError;
use ntex_amqp::codec::protocol::{self, ErrorCondition};
use ntex_amqp::codec::types::Symbol;
use ntex_amqp::error::LinkError;

/// Throttled (over the namespace's throughput units).
pub const SERVER_BUSY: &str = "com.microsoft:server-busy";
/// A start position past the end of the partition.
pub const ARGUMENT_OUT_OF_RANGE: &str = "com.microsoft:argument-out-of-range";
/// A malformed filter or link property.
pub const ARGUMENT_ERROR: &str = "com.microsoft:argument-error";

/// A link error with a vendor condition.
pub fn vendor(condition: &'static str, description: String) -> LinkError {
    LinkError::new(ErrorCondition::Custom(Symbol::from_static(condition))).description(description)
}

/// A link error with a standard `amqp:*` condition.
pub fn amqp(condition: protocol::AmqpError, description: String) -> LinkError {
    LinkError::new(ErrorCondition::AmqpError(condition)).description(description)
}

/// `amqp:not-found` worded as the service words it (JS keys its error class on the text).
pub fn not_found(entity: &str) -> LinkError {
    amqp(
        protocol::AmqpError::NotFound,
        format!("The messaging entity '{entity}' could not be found."),
    )
}

/// `amqp:unauthorized-access` for a link whose address no valid token covers.
pub fn unauthorized(entity: &str) -> LinkError {
    amqp(
        protocol::AmqpError::UnauthorizedAccess,
        format!("Unauthorized access to '{entity}': put a valid token on $cbs first."),
    )
}

/// The condition for an engine error.
pub fn engine(error: &EngineError, entity: &str) -> LinkError {
    match error {
        EngineError::NotFound { .. } => not_found(entity),
        EngineError::Throttled { .. } => vendor(SERVER_BUSY, error.to_string()),
        EngineError::InvalidArgument {
            argument: "messages",
            ..
        } => LinkError::new(ErrorCondition::LinkError(
            protocol::LinkError::MessageSizeExceeded,
        ))
        .description(error.to_string()),
        EngineError::InvalidArgument { .. } => vendor(ARGUMENT_ERROR, error.to_string()),
        _ => amqp(protocol::AmqpError::InternalError, error.to_string()),
    }
}
