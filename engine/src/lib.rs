//! gridlog: an embedded, durable event store with Azure Event Grid namespace-topic semantics,
//! on a segmented, crash-safe write-ahead log (the re-exported `wal` crate) of `CloudEvents`
//! (`format`).
//!
//! # The facade
//!
//! Everything a linking process needs is at the crate root:
//!
//! - **[`Namespace`]**, opened on a data directory with [`NamespaceOptions`] (durability, WAL
//!   options, clock, index, maintenance interval). Its methods are the whole API:
//!   configuration ([`Namespace::apply_config`], `put_topic`, `delete_topic`,
//!   `put_subscription`, …), [`Namespace::publish`], receive
//!   ([`Namespace::receive`], [`Namespace::receive_async`]; a [`Received`] carries the stored
//!   event bytes and a lock token), settlement ([`Namespace::acknowledge`], `release`,
//!   `reject`, `renew_locks`; a [`SettleOutcome`] says which tokens succeeded), Event Hubs
//!   ([`Namespace::send_to_hub`] into one partition by [`PartitionTarget`],
//!   [`Namespace::read_partition`] from an [`EventPosition`], `hub_info`, `partition_info`,
//!   `wait_partition`; messages are opaque bytes tagged with a [`MessageFormat`]),
//!   maintenance, [`Namespace::stats`] and [`Namespace::close`]; the read-only peek
//!   ([`Namespace::peek_topic`], [`Namespace::peek_subscription`]: a [`PeekPage`] of
//!   [`Peeked`] events, nothing locked or counted) and
//!   [`Namespace::republish_dead_letters`].
//! - **Configuration**, ARM-shaped: [`NamespaceConfig`] with [`TopicConfig`], [`EventHubConfig`],
//!   [`SubscriptionConfig`] ([`DeliveryConfig`], [`FiltersConfig`] with its
//!   [`AdvancedFilter`]s, a [`PushDestination`]), parsed with every default filled in and
//!   validated with errors ([`ConfigError`]) that name the field path.
//! - **Errors**: [`EngineError`], one enum with stable machine codes ([`EngineError::code`]).
//! - **Time**, injectable: the [`Clock`] trait, [`SystemClock`], and [`ManualClock`] for tests.
//! - **Storage**: [`Durability`] (when an answer waits for `fdatasync`), [`WalOptions`], the
//!   derived-state index ([`IndexKind`]: sled, memory, or your own [`StateIndex`]).
//! - **Figures**: [`NamespaceStats`] (per topic and subscription: exact backlog, locks,
//!   durable meters), [`WalStats`], the [`OpenReport`] of what recovery did.
//! - [`limits`]: every limit the engine enforces, as a named constant with its unit.
//!
//! Semantics (locks, delivery counts, dead-lettering, retention, throughput units):
//! `docs/delivery.md`; the byte-level record layout: `docs/format.md`. The internals (records,
//! the state they build, tokens, the clock anchor) are private; the engine's own tests see them
//! through the `internals` feature.
//!
//! # Example
//!
//! ```
//! use std::time::Duration;
//! use gridlog::{Namespace, NamespaceConfig, NamespaceOptions, ReleaseDelay};
//! use gridlog::format::parse_structured;
//!
//! let dir = tempfile::tempdir()?;
//! let ns = Namespace::open(dir.path(), NamespaceOptions::default())?;
//! ns.apply_config(&NamespaceConfig::from_json_str(
//!     r#"{"topics":[{"name":"orders","eventSubscriptions":[{"name":"billing"}]}]}"#,
//! )?)?;
//! let event = parse_structured(br#"{"specversion":"1.0","id":"1","source":"/s","type":"t"}"#)?;
//! ns.publish("orders", &[event])?;
//! let got = ns.receive("orders", "billing", 10, Duration::from_secs(10))?;
//! assert_eq!(got[0].delivery_count, 1);
//! assert_eq!(got[0].json(), br#"{"specversion":"1.0","id":"1","source":"/s","type":"t"}"#);
//! let outcome = ns.acknowledge("orders", "billing", &[&got[0].lock_token])?;
//! assert_eq!(outcome.succeeded.len(), 1);
//! let again = ns.release("orders", "billing", &[&got[0].lock_token], ReleaseDelay::Zero)?;
//! assert_eq!(again.failed[0].code, "TokenLost");
//! let stats = ns.stats();
//! assert_eq!(stats.topics[0].subscriptions[0].backlog, 0);
//! ns.close()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

