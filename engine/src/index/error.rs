//! [`IndexError`]: what a state index backend reports.

use std::path::PathBuf;

/// A state index operation failed. The index is derived state: an unreadable index is
/// discarded and rebuilt from the WAL; only a failure to store or clear it reaches callers.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum IndexError {
    /// sled returned an error.
    #[error("sled {operation}: {source}")]
    Sled {
        /// What was being done (`open`, `get`, `insert`, `flush`, `remove`).
        operation: &'static str,
        /// sled's error.
        #[source]
        source: sled::Error,
    },
    /// sled panicked (0.34 does on some damaged files); the panic was contained.
    #[error("sled {operation} panicked on a damaged index")]
    Panicked {
        /// What was being done.
        operation: &'static str,
    },
    /// The index directory could not be removed before recreating it.
    #[error("removing the index directory {}: {source}", path.display())]
    Remove {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The index was closed.
    #[error("the index is closed")]
    Closed,
    /// A custom backend's own error ([`crate::IndexKind::Custom`]).
    #[error("index backend: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}
