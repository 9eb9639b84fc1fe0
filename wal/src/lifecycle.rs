//! [`Lifecycle`]: whether the log still takes writes (closed, poisoned), the background
//! syncer's stop signal, and the directory lock.
//!
//! Locks: `stop` and `dir_lock` are leaves: nothing else is taken while either is held.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use parking_lot::{Condvar, Mutex};

use crate::error::{Result, WalError};
use crate::vfs::DirLockGuard;

/// The log's lifecycle flags and the directory lock.
#[derive(Debug)]
pub(crate) struct Lifecycle {
    /// A write or sync failed: appends and syncs return `Poisoned` until the log is reopened.
    poisoned: AtomicBool,
    /// `close` wrote its marker: later calls return `Closed`.
    closed: AtomicBool,
    /// Interval-syncer shutdown flag.
    stop: Mutex<bool>,
    /// Wakes the interval syncer when `stop` is set.
    stop_cv: Condvar,
    /// The directory lock ([`crate::Vfs::lock_dir`]): released by a clean close that leaves no
    /// purged segment waiting for a reader, else when the last reference goes.
    dir_lock: Mutex<Option<DirLockGuard>>,
}

impl Lifecycle {
    /// An open, writable log holding `dir_lock`.
    pub fn new(dir_lock: DirLockGuard) -> Lifecycle {
        Lifecycle {
            poisoned: AtomicBool::new(false),
            closed: AtomicBool::new(false),
            stop: Mutex::new(false),
            stop_cv: Condvar::new(),
            dir_lock: Mutex::new(Some(dir_lock)),
        }
    }

    /// Rejects calls on a closed or poisoned log.
    pub fn check_writable(&self) -> Result<()> {
        if self.is_closed() {
            return Err(WalError::Closed);
        }
        if self.is_poisoned() {
            return Err(WalError::Poisoned);
        }
        Ok(())
    }

    /// Is the log poisoned by an earlier write or sync error?
    pub fn is_poisoned(&self) -> bool {
        self.poisoned.load(Ordering::Acquire)
    }

    /// Marks the log poisoned (the caller wakes the group-commit followers:
    /// [`crate::state::Shared::poison`]).
    pub fn set_poisoned(&self) {
        self.poisoned.store(true, Ordering::Release);
    }

    /// Has `close` completed?
    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Marks the log closed (under the writer lock, after the close marker is durable).
    pub fn set_closed(&self) {
        self.closed.store(true, Ordering::Release);
    }

    /// Tells the interval syncer to stop, and wakes it.
    pub fn request_stop(&self) {
        *self.stop.lock() = true;
        self.stop_cv.notify_all();
    }

    /// Waits up to `every` for a stop request; returns whether one was made.
    pub fn wait_for_stop(&self, every: Duration) -> bool {
        let mut stop = self.stop.lock();
        if *stop {
            return true;
        }
        let _timed_out = self.stop_cv.wait_for(&mut stop, every);
        *stop
    }

    /// Releases the directory lock: another open may have the directory now.
    pub fn release_dir_lock(&self) {
        drop(self.dir_lock.lock().take());
    }
}
