//! The shared state behind a [`crate::Wal`]: the live segments, the writer, the watermarks.
//!
//! Lock order (never take them the other way round): `writer` → `prep.files` → `segs` → a
//! segment's `index` → `pending` (the spare thread takes only `prep.files`); `sync` is never held while taking `writer`... except in the sync leader, which
//! releases `sync` before doing I/O and taking `writer`.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use parking_lot::{Condvar, Mutex, RwLock};

use crate::error::{Result, WalError};
use crate::options::WalOptions;
use crate::prepare::Preparer;
use crate::vfs::{DirLockGuard, FileHandle, MappedBytes, Vfs};

/// Index sentinel for a sequence number lost in salvage.
pub(crate) const LOST: u32 = u32::MAX;

/// One live segment.
pub(crate) struct Segment {
    pub id: u64,
    pub base: u64,
    pub path: PathBuf,
    pub file: FileHandle,
    /// In-segment offset of the frame of `base + i`; `LOST` for salvage holes.
    /// Memory cost: 4 bytes per record (0.4% of a log of 1 KiB records).
    pub index: RwLock<Vec<u32>>,
    /// Set once the seal frame is durable; from then on the file is immutable and mapped.
    pub sealed: AtomicBool,
    /// Bytes used (header + frames), for `segments()`.
    pub used: AtomicU64,
    pub map: OnceLock<MappedBytes>,
}

/// After this many bytes were read through the mappings of sealed segments, they all release
/// their resident pages ([`crate::vfs::Mapping::release`]): reading a backlog of any size keeps
/// about this much of the log resident (plus what readers touch again), not the whole log.
pub(crate) const READ_RELEASE_BYTES: u64 = 4 << 20;

impl std::fmt::Debug for Segment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Segment")
            .field("id", &self.id)
            .field("base", &self.base)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Segment {
    pub fn new(
        id: u64,
        base: u64,
        path: PathBuf,
        file: FileHandle,
        index: Vec<u32>,
        used: u64,
    ) -> Segment {
        Segment {
            id,
            base,
            path,
            file,
            index: RwLock::new(index),
            sealed: AtomicBool::new(false),
            used: AtomicU64::new(used),
            map: OnceLock::new(),
        }
    }

    pub fn name(&self) -> String {
        self.path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// One past the last sequence number written in this segment.
    pub fn end(&self) -> u64 {
        self.base + self.index.read().len() as u64
    }

    /// Is some reader holding this segment or its mapping?
    pub fn is_held(self: &Arc<Self>) -> bool {
        Arc::strong_count(self) > 1 || self.map.get().is_some_and(|m| Arc::strong_count(m) > 1)
    }

    /// The mapping of a sealed segment, created on first use.
    pub fn mapped(&self) -> Result<MappedBytes> {
        if let Some(m) = self.map.get() {
            return Ok(m.clone());
        }
        let m = self
            .file
            .map()
            .map_err(|e| WalError::io("mmap", &self.path, e))?;
        Ok(self.map.get_or_init(|| m).clone())
    }
}

/// Writer-side state, under `Shared::writer`.
#[derive(Debug)]
pub(crate) struct Writer {
    pub active: Arc<Segment>,
    /// Where the next frame goes in the active segment.
    pub offset: u64,
    /// In-segment offset known durable in the active segment (the sync floor written in frames).
    pub synced_offset: u64,
    pub next_seq: u64,
    pub buf: Vec<u8>,
    /// The active segment is a recycled file: stale bytes of an older segment lie past the
    /// frames, so every write is followed by an end mark (writer.rs). False after recovery,
    /// which zeroes whatever follows the last frame.
    pub stale_tail: bool,
}

/// Group-commit coordination, under `Shared::sync`.
#[derive(Debug, Default)]
pub(crate) struct SyncState {
    /// A leader is running `fdatasync` right now.
    pub syncing: bool,
}

#[derive(Debug)]
pub(crate) struct Shared {
    pub vfs: Arc<dyn Vfs>,
    pub dir: PathBuf,
    pub opts: WalOptions,
    pub log_id: u64,
    pub writer: Mutex<Writer>,
    /// Live segments in order; the last one is active.
    pub segs: RwLock<Vec<Arc<Segment>>>,
    /// Purged segments whose files wait for their readers.
    pub pending: Mutex<Vec<Arc<Segment>>>,
    pub pending_nonempty: AtomicBool,
    /// Bytes read through sealed segments' mappings since they last released their pages.
    pub mapped_reads: AtomicU64,
    /// One past the last record fully written (page cache).
    pub written_end: AtomicU64,
    /// One past the last record covered by a successful `fdatasync`.
    pub durable_end: AtomicU64,
    /// Oldest live sequence number.
    pub first_seq: AtomicU64,
    pub poisoned: AtomicBool,
    /// `Always` appends written but not yet covered by a sync leader's capture.
    pub unsynced_calls: AtomicU64,
    /// Appends the last sync covered (group-commit sizing).
    pub last_group: AtomicU64,
    /// Duration of the last `fdatasync`, in nanoseconds.
    pub last_sync_nanos: AtomicU64,
    pub closed: AtomicBool,
    pub sync: Mutex<SyncState>,
    pub sync_cv: Condvar,
    /// Prepares file space ahead of the writer: chunks of the active segment, the spare.
    pub prep: Arc<Preparer>,
    /// Interval-syncer shutdown flag.
    pub stop: Mutex<bool>,
    pub stop_cv: Condvar,
    /// The directory lock ([`Vfs::lock_dir`]): released by a clean close that leaves no purged
    /// segment waiting for a reader, else when the last reference goes.
    pub dir_lock: Mutex<Option<DirLockGuard>>,
}

impl Shared {
    /// Counts `bytes` read through a sealed segment's mapping; past [`READ_RELEASE_BYTES`],
    /// every mapped sealed segment releases its resident pages (readers holding slices of
    /// them still read the same bytes).
    pub fn note_mapped_read(&self, bytes: usize) {
        let before = self.mapped_reads.fetch_add(bytes as u64, Ordering::Relaxed);
        if before + bytes as u64 >= READ_RELEASE_BYTES {
            self.mapped_reads.store(0, Ordering::Relaxed);
            for seg in self.segs.read().iter() {
                if let Some(map) = seg.map.get() {
                    map.release(0..(**map).as_ref().len());
                }
            }
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    /// Rejects calls on a closed or poisoned log.
    pub fn check_writable(&self) -> Result<()> {
        if self.closed.load(Ordering::Acquire) {
            return Err(WalError::Closed);
        }
        if self.poisoned.load(Ordering::Acquire) {
            return Err(WalError::Poisoned);
        }
        Ok(())
    }

    /// Marks the log poisoned and passes the error through.
    pub fn poison(&self, e: WalError) -> WalError {
        self.poisoned.store(true, Ordering::Release);
        // Wake every group-commit follower so it sees the poison instead of waiting.
        let _guard = self.sync.lock();
        self.sync_cv.notify_all();
        e
    }

    /// One past the last record readers may see: the durable watermark under `Always`, the
    /// written watermark otherwise.
    pub fn visible_end(&self) -> u64 {
        match self.opts.durability {
            crate::options::Durability::Always => self.durable_end.load(Ordering::Acquire),
            _ => self.written_end.load(Ordering::Acquire),
        }
    }
}
