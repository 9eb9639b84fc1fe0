//! Configuration: segment size, durability policy, record size limit, recovery mode and
//! preallocation.

use std::time::Duration;

use crate::error::{Result, WalError};
use crate::frame::FRAME_HEADER_BYTES;
use crate::mutant::Mutant;

/// Largest segment target: offsets inside a segment are `u32`, and a segment may exceed its
/// target by one batch, so the target stays well below 4 GiB.
pub const SEGMENT_BYTES_TARGET_MAX: u64 = 1 << 30;
/// Smallest segment target (tests use tiny segments to force rolls).
pub const SEGMENT_BYTES_TARGET_MIN: u64 = 1024;
/// Default segment size: 8 MiB. Whole segments are preallocated (zero-filled) ahead of the
/// writer, so the space written but not yet used is at most the active segment's tail plus the
/// prepared spare: 16 MiB, 1.6% of a 1 GB log (it was 128 MiB with 64 MiB segments, 12.5%). Small
/// segments also make the spare's zero-fill arrive in short bursts between group commits.
/// Measured on the 2-core VM (`engine_ratio`, quiet, alternating runs): publish throughput and open
/// after a crash the same as with 64 MiB within the run-to-run noise (BENCHMARKS.md).
/// Reclamation frees space in 8 MiB steps.
pub const SEGMENT_BYTES_TARGET_DEFAULT: u64 = 8 << 20;

/// Largest value accepted for `record_bytes_max` (64 MiB).
pub const RECORD_BYTES_MAX_LIMIT: u32 = 64 << 20;
/// Default maximum record size (4 MiB).
pub const RECORD_BYTES_MAX_DEFAULT: u32 = 4 << 20;
/// Largest number of records in one `append_batch` call.
pub const BATCH_RECORDS_MAX: usize = 1 << 20;
/// Largest encoded size of one `append_batch` call (frames included): 1 GiB.
pub const BATCH_BYTES_MAX: u64 = 1 << 30;
/// Default `preallocate_chunk_bytes`: whole segments (a chunk is capped at
/// `segment_bytes_target`), as before chunked preallocation existed. Chosen for publish
/// throughput: with [`PREALLOCATE_CHUNK_BYTES_COMPACT`] the zero-fill and the size change of
/// each chunk land on the active file's group commits, and batches of 100 × 1 KiB published
/// 35–40% slower in `engine_ratio` here (ext4, loaded 2-core VM, 2026-11-30: 250–267k vs
/// 418–453k events/s), while the disk held 1.08× the payload at 200,000 events instead of 1.64×.
pub const PREALLOCATE_CHUNK_BYTES_DEFAULT: u64 = SEGMENT_BYTES_TARGET_MAX;
/// A `preallocate_chunk_bytes` for small disks: segment files grow 2 MiB at a time and the spare
/// is 2 MiB, so at most about 4 MiB of unwritten space is allocated (1 KiB events:
/// 1.08× the payload at 200,000 events, 1.064× at 1,000,000, against 1.64× and 1.18× with
/// whole segments), at the throughput cost noted on [`PREALLOCATE_CHUNK_BYTES_DEFAULT`].
pub const PREALLOCATE_CHUNK_BYTES_COMPACT: u64 = 2 << 20;
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
    /// Roll to a new segment once the active one holds this many bytes. Default: 8 MiB
    /// ([`SEGMENT_BYTES_TARGET_DEFAULT`]). Minimum: 1 KiB. Maximum: 1 GiB.
    pub segment_bytes_target: u64,
    /// Durability policy of the log (may be overridden per append). Default: `Always`.
    pub durability: Durability,
    /// Largest record accepted on write and on read. Default: 4 MiB. Maximum: 64 MiB.
    pub record_bytes_max: u32,
    /// Recovery policy. Default: `TolerateTornTail`.
    pub recovery: RecoveryMode,
    /// Append only into file space that is already allocated and zero-filled, so that
    /// `fdatasync` does not have to commit a size change or convert unwritten extents (about
    /// 1.9x faster here), and a full disk shows up before a batch is written, as a clean
    /// [`WalError::NoSpace`]. Segment files are prepared in chunks of `preallocate_chunk_bytes`
    /// (by default the whole segment at once). Default: true.
    pub preallocate: bool,
    /// With `preallocate`: the size of one preparation step (allocate, zero-fill). A new segment
    /// (and the spare) starts with one chunk, synced with its creation; an append that needs
    /// space beyond the prepared end extends the file by whole chunks, up to the segment target,
    /// and its group commit's `fdatasync` syncs them (so one sync per chunk commits a size
    /// change). Default: [`PREALLOCATE_CHUNK_BYTES_DEFAULT`] (whole segments); use
    /// [`PREALLOCATE_CHUNK_BYTES_COMPACT`] (2 MiB) to keep the disk footprint near the written
    /// bytes. Minimum: 512 bytes. Maximum: 1 GiB.
    pub preallocate_chunk_bytes: u64,
    /// With `preallocate`, prepare the next segment file (`wal.spare.tmp`: allocate and zero-fill
    /// its first chunk, sync) in a background thread after open and after every roll, so that a
    /// roll only writes the 48-byte header instead of creating and zero-filling a file on the
    /// append path. Default: true. (Tests that replay exact I/O traces turn it off for
    /// determinism.)
    pub prepare_spare: bool,
    /// With `preallocate`, recycle purged segment files: when `purge_before` drops a segment
    /// whose file is exactly `segment_bytes_target` long and no spare is waiting, the file is
    /// renamed to `wal.spare.tmp` instead of being unlinked, and the next roll writes its new
    /// header into it and appends over the old frames, which can never be read as live data
    /// (a frame's checksum covers the segment id; docs/format.md §2, "Recycling"). A roll
    /// into a recycled file writes no zeros, so its bytes reach the device once instead of
    /// twice. At most one spare is kept: other purged files are unlinked. With recycling, after
    /// a segment that saw a purge, the background thread prepares a zero-filled spare only once
    /// the new segment is half full, leaving a purge the chance to supply one first (prepare.rs).
    /// Default: true.
    pub recycle_segments: bool,
    /// Test knobs that deliberately break the protocol, to prove the crash harness notices
    /// (only with the `mutants` feature, which this crate's own tests enable).
    #[cfg(feature = "mutants")]
    #[doc(hidden)]
    pub mutant: Mutant,
}

impl Default for WalOptions {
    fn default() -> Self {
        WalOptions {
            segment_bytes_target: SEGMENT_BYTES_TARGET_DEFAULT,
            durability: Durability::Always,
            record_bytes_max: RECORD_BYTES_MAX_DEFAULT,
            recovery: RecoveryMode::TolerateTornTail,
            preallocate: true,
            preallocate_chunk_bytes: PREALLOCATE_CHUNK_BYTES_DEFAULT,
            prepare_spare: true,
            recycle_segments: true,
            #[cfg(feature = "mutants")]
            mutant: Mutant::None,
        }
    }
}

impl WalOptions {
    /// Is the deliberate bug `m` planted? Always false without the `mutants` feature, so a
    /// build without it has no mutant in it.
    #[cfg_attr(
        not(feature = "mutants"),
        expect(clippy::unused_self, reason = "reads the option only with `mutants`")
    )]
    pub(crate) fn plants(&self, m: Mutant) -> bool {
        #[cfg(feature = "mutants")]
        {
            self.mutant == m
        }
        #[cfg(not(feature = "mutants"))]
        {
            let _ = m;
            false
        }
    }

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
