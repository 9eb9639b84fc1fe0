//! Group commit and the background syncer.
//!
//! `Always`: after writing, an appender calls [`Shared::sync_until`] with the end of its records.
//! If no sync is running it becomes the leader: it notes how far the log is written, runs one
//! `fdatasync` for everyone, publishes the new durable watermark and wakes the followers. A
//! follower whose records the leader's sync did not cover simply leads the next round. So N
//! concurrent appenders share about two syncs, not N.
//!
//! Any sync error poisons the log; fsync is never retried (ATC'20: after a failed fsync the
//! kernel may have marked the dirty pages clean, so a retry can "succeed" over lost data).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::error::{Result, WalError};
use crate::options::Mutant;
use crate::state::Shared;

/// Upper bound on the yields a group-commit leader spends waiting for in-flight writes.
const STRAGGLER_YIELDS_MAX: u32 = 16;

impl Shared {
    /// Returns once everything before `end` (exclusive seq) is durable, or the log is poisoned.
    pub(crate) fn sync_until(&self, end: u64) -> Result<()> {
        let mut s = self.sync.lock();
        loop {
            if self.durable_end.load(Ordering::Acquire) >= end {
                return Ok(());
            }
            if self.poisoned.load(Ordering::Acquire) {
                return Err(WalError::Poisoned);
            }
            if s.syncing {
                self.sync_cv.wait(&mut s);
                continue;
            }
            s.syncing = true;
            drop(s);
            self.let_stragglers_write();
            let r = self.sync_now();
            s = self.sync.lock();
            s.syncing = false;
            self.sync_cv.notify_all();
            if let Err(e) = r {
                drop(s);
                return Err(self.poison(e));
            }
        }
    }

    /// Before a leader captures how far the log is written, give appenders that are between
    /// "entered append" and "written" a moment to finish their write, so the one `fdatasync`
    /// covers them too (otherwise a thread that just returned from the previous sync and
    /// re-appends always misses the next one, halving the batching). Bounded: a few yields.
    fn let_stragglers_write(&self) {
        for _ in 0..STRAGGLER_YIELDS_MAX {
            if self.appending.load(Ordering::Acquire) == 0 {
                break;
            }
            std::thread::yield_now();
        }
    }

    /// One `fdatasync` of the active segment; advances the durable watermark and sync floor.
    /// Callers must not hold the writer lock.
    pub(crate) fn sync_now(&self) -> Result<()> {
        let (file, path, seg_id, offset, end) = {
            let w = self.writer.lock();
            (
                w.active.file.clone(),
                w.active.path.clone(),
                w.active.id,
                w.offset,
                w.next_seq,
            )
        };
        if self.opts.mutant != Mutant::SkipSync {
            file.sync_data()
                .map_err(|e| WalError::io("sync_data", path, e))?;
        }
        {
            let mut w = self.writer.lock();
            if w.active.id == seg_id && w.synced_offset < offset {
                w.synced_offset = offset;
            }
        }
        let prev = self.durable_end.fetch_max(end, Ordering::AcqRel);
        debug_assert!(prev.max(end) <= self.written_end.load(Ordering::Acquire));
        Ok(())
    }

    /// Syncs if anything written is not yet durable (used by `sync()` and the interval thread).
    pub(crate) fn sync_written(&self) -> Result<()> {
        self.check_writable()?;
        let end = self.written_end.load(Ordering::Acquire);
        self.sync_until(end)
    }
}

/// Body of the `Durability::Interval` background thread.
pub(crate) fn interval_syncer(shared: &Arc<Shared>, every: Duration) {
    loop {
        {
            let mut stop = shared.stop.lock();
            if *stop {
                return;
            }
            let _timed_out = shared.stop_cv.wait_for(&mut stop, every);
            if *stop {
                return;
            }
        }
        if shared.check_writable().is_err() {
            return;
        }
        // An error here poisons the log; the next caller sees `Poisoned`.
        let _ = shared.sync_written();
    }
}
