//! [`Workers`]: the namespace's background threads, the maintenance sweep and the ticker that
//! wakes async waiters, and how they stop.

use std::sync::{OnceLock, Weak};
use std::thread::JoinHandle;
use std::time::Duration;

use parking_lot::{Condvar, Mutex};

use super::Inner;
use crate::error::EngineError;

/// Longest real-time sleep of a waiting receive whose clock does not follow real time (tests'
/// `ManualClock`) before it re-reads the clock; also the async ticker's period (futures have no
/// timer without a runtime).
pub(super) const WAIT_SLICE: Duration = Duration::from_millis(100);

/// The background threads and their stop signal.
#[derive(Default)]
pub(super) struct Workers {
    stop: Mutex<bool>,
    stop_cv: Condvar,
    maintenance: Mutex<Option<JoinHandle<()>>>,
    ticker: OnceLock<()>,
}

impl Workers {
    /// Starts the maintenance thread: a sweep every `every` until stopped.
    pub(super) fn spawn_maintenance(
        &self,
        inner: Weak<Inner>,
        every: Duration,
    ) -> Result<(), EngineError> {
        let handle = std::thread::Builder::new()
            .name("gridlog-maintenance".into())
            .spawn(move || maintenance_loop(&inner, every))
            .map_err(|source| EngineError::Thread {
                name: "gridlog-maintenance",
                source,
            })?;
        *self.maintenance.lock() = Some(handle);
        Ok(())
    }

    /// Starts (once) the ticker thread. Without it, async waits still end at the next publish
    /// or settlement, so a failure to start it is not an error.
    pub(super) fn start_ticker(&self, inner: Weak<Inner>) {
        self.ticker.get_or_init(|| {
            let _spawned = std::thread::Builder::new()
                .name("gridlog-ticker".into())
                .spawn(move || ticker_loop(&inner));
        });
    }

    /// Waits up to `period`; `true` once stopped.
    fn wait(&self, period: Duration) -> bool {
        let mut stop = self.stop.lock();
        if *stop {
            return true;
        }
        let _timeout = self.stop_cv.wait_for(&mut stop, period);
        *stop
    }

    /// Stops the threads and joins the maintenance thread (unless this is it).
    pub(super) fn stop(&self) {
        *self.stop.lock() = true;
        self.stop_cv.notify_all();
        let handle = self.maintenance.lock().take();
        if let Some(handle) = handle
            && handle.thread().id() != std::thread::current().id()
        {
            let _joined = handle.join();
        }
    }
}

fn maintenance_loop(weak: &Weak<Inner>, every: Duration) {
    loop {
        let Some(inner) = weak.upgrade() else { return };
        if inner.workers.wait(every) {
            return;
        }
        // A failed sweep is retried at the next interval; a poisoned namespace fails every call.
        let _report = inner.run_maintenance();
    }
}

fn ticker_loop(weak: &Weak<Inner>) {
    loop {
        let Some(inner) = weak.upgrade() else { return };
        if inner.workers.wait(WAIT_SLICE) {
            return;
        }
        if inner.waiters.any_async() {
            inner.waiters.notify_all();
        }
    }
}
