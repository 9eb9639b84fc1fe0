//! Chunked preallocation: file space prepared ahead of the writer (docs/format.md §2).
//!
//! Appends go only into space that is *prepared*: allocated (`fallocate`) and zero-filled, so
//! that most `fdatasync`s of group commits have no file size to commit and no unwritten extent
//! to convert, and a full disk shows up before a batch is written. A segment is prepared in
//! chunks of `WalOptions::preallocate_chunk_bytes`; by default a chunk is the whole segment
//! (`segment_bytes_target`: up to two segments of unwritten space on disk, the active one's
//! tail and the spare), with `PREALLOCATE_CHUNK_BYTES_COMPACT` it is 2 MiB:
//!
//! - a new segment file starts with one chunk (header included);
//! - an append that needs space beyond the prepared end (its batch, a seal and its reserve)
//!   extends the file itself, under the writer lock, by whole chunks up to the segment target:
//!   allocate and write zeros, no sync of its own (its group commit's `fdatasync` covers the
//!   zeros and the size change, once per chunk);
//! - a background thread prepares the spare next segment (`wal.spare.tmp`, one chunk, `fsync`ed)
//!   after open and after every roll, so a roll only writes its header.
//!
//! So the space allocated beyond the written frames is at most about two chunks (the rest of the
//! active one, the spare).
//!
//! Measured (`wal_ratio`, `engine_ratio`; ext4 on a loaded 2-core VM, 2026-11-30), small chunks
//! cost publish throughput, which is why whole segments stay the default: every chunk's
//! zero-fill and size change land on the active file, whose group commits then write them back
//! and commit the journal (an `fdatasync` waits for every page of the file under writeback),
//! where whole-segment preallocation does that on the spare, another file, off the append path.
//! Extending the active file from the background thread was worse still (batches of 100 at
//! 110–170k records/s against 190–290k on the append path), hence the append path.
//!
//! Invariant: the writer writes a frame only below [`Preparer::ready`] (or, right after
//! recovery, past the end of a file it found shorter), and zeros are written only at or above it.
//!
//! Crash safety needs nothing new from recovery: an extension only makes zero bytes (or a longer
//! file of zeros) past the last frame, which is a clean end, torn or not; a crash cut into the
//! extension leaves a shorter file, which recovery accepts whatever its length.

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

/// What the `files` lock guards.
#[derive(Debug, Default)]
pub(crate) struct Files {
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
    /// The spare; the roll takes it under this lock.
    files: Mutex<Files>,
    /// End of the prepared space of the active segment (written under the writer lock).
    ready: AtomicU64,
    want_spare: AtomicBool,
    /// Shutdown flag of the thread, and its wake-up.
    stop: Mutex<bool>,
    wake: Condvar,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Preparer {
    /// A preparer for the log whose active segment is prepared up to `ready`.
    pub fn new(vfs: Arc<dyn Vfs>, dir: PathBuf, opts: &WalOptions, ready: u64) -> Preparer {
        Preparer {
            vfs,
            dir,
            enabled: opts.preallocate,
            background: opts.preallocate && opts.prepare_spare,
            chunk: opts.preallocate_chunk_bytes,
            target: opts.segment_bytes_target,
            files: Mutex::new(Files::default()),
            ready: AtomicU64::new(ready),
            want_spare: AtomicBool::new(false),
            stop: Mutex::new(false),
            wake: Condvar::new(),
            thread: Mutex::new(None),
        }
    }

    /// Starts the background thread (if configured) and asks it for a spare.
    pub fn start(self: &Arc<Self>) {
        if !self.background {
            return;
        }
        let me = Arc::clone(self);
        // Without the thread rolls create the next segment on the append path: slower, correct.
        let spawned = std::thread::Builder::new()
            .name("wal-spare".into())
            .spawn(move || me.run());
        *self.thread.lock() = spawned.ok();
        self.request_spare();
    }

    /// Stops and joins the background thread (close and drop).
    pub fn stop(&self) {
        *self.stop.lock() = true;
        self.wake.notify_all();
        if let Some(h) = self.thread.lock().take() {
            let _ = h.join();
        }
    }

    /// Bytes a new segment file is prepared to (header included).
    pub fn initial_len(opts: &WalOptions) -> u64 {
        opts.preallocate_chunk_bytes.min(opts.segment_bytes_target)
    }

    /// Locks the files (the roll takes the spare under this lock).
    pub fn files(&self) -> MutexGuard<'_, Files> {
        self.files.lock()
    }

    /// After a roll: the new active segment is prepared up to `ready`; asks for the next spare.
    pub fn switch(&self, ready: u64) {
        self.ready.store(ready, Ordering::Release);
        self.request_spare();
    }

    /// Makes sure `file` (the active segment, writer at `offset`) is prepared up to `need`
    /// before the writer writes below it: allocates and zero-fills whole chunks, up to the
    /// segment target, on the calling thread (no sync: the caller's group commit syncs it).
    /// Called under the writer lock.
    pub fn ensure(&self, file: &dyn VfsFile, path: &Path, offset: u64, need: u64) -> Result<()> {
        let ready = self.ready.load(Ordering::Acquire);
        if !self.enabled || need <= ready {
            return Ok(());
        }
        let end = next_end(ready, need, self.chunk, self.target);
        zero_fill(file, path, ready.max(offset), end)?;
        self.ready.store(end, Ordering::Release);
        Ok(())
    }

    fn request_spare(&self) {
        if self.background && !self.want_spare.swap(true, Ordering::AcqRel) {
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
                    if self.want_spare.load(Ordering::Acquire) {
                        break;
                    }
                    self.wake.wait(&mut stop);
                }
            }
            if self.want_spare.swap(false, Ordering::AcqRel) {
                self.prepare_spare();
            }
        }
    }

    /// Prepares `wal.spare.tmp` (one chunk, synced) unless a spare is waiting already. Errors
    /// are not reported here: without a spare, the roll creates the segment itself and reports
    /// any error on the append path.
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
