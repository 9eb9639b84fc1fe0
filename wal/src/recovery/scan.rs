//! The frame scan of recovery: reading a segment's bytes, with no decision taken. Finds the
//! valid frames from an offset ([`scan_frames`], reading the file through a
//! [`SegmentReader`]; also on several threads: [`prescan_all`]),
//! the next valid frame after damage ([`resync`]), the largest sync floor after a point
//! ([`max_floor_after`]) and where the non-zero bytes end ([`nonzero_end`]).

use std::io;
use std::path::Path;
use std::sync::atomic::Ordering;

use super::reader::{SCAN_CHUNK_BYTES, SegmentReader};

use crate::frame::{self, Decoded, FRAME_ALIGN, FRAME_HEADER_BYTES, Frame, FrameKind, u64_at};
use crate::live_segment::LOST;
use crate::segment::{SEGMENT_HEADER_BYTES, SegmentHeader, segment_file_name};
use crate::vfs::{Mapping, Vfs};

/// Frames of one segment, as far as they are valid.
#[derive(Debug, Default)]
pub(super) struct Scan {
    /// In-segment offset of each record's frame (`LOST` for salvage holes).
    pub(super) index: Vec<u32>,
    /// Next expected sequence number.
    pub(super) next: u64,
    /// Offset just past the last valid frame.
    pub(super) end: usize,
    /// Largest sync floor among the frames scanned.
    pub(super) max_floor: u64,
    /// (successor base seq, successor id) if a seal was reached.
    pub(super) seal: Option<(u64, u64)>,
    /// The last frame scanned is a close marker.
    pub(super) last_is_marker: bool,
    /// Why the scan stopped on a bad frame, if it did.
    pub(super) bad: Option<&'static str>,
}

/// The backward zero scan ([`nonzero_end`]) reads a mapping in windows of this many bytes,
/// releasing each once checked ([`Mapping`]), so it keeps one window resident, not the segment.
const SCAN_WINDOW_BYTES: usize = 4 << 20;

/// Scans valid frames from `scan.end` (expecting `scan.next`) until a zero header, a bad frame,
/// a seal or the end of the file `src` reads. Only a read error is an error.
pub(super) fn scan_frames(
    scan: &mut Scan,
    src: &mut SegmentReader,
    id: u64,
    max: u32,
) -> io::Result<()> {
    scan.bad = None;
    while scan.end < src.len() {
        let off = scan.end;
        // `decode` sees the whole frame, or all that is left of the file (frame::bytes_needed).
        let need = frame::bytes_needed(src.bytes(off, FRAME_HEADER_BYTES)?, max);
        let buf = src.bytes(off, need)?;
        match frame::decode(buf, id, max) {
            Decoded::Valid(f) if f.seq == scan.next => {
                scan.max_floor = scan.max_floor.max(u64::from(f.floor));
                scan.end += f.total;
                match f.kind {
                    FrameKind::Record => {
                        scan.index.push(u32::try_from(off).unwrap_or(LOST));
                        scan.next += 1;
                        scan.last_is_marker = false;
                    }
                    FrameKind::Marker => scan.last_is_marker = true,
                    FrameKind::Seal => {
                        scan.seal = Some((f.seq, u64_at(buf, FRAME_HEADER_BYTES)));
                        return Ok(());
                    }
                }
            }
            Decoded::Valid(_) => {
                scan.bad = Some("valid frame with an unexpected sequence number");
                return Ok(());
            }
            Decoded::Zero => return Ok(()),
            Decoded::Bad(r) => {
                scan.bad = Some(r);
                return Ok(());
            }
        }
    }
    Ok(())
}

/// The next valid frame at an 8-aligned offset `>= from`.
pub(super) fn resync(buf: &[u8], from: usize, id: u64, max: u32) -> Option<(usize, Frame)> {
    let mut pos = from.next_multiple_of(FRAME_ALIGN);
    while pos + FRAME_HEADER_BYTES <= buf.len() {
        let h = &buf[pos..pos + FRAME_HEADER_BYTES];
        if h.iter().all(|&b| b == 0) {
            // Jump to the first candidate whose header could include the next non-zero byte.
            let q = match first_nonzero(&buf[pos + FRAME_HEADER_BYTES..]) {
                Some(q) => pos + FRAME_HEADER_BYTES + q,
                None => return None,
            };
            pos = (pos + FRAME_ALIGN).max(
                (q + 1)
                    .saturating_sub(FRAME_HEADER_BYTES)
                    .next_multiple_of(FRAME_ALIGN),
            );
            continue;
        }
        if let Decoded::Valid(f) = frame::decode(&buf[pos..], id, max) {
            return Some((pos, f));
        }
        pos += FRAME_ALIGN;
    }
    None
}

/// Does any valid frame of segment `id` follow the header?
pub(super) fn has_any_valid_frame(buf: &[u8], id: u64, max: u32) -> bool {
    resync(buf, SEGMENT_HEADER_BYTES, id, max).is_some()
}

