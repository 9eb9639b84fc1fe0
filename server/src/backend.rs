//! The storage behind the HTTP API, as a small trait ([`DataPlane`]) so the HTTP layer can be
//! tested against injected failures. The server's one real implementation is
//! [`gridlog::Namespace`]; test doubles live in the tests only.
//!
//! [`DataPlane::publish`], [`DataPlane::receive`] and [`DataPlane::settle`] return futures
//! that never block; the rest
//! may block (an `fdatasync` under the default durability): the HTTP layer calls those on
//! tokio's blocking pool.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use gridlog::format::Event;
use gridlog::{
    EngineError, HubInfo, HubMessage, HubReceipt, Namespace, NamespaceConfig, NamespaceStats,
    PartitionTarget, PeekFilter, PeekPage, Received, RepublishOutcome, SettleOutcome,
    SubscriptionConfig, TopicConfig, WalStats,
};

/// A boxed, sendable future (what [`DataPlane::receive`] returns).
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// What [`DataPlane::stats`] reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreStats {
    /// Topics and subscriptions: meters, backlog, locks; WAL segments and seqs.
    pub namespace: NamespaceStats,
    /// The WAL's I/O since open: syncs, their latency, writes, bytes on disk.
    pub wal: WalStats,
}

/// A settlement operation: the engine's [`gridlog::Settlement`].
pub use gridlog::Settlement as Settle;

/// Why a backend call failed; [`crate::http::error`] maps each kind to one HTTP status.
#[derive(Debug)]
pub enum BackendError {
    /// Unknown topic or subscription.
    NotFound(String),
    /// A bad argument or configuration (code, message).
    Invalid {
        /// Stable code.
        code: &'static str,
        /// Human-readable reason.
        message: String,
    },
    /// A message or event over a size limit (413).
    TooLarge(String),
    /// The disk is full.
    NoSpace(String),
    /// Over the namespace's throughput units; retry after this many seconds.
    Throttled {
        /// Which limit: `ingress`, `delivery` or `settlement`.
        limit: &'static str,
        /// Seconds (the engine's wait rounded up; at least 1).
        retry_after_secs: u64,
    },
    /// The store is closed (shutting down).
    Unavailable(String),
    /// Anything else (I/O, corruption): stable code and message.
    Internal {
        /// Stable code.
        code: &'static str,
        /// Human-readable reason.
        message: String,
    },
}

impl std::fmt::Display for BackendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NotFound(message)
            | Self::NoSpace(message)
            | Self::TooLarge(message)
            | Self::Unavailable(message)
            | Self::Invalid { message, .. }
            | Self::Internal { message, .. } => f.write_str(message),
            Self::Throttled {
                limit,
                retry_after_secs,
            } => write!(
                f,
                "the namespace's {limit} throughput limit (throughputUnits) was reached; \
                 retry after {retry_after_secs} s"
            ),
        }
    }
}

/// A `Retry-After` value: whole seconds, rounded up, at least 1 (a client that waits this long
/// finds the capacity refilled).
pub fn retry_after_secs(wait: std::time::Duration) -> u64 {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    secs.max(1)
}

impl From<EngineError> for BackendError {
    fn from(error: EngineError) -> Self {
        let message = error.to_string();
        match error {
            EngineError::NotFound { .. } => Self::NotFound(message),
            EngineError::Config(_)
            | EngineError::Filter(_)
            | EngineError::InvalidArgument { .. }
            | EngineError::Token(_) => Self::Invalid {
                code: error.code(),
                message,
            },
            EngineError::HubEvent { ref source, .. } if source.is_limit() => {
                Self::TooLarge(format!("{}: {message}", error.detail_code()))
            }
            EngineError::HubEvent { .. } => Self::Invalid {
                code: error.detail_code(),
                message,
            },
            EngineError::Closed => Self::Unavailable(message),
            EngineError::Throttled {
                direction,
                retry_after,
            } => Self::Throttled {
                limit: direction.name(),
                retry_after_secs: retry_after_secs(retry_after),
            },
            ref other if other.is_no_space() => Self::NoSpace(message),
            other => Self::Internal {
                code: other.code(),
                message,
            },
        }
    }
}

