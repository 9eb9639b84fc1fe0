//! Retention: dropping whole segments below a sequence number.
//!
//! Order: (1) write the new low watermark to `wal.meta` (atomic replace, durable), (2) remove
//! the segments from the live list, (3) unlink each file no reader holds, or, for one of them,
//! recycle it: rename it to `wal.spare.tmp` ([`crate::prepare::Preparer::offer`]: recycling on,
//! no spare waiting or being prepared, file exactly one segment target long), (4) `fsync` the
//! directory. Files still held (an iterator or a `RecordBytes` keeps a segment or its mapping)
//! wait on a pending list and are unlinked (or recycled) by a later `purge_before`, append or
//! `close` once the last reader lets go; `Drop` does no I/O. A held file is never recycled:
//! the next roll overwrites a recycled file, and a reader's mapping must keep its bytes.
//!
//! Crash safety of recycling: the rename comes after `wal.meta` is durable, so the file is
//! dead by the rules whatever name a crash leaves it under: below the low watermark under its
//! old name (`PurgedSegmentLeft`: unlinked by recovery), or `wal.spare.tmp`
//! (`LeftoverTmpFile`: unlinked). After a crash, files below the low watermark are unlinked by
//! recovery.

use std::sync::atomic::Ordering;

use crate::error::{Result, WalError};
use crate::segment::Meta;
use crate::state::Shared;
use crate::types::{PurgeReport, Seq};
use crate::writer::write_meta;

impl Shared {
    pub(crate) fn purge_before(&self, seq: u64) -> Result<PurgeReport> {
        let w = self.writer.lock();
        self.check_writable()?;
        let purge: Vec<_> = {
            let segs = self.segs.read();
            // A segment may go when its successor starts at or below `seq`; never the active one.
            let n = segs.windows(2).take_while(|p| p[1].base <= seq).count();
            segs[..n].to_vec()
        };
        let mut report = PurgeReport {
            first_seq: Seq(self.first_seq.load(Ordering::Acquire)),
            ..PurgeReport::default()
        };
        if purge.is_empty() {
            drop(w);
            self.reap_pending()?;
            return Ok(report);
        }
        let first = {
            let segs = self.segs.read();
            segs[purge.len()].clone()
        };
        let meta = Meta {
            log_id: self.log_id,
            first_segment_id: first.id,
            first_seq: first.base,
        };
        write_meta(&*self.vfs, &self.dir, &meta).map_err(|e| self.poison(e))?;
        failpoint!("wal::retention::after_meta_before_unlink");
        self.segs.write().drain(..purge.len());
        self.prep.note_purge();
        self.first_seq.store(first.base, Ordering::Release);
        drop(w);
        report.segments_purged = purge.len();
        report.first_seq = Seq(first.base);
        {
            let mut pending = self.pending.lock();
            pending.extend(purge);
            self.pending_nonempty.store(true, Ordering::Release);
        }
        let (unlinked, recycled, deferred) = self.reap_pending_counts()?;
        report.files_unlinked = unlinked;
        report.files_recycled = recycled;
        report.files_deferred = deferred;
        Ok(report)
    }

    /// Unlinks pending files that no reader holds.
    pub(crate) fn reap_pending(&self) -> Result<()> {
        if self.pending_nonempty.load(Ordering::Acquire) {
            self.reap_pending_counts()?;
        }
        Ok(())
    }

    /// Unlinks (or recycles) pending files that no reader holds; returns (unlinked, recycled,
    /// still deferred).
    fn reap_pending_counts(&self) -> Result<(usize, usize, usize)> {
        // Lock order: `prep.files` before `pending`. A closing log recycles nothing (a spare is
        // removed at the next open anyway).
        let mut files = (self.prep.recycles() && !self.closed.load(Ordering::Acquire))
            .then(|| self.prep.files());
        let mut pending = self.pending.lock();
        let (mut unlinked, mut recycled) = (0, 0);
        let mut err = None;
        pending.retain(|seg| {
            if err.is_some() || seg.is_held() {
                return true;
            }
            if let Some(files) = files.as_deref_mut() {
                match self.prep.offer(files, &seg.file, &seg.path) {
                    Ok(true) => {
                        recycled += 1;
                        return false;
                    }
                    Ok(false) => {}
                    Err(e) => {
                        err = Some(e);
                        return true;
                    }
                }
            }
            match self.vfs.remove(&seg.path) {
                Ok(()) => {
                    unlinked += 1;
                    false
                }
                Err(e) => {
                    err = Some(WalError::io("remove", &seg.path, e));
                    true
                }
            }
        });
        let deferred = pending.len();
        self.pending_nonempty.store(deferred > 0, Ordering::Release);
        drop(pending);
        drop(files);
        if unlinked + recycled > 0 {
            failpoint!("wal::retention::after_unlink_before_dir_sync");
            self.vfs
                .sync_dir(&self.dir)
                .map_err(|e| WalError::io("sync_dir", &self.dir, e))?;
        }
        match err {
            Some(e) => Err(e),
            None => Ok((unlinked, recycled, deferred)),
        }
    }
}
