//! gridlog engine: Azure Event Grid namespace-topic semantics on top of `format` and `wal`.
//!
//! The storage core is [`Namespace`]; the modules below are its building blocks:
//!
//! - [`config`]: the ARM-shaped namespace configuration (topics, event subscriptions, delivery
//!   settings, access keys), parsed with every default filled in, validated with errors that
//!   name the field path, and serialised back to the same shape.
//! - [`filter`]: `includedEventTypes` and the 19 advanced filter operators, compiled into a
//!   [`Filter`] evaluated against an event's structured JSON. Its module docs hold the
//!   semantics table (keys, aliases, case rules, arrays, missing keys).
//! - [`token`]: HMAC-SHA256-authenticated lock tokens binding (subscription, event, delivery).
//! - [`clock`]: the [`Clock`] trait (wall and monotonic time), [`SystemClock`] and
//!   [`ManualClock`] for tests.
//! - [`limits`]: every limit, as a named constant with its unit.
//! - [`error`]: [`EngineError`], the crate's error enum with stable codes.
//! - [`throttle`]: throughput units (`throughputUnits`) as token buckets; over the limit an
//!   operation fails with [`EngineError::Throttled`].
//!
//! - [`Namespace`]: the storage core: topics, subscriptions, publish, receive (blocking and
//!   async long-poll), acknowledge / release / reject / renew, lock expiry, maxDeliveryCount,
//!   TTL and dead-lettering, retention, maintenance. State changes are WAL records
//!   ([`record`]), applied by one function ([`state`]); a derived checkpoint lives in the
//!   [`index`]. Semantics: docs/delivery.md; record layout: docs/format.md §6b.
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

pub mod anchor;
pub mod clock;
pub mod config;
pub mod error;
pub mod filter;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod index;
pub mod limits;
pub mod namespace;
pub mod record;
pub mod state;
pub mod throttle;
pub mod token;

pub use gridlog_format as format;

pub use anchor::{AnchorReason, AnchorReport};
pub use clock::{BootTime, Clock, ManualClock, MonotonicTime, SystemClock, Timestamp};
pub use config::{
    AccessKey, ConfigError, ConfigErrorKind, DeliveryConfig, DeliveryMode, EventHubMapping,
    NamespaceConfig, PushDestination, SharedAccessPolicy, SubscriptionConfig, TopicConfig,
};
pub use error::EngineError;
pub use filter::{
    AdvancedFilter, Condition, Filter, FilterError, FilterErrorKind, FilterKey, FiltersConfig,
    Operator,
};
pub use namespace::{
    ApplyReport, FailedToken, IndexKind, IndexRecovery, MAINTENANCE_INTERVAL_DEFAULT,
    MaintenanceReport, Namespace, NamespaceOptions, NamespaceStats, OpenReport, PublishReceipt,
    Received, ReleaseDelay, SettleOutcome, SubscriptionInfo, SubscriptionStats, ThrottleStats,
    TokenFailure, TopicInfo, TopicStats,
};
pub use throttle::Direction;
pub use token::{LockToken, TokenError, TokenFields, TokenSecret};

pub use gridlog_wal as wal;

/// The `fail` crate, for tests that configure the failpoints.
#[cfg(feature = "failpoints")]
pub use fail;
pub use gridlog_wal::{Durability, SyncHistogram, WalOptions, WalStats};