/// The operations the HTTP API needs from the store.
pub trait DataPlane: Send + Sync + 'static {
    /// Stores `events` in `topic`; resolves once durable. Does not block: the namespace's
    /// committer threads group-commit it with every other write in flight.
    fn publish(&self, topic: &str, events: Vec<Event>) -> BoxFuture<Result<(), BackendError>>;
    /// Long-poll receive: returns as soon as at least one event is available, or empty after
    /// `max_wait`. Dropping the future abandons the wait without locking anything.
    fn receive(
        &self,
        topic: &str,
        subscription: &str,
        max_events: u32,
        max_wait: Duration,
    ) -> BoxFuture<Result<Vec<Received>, BackendError>>;
    /// Acknowledge, release, reject or renew; resolves once durable. Does not block: the
    /// tokens are authenticated on the caller's thread, the decision and its sync are the
    /// namespace's committer threads'.
    fn settle(
        &self,
        topic: &str,
        subscription: &str,
        op: Settle,
        tokens: Vec<String>,
    ) -> BoxFuture<Result<SettleOutcome, BackendError>>;

    /// Creates or updates every topic and subscription of `config` (idempotent).
    fn apply_config(&self, config: &NamespaceConfig) -> Result<(), BackendError>;
    /// Creates or updates a topic.
    fn put_topic(&self, topic: TopicConfig) -> Result<(), BackendError>;
    /// A topic with its subscriptions.
    fn topic(&self, name: &str) -> Option<TopicConfig>;
    /// Every topic.
    fn topics(&self) -> Vec<TopicConfig>;
    /// The meters of a topic and its subscriptions (billing units, counts, backlog); `None` for
    /// an unknown topic or a store that keeps none (test doubles).
    fn topic_meters(&self, _name: &str) -> Option<gridlog::TopicStats> {
        None
    }
    /// The throughput units and the requests they refused; `None`: the store has no limits.
    fn throttle(&self) -> Option<gridlog::ThrottleStats> {
        None
    }
    /// Sets the throughput units (1–40, `None`: unlimited), effective at once.
    fn set_throughput_units(&self, _units: Option<u32>) -> Result<(), BackendError> {
        Err(not_supported("throughput units"))
    }
    /// The MQTT broker's resources now; `None`: the store keeps none (test doubles).
    fn mqtt_config(&self) -> Option<gridlog::MqttConfig> {
        None
    }
    /// Replaces the MQTT broker's resources (validated with the namespace), effective for the
    /// broker's next CONNECT and PUBLISH.
    fn set_mqtt_config(&self, _mqtt: gridlog::MqttConfig) -> Result<(), BackendError> {
        Err(not_supported("MQTT resources"))
    }
    /// Deletes a topic and its subscriptions.
    fn delete_topic(&self, name: &str) -> Result<(), BackendError>;
    /// Creates or updates a subscription.
    fn put_subscription(
        &self,
        topic: &str,
        subscription: SubscriptionConfig,
    ) -> Result<(), BackendError>;
    /// Deletes a subscription.
    fn delete_subscription(&self, topic: &str, name: &str) -> Result<(), BackendError>;
    /// Flushes and closes the store (graceful shutdown).
    fn close(&self) -> Result<(), BackendError>;
    /// Meters and WAL figures for `/metrics`; `None` when the store keeps none (test doubles).
    /// May block briefly (it takes the store's lock).
    fn stats(&self) -> Option<StoreStats> {
        None
    }
    /// A read-only page of the events stored into `topic` from log position `from` on
    /// ([`Namespace::peek_topic`]).
    fn peek_topic(
        &self,
        _topic: &str,
        _from: u64,
        _max_events: usize,
        _filter: &PeekFilter,
    ) -> Result<PeekPage, BackendError> {
        Err(not_supported("peek"))
    }
    /// A read-only page of the events waiting in `topic`/`subscription`
    /// ([`Namespace::peek_subscription`]): nothing is locked or counted.
    fn peek_subscription(
        &self,
        _topic: &str,
        _subscription: &str,
        _from: u64,
        _max_events: usize,
        _filter: &PeekFilter,
    ) -> Result<PeekPage, BackendError> {
        Err(not_supported("peek"))
    }
    /// Publishes dead-letter events of `topic` again into their original topics
    /// ([`Namespace::republish_dead_letters`]).
    fn republish_dead_letters(
        &self,
        _topic: &str,
        _seqs: &[u64],
    ) -> Result<RepublishOutcome, BackendError> {
        Err(not_supported("re-publishing dead letters"))
    }
    /// The Event Hub named `name`; `None`: no such hub (or a store without hubs).
    fn hub(&self, _name: &str) -> Option<HubInfo> {
        None
    }
    /// Sends `messages` to one partition of Event Hub `hub`; returns once durable.
    fn send_to_hub(
        &self,
        hub: &str,
        _target: PartitionTarget<'_>,
        _messages: &[HubMessage<'_>],
    ) -> Result<HubReceipt, BackendError> {
        Err(BackendError::NotFound(format!("no Event Hub '{hub}'")))
    }
}

fn not_supported(what: &str) -> BackendError {
    BackendError::Invalid {
        code: "NotSupported",
        message: format!("this store does not support {what}"),
    }
}

