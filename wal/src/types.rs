//! The vocabulary types of the public API.

use std::fmt;
use std::ops::{Deref, Range};
use std::path::PathBuf;
use std::time::Duration;

use crate::vfs::MappedBytes;

/// A record's sequence number. The first record of a log is 1; 0 means "none".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Seq(pub u64);

impl Seq {
    /// "No record".
    pub const NONE: Seq = Seq(0);
    /// The first sequence number of a new log.
    pub const FIRST: Seq = Seq(1);

    /// The raw number.
    pub fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for Seq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A half-open range of sequence numbers `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SeqRange {
    /// First sequence number in the range.
    pub start: Seq,
    /// One past the last.
    pub end: Seq,
}

impl SeqRange {
    /// Number of sequence numbers in the range.
    pub fn len(&self) -> u64 {
        self.end.0 - self.start.0
    }

    /// True when the range holds no sequence number.
    pub fn is_empty(&self) -> bool {
        self.end.0 <= self.start.0
    }

    /// The last sequence number (inclusive), if any.
    pub fn last(&self) -> Option<Seq> {
        (!self.is_empty()).then(|| Seq(self.end.0 - 1))
    }

    /// Does the range contain `seq`?
    pub fn contains(&self, seq: Seq) -> bool {
        self.start <= seq && seq < self.end
    }
}

/// The bytes of one record: a zero-copy slice of a sealed segment's mapping, or an owned buffer
/// read from the active segment. Holding it keeps a sealed segment's file alive (retention waits).
#[derive(Clone)]
pub struct RecordBytes(pub(crate) Repr);

#[derive(Clone)]
pub(crate) enum Repr {
    Mapped(MappedBytes, Range<usize>),
    Owned(Vec<u8>, Range<usize>),
}

impl From<Vec<u8>> for RecordBytes {
    /// Owned bytes that did not come from a log (what another store, or a test double, hands
    /// out where a record's bytes are expected).
    fn from(bytes: Vec<u8>) -> Self {
        let range = 0..bytes.len();
        Self(Repr::Owned(bytes, range))
    }
}

impl RecordBytes {
    /// Is this a slice of a mapped (sealed) segment?
    pub fn is_mapped(&self) -> bool {
        matches!(self.0, Repr::Mapped(..))
    }
}

impl Deref for RecordBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match &self.0 {
            Repr::Mapped(m, r) => &(**m).as_ref()[r.clone()],
            Repr::Owned(v, r) => &v[r.clone()],
        }
    }
}

impl AsRef<[u8]> for RecordBytes {
    fn as_ref(&self) -> &[u8] {
        self
    }
}

impl fmt::Debug for RecordBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordBytes")
            .field("len", &self.len())
            .field("mapped", &self.is_mapped())
            .finish()
    }
}

/// A description of one live segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentInfo {
    /// Segment id (1, 2, ...).
    pub id: u64,
    /// Sequence numbers whose records it holds (written, not necessarily durable).
    pub seqs: SeqRange,
    /// Bytes used (header and frames); the file may be larger (preallocation).
    pub bytes: u64,
    /// Sealed (immutable) or active.
    pub sealed: bool,
    /// Path of the file.
    pub path: PathBuf,
}

/// What `purge_before` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PurgeReport {
    /// Segments removed from the log.
    pub segments_purged: usize,
    /// Of those, files unlinked now.
    pub files_unlinked: usize,
    /// Of those, files still held by a reader; unlinked later when the reader lets go.
    pub files_deferred: usize,
    /// Of those, files renamed to `wal.spare.tmp` for the next roll instead of being unlinked
    /// (`WalOptions::recycle_segments`; at most one).
    pub files_recycled: usize,
    /// The oldest sequence number still in the log.
    pub first_seq: Seq,
}

/// What recovery found and did when the log was opened.
#[derive(Debug, Clone, Default)]
pub struct RecoveryReport {
    /// Live segments after recovery.
    pub segments: usize,
    /// Records recovered (excluding salvage losses).
    pub records: u64,
    /// Bytes of frames scanned and verified.
    pub bytes: u64,
    /// Bytes of torn tail zeroed.
    pub bytes_truncated: u64,
    /// Sequence ranges lost to corruption (only in `RecoveryMode::Salvage`; otherwise empty).
    pub lost: Vec<SeqRange>,
    /// The log was closed cleanly (its last frame is a close marker).
    pub clean_shutdown: bool,
    /// A new log was created.
    pub created: bool,
    /// Each decision-table case met, with its action (human-readable).
    pub actions: Vec<String>,
    /// Time taken.
    pub duration: Duration,
    /// The next sequence number.
    pub next_seq: Seq,
}
