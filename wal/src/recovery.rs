//! Recovery on open: the decision table (docs/format.md §5) as code.
//!
//! Every situation recovery can meet is a [`Case`]; [`Case::action`] maps it, under the
//! configured [`RecoveryMode`], to an [`Action`]. Nothing is skipped silently: each case met is
//! written to [`RecoveryReport::actions`], and salvage losses to [`RecoveryReport::lost`].
//!
//! Torn tail versus corruption (the PAR rule): every frame carries the sync floor, the
//! in-segment offset known durable when it was written. Recovery takes `W`, the largest floor
//! of any valid frame of the last segment (before or after the first bad frame, found by trying
//! every 8th offset). A bad frame at `X >= W` in the last segment may be an unsynced write cut
//! by a power loss: it and everything after it is zeroed. A bad frame at `X < W`, or anywhere
//! in a sealed segment, destroyed durable data: corruption.
//!
//! Recycled segments (docs/format.md §2, "Recycling") hold the frames of an older segment
//! after their own. Those can never pass as frames of this segment: the frame checksum covers
//! the segment id, which is not stored in the frame, and ids only grow, so the two checksums of
//! a stale frame differ by the CRC of a burst of at most 32 bits (the xor of two ids below
//! 2^32), which CRC-32 always detects. So a stale frame stops the scan like a torn one, never
//! adds to `W`, and at `X >= W` is zeroed with the torn tail (the same rule as garbage; after a
//! clean close the stale rest of a recycled last segment is zeroed too, once). Zeros are not a
//! proof of "nothing written past here" in such a file, and recovery never relied on them for
//! that: the tail is zeroed whenever it is not all zeros, which also removes any unsynced frame
//! of this segment that a torn write left past `X` (those must never resurface).
//!
//! Recovery is idempotent and crash-safe: its only writes are removing files that are dead by
//! the rules (tmp files, segments below the low watermark, an empty successor of an unsealed
//! segment) and zeroing a torn tail; redoing any prefix of them leads to the same state.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::error::{Result, WalError};
use crate::frame::{self, Decoded, FRAME_ALIGN, FRAME_HEADER_BYTES, Frame, FrameKind, u64_at};
use crate::live_segment::{LOST, Segment};
use crate::mutant::Mutant;
use crate::options::{RecoveryMode, WalOptions};
use crate::segment::{
    DirEntry, META_FILE, Meta, SEGMENT_HEADER_BYTES, SegmentHeader, classify, segment_file_name,
};
use crate::types::{RecoveryReport, Seq, SeqRange};
use crate::vfs::{Mapping, Vfs};
use crate::writer::{create_segment, write_meta};

/// The situations recovery distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Case {
    /// No meta file and no segment: a new log.
    FreshDirectory,
    /// `*.wal.tmp` or `wal.meta.tmp`: a creation or meta replacement that did not finish.
    LeftoverTmpFile,
    /// No meta file, only segment 1 (base 1) with a valid header and no record: the crash hit
    /// between creating the first segment and writing the meta file.
    IncompleteCreation,
    /// No meta file but segments holding records (the meta file was deleted).
    MetaMissing,
    /// The meta file is unreadable.
    BadMeta,
    /// A meta file but no segment at or above its low watermark (the log was deleted).
    SegmentsMissing,
    /// A `*.wal` name that is not `{20 digits}.wal`.
    StrayWalFile,
    /// A segment below the low watermark: purged, but the crash hit before the unlink.
    PurgedSegmentLeft,
    /// The first segment does not start at the low watermark, or a segment's base is not its
    /// predecessor's end (a missing segment).
    SegmentGap,
    /// A segment header is unreadable, or its log id, segment id or base seq contradicts the
    /// file name, the meta file or its predecessor (a swapped, stray or foreign segment).
    BadHeader,
    /// A bad frame before the seal of a non-last segment.
    BadFrameInSealed,
    /// The predecessor has no seal, its successor has no record: crash during a roll.
    UnsealedWithEmptySuccessor,
    /// The predecessor has no seal but its successor has records.
    UnsealedWithNonEmptySuccessor,
    /// The last segment is sealed: its successor is missing.
    SealedWithoutSuccessor,
    /// The last segment ends in zeros after its last valid frame.
    CleanEnd,
    /// Bad bytes at or after the durable watermark of the last segment.
    TornTail,
    /// A bad frame below the durable watermark of the last segment.
    BadFrameBelowWatermark,
}

