//! The one error type of the crate. Four classes are kept apart: I/O (with the path and the
//! operation), full disk (its own kind, because the caller can act on it), corruption (with the
//! segment and the offset) and caller errors.

use std::io;
use std::path::PathBuf;

/// Result alias used throughout the crate.
pub type Result<T, E = WalError> = std::result::Result<T, E>;

/// Everything that can go wrong in the write-ahead log.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WalError {
    /// An I/O operation failed. If it was a write or a sync the log is now poisoned.
    #[error("wal I/O error during {op} on {}: {source}", path.display())]
    Io {
        /// The operation that failed (`"write"`, `"sync_data"`, `"rename"`, ...).
        op: &'static str,
        /// The file or directory it was applied to.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// Another open log (in this process or another one) holds the directory. Nothing was read
    /// or written.
    #[error("wal directory {} is in use by another open log", dir.display())]
    Locked {
        /// The log's directory.
        dir: PathBuf,
    },
    /// The disk or quota is full (ENOSPC, EDQUOT or EFBIG). Nothing of the failed call was
    /// acknowledged. When the next segment or the next preallocated chunk of the active one
    /// could not be prepared (the usual case: appends only write into preallocated space) the
    /// log is still usable and a later append retries; any other write that fails this way
    /// poisons the log (reopen once space has been freed).
    #[error("no space left for the wal at {}", path.display())]
    NoSpace {
        /// The file or directory that could not grow.
        path: PathBuf,
    },
    /// The bytes on disk contradict the format: a checksum failed below the durable watermark or
    /// in a sealed segment, a segment is missing, swapped or stray, or a header is invalid.
    #[error("wal corruption in segment {segment} at offset {offset}: {reason}")]
    Corrupt {
        /// The segment file name (or the directory for directory-level problems).
        segment: String,
        /// Byte offset inside that file (0 for whole-file problems).
        offset: u64,
        /// What was wrong.
        reason: String,
    },
    /// A previous write or sync failed: the page cache can no longer be trusted (fsync errors are
    /// never retried, see "Can Applications Recover from fsync Failures?", ATC'20). Reads keep
    /// working; appends and syncs fail until the log is reopened.
    #[error("wal is poisoned by an earlier write or sync failure; reopen it")]
    Poisoned,
    /// A record is larger than `WalOptions::record_bytes_max`.
    #[error("record of {len} bytes exceeds the maximum of {max} bytes")]
    RecordTooLarge {
        /// Length of the offending record.
        len: u64,
        /// The configured maximum.
        max: u32,
    },
    /// The requested sequence number is not in the log (purged, not yet visible, or lost in salvage).
    #[error("sequence number {seq} is not readable: {reason}")]
    NotFound {
        /// The requested sequence number.
        seq: u64,
        /// Why it is not there.
        reason: &'static str,
    },
    /// The caller passed something that cannot work (empty batch, bad option).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The log was closed with [`crate::Wal::close`].
    #[error("wal is closed")]
    Closed,
}

impl WalError {
    /// Maps an I/O error to `NoSpace` when it is ENOSPC/EDQUOT/EFBIG, otherwise to `Io`.
    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        let path = path.into();
        if is_no_space(&source) {
            WalError::NoSpace { path }
        } else {
            WalError::Io { op, path, source }
        }
    }

    pub(crate) fn corrupt(
        segment: impl Into<String>,
        offset: u64,
        reason: impl Into<String>,
    ) -> Self {
        WalError::Corrupt {
            segment: segment.into(),
            offset,
            reason: reason.into(),
        }
    }

    /// Is this a full-disk error?
    pub fn is_no_space(&self) -> bool {
        matches!(self, WalError::NoSpace { .. })
    }

    /// Is this a corruption error?
    pub fn is_corrupt(&self) -> bool {
        matches!(self, WalError::Corrupt { .. })
    }
}

const ENOSPC: i32 = 28;
const EFBIG: i32 = 27;
const EDQUOT: i32 = 122;

fn is_no_space(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded | io::ErrorKind::FileTooLarge
    ) || matches!(e.raw_os_error(), Some(ENOSPC | EFBIG | EDQUOT))
}
