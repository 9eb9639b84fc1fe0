//! Chunked preallocation: file space prepared ahead of the writer (docs/format.md §2).
//!
//! Appends go only into space that is *prepared*: allocated (`fallocate`) and zero-filled, so
//! that the `fdatasync` of a group commit has no file size to commit and no unwritten extent to
//! convert. Instead of preparing a whole segment (`segment_bytes_target`) at once, which kept up
//! to two segments of unwritten space on disk (the active one's tail and the spare), a segment
//! is prepared in chunks of `WalOptions::preallocate_chunk_bytes`:
//!
//! - a new segment file starts with one chunk (header included);
//! - after each append, if the writer is less than a chunk from the prepared end, the preparer
//!   thread extends the active segment by one chunk (allocate, zero-fill, publish the new end,
//!   then `fdatasync` through its own file descriptor), up to the segment target;
//! - once the active segment is prepared to its target, the thread prepares the spare next
//!   segment (`wal.spare.tmp`, one chunk, `fsync`ed), so a roll only writes its header;
//! - an append that needs space beyond the prepared end (the writer caught up, or there is no
//!   background thread) waits for a running extension and prepares what is missing itself, on
//!   the append path, without a sync of its own (its group commit's `fdatasync` covers it).
//!
//! So the space allocated beyond the written frames is at most about three chunks (one to two
//! ahead in the active segment, one in the spare).
//!
//! Invariants: the writer writes a frame only below [`Preparer::ready`] (or past the end of a
//! file being recovered, see `Wal::open`); zeros are written only at or above it, by whoever
//! holds the `files` lock, and it is advanced only after they are written, so zero-filling never
//! overwrites a frame. The roll takes the `files` lock before it seals the active segment, so a
//! sealed (mapped, immutable) segment is never extended. Lock order: writer → `files` → `work`;
//! the thread never takes the writer lock.
//!
//! Crash safety needs nothing new from recovery: an extension only makes zero bytes (or a longer
//! file of zeros) past the last frame, which is a clean end, torn or not; a crash cut into the
//! extension leaves a shorter file, which recovery accepts whatever its length.
//!
//! The thread's `fdatasync` goes through its own descriptor: a writeback error it reports is
//! then still reported to the writer's descriptor too (Linux `errseq`), so it cannot hide the
//! loss of frames from a group commit. A failure is also remembered and poisons the log at the
//! next group commit.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread::JoinHandle;

use parking_lot::{Condvar, Mutex, MutexGuard};

use crate::error::{Result, WalError};
use crate::options::WalOptions;
use crate::segment::SPARE_FILE;
use crate::vfs::{FileHandle, Vfs, VfsFile};

/// Zeros are written in pieces of this size.
const ZERO_WRITE_BYTES: usize = 1 << 20;

/// The active segment as the preparer sees it.
#[derive(Debug)]
pub(crate) struct ActiveFile {
    pub path: PathBuf,
    /// The preparer thread's own descriptor of the file, opened on first use.
    own: Option<FileHandle>,
}

/// What the `files` lock guards.
#[derive(Debug, Default)]
pub(crate) struct Files {
    /// The segment extensions apply to; `None` once the log stops extending.
    pub active: Option<ActiveFile>,
    /// A prepared next segment (one chunk, synced), waiting for a roll.
    pub spare: Option<FileHandle>,
}