impl DataPlane for Namespace {
    fn publish(&self, topic: &str, events: Vec<Event>) -> BoxFuture<Result<(), BackendError>> {
        let committing = self.publish_async(topic, events);
        Box::pin(async move {
            committing.await?;
            Ok(())
        })
    }

    fn receive(
        &self,
        topic: &str,
        subscription: &str,
        max_events: u32,
        max_wait: Duration,
    ) -> BoxFuture<Result<Vec<Received>, BackendError>> {
        let ns = self.clone();
        let topic = topic.to_owned();
        let subscription = subscription.to_owned();
        Box::pin(async move {
            // Locking and returning happen in one poll of the engine's future, so dropping this
            // future (client gone, shutdown) never loses a locked event.
            Ok(ns
                .receive_async(&topic, &subscription, max_events, max_wait)
                .await?)
        })
    }

    fn settle(
        &self,
        topic: &str,
        subscription: &str,
        op: Settle,
        tokens: Vec<String>,
    ) -> BoxFuture<Result<SettleOutcome, BackendError>> {
        let committing = self.settle_async(topic, subscription, tokens, op);
        Box::pin(async move { Ok(committing.await?) })
    }

    fn apply_config(&self, config: &NamespaceConfig) -> Result<(), BackendError> {
        Namespace::apply_config(self, config)?;
        Ok(())
    }

    fn put_topic(&self, topic: TopicConfig) -> Result<(), BackendError> {
        Namespace::put_topic(self, topic)?;
        Ok(())
    }

    fn topic(&self, name: &str) -> Option<TopicConfig> {
        Namespace::topic(self, name).map(|info| info.config)
    }

    fn topics(&self) -> Vec<TopicConfig> {
        Namespace::topics(self)
            .into_iter()
            .map(|info| info.config)
            .collect()
    }

    fn topic_meters(&self, name: &str) -> Option<gridlog::TopicStats> {
        Namespace::stats(self)
            .topics
            .into_iter()
            .find(|topic| topic.name.eq_ignore_ascii_case(name))
    }

    fn throttle(&self) -> Option<gridlog::ThrottleStats> {
        Some(Namespace::stats(self).throttle)
    }

    fn set_throughput_units(&self, units: Option<u32>) -> Result<(), BackendError> {
        Namespace::set_throughput_units(self, units)?;
        Ok(())
    }

    fn mqtt_config(&self) -> Option<gridlog::MqttConfig> {
        Some(gridlog::MqttConfig::clone(&Namespace::mqtt_config(self)))
    }

    fn set_mqtt_config(&self, mqtt: gridlog::MqttConfig) -> Result<(), BackendError> {
        Namespace::set_mqtt_config(self, mqtt)?;
        Ok(())
    }

    fn delete_topic(&self, name: &str) -> Result<(), BackendError> {
        Namespace::delete_topic(self, name)?;
        Ok(())
    }

    fn put_subscription(
        &self,
        topic: &str,
        subscription: SubscriptionConfig,
    ) -> Result<(), BackendError> {
        Namespace::put_subscription(self, topic, subscription)?;
        Ok(())
    }

    fn delete_subscription(&self, topic: &str, name: &str) -> Result<(), BackendError> {
        Namespace::delete_subscription(self, topic, name)?;
        Ok(())
    }

    fn close(&self) -> Result<(), BackendError> {
        Namespace::close(self)?;
        Ok(())
    }

    fn stats(&self) -> Option<StoreStats> {
        Some(StoreStats {
            namespace: Namespace::stats(self),
            wal: Namespace::wal_stats(self),
        })
    }

    fn peek_topic(
        &self,
        topic: &str,
        from: u64,
        max_events: usize,
        filter: &PeekFilter,
    ) -> Result<PeekPage, BackendError> {
        Ok(Namespace::peek_topic(
            self, topic, from, max_events, filter,
        )?)
    }

    fn peek_subscription(
        &self,
        topic: &str,
        subscription: &str,
        from: u64,
        max_events: usize,
        filter: &PeekFilter,
    ) -> Result<PeekPage, BackendError> {
        Ok(Namespace::peek_subscription(
            self,
            topic,
            subscription,
            from,
            max_events,
            filter,
        )?)
    }

    fn republish_dead_letters(
        &self,
        topic: &str,
        seqs: &[u64],
    ) -> Result<RepublishOutcome, BackendError> {
        Ok(Namespace::republish_dead_letters(self, topic, seqs)?)
    }

    fn hub(&self, name: &str) -> Option<HubInfo> {
        Namespace::hub_info(self, name).ok()
    }

    fn send_to_hub(
        &self,
        hub: &str,
        target: PartitionTarget<'_>,
        messages: &[HubMessage<'_>],
    ) -> Result<HubReceipt, BackendError> {
        Ok(Namespace::send_to_hub(self, hub, target, messages)?)
    }
}
