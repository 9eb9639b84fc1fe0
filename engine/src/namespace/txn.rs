//! [`Txn`]: the only way to change the namespace's state, and the only code that appends to the
//! WAL.
//!
//! The write protocol, once: [`Txn::begin`] takes the state mutex and reads the clock; the
//! decision code reads the state, pushes records ([`Txn::append`] and friends: each batch is
//! appended with `Durability::Never` and applied at once, so WAL order is apply order) and notes
//! the wake-ups they cause ([`Txn::wake`]); [`Txn::commit`] releases the mutex, **then** waits
//! for a group-committed sync covering the transaction's own records (per the namespace's
//! durability, or always for [`Txn::durable`]), then wakes the waiters. `commit` consumes the
//! transaction, so no sync can run under the state lock; dropping a transaction without
//! committing releases the lock and leaves its records to the next sync (they are applied and
//! will be made durable by whoever syncs next; a receive does not see them before).
//!
//! A failed append poisons the namespace unless the WAL wrote nothing (a clean `NoSpace` at a
//! roll); a failed apply or sync always poisons it.

use std::ops::{Deref, DerefMut};

use gridlog_wal::{Durability, Seq, SeqRange};
use parking_lot::MutexGuard;

use super::Inner;
use crate::error::EngineError;
use crate::record::{self, StateRecord};
use crate::state::{NamespaceState, Now};

/// One state change in progress (see the module docs).
pub(super) struct Txn<'a> {
    inner: &'a Inner,
    state: MutexGuard<'a, NamespaceState>,
    now: Now,
    /// One past the last record this transaction appended.
    end: Option<Seq>,
    /// Topics whose waiters the commit wakes.
    wake: Vec<u32>,
    /// Event Hubs whose waiters the commit wakes.
    wake_hubs: Vec<u32>,
    /// Sync at commit whatever the namespace's durability (a checkpoint before a purge).
    durable: bool,
}

impl<'a> Txn<'a> {
    /// Takes the state mutex (failing if the namespace is closed or poisoned) and reads the
    /// clock.
    pub(super) fn begin(inner: &'a Inner) -> Result<Self, EngineError> {
        let state = inner.store.lock_state()?;
        let now = inner.store.now();
        Ok(Self {
            inner,
            state,
            now,
            end: None,
            wake: Vec::new(),
            wake_hubs: Vec::new(),
            durable: false,
        })
    }

    /// The time the transaction decides at.
    /// The namespace this transaction writes to.
    pub(super) fn inner(&self) -> &'a Inner {
        self.inner
    }

    pub(super) fn now(&self) -> Now {
        self.now
    }

    /// The sequence number the next append gets.
    pub(super) fn next_seq(&self) -> Seq {
        self.inner.store.wal.next_seq()
    }

    /// Appends `records` as one batch and applies them.
    pub(super) fn append(&mut self, records: &[StateRecord<'_>]) -> Result<SeqRange, EngineError> {
        self.append_reserving(records, 0)
    }

    /// [`Self::append`], keeping `reserve` bytes of the active segment free
    /// ([`gridlog_wal::Wal::append_reserving`]): publishes keep room for settlements and
    /// checkpoints, so a full disk stops publishes (`NoSpace`, HTTP 507) while acknowledgements
    /// and reclamation go on.
    pub(super) fn append_reserving(
        &mut self,
        records: &[StateRecord<'_>],
        reserve: u64,
    ) -> Result<SeqRange, EngineError> {
        let encoded: Vec<Vec<u8>> = records.iter().map(StateRecord::encode).collect();
        let slices: Vec<&[u8]> = encoded.iter().map(Vec::as_slice).collect();
        self.append_encoded(&slices, records, reserve)
    }

    /// Appends records that are already encoded, decoding them to apply them (records whose
    /// borrowed parts did not outlive their encoding).
    pub(super) fn append_bytes(&mut self, encoded: &[Vec<u8>]) -> Result<SeqRange, EngineError> {
        let first = self.inner.store.wal.next_seq().0;
        let records = encoded
            .iter()
            .enumerate()
            .map(|(offset, bytes)| record::decode(first + offset as u64, bytes))
            .collect::<Result<Vec<_>, _>>()?;
        let slices: Vec<&[u8]> = encoded.iter().map(Vec::as_slice).collect();
        self.append_encoded(&slices, &records, 0)
    }

    /// The one place the engine appends to the WAL: `encoded[i]` is the encoding of
    /// `records[i]`; appended as one batch, not yet synced, then applied in order.
    pub(super) fn append_encoded(
        &mut self,
        encoded: &[&[u8]],
        records: &[StateRecord<'_>],
        reserve: u64,
    ) -> Result<SeqRange, EngineError> {
        debug_assert_eq!(encoded.len(), records.len());
        let inner = self.inner;
        let range = inner
            .store
            .wal
            .append_reserving(encoded, Durability::Never, reserve)
            .inspect_err(|_| inner.poison_unless_wal_intact())?;
        failpoint!("engine::append::after_wal_before_apply");
        for (offset, rec) in records.iter().enumerate() {
            self.state
                .apply(range.start.0 + offset as u64, rec, self.now)
                .inspect_err(|_| inner.poison())?;
        }
        self.end = Some(range.end);
        Ok(range)
    }

    /// Wakes `topic`'s waiting receives once the transaction is committed.
    pub(super) fn wake(&mut self, topic: u32) {
        self.wake.push(topic);
    }

    /// Wakes Event Hub `hub`'s waits once the transaction is committed.
    pub(super) fn wake_hub(&mut self, hub: u32) {
        self.wake_hubs.push(hub);
    }

    /// Makes the commit sync whatever the namespace's durability (a checkpoint must be durable
    /// before anything below it is purged).
    pub(super) fn durable(&mut self) {
        self.durable = true;
    }

    /// Releases the state mutex, waits for the transaction's records to be durable (per the
    /// namespace's durability), then wakes the waiters it noted. Nothing synced under the lock.
    pub(super) fn commit(self) -> Result<(), EngineError> {
        let Self {
            inner,
            state,
            end,
            mut wake,
            mut wake_hubs,
            durable,
            ..
        } = self;
        drop(state);
        if let Some(end) = end {
            failpoint!("engine::append::after_apply_before_sync");
            if durable || inner.store.durability == Durability::Always {
                inner
                    .store
                    .wal
                    .sync_to(end)
                    .inspect_err(|_| inner.poison())?;
            }
        }
        wake.sort_unstable();
        wake.dedup();
        for topic in wake {
            inner.waiters.notify_topic(topic);
        }
        wake_hubs.sort_unstable();
        wake_hubs.dedup();
        for hub in wake_hubs {
            inner.waiters.notify_hub(hub);
        }
        Ok(())
    }
}

impl Deref for Txn<'_> {
    type Target = NamespaceState;

    fn deref(&self) -> &NamespaceState {
        &self.state
    }
}

/// In-memory changes that need no record (a scan position moved past what it skipped, the
/// in-memory meters) are made through the transaction too, under the same lock.
impl DerefMut for Txn<'_> {
    fn deref_mut(&mut self) -> &mut NamespaceState {
        &mut self.state
    }
}