/// What recovery does about a [`Case`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Nothing to do.
    Accept,
    /// Create a new log (segment 1, then the meta file).
    CreateLog,
    /// Write the meta file for the existing segment 1.
    WriteMeta,
    /// Unlink the file and fsync the directory.
    RemoveFile,
    /// Zero the bytes from the bad frame to the last non-zero byte, then fdatasync.
    ZeroTail,
    /// Refuse to open: `WalError::Corrupt`.
    Fail,
    /// Salvage mode: skip the damaged region and report the sequence numbers lost.
    SkipAndReport,
}

impl Case {
    /// The decision table.
    pub fn action(self, mode: RecoveryMode) -> Action {
        let salvage = mode == RecoveryMode::Salvage;
        match self {
            Case::FreshDirectory => Action::CreateLog,
            Case::LeftoverTmpFile | Case::PurgedSegmentLeft | Case::UnsealedWithEmptySuccessor => {
                Action::RemoveFile
            }
            Case::IncompleteCreation => Action::WriteMeta,
            Case::CleanEnd => Action::Accept,
            Case::TornTail => Action::ZeroTail,
            Case::SegmentGap
            | Case::BadHeader
            | Case::BadFrameInSealed
            | Case::BadFrameBelowWatermark
            | Case::UnsealedWithNonEmptySuccessor
                if salvage =>
            {
                Action::SkipAndReport
            }
            Case::MetaMissing
            | Case::BadMeta
            | Case::SegmentsMissing
            | Case::StrayWalFile
            | Case::SegmentGap
            | Case::BadHeader
            | Case::BadFrameInSealed
            | Case::UnsealedWithNonEmptySuccessor
            | Case::SealedWithoutSuccessor
            | Case::BadFrameBelowWatermark => Action::Fail,
        }
    }
}

/// The recovered log, ready to be served.
pub(crate) struct Recovered {
    pub log_id: u64,
    pub segments: Vec<Arc<Segment>>,
    pub offset: u64,
    pub synced_offset: u64,
    pub next_seq: u64,
    pub first_seq: u64,
    pub report: RecoveryReport,
}

struct Ctx<'a> {
    vfs: &'a dyn Vfs,
    dir: &'a Path,
    opts: &'a WalOptions,
    report: RecoveryReport,
}

impl Ctx<'_> {
    /// Records a case; returns its action, or the corruption error when the action is `Fail`.
    fn decide(&mut self, case: Case, file: &str, offset: u64, detail: &str) -> Result<Action> {
        let action = case.action(self.opts.recovery);
        self.report.actions.push(format!(
            "{case:?} in {file} at {offset} ({detail}) -> {action:?}"
        ));
        if action == Action::Fail {
            return Err(WalError::corrupt(
                file,
                offset,
                format!("{case:?}: {detail}"),
            ));
        }
        Ok(action)
    }

    fn remove(&self, name: &str) -> Result<()> {
        let p = self.dir.join(name);
        self.vfs
            .remove(&p)
            .map_err(|e| WalError::io("remove", &p, e))
    }

    fn sync_dir(&self) -> Result<()> {
        self.vfs
            .sync_dir(self.dir)
            .map_err(|e| WalError::io("sync_dir", self.dir, e))
    }

    fn read_whole(&self, name: &str) -> Result<crate::vfs::MappedBytes> {
        let p = self.dir.join(name);
        let f = self.vfs.open(&p).map_err(|e| WalError::io("open", &p, e))?;
        f.map().map_err(|e| WalError::io("mmap", &p, e))
    }
}

