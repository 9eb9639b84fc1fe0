//! `unsafe` for mapping a segment file read-only (the crate's only other `unsafe` is the
//! `sync_file_range` call in `vfs_std`).

use std::fs::File;
use std::io;
use std::sync::Arc;

use std::ops::Range;

use crate::vfs::{MappedBytes, Mapping};

/// A read-only, shared mapping of a whole file.
struct FileMap(memmap2::Mmap);

impl AsRef<[u8]> for FileMap {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl FileMap {
    /// `range` clamped to the mapping, as memmap2's (offset, len).
    fn clamp(&self, range: Range<usize>) -> Option<(usize, usize)> {
        let end = range.end.min(self.0.len());
        (range.start < end).then(|| (range.start, end - range.start))
    }
}

impl Mapping for FileMap {
    /// `MADV_POPULATE_READ` (Linux 5.14+): a cold scan then reads in large requests instead of
    /// faulting page by page (measured here: cold 0.2-0.4 GB/s without, 0.8-1.0 GB/s with, on
    /// a loaded VM). Advice only: a failure changes speed, never results.
    fn prefetch(&self, range: Range<usize>) {
        if let Some((offset, len)) = self.clamp(range) {
            let _ = self
                .0
                .advise_range(memmap2::Advice::PopulateRead, offset, len);
        }
    }

    /// `MADV_DONTNEED` on the range.
    #[allow(unsafe_code)]
    fn release(&self, range: Range<usize>) {
        if let Some((offset, len)) = self.clamp(range) {
            // SAFETY: `MADV_DONTNEED` changes the contents a mapping reads only for private
            // (copy-on-write) or anonymous memory. This is a read-only `MAP_SHARED` mapping of
            // a file (memmap2's `Mmap`): the kernel drops the page-table entries, and the next
            // access faults the same page back in from the page cache. The file does not change
            // while it is mapped (see `map_file`), so every read returns the same bytes.
            let _ = unsafe {
                self.0
                    .unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, offset, len)
            };
        }
    }
}

/// Maps `file` read-only. An empty file maps to an empty slice (mmap of length 0 is an error).
/// Recovery's frame scan does not read through a mapping (it reads the file, see
/// `recovery/reader.rs`); its slow paths do, pre-faulting and releasing window by window
/// ([`Mapping::prefetch`], [`Mapping::release`]).
#[allow(unsafe_code)]
pub(crate) fn map_file(file: &File) -> io::Result<MappedBytes> {
    if file.metadata()?.len() == 0 {
        return Ok(Arc::new(Vec::<u8>::new()));
    }
    // SAFETY: a mapping is undefined behaviour only if the file is modified or truncated while
    // mapped. The log maps only (a) sealed segments, which are immutable once sealed, and (b) the
    // last segment during recovery, before any write to it, dropping the map before it writes.
    // The log never shrinks a segment file (torn tails are zeroed, not truncated), and a retired
    // segment is unlinked only after the last `Arc` of its map is gone (retention.rs); unlinking
    // keeps the inode alive anyway. External truncation of the files is outside the contract.
    let map = unsafe { memmap2::Mmap::map(file)? };
    Ok(Arc::new(FileMap(map)))
}
