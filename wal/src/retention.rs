//! Retention: dropping whole segments below a sequence number.
//!
//! Order: (1) write the new low watermark to `wal.meta` (atomic replace, durable), (2) remove
//! the segments from the live list, (3) unlink each file no reader holds, (4) `fsync` the
//! directory. Files still held (an iterator or a `RecordBytes` keeps a segment or its mapping)
//! wait on a pending list and are unlinked by a later `purge_before`, append or `close` once the
//! last reader lets go; `Drop` does no I/O. After a crash, files below the low watermark are
//! unlinked by recovery.

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
        self.first_seq.store(first.base, Ordering::Release);
        drop(w);
        report.segments_purged = purge.len();
        report.first_seq = Seq(first.base);
        {
            let mut pending = self.pending.lock();
            pending.extend(purge);
            self.pending_nonempty.store(true, Ordering::Release);
        }
        let (unlinked, deferred) = self.reap_pending_counts()?;
        report.files_unlinked = unlinked;
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

    fn reap_pending_counts(&self) -> Result<(usize, usize)> {
        let mut pending = self.pending.lock();
        let mut unlinked = 0;
        let mut err = None;
        pending.retain(|seg| {
            if err.is_some() || seg.is_held() {
                return true;
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
        if unlinked > 0 {
            failpoint!("wal::retention::after_unlink_before_dir_sync");
            self.vfs
                .sync_dir(&self.dir)
                .map_err(|e| WalError::io("sync_dir", &self.dir, e))?;
        }
        match err {
            Some(e) => Err(e),
            None => Ok((unlinked, deferred)),
        }
    }
}
