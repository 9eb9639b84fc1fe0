//! Configuration: segment size, durability policy, record size limit, recovery mode and
//! preallocation.

use std::time::Duration;

use crate::error::{Result, WalError};
use crate::frame::FRAME_HEADER_BYTES;

/// Largest segment target: offsets inside a segment are `u32`, and a segment may exceed its
/// target by one batch, so the target stays well below 4 GiB.
pub const SEGMENT_BYTES_TARGET_MAX: u64 = 1 << 30;
/// Smallest segment target (tests use tiny segments to force rolls).
pub const SEGMENT_BYTES_TARGET_MIN: u64 = 1024;
/// Largest value accepted for `record_bytes_max` (64 MiB).
pub const RECORD_BYTES_MAX_LIMIT: u32 = 64 << 20;
/// Default maximum record size (4 MiB).
pub const RECORD_BYTES_MAX_DEFAULT: u32 = 4 << 20;
/// Largest number of records in one `append_batch` call.
pub const BATCH_RECORDS_MAX: usize = 1 << 20;
/// Largest encoded size of one `append_batch` call (frames included): 1 GiB.
pub const BATCH_BYTES_MAX: u64 = 1 << 30;
/// Default `preallocate_chunk_bytes`: segment files are prepared (allocated, zero-filled,
/// synced) 2 MiB at a time, and the log keeps one to two chunks prepared ahead of the writer
/// (plus a one-chunk spare segment near the end of the active one). Measured on 1 KiB events:
/// at most 6 MiB of unwritten disk space, against 64–128 MiB with whole-segment preallocation.
pub const PREALLOCATE_CHUNK_BYTES_DEFAULT: u64 = 2 << 20;
/// Smallest `preallocate_chunk_bytes` (one sector; tests use tiny chunks to exercise extensions).
pub const PREALLOCATE_CHUNK_BYTES_MIN: u64 = 512;

// A full segment plus one maximal batch of maximal records must still be addressable by u32.
const _: () =
    assert!(SEGMENT_BYTES_TARGET_MAX + 2 * (RECORD_BYTES_MAX_LIMIT as u64) < u32::MAX as u64);
const _: () = assert!(FRAME_HEADER_BYTES as u64 * 4 < SEGMENT_BYTES_TARGET_MIN);
// A full segment plus one maximal batch plus a seal must be addressable by u32.
const _: () = assert!(SEGMENT_BYTES_TARGET_MAX + BATCH_BYTES_MAX + 64 < u32::MAX as u64);

/// When an append is made durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// `append` returns only after an `fdatasync` covers the record (group commit shares one sync
    /// among concurrent appenders). Survives a process crash and a power loss.
    Always,
    /// A background thread syncs every interval. Survives a process crash (the data is in the page
    /// cache); a power loss may lose what was appended in the last interval plus one sync.
    Interval(Duration),
    /// Synced only when a segment rolls and on `close`. Survives a process crash; a power loss may
    /// lose everything since the last roll. For tests and throwaway data.
    Never,
}

/// What to do when recovery finds corruption (as opposed to a torn tail).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RecoveryMode {
    /// Truncate a torn tail (bad bytes at or after the durable watermark of the last segment);
    /// fail with [`WalError::Corrupt`] on anything else. The default.
    #[default]
    TolerateTornTail,
    /// Open anyway, skipping corrupt regions, and report the exact sequence ranges lost in
    /// [`crate::RecoveryReport::lost`]. Reads of lost sequence numbers return `NotFound`.
    Salvage,
}

