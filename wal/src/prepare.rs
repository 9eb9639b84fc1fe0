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
//!   after open and after every roll, so a roll only writes its header. It writes the zeros back
//!   to the device 128 KiB at a time (`sync_file_range`, a pacing hint, not a durability point):
//!   written whole and then `fsync`ed, the 8 MiB reached the device as one burst, and the
//!   appender's `fdatasync` that came during it waited about 5 ms for it, once per segment (a
//!   quarter of a publisher's time). Measured with `publish_latency` (benches; 300,000 1 KiB
//!   events in batches of 100), 3 runs each, quiet 2-core VM, 2026-11-30: publish p99
//!   4.3–4.7 ms → 0.56–0.65 ms, max 6–9 ms → 1–2 ms, throughput 397–457k → 442–503k events/s.
//!
//! So the space allocated beyond the written frames is at most about two chunks (the rest of the
//! active one, the spare).
//!
//! **Recycling** (`WalOptions::recycle_segments`, docs/format.md §2): the spare may instead be a
//! purged segment file, renamed to `wal.spare.tmp` by retention ([`Preparer::offer`]); its old
//! frames stay in it. Such a file is one whole segment long, allocated and written, so after a
//! roll into it the whole segment counts as prepared: the writer never zero-fills it.
//!
//! When to zero-fill a spare, with recycling: a purge finds the spare slot empty only if the
//! background thread has not filled it yet. So when the segment just closed saw a purge (purges
//! come about as often as segments roll, or more: the next one will likely come during the new
//! segment), the thread is asked for a zero-filled spare only once the new segment is half full
//! ([`Preparer::note_written`]), leaving a purge in its first half the chance to supply the next
//! segment without any zero-fill. Otherwise (no purge during the last segment, e.g. a fast writer
//! and occasional maintenance; or the roll found no spare waiting) it is asked right after the
//! roll, as without recycling, so that it is ready in time.
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
//! Prepared space is zeros, except in a recycled segment, where it is stale bytes of an older
//! segment that no frame check accepts (recovery treats them as it treats a torn tail).
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
use crate::stats::Counters;
use crate::vfs::{FileHandle, Vfs, VfsFile};

/// Zeros are written in pieces of this size.
const ZERO_WRITE_BYTES: usize = 1 << 20;

/// The source of every zero-fill write: in `.bss`, so it costs no allocation and no `memset`
/// per chunk (a `vec![0; 1 MiB]` per call was a `calloc` + `memset` on the spare thread).
static ZEROS: [u8; ZERO_WRITE_BYTES] = [0; ZERO_WRITE_BYTES];

/// The spare thread writes its zeros back to the device in pieces of this size (see
/// [`zero_fill_written_back`]).
const SPARE_WRITE_BACK_BYTES: usize = 128 << 10;

/// What the `files` lock guards.
#[derive(Debug, Default)]
pub(crate) struct Files {
    /// A prepared next segment (one chunk, synced, or a recycled segment file), waiting for a
    /// roll.
    pub spare: Option<FileHandle>,
    /// The spare is a recycled segment file (old frames in it, one segment target long).
    pub spare_recycled: bool,
    /// The background thread is creating `wal.spare.tmp` right now: nothing may be renamed
    /// to that name until it is done.
    pub preparing: bool,
}

