//! What spans [`Inner`]'s parts: throttling, poisoning (which wakes every waiter), the wake-up
//! registration of a receive (which looks the topic up in the state).

use super::Inner;
use crate::error::EngineError;
use crate::throttle::Direction;

impl Inner {
    /// Takes `events` and `bytes` from `direction`'s throughput limit, or fails with `Throttled`.
    pub(super) fn throttle(
        &self,
        direction: Direction,
        events: u64,
        bytes: u64,
    ) -> Result<(), EngineError> {
        self.throttle
            .try_take(direction, events, bytes, || self.store.clock.monotonic())
            .map_err(|refused| EngineError::Throttled {
                direction: refused.direction,
                retry_after: refused.retry_after,
            })
    }

    /// After a failed append: a WAL that is not poisoned wrote nothing (a clean `NoSpace` at a
    /// segment roll, a rejected argument), so the state is intact and the namespace stays
    /// usable; otherwise poison.
    pub(super) fn poison_unless_wal_intact(&self) {
        if self.store.wal.is_poisoned() {
            self.poison();
        }
    }

    /// Poisons the namespace (every later call fails until it is reopened) and wakes every
    /// waiter so that it sees that.
    pub(super) fn poison(&self) {
        self.store.set_poisoned();
        self.waiters.notify_all();
    }

    /// A listener for wake-ups of `topic` (registered before the receive looks, so nothing that
    /// happens after the look is missed).
    pub(super) fn listen(&self, topic: &str) -> event_listener::EventListener {
        let id = self.store.state.lock().topic_id(topic);
        self.waiters.listen(id)
    }
}
