//! gridlog engine: Azure Event Grid namespace-topic semantics on top of `format` and `wal`.
//!
//! What exists today are the storage-free building blocks the storage core is built on:
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
//!
//! Not written yet: the namespace itself (publish, receive, acknowledge, release, reject, renew,
//! lock expiry, dead-lettering, retention) and its durable state; see issue 4.

pub mod clock;
pub mod config;
pub mod error;
pub mod filter;
pub mod limits;
pub mod token;

pub use gridlog_format as format;

pub use clock::{Clock, ManualClock, MonotonicTime, SystemClock, Timestamp};
pub use config::{
    AccessKey, ConfigError, ConfigErrorKind, DeliveryConfig, DeliveryMode, EventHubMapping,
    NamespaceConfig, PushDestination, SharedAccessPolicy, SubscriptionConfig, TopicConfig,
};
pub use error::EngineError;
pub use filter::{
    AdvancedFilter, Condition, Filter, FilterError, FilterErrorKind, FilterKey, FiltersConfig,
    Operator,
};
pub use token::{LockToken, TokenError, TokenFields, TokenSecret};
