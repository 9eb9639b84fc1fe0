//! The append path and segment roll.
//!
//! Append (under the writer mutex, which serializes only the page-cache write):
//! 1. check the log is writable and the records fit the limits;
//! 2. roll first if the batch would push a non-empty segment past its target;
//! 3. make sure the file is prepared (allocated, zero-filled) past the batch, a seal and the
//!    caller's reserve, extending it by whole chunks if not (prepare.rs); a full disk here fails
//!    the append cleanly (`NoSpace`, nothing written, not poisoned);
//! 4. encode all frames into one buffer, each carrying the current sync floor;
//! 5. one positioned write; on error poison the log;
//! 6. publish the frame offsets to the index, then the written watermark.
//!
//! Then, outside the mutex, `Always` waits for group commit (commit.rs).
//!
//! Roll (under the writer mutex):
//! 1. `fdatasync` the active segment (everything written so far is durable);
//! 2. create the successor as `{base}.wal.tmp`: header, preallocate + zero-fill its first
//!    chunk, `fsync`, rename to `{base}.wal`, `fsync` the directory (or name the prepared spare,
//!    zero-filled or recycled: header, `fdatasync`, rename, `fsync` the directory);
//! 3. append the seal frame (successor's base seq and id) to the predecessor, `fdatasync`;
//! 4. switch appends to the successor.
//!
//! So "sealed but successor missing" is corruption, while "successor exists, predecessor
//! unsealed" is a crash during the roll (recovery removes the empty successor).
//!
//! In a recycled segment (old frames after the header) every batch and the close marker are
//! followed, in the same write, by one zero frame header (the *end mark*, overwritten by the
//! next batch): without a power loss the scan of recovery always stops on zeros right after the
//! last frame, never on an old frame's bytes (docs/format.md §2, "Recycling").

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::error::{Result, WalError};
use crate::frame::{self, FRAME_HEADER_BYTES, FrameKind};
use crate::live_segment::Segment;
use crate::mutant::Mutant;
use crate::options::{BATCH_BYTES_MAX, BATCH_RECORDS_MAX, WalOptions};
use crate::prepare::{Preparer, zero_fill};
use crate::segment::{
    META_FILE, META_TMP_FILE, Meta, SEGMENT_HEADER_BYTES, SEGMENT_TMP_SUFFIX, SPARE_FILE,
    SegmentHeader, segment_file_name,
};
use crate::state::Shared;
use crate::types::{Seq, SeqRange};
use crate::vfs::{FileHandle, Vfs};

/// Writer-side state, under [`Shared::writer`].
#[derive(Debug)]
pub(crate) struct Writer {
    /// The segment appends go to (the last live one).
    pub active: Arc<Segment>,
    /// Where the next frame goes in the active segment.
    pub offset: u64,
    /// In-segment offset known durable in the active segment (the sync floor written in frames).
    pub synced_offset: u64,
    /// The sequence number of the next record.
    pub next_seq: u64,
    /// Encoding buffer, reused by every append.
    pub buf: Vec<u8>,
    /// The active segment is a recycled file: stale bytes of an older segment lie past the
    /// frames, so every write is followed by an end mark (module docs). False after recovery,
    /// which zeroes whatever follows the last frame.
    pub stale_tail: bool,
}