/// Options for [`crate::Wal::open`].
#[derive(Debug, Clone)]
pub struct WalOptions {
    /// Roll to a new segment once the active one holds this many bytes. Default: 64 MiB.
    /// Minimum: 1 KiB. Maximum: 1 GiB.
    pub segment_bytes_target: u64,
    /// Durability policy of the log (may be overridden per append). Default: `Always`.
    pub durability: Durability,
    /// Largest record accepted on write and on read. Default: 4 MiB. Maximum: 64 MiB.
    pub record_bytes_max: u32,
    /// Recovery policy. Default: `TolerateTornTail`.
    pub recovery: RecoveryMode,
    /// Append only into file space that is already allocated and zero-filled (and, unless the
    /// writer caught up with the preparation, synced), so that `fdatasync` does not have to
    /// commit a size change or convert unwritten extents (about 1.9x faster here), and a full
    /// disk shows up before a batch is written, as a clean [`WalError::NoSpace`]. Segment files
    /// are prepared in chunks of `preallocate_chunk_bytes` ahead of the write offset, not to
    /// `segment_bytes_target` at once, so the space allocated beyond the written frames stays
    /// within a few chunks. Default: true.
    pub preallocate: bool,
    /// With `preallocate`: the size of one preparation step (allocate, zero-fill, sync). A new
    /// segment starts with one chunk; the log extends the active segment by one chunk whenever
    /// the writer is less than a chunk from the prepared end, and prepares the next segment (the
    /// spare, one chunk) once the active one is prepared to its target. Default:
    /// [`PREALLOCATE_CHUNK_BYTES_DEFAULT`] (2 MiB). Minimum: 512 bytes. Maximum: 1 GiB (a value
    /// at or above `segment_bytes_target` preallocates whole segments).
    pub preallocate_chunk_bytes: u64,
    /// With `preallocate`, do the preparation in a background thread: chunk extensions of the
    /// active segment, and the spare next segment, so that a roll only writes the 48-byte header
    /// instead of zero-filling a chunk on the append path. An append that finds the prepared end
    /// not far enough (the writer caught up) prepares the missing chunk itself. Without it, every
    /// chunk is prepared on the append path and rolls create the next segment there. Default:
    /// true. (Tests that replay exact I/O traces turn it off for determinism.)
    pub prepare_spare: bool,
    /// Test knobs that deliberately break the protocol, to prove the crash harness notices.
    #[doc(hidden)]
    pub mutant: Mutant,
}

/// Deliberate bugs for harness self-tests. Never set outside tests.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mutant {
    /// Correct behaviour.
    #[default]
    None,
    /// Skip the directory fsync after creating (renaming) a segment.
    SkipDirSync,
    /// Accept a torn tail without zeroing it.
    SkipTailTruncation,
    /// Acknowledge `Always` appends without syncing.
    SkipSync,
}

impl Default for WalOptions {
    fn default() -> Self {
        WalOptions {
            segment_bytes_target: 64 << 20,
            durability: Durability::Always,
            record_bytes_max: RECORD_BYTES_MAX_DEFAULT,
            recovery: RecoveryMode::TolerateTornTail,
            preallocate: true,
            preallocate_chunk_bytes: PREALLOCATE_CHUNK_BYTES_DEFAULT,
            prepare_spare: true,
            mutant: Mutant::None,
        }
    }
}

impl WalOptions {
    /// Checks the documented ranges.
    pub(crate) fn validate(&self) -> Result<()> {
        if !(SEGMENT_BYTES_TARGET_MIN..=SEGMENT_BYTES_TARGET_MAX)
            .contains(&self.segment_bytes_target)
        {
            return Err(WalError::InvalidArgument(format!(
                "segment_bytes_target {} outside {SEGMENT_BYTES_TARGET_MIN}..={SEGMENT_BYTES_TARGET_MAX}",
                self.segment_bytes_target
            )));
        }
        if !(PREALLOCATE_CHUNK_BYTES_MIN..=SEGMENT_BYTES_TARGET_MAX)
            .contains(&self.preallocate_chunk_bytes)
        {
            return Err(WalError::InvalidArgument(format!(
                "preallocate_chunk_bytes {} outside {PREALLOCATE_CHUNK_BYTES_MIN}..={SEGMENT_BYTES_TARGET_MAX}",
                self.preallocate_chunk_bytes
            )));
        }
        if self.record_bytes_max == 0 || self.record_bytes_max > RECORD_BYTES_MAX_LIMIT {
            return Err(WalError::InvalidArgument(format!(
                "record_bytes_max {} outside 1..={RECORD_BYTES_MAX_LIMIT}",
                self.record_bytes_max
            )));
        }
        if let Durability::Interval(d) = self.durability
            && d.is_zero()
        {
            return Err(WalError::InvalidArgument("Durability::Interval(0)".into()));
        }
        Ok(())
    }
}
