//! [`Acks`]: persistent sessions' PUBACKs on their way to the engine, in batches. Each PUBACK
//! of a tracked delivery is noted here; one flush at a time hands everything noted so far to
//! `Namespace::mqtt_session_ack` (one transaction, one group-committed sync), and whatever
//! arrives meanwhile goes with the next flush. The promise: an acknowledged message leaves its
//! session's queue durably with the next flush; if the process dies before, it is sent again
//! after the restart with DUP=1 (at least once, never lost).

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Weak;

use crate::broker::Broker;

/// The acknowledgements waiting for the engine (on the listener thread).
pub struct Acks {
    broker: Weak<Broker>,
    pending: RefCell<BTreeMap<String, Vec<u64>>>,
    flushing: Cell<bool>,
}

impl Acks {
    /// Nothing noted yet.
    pub fn new(broker: Weak<Broker>) -> Self {
        Self {
            broker,
            pending: RefCell::new(BTreeMap::new()),
            flushing: Cell::new(false),
        }
    }

    /// Notes the PUBACK of message `id` of session `client_id`; starts a flush unless one runs.
    pub fn push(&self, client_id: &str, id: u64) {
        self.pending
            .borrow_mut()
            .entry(client_id.to_owned())
            .or_default()
            .push(id);
        if self.flushing.replace(true) {
            return;
        }
        let broker = self.broker.clone();
        ntex_rt::spawn(async move {
            loop {
                let Some(broker) = broker.upgrade() else {
                    return;
                };
                let batch: Vec<(String, Vec<u64>)> =
                    std::mem::take(&mut *broker.acks.pending.borrow_mut())
                        .into_iter()
                        .collect();
                if batch.is_empty() {
                    broker.acks.flushing.set(false);
                    return;
                }
                let namespace = broker.shared().namespace.clone();
                drop(broker);
                let done =
                    tokio::task::spawn_blocking(move || namespace.mqtt_session_ack(&batch)).await;
                let failed = match done {
                    Ok(Ok(())) => None,
                    Ok(Err(e)) => Some(e.to_string()),
                    Err(e) => Some(e.to_string()),
                };
                if let Some(error) = failed {
                    tracing::warn!(%error, "storing MQTT acknowledgements failed");
                }
            }
        });
    }
}
