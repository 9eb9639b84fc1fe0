//! The append path and segment roll.
//!
//! Append (under the writer mutex, which serializes only the page-cache write):
//! 1. check the log is writable and the records fit the limits;
//! 2. roll first if the batch would push a non-empty segment past its target;
//! 3. encode all frames into one buffer, each carrying the current sync floor;
//! 4. one positioned write; on error poison the log;
//! 5. publish the frame offsets to the index, then the written watermark.
//!
//! Then, outside the mutex, `Always` waits for group commit (commit.rs).
//!
//! Roll (under the writer mutex):
//! 1. `fdatasync` the active segment (everything written so far is durable);
//! 2. create the successor as `{base}.wal.tmp`: header, preallocate + zero-fill, `fsync`,
//!    rename to `{base}.wal`, `fsync` the directory;
//! 3. append the seal frame (successor's base seq and id) to the predecessor, `fdatasync`;
//! 4. switch appends to the successor.
//!
//! So "sealed but successor missing" is corruption, while "successor exists, predecessor
//! unsealed" is a crash during the roll (recovery removes the empty successor).

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use crate::error::{Result, WalError};
use crate::frame::{self, FrameKind};
use crate::options::{BATCH_BYTES_MAX, BATCH_RECORDS_MAX, Mutant, WalOptions};
use crate::segment::{
    META_FILE, META_TMP_FILE, Meta, SEGMENT_HEADER_BYTES, SEGMENT_TMP_SUFFIX, SPARE_FILE,
    SegmentHeader, segment_file_name,
};
use crate::state::{Segment, Shared, Writer};
use crate::types::{Seq, SeqRange};
use crate::vfs::{FileHandle, Vfs, VfsFile};

/// Zero-fill chunk size for preallocation.
const ZERO_CHUNK_BYTES: usize = 1 << 20;

