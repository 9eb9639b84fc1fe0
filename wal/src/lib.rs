//! Segmented write-ahead log of opaque, CRC-framed records. Knows nothing of events.
//!
//! # Guarantees
//! - [`Durability::Always`]: `append` returns only after an `fdatasync` covers the record;
//!   concurrent appenders share syncs (group commit).
//! - Recovery truncates a torn tail in the last segment (bytes past the durable watermark) and
//!   refuses to open on anything else (`WalError::Corrupt { segment, offset, .. }`), unless
//!   [`RecoveryMode::Salvage`], which reports the exact sequence ranges lost.
//! - Any write or sync error poisons the log: appends and syncs return
//!   [`WalError::Poisoned`] until it is reopened; reads keep working. One exception: a full disk
//!   when a roll creates the next segment fails that append with [`WalError::NoSpace`] before
//!   anything is written, and the log stays usable (see [`Wal::append_reserving`]).
//! - Readers never see a record before it is durable under the log's policy: with `Always`
//!   reads stop at the durable watermark, with `Interval` and `Never` at the written one.
//!
//! # Limits
//! Records up to `record_bytes_max` (default 4 MiB, at most 64 MiB), segments up to 1 GiB
//! (`u32` offsets). Memory: 4 bytes of index per live record (0.4% of a log of 1 KiB records).
//!
//! The byte format is specified in `docs/format.md` §2–§5.
//!
//! Module map: [`options`] (configuration), `vfs`/`vfs_std` (I/O boundary), `segment` and
//! `frame` (bytes on disk), `state` (`Shared`: the parts of an open log, and the lock order),
//! `live_segment` (one live segment), `live_segments` (the live list, purged files waiting for
//! readers), `watermarks` (written, durable, first), `lifecycle` (closed, poisoned, directory
//! lock), `writer` (append, roll), `prepare` (chunked preallocation), `commit` (group commit),
//! `reader`, `retention`, `recovery` (the decision table; `walk`, `scan`), `mutant` (planted
//! bugs, `mutants` feature), `mmap` (the `unsafe` of mapping; `vfs_std` has one more,
//! `sync_file_range`), `stats` (sync counts and latency, observed at the `Vfs` boundary).

/// A named failpoint (`fail` crate) at a crash-critical step; compiled only with the
/// `failpoints` feature (tests; the list is in docs/reliability.md).
macro_rules! failpoint {
    ($name:literal) => {
        #[cfg(feature = "failpoints")]
        fail::fail_point!($name);
    };
}

mod commit;
mod error;
pub mod frame;
mod lifecycle;
mod live_segment;
mod live_segments;
mod mmap;
mod mutant;
pub mod options;
mod prepare;
mod reader;
pub mod recovery;
mod retention;
pub mod segment;
mod state;
pub mod stats;
mod types;
mod vfs;
mod vfs_std;
mod wal;
mod watermarks;
mod writer;

#[cfg(feature = "test-util")]
pub mod testing;

pub use error::{Result, WalError};
pub use options::{Durability, RecoveryMode, SEGMENT_BYTES_TARGET_DEFAULT, WalOptions};
pub use reader::WalIter;
pub use stats::{SYNC_LATENCY_BOUNDS_NANOS, SyncHistogram, WalStats};
pub use types::{PurgeReport, RecordBytes, RecoveryReport, SegmentInfo, Seq, SeqRange};
pub use vfs::{DirLockGuard, FileHandle, MappedBytes, Vfs, VfsFile};
pub use vfs_std::{LOCK_FILE, StdVfs};
pub use wal::Wal;

/// The `fail` crate, for tests that configure the failpoints.
#[cfg(feature = "failpoints")]
pub use fail;

/// Deliberate bugs for the crash harness's self-tests (`mutants` feature: tests only).
#[cfg(feature = "mutants")]
#[doc(hidden)]
pub use mutant::Mutant;