/// A named failpoint (`fail` crate) at a crash-critical step; compiled only with the
/// `failpoints` feature (tests; the list is in docs/reliability.md).
macro_rules! failpoint {
    ($name:literal) => {
        #[cfg(feature = "failpoints")]
        fail::fail_point!($name);
    };
}

/// The engine's internals: crate-private, or public with the `internals` feature for the
/// engine's own integration, golden and crash tests (which check record layouts, snapshots and
/// tokens byte for byte). Nothing outside this crate's tests enables it.
macro_rules! internal_modules {
    ($($name:ident),* $(,)?) => {$(
        #[cfg(feature = "internals")]
        pub mod $name;
        #[cfg(not(feature = "internals"))]
        #[allow(
            dead_code,
            unused_imports,
            reason = "items and re-exports used only by the internals-feature tests"
        )]
        mod $name;
    )*};
}

internal_modules!(
    anchor, clock, config, error, filter, hub, ids, index, mqtt, namespace, path_error, record,
    state, throttle, token,
);

#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod limits;
pub mod sas;

pub use gridlog_format as format;
pub use gridlog_wal as wal;

// ---- the facade --------------------------------------------------------------------------
// A namespace and what its methods take and give.
pub use namespace::{
    ApplyReport, Committing, FailedToken, HubStats, IndexKind, IndexRecovery,
    MAINTENANCE_INTERVAL_DEFAULT, MaintenanceReport, Namespace, NamespaceOptions, NamespaceStats,
    OpenReport, PartitionStats, PublishReceipt, Received, ReleaseDelay, SettleOutcome, Settlement,
    SubscriptionInfo, SubscriptionStats, ThrottleStats, TokenFailure, TopicInfo, TopicStats,
};
// Event Hubs: sends, reads, properties, partition keys, the REST message layout.
pub use hub::{
    EventOrigin, EventPosition, HubEvent, HubEventError, HubInfo, HubMessage, HubReceipt,
    MessageBody, MessageFormat, MessageParts, PartitionInfo, PartitionTarget, RestMessage,
    RestMessageError, partition_for_key, partition_key_hash,
};
// The MQTT broker's persistent sessions (`Namespace::mqtt_session_*`).
pub use mqtt::{
    DueWill, Enqueued, MqttMessage, MqttProperties, MqttWill, OpenedSession, QueuedMessage,
    SessionEnd, SessionInfo, SessionOpen, SessionSweep, filter_segments, topic_matches,
};
// Identifiers.
pub use ids::random_uuid;
// The read-only peek and the re-publishing of dead-letter events.
pub use namespace::{
    DeadLetterOrigin, PeekFilter, PeekPage, PeekState, Peeked, RepublishFailure, RepublishOutcome,
    Republished,
};
// Its configuration (ARM-shaped), filters included.
pub use config::{
    AccessKey, ConfigError, ConfigErrorKind, DeliveryConfig, DeliveryMode, EventHubConfig,
    NamespaceConfig, PushDestination, SharedAccessPolicy, SubscriptionConfig, TlsConfig,
    TopicConfig,
};
// The MQTT broker's resources (ARM-shaped, in the same configuration).
pub use config::mqtt::{
    ALL_CLIENTS_GROUP, AlternativeNameSource, CaCertificate, CertificateAuthentication,
    ClientAttribute, ClientGroup, ClientGroupQuery, DynamicValue, FilterSegment, MqttClient,
    MqttConfig, Permission, PermissionBinding, QueryError, ResourceState, RouteTopic,
    RoutingEnrichments, TemplatePart, TemplateSegment, TopicSpace, TopicSpacesConfiguration,
    TopicTemplate, ValidationScheme, decode_ca_certificate,
};
pub use filter::{
    AdvancedFilter, Condition, FilterError, FilterErrorKind, FilterKey, FiltersConfig, Operator,
};
// Errors.
pub use error::EngineError;
pub use path_error::{ErrorCode, PathError};
pub use throttle::{Direction, RateLimit};
// Time, injectable.
pub use anchor::{AnchorReason, AnchorReport};
pub use clock::{BootTime, Clock, ManualClock, MonotonicTime, SystemClock, Timestamp};
// Storage options and figures.
pub use gridlog_wal::{Durability, SyncHistogram, WalOptions, WalStats};
pub use index::{IndexError, MemoryIndex, StateIndex};
// Meters (durable) and the time format of dead-letter events.
pub use namespace::rfc3339_ms;
pub use state::{SubMeters, TopicMeters};

/// The `fail` crate, for tests that configure the failpoints.
#[cfg(feature = "failpoints")]
pub use fail;