/// Runs recovery on `dir` (which exists: `Wal::open_with_vfs` created and locked it), creating a
/// new log if the directory is empty.
pub(crate) fn recover(vfs: &dyn Vfs, dir: &Path, opts: &WalOptions) -> Result<Recovered> {
    let t0 = Instant::now();
    let mut cx = Ctx {
        vfs,
        dir,
        opts,
        report: RecoveryReport::default(),
    };
    let mut names = vfs.list(dir).map_err(|e| WalError::io("list", dir, e))?;
    names.sort();
    let mut bases = Vec::new();
    let mut meta_present = false;
    let mut removed = false;
    for name in &names {
        match classify(name) {
            DirEntry::StrayWal => {
                cx.decide(Case::StrayWalFile, name, 0, "not a segment name")?;
            }
            DirEntry::SegmentTmp | DirEntry::MetaTmp => {
                cx.decide(Case::LeftoverTmpFile, name, 0, "unfinished creation")?;
                cx.remove(name)?;
                removed = true;
            }
            DirEntry::Segment(b) => bases.push(b),
            DirEntry::Meta => meta_present = true,
            DirEntry::Other => {}
        }
    }
    if removed {
        cx.sync_dir()?;
    }
    let meta = if meta_present {
        let bytes = cx.read_whole(META_FILE)?;
        match Meta::decode((*bytes).as_ref()) {
            Ok(m) => Some(m),
            Err(r) => {
                cx.decide(Case::BadMeta, META_FILE, 0, r)?;
                None
            }
        }
    } else {
        None
    };
    let meta = match (meta, bases.is_empty()) {
        (None, true) => {
            cx.decide(Case::FreshDirectory, &dir.display().to_string(), 0, "empty")?;
            return create_log(cx, t0);
        }
        (Some(_), true) => {
            cx.decide(Case::SegmentsMissing, META_FILE, 0, "no segment file")?;
            unreachable!("SegmentsMissing always fails")
        }
        (None, false) => adopt_first_segment(&mut cx, &bases)?,
        (Some(m), false) => m,
    };

    // Segments below the low watermark were purged; the crash hit before their unlink.
    let mut removed = false;
    bases.retain(|&b| {
        if b < meta.first_seq {
            removed = true;
            false
        } else {
            true
        }
    });
    if removed {
        for name in &names {
            if let DirEntry::Segment(b) = classify(name)
                && b < meta.first_seq
            {
                cx.decide(Case::PurgedSegmentLeft, name, 0, "below the low watermark")?;
                cx.remove(name)?;
            }
        }
        cx.sync_dir()?;
    }
    if bases.is_empty() {
        cx.decide(
            Case::SegmentsMissing,
            META_FILE,
            0,
            "no segment at or above the low watermark",
        )?;
    }
    let out = scan_segments(&mut cx, &meta, &bases)?;
    let mut report = cx.report;
    report.segments = out.segments.len();
    report.next_seq = Seq(out.next_seq);
    report.duration = t0.elapsed();
    Ok(Recovered {
        report,
        log_id: meta.log_id,
        ..out
    })
}

fn new_log_id() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.write_u32(std::process::id());
    h.finish()
}

fn create_log(mut cx: Ctx<'_>, t0: Instant) -> Result<Recovered> {
    let header = SegmentHeader {
        log_id: new_log_id(),
        segment_id: 1,
        base_seq: 1,
    };
    let file = create_segment(cx.vfs, cx.dir, cx.opts, header)?;
    write_meta(
        cx.vfs,
        cx.dir,
        &Meta {
            log_id: header.log_id,
            first_segment_id: 1,
            first_seq: 1,
        },
    )?;
    let seg = Segment::new(
        1,
        1,
        cx.dir.join(segment_file_name(1)),
        file,
        Vec::new(),
        SEGMENT_HEADER_BYTES as u64,
    );
    cx.report.created = true;
    cx.report.segments = 1;
    cx.report.next_seq = Seq(1);
    cx.report.duration = t0.elapsed();
    Ok(Recovered {
        log_id: header.log_id,
        segments: vec![Arc::new(seg)],
        offset: SEGMENT_HEADER_BYTES as u64,
        synced_offset: SEGMENT_HEADER_BYTES as u64,
        next_seq: 1,
        first_seq: 1,
        report: cx.report,
    })
}

