//! The walk over the segments of recovery: the decision table applied in order (header,
//! gaps, seals, the torn tail of the last segment), with the repairs it calls for: salvage of
//! damaged regions, removal of an empty successor, zeroing of a torn tail.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::reader::{SCAN_CHUNK_BYTES, SegmentReader};
use super::scan::{
    Scan, has_any_valid_frame, max_floor_after, nonzero_end, prescan_all, resync, scan_frames,
};
use super::{Case, Ctx, Recovered};
use crate::error::{Result, WalError};
use crate::frame::{self, FRAME_ALIGN};
use crate::live_segment::{LOST, Segment};
use crate::mutant::Mutant;
use crate::options::RecoveryMode;
use crate::segment::{Meta, SEGMENT_HEADER_BYTES, SegmentHeader, segment_file_name};
use crate::types::{RecoveryReport, Seq, SeqRange};
use crate::vfs::{FileHandle, Mapping};

/// Walks the segments from the low watermark: checks each header, gap and seal, scans the
/// frames, and decides (and repairs) the end of the last segment. Returns the live segments.
#[expect(
    clippy::too_many_lines,
    reason = "the decision table reads best as one walk over the segments"
)]
pub(super) fn scan_segments(cx: &mut Ctx<'_>, meta: &Meta, bases: &[u64]) -> Result<Recovered> {
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
    // Segments the parallel first scan did not read are scanned here, through one buffer.
    let mut src = SegmentReader::new(SCAN_CHUNK_BYTES);
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
        // The frame scan reads the file (`SegmentReader`); the mapping serves the header and
        // the slow paths (damage, the end of the last segment), which touch little of it.
        let map = file.map().map_err(|e| WalError::io("mmap", &path, e))?;
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
                scan_with(&mut src, &file, &path, &mut scan, h.segment_id, max)?;
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
                salvage_skip(
                    cx,
                    &mut scan,
                    &*map,
                    (&mut src, &file, &path),
                    h.segment_id,
                    Some(next_base),
                )?;
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
                    salvage_skip(
                        cx,
                        &mut scan,
                        &*map,
                        (&mut src, &file, &path),
                        h.segment_id,
                        None,
                    )?;
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

/// Scans the frames of `file` (at `path`) from `scan.end` through `src`.
fn scan_with(
    src: &mut SegmentReader,
    file: &FileHandle,
    path: &Path,
    scan: &mut Scan,
    id: u64,
    max: u32,
) -> Result<()> {
    src.open(Arc::clone(file))
        .and_then(|()| scan_frames(scan, src, id, max))
        .map_err(|e| WalError::io("read", path, e))
}

/// Salvage: continue after a bad region at `scan.end`, recording the lost sequence numbers.
/// Without a later valid frame, everything up to `end_seq` (if known) is lost. `map` is the
/// segment's mapping (to find the next valid frame); the scan after it reads `file` at `path`
/// through `src`.
fn salvage_skip(
    cx: &mut Ctx<'_>,
    scan: &mut Scan,
    map: &dyn Mapping,
    (src, file, path): (&mut SegmentReader, &FileHandle, &Path),
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
        scan_with(src, file, path, scan, id, max)?;
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

/// Is the segment at `base` the successor (`log_id`, `id`) of an unsealed segment, with a
/// valid header and no record (a crash during the roll)?
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

/// Zeroes `from..to` of a torn tail and syncs it.
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
