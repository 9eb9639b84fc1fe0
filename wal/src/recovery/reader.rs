//! [`SegmentReader`]: a segment file read front to back through one reused, page-aligned
//! buffer (`pread` through [`VfsFile::read_exact_at`]), for recovery's frame scan.
//!
//! Why not the mapping: a scan through an mmap pays page-table work for every 4 KiB page
//! (fault-in or `MADV_POPULATE_READ`, then `MADV_DONTNEED` to keep the resident set bounded,
//! then `munmap`), which profiled at about two thirds of a warm scan; a `pread` of 1 MiB copies
//! from the page cache with none of it, and the kernel's sequential read-ahead
//! (`posix_fadvise(SEQUENTIAL)`, [`VfsFile::advise_sequential`]) keeps a cold scan's device
//! queue busy. BENCHMARKS.md ("Recovery scan: what limits it") has the A/B figures.
//!
//! A frame may straddle the end of what the buffer holds: [`SegmentReader::bytes`] then moves
//! the buffered start of the frame to the front of the buffer and reads the rest after it, so a
//! caller always sees the bytes it asked for in one slice. Reads stay page-aligned in the file
//! and in memory (the kept bytes are placed just before a page boundary of the buffer).

use std::io;

use crate::vfs::FileHandle;

/// Bytes read per `pread` (at least; more when one frame needs more).
pub(super) const SCAN_CHUNK_BYTES: usize = 1 << 20;
/// Read alignment, in the file and in the buffer.
const PAGE_BYTES: usize = 4096;
/// Extra capacity allocated up front for the start of a frame kept across a refill: frames up
/// to this size never make the buffer grow.
const KEEP_SLACK_BYTES: usize = 64 << 10;

/// A segment file read front to back; see the module documentation.
pub(super) struct SegmentReader {
    /// Chunk size (bytes per read at least).
    chunk: usize,
    /// The buffer; `raw[pad..]` starts on a page boundary.
    raw: Vec<u8>,
    /// Offset of the first page boundary in `raw`.
    pad: usize,
    /// The file being read, and its length.
    file: Option<(FileHandle, usize)>,
    /// `raw[start..end]` holds the file's bytes from offset `base`.
    start: usize,
    /// See `start`.
    end: usize,
    /// See `start`.
    base: usize,
    /// No read of this file yet: the first one is small (see [`SegmentReader::refill`]).
    first: bool,
}

impl SegmentReader {
    /// A reader reading `chunk` bytes at a time (rounded up to whole pages). The buffer is
    /// allocated here and reused for every file given to [`SegmentReader::open`].
    pub(super) fn new(chunk: usize) -> SegmentReader {
        let chunk = chunk.max(1).next_multiple_of(PAGE_BYTES);
        let mut r = SegmentReader {
            chunk,
            raw: Vec::new(),
            pad: 0,
            file: None,
            start: 0,
            end: 0,
            base: 0,
            first: true,
        };
        r.reserve(chunk + KEEP_SLACK_BYTES);
        r
    }

    /// Starts reading `file` (its length is taken now; the file does not change while it is
    /// scanned, see [`VfsFile::map`](crate::vfs::VfsFile::map)).
    pub(super) fn open(&mut self, file: FileHandle) -> io::Result<()> {
        let len = usize::try_from(file.len()?).unwrap_or(usize::MAX);
        file.advise_sequential();
        self.file = Some((file, len));
        self.start = self.pad;
        self.end = self.pad;
        self.base = 0;
        self.first = true;
        Ok(())
    }

    /// Length of the file being read (0 before [`SegmentReader::open`]).
    pub(super) fn len(&self) -> usize {
        self.file.as_ref().map_or(0, |(_, len)| *len)
    }

    /// The file's bytes from `off` on: at least `need` of them, or all of them up to the end of
    /// the file when fewer remain (empty at or past the end). May return more.
    pub(super) fn bytes(&mut self, off: usize, need: usize) -> io::Result<&[u8]> {
        let want = need.min(self.len().saturating_sub(off));
        if want == 0 {
            return Ok(&[]);
        }
        if !(off >= self.base && off + want <= self.base + (self.end - self.start)) {
            self.refill(off, want)?;
        }
        Ok(&self.raw[self.start + (off - self.base)..self.end])
    }

    /// Makes the buffer hold `off..off + want` (which is inside the file), keeping what it
    /// already holds from `off` on and reading the rest in one aligned read of at least a chunk.
    ///
    /// Except the first read of a file, which reads only the pages asked for (the segment
    /// header's): Linux sizes its read-ahead window from the first request, and a small first
    /// request lets the window (and the page-cache folios it allocates) grow step by step with
    /// the sequential reads that follow. A 1 MiB first request measured 1.8-2.0 GB/s cold
    /// against 2.7-3.0 with a small one, and left folios that made later warm scans slower
    /// (BENCHMARKS.md, "Recovery scan: what limits it").
    fn refill(&mut self, off: usize, want: usize) -> io::Result<()> {
        let len = self.len();
        let held_end = self.base + (self.end - self.start);
        let keep = if off >= self.base && off < held_end {
            held_end - off
        } else {
            0
        };
        // The new window starts at `off` (kept bytes) or at the page holding `off`.
        let base = if keep > 0 {
            off
        } else {
            off / PAGE_BYTES * PAGE_BYTES
        };
        let lead = keep.next_multiple_of(PAGE_BYTES);
        let read_from = base + keep;
        let floor = if self.first { PAGE_BYTES } else { self.chunk };
        self.first = false;
        let read_len = (off + want - read_from)
            .max(floor)
            .next_multiple_of(PAGE_BYTES)
            .min(len - read_from);
        if self.pad + lead + read_len > self.raw.len() {
            // A frame larger than the slack: grow (bounded by the record size limit).
            let kept = if keep > 0 {
                self.raw[self.start + (off - self.base)..self.end].to_vec()
            } else {
                Vec::new()
            };
            self.reserve(lead + read_len + KEEP_SLACK_BYTES);
            let at = self.pad + lead - keep;
            self.raw[at..at + keep].copy_from_slice(&kept);
        } else if keep > 0 {
            let from = self.start + (off - self.base);
            self.raw
                .copy_within(from..from + keep, self.pad + lead - keep);
        }
        let new_start = self.pad + lead - keep;
        let dst = self.pad + lead;
        let (file, _) = self
            .file
            .as_ref()
            .ok_or_else(|| io::Error::other("SegmentReader::bytes before open"))?;
        // Invalidate the window first: a failed read leaves nothing half-valid behind.
        self.start = self.pad;
        self.end = self.pad;
        self.base = 0;
        file.read_exact_at(&mut self.raw[dst..dst + read_len], read_from as u64)?;
        self.start = new_start;
        self.end = dst + read_len;
        self.base = base;
        Ok(())
    }

    /// Replaces the buffer with one whose page-aligned part holds at least `bytes` bytes.
    fn reserve(&mut self, bytes: usize) {
        self.raw = vec![0u8; bytes + PAGE_BYTES];
        self.pad = self.raw.as_ptr().align_offset(PAGE_BYTES).min(PAGE_BYTES);
        self.start = self.pad;
        self.end = self.pad;
        self.base = 0;
    }
}