/// Writes `records` as consecutive frames; returns their range. Does not sync.
///
/// `reserve`: roll first unless this many bytes stay free in the active segment after the
/// batch (clamped to a quarter of the segment target), so that callers appending without a
/// reserve still find room when a roll fails for lack of disk space.
pub(crate) fn write_records(shared: &Shared, records: &[&[u8]], reserve: u64) -> Result<SeqRange> {
    if records.is_empty() {
        return Err(WalError::InvalidArgument("empty batch".into()));
    }
    if records.len() > BATCH_RECORDS_MAX {
        return Err(WalError::InvalidArgument(format!(
            "batch of {} records exceeds {BATCH_RECORDS_MAX}",
            records.len()
        )));
    }
    let max = shared.opts().record_bytes_max;
    let mut bytes = 0u64;
    for r in records {
        if r.len() as u64 > u64::from(max) {
            return Err(WalError::RecordTooLarge {
                len: r.len() as u64,
                max,
            });
        }
        bytes += frame::frame_bytes(r.len()) as u64;
    }
    if bytes > BATCH_BYTES_MAX {
        return Err(WalError::InvalidArgument(format!(
            "batch of {bytes} encoded bytes exceeds {BATCH_BYTES_MAX}"
        )));
    }
    let mut w = shared.writer().lock();
    shared.life().check_writable()?;
    let seal_bytes = frame::frame_bytes(8) as u64;
    let reserve = reserve.min(shared.opts().segment_bytes_target / 4);
    if w.offset + bytes + seal_bytes + reserve > shared.opts().segment_bytes_target
        && w.active.end() > w.active.base
    {
        roll(shared, &mut w).map_err(|failure| {
            if failure.clean {
                failure.error
            } else {
                shared.poison(failure.error)
            }
        })?;
    }
    // Appends write only into prepared space, and leave room for the seal and the reserve
    // there (a full disk shows up here, before anything is written).
    let need = w.offset + bytes + seal_bytes + reserve;
    if let Err(e) = shared
        .prep()
        .ensure(&*w.active.file, &w.active.path, w.offset, need)
    {
        return Err(if e.is_no_space() { e } else { shared.poison(e) });
    }
    let w = &mut *w;
    let start_seq = w.next_seq;
    let floor = frame::off32(w.synced_offset);
    w.buf.clear();
    let mut offsets = Vec::with_capacity(records.len());
    for (i, r) in records.iter().enumerate() {
        let off = w.offset + w.buf.len() as u64;
        offsets.push(frame::off32(off));
        frame::encode(
            &mut w.buf,
            FrameKind::Record,
            w.active.id,
            start_seq + i as u64,
            floor,
            r,
        );
    }
    debug_assert_eq!(w.buf.len() as u64, bytes);
    if w.stale_tail {
        // The end mark (module docs); inside the room kept for the seal.
        w.buf.extend_from_slice(&[0; FRAME_HEADER_BYTES]);
    }
    if let Err(e) = w.active.file.write_all_at(&w.buf, w.offset) {
        return Err(shared.poison(WalError::io("write", &w.active.path, e)));
    }
    w.active.index.write().extend_from_slice(&offsets);
    w.offset += bytes;
    shared.prep().note_written(w.offset);
    w.active.used.store(w.offset, Ordering::Release);
    w.next_seq += records.len() as u64;
    shared.marks().set_written_end(w.next_seq);
    Ok(SeqRange {
        start: Seq(start_seq),
        end: Seq(w.next_seq),
    })
}

/// Seals the active segment and starts a new one (see the module docs for the order).
///
/// A failure is `clean` when the successor could not be created for lack of space: nothing
/// was written to the active segment and the log stays usable (no poisoning); the append
/// fails with [`WalError::NoSpace`] and a later one retries the roll.
fn roll(shared: &Shared, w: &mut Writer) -> std::result::Result<(), RollFailure> {
    let old = w.active.clone();
    let mut files = shared.prep().files();
    old.file
        .sync_data()
        .map_err(|e| WalError::io("sync_data", &old.path, e))?;
    w.synced_offset = w.offset;
    shared.marks().advance_durable_end(w.next_seq);
    let header = SegmentHeader {
        log_id: shared.log_id(),
        segment_id: old.id + 1,
        base_seq: w.next_seq,
    };
    let spare = files.spare.take();
    let took_spare = spare.is_some();
    let recycled = took_spare && std::mem::take(&mut files.spare_recycled);
    let new = match spare {
        Some(file) => name_spare(shared.vfs(), shared.dir(), shared.opts(), header, file)?,
        None => create_segment_or_clean(shared.vfs(), shared.dir(), shared.opts(), header)?,
    };
    let mut seal = Vec::with_capacity(frame::frame_bytes(8));
    let floor = frame::off32(w.synced_offset);
    frame::encode(
        &mut seal,
        FrameKind::Seal,
        old.id,
        header.base_seq,
        floor,
        &header.segment_id.to_le_bytes(),
    );
    old.file
        .write_all_at(&seal, w.offset)
        .map_err(|e| WalError::io("write", &old.path, e))?;
    old.file
        .sync_data()
        .map_err(|e| WalError::io("sync_data", &old.path, e))?;
    old.used
        .store(w.offset + seal.len() as u64, Ordering::Release);
    old.sealed.store(true, Ordering::Release);
    let new = Arc::new(Segment::new(
        header.segment_id,
        header.base_seq,
        shared.path(&segment_file_name(header.base_seq)),
        new,
        Vec::new(),
        SEGMENT_HEADER_BYTES as u64,
    ));
    shared.segs().push(new.clone());
    // A recycled file is one whole segment, allocated and written: all of it is prepared
    // (its old bytes are never zero-filled). Switched under `files`, so the spare thread
    // never acts on a request made for the previous segment.
    let ready = if recycled {
        shared.opts().segment_bytes_target
    } else {
        Preparer::initial_len(shared.opts())
    };
    shared.prep().switch(ready, took_spare);
    drop(files);
    w.active = new;
    w.offset = SEGMENT_HEADER_BYTES as u64;
    w.synced_offset = SEGMENT_HEADER_BYTES as u64;
    w.stale_tail = recycled;
    Ok(())
}

