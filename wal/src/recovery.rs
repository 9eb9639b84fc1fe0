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
//!
//! Files: this one holds the decision table and the directory-level steps (tmp files, meta
//! file, purged segments, a new log); `recovery/walk.rs` walks the segments in order and
//! repairs (salvage, empty successor, torn tail); `recovery/scan.rs` reads frames and zeros
//! without deciding anything; `recovery/reader.rs` feeds the frame scan from the files.

use std::path::Path;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use crate::error::{Result, WalError};
use crate::live_segment::Segment;
use crate::options::{RecoveryMode, WalOptions};
use crate::segment::{
    DirEntry, META_FILE, Meta, SEGMENT_HEADER_BYTES, SegmentHeader, classify, segment_file_name,
};
use crate::types::{RecoveryReport, Seq};
use crate::vfs::Vfs;
use crate::writer::{create_segment, write_meta};

mod reader;
mod scan;
#[cfg(test)]
mod scan_tests;
mod walk;

use scan::has_any_valid_frame;
use walk::scan_segments;

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
    /// The log's identity.
    pub log_id: u64,
    /// The live segments, oldest first; the last one is active.
    pub segments: Vec<Arc<Segment>>,
    /// Where the next frame goes in the active segment.
    pub offset: u64,
    /// In-segment offset known durable in the active segment.
    pub synced_offset: u64,
    /// The sequence number of the next record.
    pub next_seq: u64,
    /// The oldest live sequence number.
    pub first_seq: u64,
    /// What recovery found and did.
    pub report: RecoveryReport,
}

/// What every step of recovery works with.
struct Ctx<'a> {
    /// The file system.
    vfs: &'a dyn Vfs,
    /// The log's directory.
    dir: &'a Path,
    /// The options the log is opened with (recovery mode, record size limit).
    opts: &'a WalOptions,
    /// The report under construction.
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

    /// Unlinks `name` in the log's directory.
    fn remove(&self, name: &str) -> Result<()> {
        let p = self.dir.join(name);
        self.vfs
            .remove(&p)
            .map_err(|e| WalError::io("remove", &p, e))
    }

    /// Fsyncs the log's directory.
    fn sync_dir(&self) -> Result<()> {
        self.vfs
            .sync_dir(self.dir)
            .map_err(|e| WalError::io("sync_dir", self.dir, e))
    }

    /// Maps the whole file `name`.
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

/// A random identity for a new log (time and process id, hashed).
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

/// Creates a new log: segment 1, then the meta file.
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