/// Prepares file space ahead of the writer (see the module docs).
#[derive(Debug)]
pub(crate) struct Preparer {
    vfs: Arc<dyn Vfs>,
    dir: PathBuf,
    enabled: bool,
    background: bool,
    chunk: u64,
    target: u64,
    /// Held while zeros are written into the active segment and while a roll switches segments.
    files: Mutex<Files>,
    /// End of the prepared space of the active segment.
    ready: AtomicU64,
    /// The writer's offset as of its last append (a hint for the thread).
    writer_offset: AtomicU64,
    want_extend: AtomicBool,
    want_spare: AtomicBool,
    /// Id of the active segment for which the spare was last asked for (once per segment).
    spare_asked_for: AtomicU64,
    /// A background `fdatasync` of the active segment failed: the log must be poisoned.
    sync_failed: AtomicBool,
    /// Shutdown flag of the thread, and its wake-up.
    stop: Mutex<bool>,
    wake: Condvar,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Preparer {
    /// A preparer for the log whose active segment is at `path`, prepared up to `ready`.
    pub fn new(
        vfs: Arc<dyn Vfs>,
        dir: PathBuf,
        opts: &WalOptions,
        path: PathBuf,
        ready: u64,
    ) -> Preparer {
        Preparer {
            vfs,
            dir,
            enabled: opts.preallocate,
            background: opts.preallocate && opts.prepare_spare,
            chunk: opts.preallocate_chunk_bytes,
            target: opts.segment_bytes_target,
            files: Mutex::new(Files {
                active: Some(ActiveFile { path, own: None }),
                spare: None,
            }),
            ready: AtomicU64::new(ready),
            writer_offset: AtomicU64::new(0),
            want_extend: AtomicBool::new(false),
            want_spare: AtomicBool::new(false),
            spare_asked_for: AtomicU64::new(0),
            sync_failed: AtomicBool::new(false),
            stop: Mutex::new(false),
            wake: Condvar::new(),
            thread: Mutex::new(None),
        }
    }

    /// Starts the background thread (if configured) and asks it for what the writer at
    /// `offset` in segment `id` needs.
    pub fn start(self: &Arc<Self>, id: u64, offset: u64) {
        if !self.background {
            return;
        }
        let me = Arc::clone(self);
        // Without the thread every chunk is prepared on the append path: slower, still correct.
        let spawned = std::thread::Builder::new()
            .name("wal-prepare".into())
            .spawn(move || me.run());
        *self.thread.lock() = spawned.ok();
        self.after_append(id, offset);
    }

    /// Stops and joins the background thread (close and drop).
    pub fn stop(&self) {
        *self.stop.lock() = true;
        self.wake.notify_all();
        if let Some(h) = self.thread.lock().take() {
            let _ = h.join();
        }
    }

    /// Did a background `fdatasync` of a segment fail?
    pub fn sync_failed(&self) -> bool {
        self.sync_failed.load(Ordering::Acquire)
    }

    /// Bytes a new segment file is prepared to (header included).
    pub fn initial_len(opts: &WalOptions) -> u64 {
        opts.preallocate_chunk_bytes.min(opts.segment_bytes_target)
    }

    /// Locks the files (the roll holds this while it seals and switches segments).
    pub fn files(&self) -> MutexGuard<'_, Files> {
        self.files.lock()
    }

    /// After a roll (under the `files` lock): extensions now apply to the segment at `path`,
    /// whose file is prepared up to `ready`; the writer is at `offset`.
    pub fn switch(&self, files: &mut Files, path: PathBuf, ready: u64, offset: u64) {
        files.active = Some(ActiveFile { path, own: None });
        self.ready.store(ready, Ordering::Release);
        self.writer_offset.store(offset, Ordering::Release);
    }

    /// Makes sure `file` (the active segment, writer at `offset`) is prepared up to `need`
    /// before the writer writes below it. Waits for a running background extension; prepares
    /// what is still missing on the calling thread (allocate and zero-fill, no sync: the
    /// caller's group commit syncs it). Called under the writer lock.
    pub fn ensure(&self, file: &dyn VfsFile, path: &Path, offset: u64, need: u64) -> Result<()> {
        if !self.enabled || need <= self.ready.load(Ordering::Acquire) {
            return Ok(());
        }
        let _files = self.files.lock();
        let ready = self.ready.load(Ordering::Acquire);
        if need <= ready {
            return Ok(());
        }
        let end = next_end(ready, need, self.chunk, self.target);
        zero_fill(file, path, ready.max(offset), end)?;
        self.ready.store(end, Ordering::Release);
        Ok(())
    }

    /// After an append that left the writer at `offset` in segment `id`: asks the thread for
    /// the next chunk when the writer is less than a chunk from the prepared end, or for the
    /// spare once the segment is prepared to its target.
    pub fn after_append(&self, id: u64, offset: u64) {
        if !self.background {
            return;
        }
        self.writer_offset.store(offset, Ordering::Release);
        let ready = self.ready.load(Ordering::Acquire);
        if ready < self.target {
            if ready.saturating_sub(offset) < self.chunk {
                self.request(&self.want_extend);
            }
        } else if self.spare_asked_for.swap(id, Ordering::AcqRel) != id {
            self.request(&self.want_spare);
        }
    }

    fn request(&self, flag: &AtomicBool) {
        if !flag.swap(true, Ordering::AcqRel) {
            let _stop = self.stop.lock();
            self.wake.notify_one();
        }
    }

