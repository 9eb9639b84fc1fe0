//! Caps on waiting receives (long-polls).
//!
//! A receive that waits holds its connection, a task and an engine waiter for up to
//! `maxWaitTime` (120 s). At most [`LONG_POLLS_PER_SUBSCRIPTION_MAX`] wait on one subscription
//! and [`LONG_POLLS_MAX`] in the namespace; a receive beyond either is answered at once without
//! waiting: with the events already available, else with the empty `{"value":[]}` the service's
//! contract allows for any receive. Its connection then becomes idle and falls under the idle
//! budget ([`crate::server::connections`]) like any other.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// Receives waiting at once on one subscription.
pub const LONG_POLLS_PER_SUBSCRIPTION_MAX: usize = 256;
/// Receives waiting at once in the namespace.
pub const LONG_POLLS_MAX: usize = 1_024;

#[derive(Debug, Default)]
struct Counts {
    total: usize,
    /// Waiting receives per (topic, subscription), names lower-cased (a name's case does not
    /// make it another bucket).
    per_subscription: HashMap<(String, String), usize>,
}

/// The waiting receives, counted.
#[derive(Debug, Default)]
pub struct LongPolls {
    counts: Mutex<Counts>,
}

impl LongPolls {
    fn lock(&self) -> MutexGuard<'_, Counts> {
        // Counts are updated in single statements: a panic elsewhere does not spoil them.
        self.counts.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A slot to wait on `topic`/`subscription`, or `None` if a cap is reached.
    pub fn try_begin(self: &Arc<Self>, topic: &str, subscription: &str) -> Option<LongPollSlot> {
        let key = (topic.to_lowercase(), subscription.to_lowercase());
        let mut counts = self.lock();
        if counts.total >= LONG_POLLS_MAX {
            return None;
        }
        let waiting = counts.per_subscription.entry(key.clone()).or_default();
        if *waiting >= LONG_POLLS_PER_SUBSCRIPTION_MAX {
            return None;
        }
        *waiting += 1;
        counts.total += 1;
        Some(LongPollSlot {
            polls: self.clone(),
            key,
        })
    }

    /// Receives waiting now.
    pub fn waiting(&self) -> usize {
        self.lock().total
    }
}

/// One waiting receive; dropping it frees the slot.
#[derive(Debug)]
pub struct LongPollSlot {
    polls: Arc<LongPolls>,
    key: (String, String),
}

impl Drop for LongPollSlot {
    fn drop(&mut self) {
        let mut counts = self.polls.lock();
        counts.total = counts.total.saturating_sub(1);
        if let Some(waiting) = counts.per_subscription.get_mut(&self.key) {
            *waiting = waiting.saturating_sub(1);
            if *waiting == 0 {
                counts.per_subscription.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_per_subscription_and_namespace() {
        let polls = Arc::new(LongPolls::default());
        let on_a: Vec<_> = (0..LONG_POLLS_PER_SUBSCRIPTION_MAX)
            .filter_map(|_| polls.try_begin("t", "a"))
            .collect();
        assert_eq!(on_a.len(), LONG_POLLS_PER_SUBSCRIPTION_MAX);
        assert!(
            polls.try_begin("T", "A").is_none(),
            "case is the same bucket"
        );
        let mut others = Vec::new();
        for i in 0.. {
            match polls.try_begin("t", &format!("s{}", i / LONG_POLLS_PER_SUBSCRIPTION_MAX)) {
                Some(slot) => others.push(slot),
                None => break,
            }
        }
        assert_eq!(polls.waiting(), LONG_POLLS_MAX);
        drop(on_a);
        assert_eq!(
            polls.waiting(),
            LONG_POLLS_MAX - LONG_POLLS_PER_SUBSCRIPTION_MAX
        );
        assert!(polls.try_begin("t", "a").is_some());
        drop(others);
        assert_eq!(polls.waiting(), 0);
    }
}