/// No meta file: acceptable only for a log whose creation was cut short.
fn adopt_first_segment(cx: &mut Ctx<'_>, bases: &[u64]) -> Result<Meta> {
    let name = segment_file_name(bases[0]);
    if bases == [1] {
        let bytes = cx.read_whole(&name)?;
        let buf: &[u8] = (*bytes).as_ref();
        if let Ok(h) = SegmentHeader::decode(buf)
            && h.segment_id == 1
            && h.base_seq == 1
            && !has_any_valid_frame(buf, h.segment_id, cx.opts.record_bytes_max)
        {
            {
                cx.decide(
                    Case::IncompleteCreation,
                    &name,
                    0,
                    "segment 1 without records, no meta",
                )?;
                let meta = Meta {
                    log_id: h.log_id,
                    first_segment_id: 1,
                    first_seq: 1,
                };
                write_meta(cx.vfs, cx.dir, &meta)?;
                return Ok(meta);
            }
        }
    }
    cx.decide(
        Case::MetaMissing,
        META_FILE,
        0,
        "segments exist but wal.meta does not",
    )?;
    unreachable!("MetaMissing always fails")
}

/// Frames of one segment, as far as they are valid.
#[derive(Debug, Default)]
struct Scan {
    index: Vec<u32>,
    /// Next expected sequence number.
    next: u64,
    /// Offset just past the last valid frame.
    end: usize,
    max_floor: u64,
    /// (successor base seq, successor id) if a seal was reached.
    seal: Option<(u64, u64)>,
    last_is_marker: bool,
    bad: Option<&'static str>,
}

/// Recovery reads a mapping in windows of this many bytes: the window after the current one is
/// pre-faulted and the windows already passed are released ([`Mapping`]), so a scanning thread
/// keeps about two windows of a segment resident instead of the whole segment.
const SCAN_WINDOW_BYTES: usize = 4 << 20;

fn window(i: usize) -> std::ops::Range<usize> {
    i * SCAN_WINDOW_BYTES..(i + 1) * SCAN_WINDOW_BYTES
}

/// Scans valid frames from `scan.end` (expecting `scan.next`) until a zero header, a bad frame,
/// a seal or the end of `map`.
fn scan_frames(scan: &mut Scan, map: &dyn Mapping, id: u64, max: u32) {
    let buf: &[u8] = map.as_ref();
    scan.bad = None;
    let mut w = scan.end / SCAN_WINDOW_BYTES;
    map.prefetch(scan.end..window(w + 1).end);
    while scan.end < buf.len() {
        let off = scan.end;
        if off / SCAN_WINDOW_BYTES != w {
            let now = off / SCAN_WINDOW_BYTES;
            map.release(window(w).start..window(now).start);
            w = now;
            map.prefetch(window(w + 1));
        }
        match frame::decode(&buf[off..], id, max) {
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
                        scan.seal = Some((f.seq, u64_at(&buf[off..], FRAME_HEADER_BYTES)));
                        return;
                    }
                }
            }
            Decoded::Valid(_) => {
                scan.bad = Some("valid frame with an unexpected sequence number");
                return;
            }
            Decoded::Zero => return,
            Decoded::Bad(r) => {
                scan.bad = Some(r);
                return;
            }
        }
    }
}

