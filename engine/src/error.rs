//! The engine's error type, [`EngineError`]: one enum for the crate, each variant with a stable
//! machine code. The storage core adds its variants (I/O, corruption, unknown topic, …) here.

use crate::config::ConfigError;
use crate::filter::FilterError;
use crate::token::TokenError;

/// Everything the engine's public API can fail with. Neither `Clone` nor `PartialEq`: the storage
/// core's I/O variants will carry `std::io::Error`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// An invalid namespace configuration (field path and reason inside).
    #[error("invalid configuration: {0}")]
    Config(#[from] ConfigError),
    /// An invalid `filtersConfiguration` given on its own (field path and reason inside).
    #[error("invalid filter: {0}")]
    Filter(#[from] FilterError),
    /// A lock token that is not one this namespace minted.
    #[error(transparent)]
    Token(#[from] TokenError),
    /// A topic or subscription that does not exist.
    #[error("{kind} '{name}' not found")]
    NotFound {
        /// `"topic"` or `"subscription"`.
        kind: &'static str,
        /// The name asked for (`topic/subscription` for subscriptions).
        name: String,
    },
    /// An argument outside its documented range.
    #[error("invalid argument {argument}: {reason}")]
    InvalidArgument {
        /// The argument's name.
        argument: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A message sent to an Event Hub mapped to a topic that makes no valid `CloudEvent`; nothing
    /// of the send was stored.
    #[error("message {index}: {source}")]
    HubEvent {
        /// The message's index in the send.
        index: usize,
        /// Why.
        #[source]
        source: crate::hub::HubEventError,
    },
    /// The write-ahead log failed (I/O, full disk, corruption, poisoned).
    #[error("wal: {0}")]
    Wal(#[from] gridlog_wal::WalError),
    /// A WAL record that the engine cannot decode or that contradicts the state before it.
    #[error("corrupt state record at seq {seq}: {reason}")]
    Corrupt {
        /// The record's seq.
        seq: u64,
        /// What was wrong.
        reason: String,
    },
    /// The state index (derived state) failed in a way that cannot be repaired by a rebuild.
    #[error("state index: {0}")]
    Index(#[from] crate::index::IndexError),
    /// The operating system gave no randomness for a new namespace's token secret.
    #[error("no randomness for the namespace secret: {0}")]
    NoRandomness(getrandom::Error),
    /// A background thread could not be started.
    #[error("starting the {name} thread: {source}")]
    Thread {
        /// The thread's name.
        name: &'static str,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// An earlier write or sync failed; reopen the namespace.
    #[error("namespace is poisoned by an earlier write or sync failure; reopen it")]
    Poisoned,
    /// The namespace was closed.
    #[error("namespace is closed")]
    Closed,
    /// Over the namespace's throughput-unit limit (the per-TU limits are in [`crate::limits`]);
    /// nothing was done.
    #[error(
        "{direction} throughput limit of the namespace's throughput units reached; retry after {retry_after:?}"
    )]
    Throttled {
        /// Which limit.
        direction: crate::throttle::Direction,
        /// When the same request would be accepted (if nothing else takes the capacity first).
        retry_after: std::time::Duration,
    },
}

impl EngineError {
    /// Stable machine code of the variant: `InvalidConfiguration`, `InvalidFilter`,
    /// `InvalidLockToken`, `NotFound`, `InvalidArgument`, `InvalidEvent` (a hub message that makes no
    /// `CloudEvent` for the hub's topic), `NoSpace` (a full disk),
    /// `StorageError`, `Corrupt`, `IndexError`, `NoRandomness`, `ThreadSpawnFailed`, `Poisoned`, `Closed` or `Throttled`. [`detail_code`](Self::detail_code) says which rule was broken.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Config(_) => "InvalidConfiguration",
            Self::Filter(_) => "InvalidFilter",
            Self::Token(_) => "InvalidLockToken",
            Self::NotFound { .. } => "NotFound",
            Self::InvalidArgument { .. } => "InvalidArgument",
            Self::HubEvent { .. } => "InvalidEvent",
            Self::Wal(error) if error.is_no_space() => "NoSpace",
            Self::Wal(_) => "StorageError",
            Self::Corrupt { .. } => "Corrupt",
            Self::Index(_) => "IndexError",
            Self::NoRandomness(_) => "NoRandomness",
            Self::Thread { .. } => "ThreadSpawnFailed",
            Self::Poisoned => "Poisoned",
            Self::Closed => "Closed",
            Self::Throttled { .. } => "Throttled",
        }
    }

    /// Is this a full-disk error (the server answers 507)?
    pub fn is_no_space(&self) -> bool {
        matches!(self, Self::Wal(error) if error.is_no_space())
    }

    /// Stable machine code of the specific cause, e.g. `ConfigOutOfRange`,
    /// `FilterUnknownOperator`, `TokenBadMac`.
    pub fn detail_code(&self) -> &'static str {
        match self {
            Self::Config(error) => error.code(),
            Self::Filter(error) => error.code(),
            Self::Token(error) => error.code(),
            Self::HubEvent { source, .. } => source.code(),
            other => other.code(),
        }
    }
}