/// Prepares file space ahead of the writer (see the module docs).
#[derive(Debug)]
pub(crate) struct Preparer {
    vfs: Arc<dyn Vfs>,
    dir: PathBuf,
    enabled: bool,
    background: bool,
    /// Purged segment files may become the spare.
    recycle: bool,
    chunk: u64,
    target: u64,
    /// The spare; the roll takes it under this lock.
    files: Mutex<Files>,
    /// End of the prepared space of the active segment (written under the writer lock).
    ready: AtomicU64,
    want_spare: AtomicBool,
    /// A zero-filled spare was asked for since the last roll (recycling defers the request).
    asked: AtomicBool,
    /// Segments were purged since the last roll.
    purged: AtomicBool,
    /// Live counters of the log (segments recycled).
    counters: Arc<Counters>,
    /// Shutdown flag of the thread, and its wake-up.
    stop: Mutex<bool>,
    wake: Condvar,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Preparer {
    /// A preparer for the log whose active segment is prepared up to `ready`.
    pub fn new(
        vfs: Arc<dyn Vfs>,
        dir: PathBuf,
        opts: &WalOptions,
        ready: u64,
        counters: Arc<Counters>,
    ) -> Preparer {
        Preparer {
            vfs,
            dir,
            enabled: opts.preallocate,
            background: opts.preallocate && opts.prepare_spare,
            recycle: opts.preallocate && opts.recycle_segments,
            chunk: opts.preallocate_chunk_bytes,
            target: opts.segment_bytes_target,
            files: Mutex::new(Files::default()),
            ready: AtomicU64::new(ready),
            want_spare: AtomicBool::new(false),
            asked: AtomicBool::new(false),
            purged: AtomicBool::new(false),
            counters,
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
        self.asked.store(true, Ordering::Release);
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

    /// After a roll (under `files`): the new active segment is prepared up to `ready`; asks for
    /// the next spare at once, unless recycling may supply it (module docs: the closed segment
    /// saw a purge, and `took_spare`: the roll found a spare waiting, so the thread keeps up).
    pub fn switch(&self, ready: u64, took_spare: bool) {
        self.ready.store(ready, Ordering::Release);
        let purged = self.purged.swap(false, Ordering::AcqRel);
        if self.recycle && took_spare && purged {
            self.asked.store(false, Ordering::Release);
        } else {
            self.asked.store(true, Ordering::Release);
            self.request_spare();
        }
    }

    /// Retention dropped segments (a hint for [`Self::switch`]).
    pub fn note_purge(&self) {
        self.purged.store(true, Ordering::Release);
    }

    /// After an append: with recycling, asks for a zero-filled spare once the active segment
    /// is half full and no spare was asked for since the roll. Called under the writer lock.
    pub fn note_written(&self, offset: u64) {
        if self.recycle
            && self.background
            && offset >= self.target / 2
            && !self.asked.load(Ordering::Acquire)
        {
            self.asked.store(true, Ordering::Release);
            self.request_spare();
        }
    }

    /// Retention offers `file`, a purged segment no reader holds (its name `path`): if
    /// recycling is on, no spare is waiting or being prepared and the file is exactly one
    /// segment target long, it is renamed to `wal.spare.tmp` and becomes the spare (`true`;
    /// the caller syncs the directory); otherwise the caller unlinks it (`false`). The caller
    /// holds `files` (lock order: `prep.files` before `pending`) and calls this only after
    /// `wal.meta` records the purge.
    pub fn offer(&self, files: &mut Files, file: &FileHandle, path: &Path) -> Result<bool> {
        if !self.recycle || files.spare.is_some() || files.preparing {
            return Ok(false);
        }
        match file.len() {
            Ok(len) if len == self.target => {}
            _ => return Ok(false),
        }
        // A file written to its end is allocated already, so this allocates nothing; it makes
        // sure (a crash inside an old chunk extension may have left holes) that appends into
        // the recycled file never need new space. If it fails, the file is unlinked.
        if file.allocate(self.target).is_err() {
            return Ok(false);
        }
        let spare = self.dir.join(SPARE_FILE);
        self.vfs
            .rename(path, &spare)
            .map_err(|e| WalError::io("rename", path, e))?;
        files.spare = Some(file.clone());
        files.spare_recycled = true;
        self.counters.note_recycled();
        Ok(true)
    }

    /// Is recycling on?
    pub fn recycles(&self) -> bool {
        self.recycle
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
        {
            let mut files = self.files.lock();
            // With recycling, a request made before the last roll is void until the new
            // segment asks (`switch`, `note_written`).
            if files.spare.is_some()
                || files.preparing
                || (self.recycle && !self.asked.load(Ordering::Acquire))
            {
                return;
            }
            // From here until `preparing` is cleared, retention renames nothing to the name.
            files.preparing = true;
        }
        let path = self.dir.join(SPARE_FILE);
        let len = self.chunk.min(self.target);
        let prepared = self
            .vfs
            .create(&path)
            .map_err(|e| WalError::io("create", &path, e))
            .and_then(|file| {
                zero_fill_written_back(&*file, &path, len)?;
                file.sync_all()
                    .map_err(|e| WalError::io("fsync", &path, e))?;
                Ok(file)
            });
        if prepared.is_err() {
            // A partly allocated spare would hold disk space a full disk needs.
            let _ = self.vfs.remove(&path);
        }
        let mut files = self.files.lock();
        files.preparing = false;
        if let Ok(file) = prepared {
            files.spare = Some(file);
            files.spare_recycled = false;
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
    zero_fill_in(file, path, from, len, ZERO_WRITE_BYTES, false)
}

/// [`zero_fill`] of a whole spare, `0..len`, off the append path: each piece of
/// [`SPARE_WRITE_BACK_BYTES`] is written back before the next is written, so the spare reaches
/// the device in small writes between the appender's group commits instead of as one burst at
/// its `fsync`, which an appender's `fdatasync` then waited behind (measured below).
pub(crate) fn zero_fill_written_back(file: &dyn VfsFile, path: &Path, len: u64) -> Result<()> {
    zero_fill_in(file, path, 0, len, SPARE_WRITE_BACK_BYTES, true)
}

fn zero_fill_in(
    file: &dyn VfsFile,
    path: &Path,
    from: u64,
    len: u64,
    piece: usize,
    write_back: bool,
) -> Result<()> {
    debug_assert!(piece <= ZEROS.len());
    file.allocate(len)
        .map_err(|e| WalError::io("fallocate", path, e))?;
    let mut off = from;
    while off < len {
        let n = usize::try_from((len - off).min(piece as u64)).unwrap_or(piece);
        file.write_all_at(&ZEROS[..n], off)
            .map_err(|e| WalError::io("write", path, e))?;
        if write_back {
            // A pacing hint: a file system without it must not lose the spare, and a real I/O
            // error shows at the `fsync` that follows.
            let _ = file.write_back(off, n as u64);
        }
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
