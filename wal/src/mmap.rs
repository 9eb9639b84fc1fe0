//! The crate's only `unsafe`: mapping a segment file read-only.

use std::fs::File;
use std::io;
use std::sync::Arc;

use crate::vfs::MappedBytes;

/// Maps `file` read-only. An empty file maps to an empty slice (mmap of length 0 is an error).
/// With `scan`, advises sequential access and populates the mapping up front
/// (`MADV_POPULATE_READ`, Linux 5.14+), which is what recovery does with it anyway: a cold scan
/// then reads in large requests instead of faulting page by page (measured here: cold 0.2-0.4
/// GB/s without, 0.8-1.0 GB/s with, on a loaded VM).
#[allow(unsafe_code)]
pub(crate) fn map_file(file: &File, scan: bool) -> io::Result<MappedBytes> {
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
    if scan {
        // Advice only: failures change speed, never results.
        let _ = map.advise(memmap2::Advice::Sequential);
        let _ = map.advise(memmap2::Advice::PopulateRead);
    }
    Ok(Arc::new(map))
}