impl Shared {
    /// Writes `records` as consecutive frames; returns their range. Does not sync.
    ///
    /// `reserve`: roll first unless this many bytes stay free in the active segment after the
    /// batch (clamped to a quarter of the segment target), so that callers appending without a
    /// reserve still find room when a roll fails for lack of disk space.
    pub(crate) fn write_records(&self, records: &[&[u8]], reserve: u64) -> Result<SeqRange> {
        if records.is_empty() {
            return Err(WalError::InvalidArgument("empty batch".into()));
        }
        if records.len() > BATCH_RECORDS_MAX {
            return Err(WalError::InvalidArgument(format!(
                "batch of {} records exceeds {BATCH_RECORDS_MAX}",
                records.len()
            )));
        }
        let max = self.opts.record_bytes_max;
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
        let mut w = self.writer.lock();
        self.check_writable()?;
        let seal_bytes = frame::frame_bytes(8) as u64;
        let reserve = reserve.min(self.opts.segment_bytes_target / 4);
        if w.offset + bytes + seal_bytes + reserve > self.opts.segment_bytes_target
            && w.active.end() > w.active.base
        {
            self.roll(&mut w).map_err(|failure| {
                if failure.clean {
                    failure.error
                } else {
                    self.poison(failure.error)
                }
            })?;
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
        if let Err(e) = w.active.file.write_all_at(&w.buf, w.offset) {
            return Err(self.poison(WalError::io("write", &w.active.path, e)));
        }
        w.active.index.write().extend_from_slice(&offsets);
        w.offset += bytes;
        w.active.used.store(w.offset, Ordering::Release);
        w.next_seq += records.len() as u64;
        self.written_end.store(w.next_seq, Ordering::Release);
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
    pub(crate) fn roll(&self, w: &mut Writer) -> std::result::Result<(), RollFailure> {
        let old = w.active.clone();
        old.file
            .sync_data()
            .map_err(|e| WalError::io("sync_data", &old.path, e))?;
        w.synced_offset = w.offset;
        self.durable_end.fetch_max(w.next_seq, Ordering::AcqRel);
        let header = SegmentHeader {
            log_id: self.log_id,
            segment_id: old.id + 1,
            base_seq: w.next_seq,
        };
        let spare = self.spare.lock().take();
        let new = match spare {
            Some(file) => name_spare(&*self.vfs, &self.dir, &self.opts, header, file)?,
            None => create_segment_or_clean(&*self.vfs, &self.dir, &self.opts, header)?,
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
            self.path(&segment_file_name(header.base_seq)),
            new,
            Vec::new(),
            SEGMENT_HEADER_BYTES as u64,
        ));
        self.segs.write().push(new.clone());
        w.active = new;
        w.offset = SEGMENT_HEADER_BYTES as u64;
        w.synced_offset = SEGMENT_HEADER_BYTES as u64;
        self.prepare_spare();
        Ok(())
    }

    /// Starts preparing the next segment file in the background, if configured and needed.
    pub(crate) fn prepare_spare(&self) {
        if !(self.opts.preallocate && self.opts.prepare_spare) || self.spare.lock().is_some() {
            return;
        }
        let mut slot = self.spare_thread.lock();
        if slot.as_ref().is_some_and(|h| !h.is_finished()) {
            return;
        }
        if let Some(h) = slot.take() {
            let _ = h.join();
        }
        let (vfs, dir, opts, spare) = (
            self.vfs.clone(),
            self.dir.clone(),
            self.opts.clone(),
            self.spare.clone(),
        );
        let spawned = std::thread::Builder::new()
            .name("wal-spare".into())
            .spawn(move || {
                let path = dir.join(SPARE_FILE);
                // Errors are not reported here: without a spare, the roll creates the segment
                // itself and reports any error on the append path.
                match preallocate_file(&*vfs, &path, &opts) {
                    Ok(file) => *spare.lock() = Some(file),
                    // A partly allocated spare would hold disk space a full disk needs.
                    Err(_) => {
                        let _ = vfs.remove(&path);
                    }
                }
            });
        *slot = spawned.ok();
    }

    /// Waits for a running spare preparation (close and drop).
    pub(crate) fn join_spare(&self) {
        if let Some(h) = self.spare_thread.lock().take() {
            let _ = h.join();
        }
    }
}

/// Why a roll failed, and whether the log is still intact (see [`Shared::roll`]).
pub(crate) struct RollFailure {
    pub(crate) error: WalError,
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

/// Creates `path` allocated and zero-filled to the segment target, synced.
fn preallocate_file(vfs: &dyn Vfs, path: &Path, opts: &WalOptions) -> Result<FileHandle> {
    let file = vfs
        .create(path)
        .map_err(|e| WalError::io("create", path, e))?;
    zero_fill(&*file, path, 0, opts.segment_bytes_target)?;
    file.sync_all()
        .map_err(|e| WalError::io("fsync", path, e))?;
    Ok(file)
}

/// Allocates `len` bytes and writes zeros over `from..len`, so later fdatasyncs do not have to
/// convert unwritten extents (a metadata commit each).
fn zero_fill(file: &dyn VfsFile, path: &Path, from: u64, len: u64) -> Result<()> {
    file.allocate(len)
        .map_err(|e| WalError::io("fallocate", path, e))?;
    let zeros = vec![0u8; ZERO_CHUNK_BYTES];
    let mut off = from;
    while off < len {
        let n =
            usize::try_from((len - off).min(ZERO_CHUNK_BYTES as u64)).unwrap_or(ZERO_CHUNK_BYTES);
        file.write_all_at(&zeros[..n], off)
            .map_err(|e| WalError::io("write", path, e))?;
        off += n as u64;
    }
    Ok(())
}

/// Turns the prepared spare into the segment `header` names: header, fdatasync, rename, dir fsync.
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
    vfs.rename(&spare, &path)
        .map_err(|e| WalError::io("rename", &path, e))?;
    failpoint!("wal::segment::before_dir_sync");
    // IMPORTANT: the new name must be durable before any append in it is acknowledged.
    if opts.mutant != Mutant::SkipDirSync {
        vfs.sync_dir(dir)
            .map_err(|e| WalError::io("sync_dir", dir, e))?;
    }
    failpoint!("wal::segment::after_dir_sync");
    Ok(file)
}

/// Creates a complete segment file: tmp name, header, preallocation, fsync, rename, dir fsync.
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
                    opts.segment_bytes_target,
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
    vfs.rename(&tmp, &path)
        .map_err(|e| WalError::io("rename", &path, e))?;
    failpoint!("wal::segment::before_dir_sync");
    // IMPORTANT: the new name must be durable before any append in it is acknowledged.
    if opts.mutant != Mutant::SkipDirSync {
        vfs.sync_dir(dir)
            .map_err(|e| WalError::io("sync_dir", dir, e))?;
    }
    failpoint!("wal::segment::after_dir_sync");
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
