//! The embedded peers of `engine_ratio`: a durable queue on fjall, redb and sled, each with
//! the same workload as gridlog (insert batches, take 100 with lock entries, delete).

use std::path::Path;

use redb::ReadableTable as _;

use super::{BATCH, PEER_LOCK_BYTES};

/// A durable queue on top of a key-value store: the operations the peer workload needs.
pub(crate) trait PeerQueue {
    /// Inserts `(seq, value)` pairs in one durable commit.
    fn insert_batch(&mut self, batch: &[(u64, &[u8])]);
    /// Reads up to 100 events from `from` on and writes their lock entries, in one durable
    /// commit; returns their keys.
    fn take(&mut self, from: u64) -> Vec<u64>;
    /// Deletes the events and their lock entries in one durable commit.
    fn delete(&mut self, keys: &[u64]);
}

pub(crate) struct Fjall {
    db: fjall::Database,
    events: fjall::Keyspace,
    locks: fjall::Keyspace,
}

impl Fjall {
    pub(crate) fn open(dir: &Path) -> Self {
        let db = fjall::Database::builder(dir).open().expect("fjall open");
        let events = db
            .keyspace("events", fjall::KeyspaceCreateOptions::default)
            .expect("keyspace");
        let locks = db
            .keyspace("locks", fjall::KeyspaceCreateOptions::default)
            .expect("keyspace");
        Self { db, events, locks }
    }

    fn batch(&self) -> fjall::OwnedWriteBatch {
        self.db
            .batch()
            .durability(Some(fjall::PersistMode::SyncAll))
    }
}

impl PeerQueue for Fjall {
    fn insert_batch(&mut self, batch: &[(u64, &[u8])]) {
        let mut b = self.batch();
        for &(k, v) in batch {
            b.insert(&self.events, k.to_be_bytes(), v);
        }
        b.commit().expect("fjall commit");
    }

    fn take(&mut self, from: u64) -> Vec<u64> {
        let mut b = self.batch();
        let mut keys = Vec::with_capacity(BATCH);
        for guard in self.events.range(from.to_be_bytes()..).take(BATCH) {
            let (k, v) = guard.into_inner().expect("fjall read");
            std::hint::black_box(&v);
            let seq = u64::from_be_bytes(k.as_ref().try_into().expect("8-byte key"));
            b.insert(&self.locks, seq.to_be_bytes(), lock_entry(seq));
            keys.push(seq);
        }
        b.commit().expect("fjall commit");
        keys
    }

    fn delete(&mut self, keys: &[u64]) {
        let mut b = self.batch();
        for &k in keys {
            b.remove(&self.events, k.to_be_bytes());
            b.remove(&self.locks, k.to_be_bytes());
        }
        b.commit().expect("fjall commit");
    }
}

const REDB_EVENTS: redb::TableDefinition<u64, &[u8]> = redb::TableDefinition::new("events");
const REDB_LOCKS: redb::TableDefinition<u64, &[u8]> = redb::TableDefinition::new("locks");

pub(crate) struct Redb(pub(crate) redb::Database);

impl Redb {
    /// Every write transaction commits with `Durability::Immediate` (redb's default and
    /// strongest: fsync before `commit` returns).
    fn write(&self) -> redb::WriteTransaction {
        let mut txn = self.0.begin_write().expect("redb begin");
        txn.set_durability(redb::Durability::Immediate)
            .expect("durability");
        txn
    }
}

impl PeerQueue for Redb {
    fn insert_batch(&mut self, batch: &[(u64, &[u8])]) {
        let txn = self.write();
        {
            let mut t = txn.open_table(REDB_EVENTS).expect("table");
            for &(k, v) in batch {
                t.insert(k, v).expect("insert");
            }
        }
        txn.commit().expect("redb commit");
    }

    fn take(&mut self, from: u64) -> Vec<u64> {
        let txn = self.write();
        let mut keys = Vec::with_capacity(BATCH);
        {
            let events = txn.open_table(REDB_EVENTS).expect("table");
            let mut locks = txn.open_table(REDB_LOCKS).expect("table");
            for item in events.range(from..).expect("range").take(BATCH) {
                let (k, v) = item.expect("read");
                std::hint::black_box(v.value());
                let seq = k.value();
                locks
                    .insert(seq, lock_entry(seq).as_slice())
                    .expect("insert");
                keys.push(seq);
            }
        }
        txn.commit().expect("redb commit");
        keys
    }

    fn delete(&mut self, keys: &[u64]) {
        let txn = self.write();
        {
            let mut events = txn.open_table(REDB_EVENTS).expect("table");
            let mut locks = txn.open_table(REDB_LOCKS).expect("table");
            for &k in keys {
                events.remove(k).expect("remove");
                locks.remove(k).expect("remove");
            }
        }
        txn.commit().expect("redb commit");
    }
}

pub(crate) struct Sled {
    db: sled::Db,
    events: sled::Tree,
    locks: sled::Tree,
}

impl Sled {
    /// sled with its default configuration (1 GB cache); every batch is followed by `flush()`
    /// (fsync), its only durable commit.
    pub(crate) fn open(dir: &Path) -> Self {
        let db = sled::Config::new().path(dir).open().expect("sled open");
        let events = db.open_tree("events").expect("tree");
        let locks = db.open_tree("locks").expect("tree");
        Self { db, events, locks }
    }
}

impl PeerQueue for Sled {
    fn insert_batch(&mut self, batch: &[(u64, &[u8])]) {
        let mut b = sled::Batch::default();
        for &(k, v) in batch {
            b.insert(&k.to_be_bytes(), v);
        }
        self.events.apply_batch(b).expect("apply");
        self.db.flush().expect("flush");
    }

    fn take(&mut self, from: u64) -> Vec<u64> {
        let mut b = sled::Batch::default();
        let mut keys = Vec::with_capacity(BATCH);
        for item in self.events.range(from.to_be_bytes()..).take(BATCH) {
            let (k, v) = item.expect("read");
            std::hint::black_box(&v);
            let seq = u64::from_be_bytes(k.as_ref().try_into().expect("8-byte key"));
            b.insert(&seq.to_be_bytes(), &lock_entry(seq));
            keys.push(seq);
        }
        self.locks.apply_batch(b).expect("apply");
        self.db.flush().expect("flush");
        keys
    }

    fn delete(&mut self, keys: &[u64]) {
        let (mut e, mut l) = (sled::Batch::default(), sled::Batch::default());
        for &k in keys {
            e.remove(&k.to_be_bytes());
            l.remove(&k.to_be_bytes());
        }
        self.events.apply_batch(e).expect("apply");
        self.locks.apply_batch(l).expect("apply");
        self.db.flush().expect("flush");
    }
}

// ---- parent -----------------------------------------------------------------------------------

fn lock_entry(seq: u64) -> [u8; PEER_LOCK_BYTES] {
    let mut e = [0u8; PEER_LOCK_BYTES];
    e[..8].copy_from_slice(&seq.to_be_bytes());
    e[16..24].copy_from_slice(&(seq ^ 0xdead_beef).to_le_bytes());
    e[24..].copy_from_slice(&1u32.to_le_bytes());
    e
}