/// Why a roll failed, and whether the log is still intact (see [`roll`]).
pub(crate) struct RollFailure {
    /// What failed.
    pub(crate) error: WalError,
    /// Nothing was written and the log stays usable.
    pub(crate) clean: bool,
}

impl From<WalError> for RollFailure {
    fn from(error: WalError) -> Self {
        Self {
            error,
            clean: false,
        }
    }
}

/// Turns the prepared spare (zero-filled, or a recycled segment file whose old frames stay after
/// the header) into the segment `header` names: header, fdatasync, rename, dir fsync.
fn name_spare(
    vfs: &dyn Vfs,
    dir: &Path,
    opts: &WalOptions,
    header: SegmentHeader,
    file: FileHandle,
) -> Result<FileHandle> {
    let spare = dir.join(SPARE_FILE);
    let path = dir.join(segment_file_name(header.base_seq));
    file.write_all_at(&header.encode(), 0)
        .map_err(|e| WalError::io("write", &spare, e))?;
    file.sync_data()
        .map_err(|e| WalError::io("sync_data", &spare, e))?;
    publish_name(vfs, dir, opts, &spare, &path)?;
    Ok(file)
}

/// Gives a prepared segment file its segment name: rename `from` to `to`, then fsync the
/// directory so that the name is durable.
fn publish_name(
    vfs: &dyn Vfs,
    dir: &Path,
    opts: &WalOptions,
    from: &Path,
    to: &Path,
) -> Result<()> {
    vfs.rename(from, to)
        .map_err(|e| WalError::io("rename", to, e))?;
    failpoint!("wal::segment::before_dir_sync");
    // IMPORTANT: the new name must be durable before any append in it is acknowledged.
    if !opts.plants(Mutant::SkipDirSync) {
        vfs.sync_dir(dir)
            .map_err(|e| WalError::io("sync_dir", dir, e))?;
    }
    failpoint!("wal::segment::after_dir_sync");
    Ok(())
}

/// Creates a complete segment file: tmp name, header, preallocation of the first chunk, fsync,
/// rename, dir fsync.
pub(crate) fn create_segment(
    vfs: &dyn Vfs,
    dir: &Path,
    opts: &WalOptions,
    header: SegmentHeader,
) -> Result<FileHandle> {
    create_segment_or_clean(vfs, dir, opts, header).map_err(|failure| failure.error)
}

/// [`create_segment`]; a failure is `clean` when the disk was full before the rename (the tmp
/// file is removed, so no trace of the segment remains). A failure at or after the rename may
/// leave the new name behind and is never clean.
fn create_segment_or_clean(
    vfs: &dyn Vfs,
    dir: &Path,
    opts: &WalOptions,
    header: SegmentHeader,
) -> std::result::Result<FileHandle, RollFailure> {
    let name = segment_file_name(header.base_seq);
    let tmp = dir.join(format!(
        "{}{SEGMENT_TMP_SUFFIX}",
        name.trim_end_matches(crate::segment::SEGMENT_SUFFIX)
    ));
    let path = dir.join(&name);
    let file = vfs.create(&tmp).map_err(|e| {
        let error = WalError::io("create", &tmp, e);
        RollFailure {
            clean: error.is_no_space(),
            error,
        }
    })?;
    let prepared = file
        .write_all_at(&header.encode(), 0)
        .map_err(|e| WalError::io("write", &tmp, e))
        .and_then(|()| {
            if opts.preallocate {
                zero_fill(
                    &*file,
                    &tmp,
                    SEGMENT_HEADER_BYTES as u64,
                    Preparer::initial_len(opts),
                )?;
            }
            file.sync_all().map_err(|e| WalError::io("fsync", &tmp, e))
        });
    if let Err(error) = prepared {
        // Give the space back (a full disk); recovery would remove the tmp file anyway.
        let removed = vfs.remove(&tmp).is_ok();
        return Err(RollFailure {
            clean: removed && error.is_no_space(),
            error,
        });
    }
    publish_name(vfs, dir, opts, &tmp, &path)?;
    Ok(file)
}

/// Replaces `wal.meta` atomically: write tmp, fsync, rename, fsync the directory.
pub(crate) fn write_meta(vfs: &dyn Vfs, dir: &Path, meta: &Meta) -> Result<()> {
    let tmp = dir.join(META_TMP_FILE);
    let path = dir.join(META_FILE);
    let file = vfs
        .create(&tmp)
        .map_err(|e| WalError::io("create", &tmp, e))?;
    file.write_all_at(&meta.encode(), 0)
        .map_err(|e| WalError::io("write", &tmp, e))?;
    file.sync_all()
        .map_err(|e| WalError::io("fsync", &tmp, e))?;
    vfs.rename(&tmp, &path)
        .map_err(|e| WalError::io("rename", &path, e))?;
    vfs.sync_dir(dir)
        .map_err(|e| WalError::io("sync_dir", dir, e))
}
