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
use std::time::{Duration, Instant};

use crate::error::{Result, WalError};
use crate::options::Mutant;
use crate::state::Shared;

/// Upper bound on the time a group-commit leader waits for its group to gather.
const GATHER_WAIT_MAX: Duration = Duration::from_millis(2);

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
            self.gather_group();
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

    /// Before a leader captures how far the log is written, it waits (bounded) until about as
    /// many appends are pending as its predecessor's sync covered. Without this, threads
    /// released by one sync re-append just after the next leader has captured, and every sync
    /// covers only half the appenders. The wait is at most half the last sync's duration (and
    /// at most `GATHER_WAIT_MAX`), and is skipped when the last group was a single caller, so
    /// a lone appender never waits.
    fn gather_group(&self) {
        let target = self.last_group.load(Ordering::Relaxed);
        if target <= 1 {
            return;
        }
        let budget = Duration::from_nanos(self.last_sync_nanos.load(Ordering::Relaxed) / 2)
            .min(GATHER_WAIT_MAX);
        let t0 = Instant::now();
        while self.unsynced_calls.load(Ordering::Acquire) < target && t0.elapsed() < budget {
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
        let group = self.unsynced_calls.swap(0, Ordering::AcqRel);
        let t0 = Instant::now();
        if self.opts.mutant != Mutant::SkipSync {
            file.sync_data()
                .map_err(|e| WalError::io("sync_data", path, e))?;
        }

        self.last_sync_nanos.store(
            u64::try_from(t0.elapsed().as_nanos()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
        self.last_group.store(group, Ordering::Relaxed);
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
