//! Owner-level (epoch) receivers (reference §5.4), per hub, consumer group and partition:
//!
//! - a receiver with epoch E attaches when no receiver there has a higher epoch, and every
//!   other receiver there (lower or equal epoch, or none) is detached with `amqp:link:stolen`;
//! - a receiver with a lower epoch than one present is refused with `amqp:link:stolen`;
//! - a receiver without epoch is refused while an epoch receiver is present, and at most
//!   [`MAX_RECEIVERS_PER_PARTITION`] of them read one partition of one consumer group.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::watch;

use crate::limits::MAX_RECEIVERS_PER_PARTITION;

/// Why a receiver may not attach.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A receiver with a higher epoch (or, for a receiver without one, any epoch) is present.
    Stolen {
        /// The epoch present.
        present: i64,
    },
    /// Already [`MAX_RECEIVERS_PER_PARTITION`] receivers without epoch.
    TooMany,
}

struct Entry {
    id: u64,
    epoch: Option<i64>,
    /// Set to the thief's epoch when the receiver must detach.
    stolen: watch::Sender<Option<i64>>,
}

/// The receivers of every partition, shared by all connections.
#[derive(Default)]
pub struct Owners {
    next_id: Mutex<u64>,
    by_partition: Mutex<HashMap<(String, String, u32), Vec<Entry>>>,
}

/// A registered receiver; dropping it deregisters.
pub struct Ownership {
    owners: Arc<Owners>,
    key: (String, String, u32),
    id: u64,
    /// Changes to `Some(epoch)` when a receiver with `epoch` takes the partition over.
    pub stolen: watch::Receiver<Option<i64>>,
}

impl Owners {
    /// Registers a receiver on `hub`/`group`/`partition` with `epoch`, detaching the ones it
    /// displaces.
    pub fn attach(
        self: &Arc<Self>,
        hub: &str,
        group: &str,
        partition: u32,
        epoch: Option<i64>,
    ) -> Result<Ownership, Refusal> {
        let key = (
            hub.to_ascii_lowercase(),
            group.to_ascii_lowercase(),
            partition,
        );
        let mut all = self
            .by_partition
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let present = all.entry(key.clone()).or_default();
        let highest = present.iter().filter_map(|e| e.epoch).max();
        match (epoch, highest) {
            (Some(mine), Some(theirs)) if mine < theirs => {
                return Err(Refusal::Stolen { present: theirs });
            }
            (None, Some(theirs)) => return Err(Refusal::Stolen { present: theirs }),
            (None, None) if present.len() >= MAX_RECEIVERS_PER_PARTITION => {
                return Err(Refusal::TooMany);
            }
            (Some(mine), _) => {
                for displaced in present.drain(..) {
                    let _ = displaced.stolen.send(Some(mine));
                }
            }
            (None, None) => {}
        }
        let id = {
            let mut next = self
                .next_id
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            *next += 1;
            *next
        };
        let (stolen, watcher) = watch::channel(None);
        present.push(Entry { id, epoch, stolen });
        Ok(Ownership {
            owners: self.clone(),
            key,
            id,
            stolen: watcher,
        })
    }
}

impl Drop for Ownership {
    fn drop(&mut self) {
        let mut all = self
            .owners
            .by_partition
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(present) = all.get_mut(&self.key) {
            present.retain(|e| e.id != self.id);
            if present.is_empty() {
                all.remove(&self.key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_higher_or_equal_epoch_takes_over_and_a_lower_one_is_refused() {
        let owners = Arc::new(Owners::default());
        let plain = owners.attach("eh", "$Default", 0, None);
        let Ok(plain) = plain else {
            panic!("first receiver refused")
        };
        let Ok(first) = owners.attach("EH", "$default", 0, Some(5)) else {
            panic!("epoch 5 refused")
        };
        assert_eq!(*plain.stolen.borrow(), Some(5));
        assert!(matches!(
            owners.attach("eh", "$Default", 0, Some(4)),
            Err(Refusal::Stolen { present: 5 })
        ));
        assert!(matches!(
            owners.attach("eh", "$Default", 0, None),
            Err(Refusal::Stolen { present: 5 })
        ));
        let Ok(second) = owners.attach("eh", "$Default", 0, Some(5)) else {
            panic!("equal epoch refused")
        };
        assert_eq!(*first.stolen.borrow(), Some(5));
        assert_eq!(*second.stolen.borrow(), None);
        // Other partitions and groups are independent.
        assert!(owners.attach("eh", "$Default", 1, None).is_ok());
        assert!(owners.attach("eh", "other", 0, None).is_ok());
        drop((plain, first, second));
        assert!(owners.attach("eh", "$Default", 0, None).is_ok());
    }

    #[test]
    fn at_most_five_receivers_without_epoch() {
        let owners = Arc::new(Owners::default());
        let held: Vec<_> = (0..MAX_RECEIVERS_PER_PARTITION)
            .map(|_| owners.attach("eh", "g", 0, None))
            .collect();
        assert!(held.iter().all(Result::is_ok));
        assert!(matches!(
            owners.attach("eh", "g", 0, None),
            Err(Refusal::TooMany)
        ));
    }
}
