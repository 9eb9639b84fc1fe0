//! The errors of the MQTT front end.

use std::io;

/// Starting the listener failed.
#[derive(Debug, thiserror::Error)]
pub enum ListenerError {
    /// The socket could not be configured or its address read.
    #[error("the MQTT socket: {0}")]
    Socket(#[source] io::Error),
    /// The listener thread could not be started.
    #[error("starting the MQTT thread: {0}")]
    Thread(#[source] io::Error),
    /// The stored sessions could not be brought up to date.
    #[error("the stored MQTT sessions: {0}")]
    Sessions(#[source] gridlog::EngineError),
    /// An MQTTS or WSS port without a server certificate.
    #[error("MQTTS and WSS need a server certificate (TLS configured)")]
    NoCertificate,
    /// The TLS configuration was refused.
    #[error("the MQTT TLS configuration: {0}")]
    Tls(#[source] rustls::Error),
}

/// Why a connection's service ends it (the dispatcher closes the connection on any of these).
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// An MQTT 3.1.1 client published where it may not (the service closes the connection).
    #[error("publish to '{topic}' not authorized")]
    NotAuthorized {
        /// The topic.
        topic: String,
    },
    /// A topic name that breaks a rule.
    #[error("invalid topic name: {0}")]
    InvalidTopic(#[from] TopicError),
    /// A feature the broker refuses (retain, `QoS` 2).
    #[error("not supported: {0}")]
    Unsupported(&'static str),
    /// The payload could not be read.
    #[error("reading the payload: {0}")]
    Payload(String),
    /// The routing topic did not take the message.
    #[error("routing failed: {code}: {message}")]
    Routing {
        /// The engine's stable code.
        code: &'static str,
        /// Its message.
        message: String,
    },
    /// An MQTT 3.1.1 PUBLISH over the throughput units' inbound rate (3.1.1 has no negative
    /// PUBACK).
    #[error("publish rate over the throughput units' limit")]
    Throttled,
    /// An MQTT 3.1.1 UNSUBSCRIBE over the subscribe rates (3.1.1's UNSUBACK has no code).
    #[error("unsubscribe rate over the limit")]
    UnsubscribeThrottled,
    /// Something the framework reports without a reason.
    #[error("connection service failed")]
    Internal,
}

impl From<()> for ServiceError {
    fn from((): ()) -> Self {
        Self::Internal
    }
}

impl TryFrom<ServiceError> for ntex_mqtt::v5::PublishAck {
    type Error = ServiceError;

    fn try_from(error: ServiceError) -> Result<Self, Self::Error> {
        Err(error)
    }
}

/// A topic name or filter that breaks a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TopicError {
    /// Empty.
    #[error("empty")]
    Empty,
    /// Longer than [`crate::limits::MQTT_TOPIC_BYTES_MAX`].
    #[error("longer than 256 bytes")]
    TooLong,
    /// More than [`crate::limits::MQTT_TOPIC_SEGMENTS_MAX`] segments.
    #[error("more than 8 segments")]
    TooDeep,
    /// Begins with `$` (reserved).
    #[error("topics beginning with '$' are reserved")]
    Reserved,
    /// `$share/…` (shared subscriptions are not supported).
    #[error("shared subscriptions are not supported")]
    Shared,
    /// A wildcard in a topic name, or misplaced in a filter.
    #[error("'+' and '#' are whole segments of filters, '#' the last")]
    Wildcard,
}

/// A persistent session's state could not be read or stored.
#[derive(Debug, thiserror::Error)]
pub enum SessionStoreError {
    /// The engine refused or failed.
    #[error(transparent)]
    Engine(#[from] gridlog::EngineError),
    /// The blocking task that called it did not finish.
    #[error("the session store task failed: {0}")]
    Task(String),
}