/// Largest sync floor among valid frames at or after `from`.
pub(super) fn max_floor_after(buf: &[u8], from: usize, id: u64, max: u32) -> u64 {
    let mut w = 0;
    let mut pos = from;
    while let Some((at, f)) = resync(buf, pos, id, max) {
        w = w.max(u64::from(f.floor));
        if f.kind == FrameKind::Marker {
            // A marker claims everything before its own end.
            w = w.max((at + f.total) as u64);
        }
        pos = at + FRAME_ALIGN;
    }
    w
}

/// One past the last non-zero byte at or after `from` (or `from`). Reads backwards from the
/// end (the zero-filled rest of a preallocated segment is most of it), window by window,
/// releasing each window once checked.
pub(super) fn nonzero_end(map: &dyn Mapping, from: usize) -> usize {
    let buf: &[u8] = map.as_ref();
    let from = from.min(buf.len());
    let mut end = buf.len();
    while end > from {
        let start = ((end - 1) / SCAN_WINDOW_BYTES * SCAN_WINDOW_BYTES).max(from);
        map.prefetch(start..end);
        let found = last_nonzero(&buf[start..end]);
        map.release(start..end);
        if let Some(p) = found {
            return start + p + 1;
        }
        end = start;
    }
    from
}

/// Index of the last non-zero byte.
fn last_nonzero(b: &[u8]) -> Option<usize> {
    // Skip whole zero words from the end first.
    let mut end = b.len();
    while end >= ZERO_SCAN_BYTES && is_zero(&b[end - ZERO_SCAN_BYTES..end]) {
        end -= ZERO_SCAN_BYTES;
    }
    b[..end].iter().rposition(|&x| x != 0)
}

/// Granule of the fast zero scans.
const ZERO_SCAN_BYTES: usize = 64;

/// All bytes zero? (Word-wise OR, which the compiler vectorizes.)
fn is_zero(b: &[u8]) -> bool {
    let mut acc = 0u64;
    let mut words = b.chunks_exact(8);
    for w in &mut words {
        acc |= u64_at(w, 0);
    }
    acc == 0 && words.remainder().iter().all(|&x| x == 0)
}

/// Index of the first non-zero byte.
fn first_nonzero(buf: &[u8]) -> Option<usize> {
    let mut start = 0;
    while start + ZERO_SCAN_BYTES <= buf.len() && is_zero(&buf[start..start + ZERO_SCAN_BYTES]) {
        start += ZERO_SCAN_BYTES;
    }
    buf[start..].iter().position(|&b| b != 0).map(|p| start + p)
}

/// Most of recovery's time is checking frame CRCs; segments are independent, so their first
/// scans (header decode and frames up to the first stop) run on up to `RECOVERY_THREADS_MAX`
/// threads, each reading through its own [`SegmentReader`] (one chunk of memory per thread,
/// whatever the segment size). The decisions are then taken in order, in `scan_segments`.
/// Returns `(segment id, scan)` per base, `None` where the header or the I/O failed (the
/// sequential walk then meets and reports the problem itself).
pub(super) fn prescan_all(
    vfs: &dyn Vfs,
    dir: &Path,
    bases: &[u64],
    max: u32,
) -> Vec<Option<(u64, Scan)>> {
    let one = |src: &mut SegmentReader, base: u64| -> Option<(u64, Scan)> {
        let file = vfs.open(&dir.join(segment_file_name(base))).ok()?;
        src.open(file).ok()?;
        let h = SegmentHeader::decode(src.bytes(0, SEGMENT_HEADER_BYTES).ok()?).ok()?;
        let mut scan = Scan {
            next: base,
            end: SEGMENT_HEADER_BYTES,
            ..Scan::default()
        };
        scan_frames(&mut scan, src, h.segment_id, max).ok()?;
        Some((h.segment_id, scan))
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(RECOVERY_THREADS_MAX)
        .min(bases.len());
    if threads <= 1 || bases.len() < PARALLEL_SEGMENTS_MIN {
        // Not worth the threads: `scan_segments` scans each segment as it walks.
        return Vec::new();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let slots: Vec<parking_lot::Mutex<Option<(u64, Scan)>>> = bases
        .iter()
        .map(|_| parking_lot::Mutex::new(None))
        .collect();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let mut src = SegmentReader::new(SCAN_CHUNK_BYTES);
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&base) = bases.get(i) else { break };
                    *slots[i].lock() = one(&mut src, base);
                }
            });
        }
    });
    slots
        .into_iter()
        .map(parking_lot::Mutex::into_inner)
        .collect()
}

/// Threads used for the first scan of the segments.
const RECOVERY_THREADS_MAX: usize = 4;
/// Below this many segments recovery scans on the calling thread only.
const PARALLEL_SEGMENTS_MIN: usize = 4;