/// The next valid frame at an 8-aligned offset `>= from`.
fn resync(buf: &[u8], from: usize, id: u64, max: u32) -> Option<(usize, Frame)> {
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

fn has_any_valid_frame(buf: &[u8], id: u64, max: u32) -> bool {
    resync(buf, SEGMENT_HEADER_BYTES, id, max).is_some()
}

/// Largest sync floor among valid frames at or after `from`.
fn max_floor_after(buf: &[u8], from: usize, id: u64, max: u32) -> u64 {
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
fn nonzero_end(map: &dyn Mapping, from: usize) -> usize {
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

#[expect(
    clippy::too_many_lines,
    reason = "the decision table reads best as one walk over the segments"
)]
fn scan_segments(cx: &mut Ctx<'_>, meta: &Meta, bases: &[u64]) -> Result<Recovered> {
    let max = cx.opts.record_bytes_max;
    let mut segments: Vec<Arc<Segment>> = Vec::new();
    let mut expected_seq = meta.first_seq;
    let mut expected_id = meta.first_segment_id;
    let mut bases: Vec<u64> = bases.to_vec();
    if bases[0] != meta.first_seq {
        cx.decide(
            Case::SegmentGap,
            &segment_file_name(bases[0]),
            0,
            "first segment is not at the low watermark",
        )?;
        cx.report.lost.push(SeqRange {
            start: Seq(meta.first_seq),
            end: Seq(bases[0]),
        });
        expected_seq = bases[0];
    }
    let mut prescans = prescan_all(cx.vfs, cx.dir, &bases, max);
    let mut i = 0;
    let mut tail: Option<(usize, u64)> = None; // (offset, synced offset) of the active segment
    while i < bases.len() {
        let base = bases[i];
        let name = segment_file_name(base);
        let path = cx.dir.join(&name);
        let is_last = i + 1 == bases.len();
        let file = cx
            .vfs
            .open(&path)
            .map_err(|e| WalError::io("open", &path, e))?;
        // When the parallel first scan already read this segment, map it plainly (no
        // populate): the walk below only touches it on the slow paths.
        let map = if prescans.get(i).is_some_and(Option::is_some) {
            file.map()
        } else {
            file.map_for_scan()
        }
        .map_err(|e| WalError::io("mmap", &path, e))?;
        let buf: &[u8] = (*map).as_ref();
        let header = SegmentHeader::decode(buf);
        let header_problem = match &header {
            Err(r) => Some((*r).to_string()),
            Ok(h) if h.log_id != meta.log_id => Some("segment belongs to another log".into()),
            Ok(h) if h.base_seq != base => Some(format!(
                "header base seq {} does not match the file name",
                h.base_seq
            )),
            Ok(h) if h.segment_id != expected_id && cx.opts.recovery != RecoveryMode::Salvage => {
                Some(format!(
                    "segment id {} where {expected_id} was expected",
                    h.segment_id
                ))
            }
            Ok(_) => None,
        };
        if let Some(reason) = header_problem {
            cx.decide(Case::BadHeader, &name, 0, &reason)?;
            // Salvage: the whole segment is lost, up to the next file's base.
            let end = bases
                .get(i + 1)
                .copied()
                .ok_or_else(|| WalError::corrupt(&name, 0, "last segment header unreadable"))?;
            cx.report.lost.push(SeqRange {
                start: Seq(expected_seq),
                end: Seq(end),
            });
            expected_seq = end;
            expected_id += 1;
            i += 1;
            continue;
        }
        let h = header.unwrap_or_else(|_| unreachable!("checked above"));
        if base != expected_seq {
            cx.decide(
                Case::SegmentGap,
                &name,
                0,
                &format!("starts at {base}, predecessor ends at {expected_seq}"),
            )?;
            if base < expected_seq {
                return Err(WalError::corrupt(&name, 0, "segments overlap"));
            }
            cx.report.lost.push(SeqRange {
                start: Seq(expected_seq),
                end: Seq(base),
            });
        }
        let mut scan = match prescans.get_mut(i).and_then(Option::take) {
            Some((id, scan)) if id == h.segment_id => scan,
            _ => {
                let mut scan = Scan {
                    next: base,
                    end: SEGMENT_HEADER_BYTES,
                    ..Scan::default()
                };
                scan_frames(&mut scan, &*map, h.segment_id, max);
                scan
            }
        };
        if !is_last {
            let next_base = bases[i + 1];
            while scan.seal.is_none() {
                // No seal: either a crash during the roll, or corruption.
                if i + 2 == bases.len()
                    && successor_is_empty(cx, next_base, meta.log_id, h.segment_id + 1)?
                {
                    cx.decide(
                        Case::UnsealedWithEmptySuccessor,
                        &segment_file_name(next_base),
                        0,
                        "crash during roll",
                    )?;
                    cx.remove(&segment_file_name(next_base))?;
                    cx.sync_dir()?;
                    bases.pop();
                    break;
                }
                let case = if i + 2 == bases.len() {
                    Case::UnsealedWithNonEmptySuccessor
                } else {
                    Case::BadFrameInSealed
                };
                cx.decide(
                    case,
                    &name,
                    scan.end as u64,
                    scan.bad.unwrap_or("zero bytes before the seal"),
                )?;
                salvage_skip(cx, &mut scan, &*map, h.segment_id, Some(next_base))?;
            }
        }
        let is_last = i + 1 == bases.len();
        if is_last {
            loop {
                // Checked on every round: salvage may meet the seal after skipping damage. A
                // last segment that is sealed cannot take appends (the next recovery would stop
                // at the seal and lose them; found by fuzzing), so it is refused in every mode.
                if scan.seal.is_some() {
                    cx.decide(
                        Case::SealedWithoutSuccessor,
                        &name,
                        scan.end as u64,
                        "sealed, but no successor file",
                    )?;
                }
                let x = scan.end;
                let nz = nonzero_end(&*map, x);
                if nz <= x {
                    cx.decide(
                        Case::CleanEnd,
                        &name,
                        x as u64,
                        "zeros after the last frame",
                    )?;
                    break;
                }
                let w =
                    scan.max_floor
                        .max(max_floor_after(buf, x + FRAME_ALIGN, h.segment_id, max));
                if (x as u64) < w {
                    cx.decide(
                        Case::BadFrameBelowWatermark,
                        &name,
                        x as u64,
                        &format!(
                            "{}; durable watermark {w}",
                            scan.bad.unwrap_or("zero bytes")
                        ),
                    )?;
                    salvage_skip(cx, &mut scan, &*map, h.segment_id, None)?;
                    continue;
                }
                cx.decide(
                    Case::TornTail,
                    &name,
                    x as u64,
                    &format!(
                        "{} bytes after the durable watermark {w} (a torn write, or the old \
                         frames of a recycled segment)",
                        nz - x
                    ),
                )?;
                cx.report.bytes_truncated += (nz - x) as u64;
                if !cx.opts.plants(Mutant::SkipTailTruncation) {
                    drop(map);
                    zero_range(cx, &*file, &path, x, nz)?;
                }
                break;
            }
            cx.report.clean_shutdown = scan.last_is_marker;
            tail = Some((scan.end, scan.end as u64));
        } else if let Some((succ_base, succ_id)) = scan.seal
            && (succ_base != bases[i + 1] || succ_id != h.segment_id + 1)
        {
            {
                cx.decide(
                    Case::SegmentGap,
                    &name,
                    scan.end as u64,
                    &format!(
                        "seal names successor {succ_base}/{succ_id}, next file is {}",
                        bases[i + 1]
                    ),
                )?;
            }
        }
        cx.report.records += scan.index.iter().filter(|&&o| o != LOST).count() as u64;
        cx.report.bytes += scan.end as u64;
        let seg = Segment::new(h.segment_id, base, path, file, scan.index, scan.end as u64);
        if !is_last {
            seg.sealed.store(true, Ordering::Release);
        }
        segments.push(Arc::new(seg));
        expected_seq = scan.next;
        expected_id = h.segment_id + 1;
        i += 1;
    }
    let Some((offset, synced)) = tail else {
        return Err(WalError::corrupt(
            cx.dir.display().to_string(),
            0,
            "no usable last segment",
        ));
    };
    // Make everything recovered durable, so the sync floor of new frames may cover it.
    let active = segments
        .last()
        .ok_or_else(|| WalError::corrupt(cx.dir.display().to_string(), 0, "no segment"))?;
    active
        .file
        .sync_data()
        .map_err(|e| WalError::io("sync_data", &active.path, e))?;
    let first_seq = segments.first().map_or(expected_seq, |s| s.base);
    Ok(Recovered {
        log_id: meta.log_id,
        segments,
        offset: offset as u64,
        synced_offset: synced,
        next_seq: expected_seq,
        first_seq,
        report: RecoveryReport::default(),
    })
}

/// Most of recovery's time is checking frame CRCs; segments are independent, so their first
/// scans (header decode and frames up to the first stop) run on up to `RECOVERY_THREADS_MAX`
/// threads. Each mapping is dropped after its scan, so memory stays bounded by the segment size
/// times the thread count. The decisions are then taken in order, in `scan_segments`.
/// Returns `(segment id, scan)` per base, `None` where the header or the I/O failed (the
/// sequential walk then meets and reports the problem itself).
fn prescan_all(vfs: &dyn Vfs, dir: &Path, bases: &[u64], max: u32) -> Vec<Option<(u64, Scan)>> {
    let one = |base: u64| -> Option<(u64, Scan)> {
        let file = vfs.open(&dir.join(segment_file_name(base))).ok()?;
        let map = file.map_for_scan().ok()?;
        let buf: &[u8] = (*map).as_ref();
        let h = SegmentHeader::decode(buf).ok()?;
        let mut scan = Scan {
            next: base,
            end: SEGMENT_HEADER_BYTES,
            ..Scan::default()
        };
        scan_frames(&mut scan, &*map, h.segment_id, max);
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
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&base) = bases.get(i) else { break };
                    *slots[i].lock() = one(base);
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

/// Salvage: continue after a bad region at `scan.end`, recording the lost sequence numbers.
/// Without a later valid frame, everything up to `end_seq` (if known) is lost.
fn salvage_skip(
    cx: &mut Ctx<'_>,
    scan: &mut Scan,
    map: &dyn Mapping,
    id: u64,
    end_seq: Option<u64>,
) -> Result<()> {
    let buf: &[u8] = map.as_ref();
    let max = cx.opts.record_bytes_max;
    let mut from = scan.end + FRAME_ALIGN;
    let found = loop {
        match resync(buf, from, id, max) {
            Some((at, f)) if f.seq >= scan.next => break Some((at, f)),
            Some((at, _)) => from = at + FRAME_ALIGN,
            None => break None,
        }
    };
    let resume_seq = found.map_or(end_seq.unwrap_or(scan.next), |(_, f)| f.seq);
    if resume_seq > scan.next {
        // The index holds one entry per sequence number: a gap larger than the segment could
        // hold records for is not a loss salvage can describe (a forged file name or frame;
        // found by fuzzing, where it asked for terabytes).
        let room = buf.len() as u64 / frame::frame_bytes(0) as u64 + 1;
        if resume_seq - scan.next > room {
            return Err(WalError::corrupt(
                format!("segment {id}"),
                scan.end as u64,
                format!(
                    "records {}..{resume_seq} cannot have been in a {}-byte segment",
                    scan.next,
                    buf.len()
                ),
            ));
        }
        cx.report.lost.push(SeqRange {
            start: Seq(scan.next),
            end: Seq(resume_seq),
        });
        let n = usize::try_from(resume_seq - scan.next).unwrap_or(0);
        scan.index.extend(std::iter::repeat_n(LOST, n));
        scan.next = resume_seq;
    }
    if let Some((at, _)) = found {
        scan.end = at;
        scan_frames(scan, map, id, max);
    } else {
        // Nothing valid after the damage: behave as if the segment ended here, at a frame
        // boundary (the next append goes there, and recovery only looks for frames at aligned
        // offsets: an unaligned end lost the next acknowledged append; found by fuzzing).
        if end_seq.is_some() {
            scan.seal = Some((scan.next, id + 1));
        }
        scan.bad = None;
        scan.end = nonzero_end(map, scan.end)
            .max(scan.end)
            .next_multiple_of(FRAME_ALIGN);
    }
    Ok(())
}

fn successor_is_empty(cx: &Ctx<'_>, base: u64, log_id: u64, id: u64) -> Result<bool> {
    let bytes = cx.read_whole(&segment_file_name(base))?;
    let buf: &[u8] = (*bytes).as_ref();
    Ok(match SegmentHeader::decode(buf) {
        Ok(h) if h.log_id == log_id && h.segment_id == id && h.base_seq == base => {
            !has_any_valid_frame(buf, id, cx.opts.record_bytes_max)
        }
        _ => false,
    })
}

fn zero_range(
    cx: &Ctx<'_>,
    file: &dyn crate::vfs::VfsFile,
    path: &Path,
    from: usize,
    to: usize,
) -> Result<()> {
    let zeros = vec![0u8; (to - from).min(1 << 20)];
    // In two halves, with a failpoint between them: a crash mid-truncate leaves a torn tail
    // partly zeroed, which the next recovery must handle the same way (idempotence).
    let mid = from + (to - from) / 2;
    for (start, end) in [(from, mid), (mid, to)] {
        let mut off = start;
        while off < end {
            let n = (end - off).min(zeros.len());
            file.write_all_at(&zeros[..n], off as u64)
                .map_err(|e| WalError::io("write", path, e))?;
            off += n;
        }
        if start == from {
            failpoint!("wal::recovery::mid_truncate");
        }
    }
    let _ = cx;
    file.sync_data()
        .map_err(|e| WalError::io("sync_data", path, e))
}
