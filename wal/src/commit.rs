//! Group commit and the background syncer.
//!
//! `Always`: after writing, an appender calls [`sync_until`] with the end of its records.
//! If no sync is running it becomes the leader: it notes how far the log is written, runs one
//! `fdatasync` for everyone, publishes the new durable watermark and wakes the followers. A
//! follower whose records the leader's sync did not cover simply leads the next round. So N
//! concurrent appenders share about two syncs, not N.
//!
//! Any sync error poisons the log; fsync is never retried (ATC'20: after a failed fsync the
//! kernel may have marked the dirty pages clean, so a retry can "succeed" over lost data).
//!
//! Locks: [`GroupCommit`]'s `sync` is never held while taking `writer`: the leader releases it
//! before doing I/O and taking `writer` ([`sync_now`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use crate::error::{Result, WalError};
use crate::lifecycle::Lifecycle;
use crate::mutant::Mutant;
use crate::state::Shared;
use crate::watermarks::Watermarks;

/// Upper bound on the time a group-commit leader waits for its group to gather.
const GATHER_WAIT_MAX: Duration = Duration::from_millis(2);

/// Group-commit coordination, under [`GroupCommit`]'s `sync` lock.
#[derive(Debug, Default)]
struct SyncState {
    /// A leader is running `fdatasync` right now.
    syncing: bool,
}

/// The leader/follower protocol of group commit and the figures that size its groups.
#[derive(Debug, Default)]
pub(crate) struct GroupCommit {
    /// Whether a leader is syncing; followers wait on `sync_cv`.
    sync: Mutex<SyncState>,
    /// Wakes the followers when a leader finishes (or the log is poisoned).
    sync_cv: Condvar,
    /// `Always` appends written but not yet covered by a sync leader's capture.
    unsynced_calls: AtomicU64,
    /// Appends the last sync covered (group-commit sizing).
    last_group: AtomicU64,
    /// Duration of the last `fdatasync`, in nanoseconds.
    last_sync_nanos: AtomicU64,
}

impl GroupCommit {
    /// Counts one `Always` append written and waiting for a sync.
    pub fn note_append(&self) {
        self.unsynced_calls.fetch_add(1, Ordering::AcqRel);
    }

    /// Wakes every follower, so that it sees the poison instead of waiting.
    pub fn wake_all(&self) {
        let _guard = self.sync.lock();
        self.sync_cv.notify_all();
    }

    /// Returns once everything before `end` (exclusive seq) is durable, or the log is poisoned.
    /// A caller that becomes the leader runs `lead` (one sync for everyone); its error is
    /// passed through `poison`.
    pub fn sync_until(
        &self,
        end: u64,
        marks: &Watermarks,
        life: &Lifecycle,
        lead: impl Fn() -> Result<()>,
        poison: impl Fn(WalError) -> WalError,
    ) -> Result<()> {
        let mut s = self.sync.lock();
        loop {
            if marks.durable_end() >= end {
                return Ok(());
            }
            if life.is_poisoned() {
                return Err(WalError::Poisoned);
            }
            if s.syncing {
                self.sync_cv.wait(&mut s);
                continue;
            }
            s.syncing = true;
            drop(s);
            self.gather_group();
            let r = lead();
            s = self.sync.lock();
            s.syncing = false;
            self.sync_cv.notify_all();
            if let Err(e) = r {
                drop(s);
                return Err(poison(e));
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

    /// Takes the count of appends the sync about to start covers.
    fn take_group(&self) -> u64 {
        self.unsynced_calls.swap(0, Ordering::AcqRel)
    }

    /// Records how long the sync took and how many appends it covered (the next group's size).
    fn note_synced(&self, group: u64, took: Duration) {
        self.last_sync_nanos.store(
            u64::try_from(took.as_nanos()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
        self.last_group.store(group, Ordering::Relaxed);
    }
}

/// Returns once everything before `end` (exclusive seq) is durable, or the log is poisoned.
pub(crate) fn sync_until(shared: &Shared, end: u64) -> Result<()> {
    shared.commit().sync_until(
        end,
        shared.marks(),
        shared.life(),
        || sync_now(shared),
        |e| shared.poison(e),
    )
}

/// One `fdatasync` of the active segment; advances the durable watermark and sync floor.
/// Callers must not hold the writer lock.
pub(crate) fn sync_now(shared: &Shared) -> Result<()> {
    let (file, path, seg_id, offset, end) = {
        let w = shared.writer().lock();
        (
            w.active.file.clone(),
            w.active.path.clone(),
            w.active.id,
            w.offset,
            w.next_seq,
        )
    };
    let commit = shared.commit();
    let group = commit.take_group();
    let t0 = Instant::now();
    if !shared.opts().plants(Mutant::SkipSync) {
        file.sync_data()
            .map_err(|e| WalError::io("sync_data", path, e))?;
    }

    commit.note_synced(group, t0.elapsed());
    {
        let mut w = shared.writer().lock();
        if w.active.id == seg_id && w.synced_offset < offset {
            w.synced_offset = offset;
        }
    }
    let marks = shared.marks();
    let prev = marks.advance_durable_end(end);
    debug_assert!(prev.max(end) <= marks.written_end());
    Ok(())
}

/// Syncs if anything written is not yet durable (used by `sync()` and the interval thread).
pub(crate) fn sync_written(shared: &Shared) -> Result<()> {
    shared.life().check_writable()?;
    let end = shared.marks().written_end();
    sync_until(shared, end)
}

/// Body of the `Durability::Interval` background thread.
pub(crate) fn interval_syncer(shared: &Arc<Shared>, every: Duration) {
    loop {
        if shared.life().wait_for_stop(every) {
            return;
        }
        if shared.life().check_writable().is_err() {
            return;
        }
        // An error here poisons the log; the next caller sees `Poisoned`.
        let _ = sync_written(shared);
    }
}