    /// Body of the background thread.
    fn run(&self) {
        loop {
            {
                let mut stop = self.stop.lock();
                loop {
                    if *stop {
                        return;
                    }
                    if self.want_extend.load(Ordering::Acquire)
                        || self.want_spare.load(Ordering::Acquire)
                    {
                        break;
                    }
                    self.wake.wait(&mut stop);
                }
            }
            if self.want_extend.swap(false, Ordering::AcqRel) {
                self.extend_ahead();
            }
            if self.want_spare.swap(false, Ordering::AcqRel) {
                self.prepare_spare();
            }
        }
    }

    /// Extends the active segment by a chunk at a time while the writer is less than a chunk
    /// from the prepared end. Errors stop it quietly: the writer then prepares the space itself
    /// and reports them on the append path.
    fn extend_ahead(&self) {
        loop {
            let mut files = self.files.lock();
            let ready = self.ready.load(Ordering::Acquire);
            let offset = self.writer_offset.load(Ordering::Acquire);
            if ready >= self.target || ready.saturating_sub(offset) >= self.chunk {
                return;
            }
            let Some(active) = files.active.as_mut() else {
                return;
            };
            let own = match &active.own {
                Some(f) => f.clone(),
                None => match self.vfs.open(&active.path) {
                    Ok(f) => active.own.insert(f).clone(),
                    Err(_) => return,
                },
            };
            let end = next_end(ready, ready + 1, self.chunk, self.target);
            if zero_fill(&*own, &active.path, ready.max(offset), end).is_err() {
                return;
            }
            self.ready.store(end, Ordering::Release);
            drop(files);
            // Outside the lock: the writer may append into the new chunk meanwhile.
            if own.sync_data().is_err() {
                self.sync_failed.store(true, Ordering::Release);
                return;
            }
        }
    }

    /// Prepares `wal.spare.tmp` (one chunk, synced) unless a spare is waiting already.
    fn prepare_spare(&self) {
        if self.files.lock().spare.is_some() {
            return;
        }
        let path = self.dir.join(SPARE_FILE);
        let len = self.chunk.min(self.target);
        let prepared = self
            .vfs
            .create(&path)
            .map_err(|e| WalError::io("create", &path, e))
            .and_then(|file| {
                zero_fill(&*file, &path, 0, len)?;
                file.sync_all()
                    .map_err(|e| WalError::io("fsync", &path, e))?;
                Ok(file)
            });
        match prepared {
            Ok(file) => self.files.lock().spare = Some(file),
            // A partly allocated spare would hold disk space a full disk needs.
            Err(_) => {
                let _ = self.vfs.remove(&path);
            }
        }
    }
}

/// Where to prepare up to from `ready` for a writer that needs `need`: at least `need` and one
/// byte more than `ready`, rounded up to a whole chunk, but not past the segment target unless
/// `need` is (a batch larger than the rest of the segment).
pub(crate) fn next_end(ready: u64, need: u64, chunk: u64, target: u64) -> u64 {
    need.max(ready + 1)
        .next_multiple_of(chunk)
        .min(target.max(need))
}

/// Allocates `file` up to `len` and writes zeros over `from..len`, so later `fdatasync`s do
/// not have to convert unwritten extents (a metadata commit each).
pub(crate) fn zero_fill(file: &dyn VfsFile, path: &Path, from: u64, len: u64) -> Result<()> {
    file.allocate(len)
        .map_err(|e| WalError::io("fallocate", path, e))?;
    let zeros = vec![0u8; ZERO_WRITE_BYTES.min(usize::try_from(len - from.min(len)).unwrap_or(0))];
    let mut off = from;
    while off < len {
        let n = usize::try_from((len - off).min(zeros.len() as u64)).unwrap_or(zeros.len());
        file.write_all_at(&zeros[..n], off)
            .map_err(|e| WalError::io("write", path, e))?;
        off += n as u64;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::next_end;

    #[test]
    fn next_end_is_chunk_aligned_and_capped() {
        let (c, t) = (1000, 3500);
        assert_eq!(next_end(1000, 1001, c, t), 2000);
        assert_eq!(next_end(1000, 2500, c, t), 3000);
        assert_eq!(next_end(3000, 3001, c, t), 3500, "capped at the target");
        assert_eq!(
            next_end(3500, 5000, c, t),
            5000,
            "an oversized batch gets what it needs"
        );
        assert_eq!(
            next_end(1234, 1300, c, t),
            2000,
            "realigned after a partial extension"
        );
    }
}
