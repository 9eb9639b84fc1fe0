//! [`Store`]: the namespace's storage core. The WAL is the source of truth; the state is derived
//! from it (one mutex, applied in WAL order); the index checkpoints that state; the clock stamps
//! what is decided. Nothing changes the state or appends to the WAL but a
//! [`Txn`](super::txn::Txn).

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use gridlog_wal::{Durability, Wal};
use parking_lot::{Mutex, MutexGuard};

use crate::anchor::ClockAnchor;
use crate::clock::Clock;
use crate::error::EngineError;
use crate::index::StateIndex;
use crate::state::{NamespaceState, Now};

/// The storage core (see the module docs).
pub(super) struct Store {
    pub(super) dir: PathBuf,
    pub(super) wal: Wal,
    /// Read it freely (`state.lock()`); change it only in a [`super::txn::Txn`].
    pub(super) state: Mutex<NamespaceState>,
    pub(super) index: Arc<dyn StateIndex>,
    pub(super) clock: Arc<dyn Clock>,
    /// The lock clock's anchor for this boot (`None`: lock time is wall time).
    anchor: Option<ClockAnchor>,
    pub(super) durability: Durability,
    pub(super) record_bytes_max: usize,
    poisoned: AtomicBool,
    closed: AtomicBool,
}

impl Store {
    #[expect(clippy::too_many_arguments, reason = "built once, by open")]
    pub(super) fn new(
        dir: PathBuf,
        wal: Wal,
        state: NamespaceState,
        index: Arc<dyn StateIndex>,
        clock: Arc<dyn Clock>,
        anchor: Option<ClockAnchor>,
        durability: Durability,
        record_bytes_max: usize,
    ) -> Self {
        Self {
            dir,
            wal,
            state: Mutex::new(state),
            index,
            clock,
            anchor,
            durability,
            record_bytes_max,
            poisoned: AtomicBool::new(false),
            closed: AtomicBool::new(false),
        }
    }

    /// Reads the clock: wall, lock (on this boot's anchor) and monotonic time.
    pub(super) fn now(&self) -> Now {
        read_now(&*self.clock, self.anchor)
    }

    /// Fails with `Closed` or `Poisoned` when the store takes no more work.
    pub(super) fn check_usable(&self) -> Result<(), EngineError> {
        if self.closed.load(Ordering::Acquire) {
            return Err(EngineError::Closed);
        }
        if self.poisoned.load(Ordering::Acquire) {
            return Err(EngineError::Poisoned);
        }
        Ok(())
    }

    /// The state mutex, for a usable store (checked before and after waiting for it).
    pub(super) fn lock_state(&self) -> Result<MutexGuard<'_, NamespaceState>, EngineError> {
        self.check_usable()?;
        let guard = self.state.lock();
        self.check_usable()?;
        Ok(guard)
    }

    /// Marks the store poisoned: every later call fails until it is reopened.
    pub(super) fn set_poisoned(&self) {
        self.poisoned.store(true, Ordering::Release);
    }

    pub(super) fn is_poisoned(&self) -> bool {
        self.poisoned.load(Ordering::Acquire)
    }

    /// Marks the store closed; `true` if it already was.
    pub(super) fn mark_closed(&self) -> bool {
        self.closed.swap(true, Ordering::AcqRel)
    }
}

/// Reads `clock`: wall, lock (on `anchor`, when it is this boot's) and monotonic time.
pub(super) fn read_now(clock: &dyn Clock, anchor: Option<ClockAnchor>) -> Now {
    let wall_ms = clock.now().unix_millis();
    let lock_ms = anchor
        .and_then(|anchor| anchor.lock_ms(clock.boot()?))
        .unwrap_or(wall_ms);
    Now {
        wall_ms,
        lock_ms,
        mono: clock.monotonic(),
    }
}
