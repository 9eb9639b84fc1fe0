//! The errors of the AMQP front end.

use std::io;

/// A link address that names nothing the endpoint serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// Longer than [`crate::limits::MAX_ADDRESS_LEN`].
    #[error("the address is too long")]
    TooLong,
    /// A hub or consumer group name is empty.
    #[error("the address has an empty name")]
    Empty,
    /// The partition id is not a number in range.
    #[error("the partition id is not a number")]
    BadPartition,
    /// Not a hub, partition, consumer-group partition, `$cbs` or `$management`.
    #[error("the address names no entity")]
    Unknown,
}

/// A refused `$cbs` put-token request; each maps to a response status code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CbsError {
    /// Not a put-token request, or a field is missing or of the wrong type (400).
    #[error("malformed put-token request")]
    Malformed,
    /// The token does not verify, has expired, or does not cover the audience (401).
    #[error("the token is not valid for the audience")]
    Unauthorized,
    /// The connection already holds [`crate::limits::MAX_TOKENS_PER_CONNECTION`] live tokens
    /// (403).
    #[error("too many tokens on one connection")]
    TooManyTokens,
}

impl CbsError {
    /// The status code of the put-token response.
    pub fn status_code(self) -> i32 {
        match self {
            Self::Malformed => 400,
            Self::Unauthorized => 401,
            Self::TooManyTokens => 403,
        }
    }
}

/// Starting or running the listener failed.
#[derive(Debug, thiserror::Error)]
pub enum ListenerError {
    /// The listening socket could not be prepared.
    #[error("preparing the AMQP listener: {0}")]
    Socket(#[source] io::Error),
    /// The listener thread could not be started.
    #[error("starting the AMQP listener thread: {0}")]
    Thread(#[source] io::Error),
}

/// A sender's transfer that cannot be stored; the transfer is rejected whole.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// Not a sequence of AMQP message sections.
    #[error("the message does not decode as AMQP sections")]
    Malformed,
    /// Over [`crate::limits::MAX_MESSAGE_SIZE`].
    #[error("the message or batch is larger than 1 MB")]
    TooLarge,
    /// A batch envelope without events.
    #[error("the batch holds no event")]
    EmptyBatch,
    /// Over [`crate::limits::MAX_BATCH_EVENTS`].
    #[error("the batch holds too many events")]
    TooManyEvents,
    /// A message-format other than 0 and 0x80013700.
    #[error("unknown message-format")]
    UnknownFormat,
    /// Over [`crate::limits::MAX_PARTITION_KEY_LEN`].
    #[error("the partition key is longer than 128 bytes")]
    PartitionKeyTooLong,
    /// For a hub mapped to a topic: an event that cannot become a `CloudEvent` (why inside).
    #[error("the event cannot be published into the hub's topic: {0}")]
    Unmappable(String),
}

/// A refused `$management` request; each maps to a status code and condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ManagementError {
    /// Not a READ of a hub or partition, or a field is missing (400).
    #[error("malformed management request")]
    BadRequest,
    /// No valid token covers the hub (401).
    #[error("unauthorized: no valid token for the event hub")]
    Unauthorized,
    /// Unknown hub or partition (404).
    #[error("The messaging entity could not be found.")]
    NotFound,
    /// The engine failed (500).
    #[error("internal error")]
    Internal,
}

impl ManagementError {
    /// The status code of the response.
    pub fn status_code(self) -> i32 {
        match self {
            Self::BadRequest => 400,
            Self::Unauthorized => 401,
            Self::NotFound => 404,
            Self::Internal => 500,
        }
    }

    /// The `error-condition` of the response.
    pub fn condition(self) -> &'static str {
        match self {
            Self::BadRequest => "amqp:invalid-field",
            Self::Unauthorized => "amqp:unauthorized-access",
            Self::NotFound => "amqp:not-found",
            Self::Internal => "amqp:internal-error",
        }
    }
}

/// A receiver's selector filter that does not parse (`com.microsoft:argument-error`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SelectorError {
    /// Not `amqp.annotation.KEY > 'VALUE'` (or `>=`) with a number (or `@latest`).
    #[error("the selector filter is malformed")]
    Malformed,
    /// A key other than x-opt-offset, x-opt-sequence-number, x-opt-enqueued-time.
    #[error("the selector filter names an unsupported annotation")]
    UnknownKey,
}
