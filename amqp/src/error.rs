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
