//! The I/O boundary. Production code touches files only through [`Vfs`] and [`VfsFile`], so the
//! crash simulator and the fault injector (feature `test-util`) run the very same code path.
//!
//! The set is minimal: exactly the operations the log uses.

use std::fmt::Debug;
use std::io;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

/// A read-only view of a whole file (an mmap for real files, a snapshot in simulations).
pub type MappedBytes = Arc<dyn Mapping>;

/// The bytes of a [`MappedBytes`] view, plus residency hints. The hints never change what the
/// view reads; they only bound how much of a mapped file counts in the process's resident set
/// (long recovery scans and reads of sealed segments release what they have passed).
pub trait Mapping: AsRef<[u8]> + Send + Sync {
    /// `range` will be read soon, front to back: a real mapping pre-faults it from the page
    /// cache (reading it from disk in large requests if needed). Default: nothing.
    fn prefetch(&self, _range: Range<usize>) {}
    /// `range` is not needed for now: a real mapping drops it from this process's page tables
    /// (the page cache keeps it; the next access maps it again, with the same bytes).
    /// Default: nothing.
    fn release(&self, _range: Range<usize>) {}
}

/// Snapshots (simulated file systems, empty files) are plain memory: no hints.
impl Mapping for Vec<u8> {}

/// A shared handle to an open file.
pub type FileHandle = Arc<dyn VfsFile>;

/// Holds a directory lock taken by [`Vfs::lock_dir`] until dropped.
pub type DirLockGuard = Box<dyn Debug + Send + Sync>;

/// File-system operations used by the log.
pub trait Vfs: Send + Sync + Debug {
    /// Creates `dir` and its parents if missing.
    fn create_dir_all(&self, dir: &Path) -> io::Result<()>;
    /// Names (not paths) of the entries of `dir`.
    fn list(&self, dir: &Path) -> io::Result<Vec<String>>;
    /// Opens an existing file for reading and writing.
    fn open(&self, path: &Path) -> io::Result<FileHandle>;
    /// Creates a new, empty file for reading and writing, truncating any existing one.
    fn create(&self, path: &Path) -> io::Result<FileHandle>;
    /// Unlinks a file.
    fn remove(&self, path: &Path) -> io::Result<()>;
    /// Atomically renames `from` to `to`, replacing `to`.
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    /// Makes the directory's entries (creates, renames, unlinks) durable.
    fn sync_dir(&self, dir: &Path) -> io::Result<()>;
    /// Takes the exclusive lock of the log in `dir` (an existing directory), held until the guard
    /// is dropped: one open log per directory, across processes on the real file system. Fails
    /// with [`io::ErrorKind::WouldBlock`] when another holder has it.
    fn lock_dir(&self, dir: &Path) -> io::Result<DirLockGuard>;
}

/// Operations on one open file.
pub trait VfsFile: Send + Sync + Debug {
    /// Reads exactly `buf.len()` bytes at `offset` (error `UnexpectedEof` if the file is shorter).
    fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()>;
    /// Writes all of `buf` at `offset`, extending the file if needed.
    fn write_all_at(&self, buf: &[u8], offset: u64) -> io::Result<()>;
    /// Current length in bytes.
    fn len(&self) -> io::Result<u64>;
    /// True if the file is empty.
    fn is_empty(&self) -> io::Result<bool> {
        Ok(self.len()? == 0)
    }
    /// Reserves space for `len` bytes (fallocate); the length becomes at least `len`.
    fn allocate(&self, len: u64) -> io::Result<()>;
    /// `fdatasync`: the data and the metadata needed to read it back become durable.
    fn sync_data(&self) -> io::Result<()>;
    /// `fsync`: data and all metadata become durable.
    fn sync_all(&self) -> io::Result<()>;
    /// Starts writing `offset..offset + len` back to the device and waits for it (Linux
    /// `sync_file_range`, `WAIT_BEFORE | WRITE | WAIT_AFTER`). A pacing hint, **not** a durability
    /// point: it commits no metadata and flushes no device cache, so only `sync_data` /
    /// `sync_all` count. The default (and the crash simulator) does nothing.
    fn write_back(&self, _offset: u64, _len: u64) -> io::Result<()> {
        Ok(())
    }
    /// A read-only view of the whole file as it is now. Only used on files that will not be
    /// written or shrunk any more while the view is alive (sealed segments, the tail during
    /// recovery before any write).
    fn map(&self) -> io::Result<MappedBytes>;
    /// Hint: the file is about to be read front to back with [`VfsFile::read_exact_at`]
    /// (recovery's frame scan). Real files ask the kernel for sequential read-ahead
    /// (`posix_fadvise(SEQUENTIAL)`). A hint only: it never changes what reads return, and
    /// cannot fail. Default: nothing.
    fn advise_sequential(&self) {}
}
