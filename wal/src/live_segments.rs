//! [`LiveSegments`]: the list of live segments, the purged ones waiting for their readers, and
//! the page-release accounting of mapped reads.
//!
//! Locks: `list` before a segment's `index` before `pending`; `prep.files` (prepare.rs) is
//! taken before either when both are needed (retention.rs). The whole order is at the top of
//! state.rs.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use parking_lot::{Mutex, RwLock};

use crate::error::{Result, WalError};
use crate::live_segment::Segment;
use crate::stats::WalStats;
use crate::types::{SegmentInfo, Seq, SeqRange};

/// After this many bytes were read through the mappings of sealed segments, they all release
/// their resident pages ([`crate::vfs::Mapping::release`]): reading a backlog of any size keeps
/// about this much of the log resident (plus what readers touch again), not the whole log.
pub(crate) const READ_RELEASE_BYTES: u64 = 4 << 20;

/// The live segments, oldest first (the last one is active), and the purged ones whose files
/// wait for their readers.
#[derive(Debug)]
pub(crate) struct LiveSegments {
    /// Live segments in order; the last one is active.
    list: RwLock<Vec<Arc<Segment>>>,
    /// Purged segments whose files wait for their readers.
    pending: Mutex<Vec<Arc<Segment>>>,
    /// `pending` is not empty (checked without its lock on every append).
    pending_nonempty: AtomicBool,
    /// Bytes read through sealed segments' mappings since they last released their pages.
    mapped_reads: AtomicU64,
}

/// What became of a pending segment file that no reader holds ([`LiveSegments::reap`]).
pub(crate) enum Disposal {
    /// Unlinked.
    Unlinked,
    /// Renamed to the spare, for the next roll.
    Recycled,
}

/// What one [`LiveSegments::reap`] did.
pub(crate) struct Reaped {
    /// Files unlinked.
    pub unlinked: usize,
    /// Files recycled.
    pub recycled: usize,
    /// Files still waiting (held by a reader, or not reached after an error).
    pub deferred: usize,
    /// The first error met; the file it concerned stays pending.
    pub error: Option<WalError>,
}

impl LiveSegments {
    /// The recovered live segments, none pending.
    pub fn new(list: Vec<Arc<Segment>>) -> LiveSegments {
        LiveSegments {
            list: RwLock::new(list),
            pending: Mutex::new(Vec::new()),
            pending_nonempty: AtomicBool::new(false),
            mapped_reads: AtomicU64::new(0),
        }
    }

    /// The live segment holding `seq`, if any.
    pub fn segment_for(&self, seq: u64) -> Option<Arc<Segment>> {
        let segs = self.list.read();
        let i = segs.partition_point(|s| s.base <= seq);
        let seg = segs.get(i.checked_sub(1)?)?;
        Some(seg.clone())
    }

    /// Counts `bytes` read through a sealed segment's mapping; past [`READ_RELEASE_BYTES`],
    /// every mapped sealed segment releases its resident pages (readers holding slices of
    /// them still read the same bytes).
    pub fn note_mapped_read(&self, bytes: usize) {
        let before = self.mapped_reads.fetch_add(bytes as u64, Ordering::Relaxed);
        if before + bytes as u64 >= READ_RELEASE_BYTES {
            self.mapped_reads.store(0, Ordering::Relaxed);
            for seg in self.list.read().iter() {
                if let Some(map) = seg.map.get() {
                    map.release(0..(**map).as_ref().len());
                }
            }
        }
    }

    /// Appends the new active segment (a roll, under the writer lock).
    pub fn push(&self, seg: Arc<Segment>) {
        self.list.write().push(seg);
    }

    /// The segments that may go so that `seq` stays live: each one whose successor starts at or
    /// below `seq`; never the active one. Under the writer lock, so the list cannot change
    /// before [`Self::purge_prefix`].
    pub fn purgeable(&self, seq: u64) -> Vec<Arc<Segment>> {
        let segs = self.list.read();
        let n = segs.windows(2).take_while(|p| p[1].base <= seq).count();
        segs[..n].to_vec()
    }

    /// The `n`th live segment (0 is the oldest). Panics past the active one.
    pub fn nth(&self, n: usize) -> Arc<Segment> {
        let segs = self.list.read();
        segs[n].clone()
    }

    /// Drops the `n` oldest segments from the live list.
    pub fn purge_prefix(&self, n: usize) {
        self.list.write().drain(..n);
    }

    /// Queues purged segments for [`Self::reap`].
    pub fn defer(&self, purged: Vec<Arc<Segment>>) {
        let mut pending = self.pending.lock();
        pending.extend(purged);
        self.pending_nonempty.store(true, Ordering::Release);
    }

    /// Is some purged segment waiting for its readers?
    pub fn has_pending(&self) -> bool {
        self.pending_nonempty.load(Ordering::Acquire)
    }

    /// Passes each pending segment that no reader holds to `dispose` (which unlinks or
    /// recycles its file) and forgets it; stops disposing at the first error.
    pub fn reap(&self, mut dispose: impl FnMut(&Segment) -> Result<Disposal>) -> Reaped {
        let mut pending = self.pending.lock();
        let (mut unlinked, mut recycled) = (0, 0);
        let mut error = None;
        pending.retain(|seg| {
            if error.is_some() || seg.is_held() {
                return true;
            }
            match dispose(seg) {
                Ok(Disposal::Recycled) => {
                    recycled += 1;
                    false
                }
                Ok(Disposal::Unlinked) => {
                    unlinked += 1;
                    false
                }
                Err(e) => {
                    error = Some(e);
                    true
                }
            }
        });
        let deferred = pending.len();
        self.pending_nonempty.store(deferred > 0, Ordering::Release);
        Reaped {
            unlinked,
            recycled,
            deferred,
            error,
        }
    }

    /// The live segments, oldest first (`Wal::segments`).
    pub fn infos(&self) -> Vec<SegmentInfo> {
        self.list
            .read()
            .iter()
            .map(|s| SegmentInfo {
                id: s.id,
                seqs: SeqRange {
                    start: Seq(s.base),
                    end: Seq(s.end()),
                },
                bytes: s.used.load(Ordering::Acquire),
                sealed: s.sealed.load(Ordering::Acquire),
                path: s.path.clone(),
            })
            .collect()
    }

    /// Fills the segment figures of `stats`: one `fstat` per live segment.
    pub fn fill_stats(&self, stats: &mut WalStats) {
        let segs = self.list.read();
        stats.segments = segs.len();
        for seg in segs.iter() {
            let used = seg.used.load(Ordering::Acquire);
            stats.segment_bytes_used += used;
            stats.segment_bytes_on_disk += seg.file.len().unwrap_or(used);
        }
    }
}
