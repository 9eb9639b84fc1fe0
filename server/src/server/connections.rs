//! The connection budget: which connections may be closed when too many sit idle.
//!
//! Every accepted connection is registered here and is, at any time, one of:
//!
//! - **fresh**: accepted, no complete request head yet (silent, or still sending);
//! - **working**: a request is being handled (from its complete head to its answer);
//! - **keep-alive**: idle between two requests.
//!
//! Fresh and keep-alive connections are *idle*: they cost a socket and memory and do no
//! authenticated work, and anyone can open them. Working ones are never closed here. So the
//! listener accepts always (there is no cap on working connections; the long-poll caps in
//! [`crate::http`] bound the slow ones), and idle ones are let go, oldest first:
//!
//! - above [`IDLE_PRESSURE`] idle connections, the timeouts shorten: a fresh connection has
//!   [`PRESSURE_HEADER_TIMEOUT`] (instead of [`super::HEADER_READ_TIMEOUT`]) to send its head,
//!   and a keep-alive one is closed after [`PRESSURE_KEEP_ALIVE_TIMEOUT`] idle;
//! - above [`IDLE_CONNECTIONS_MAX`], each new connection closes the oldest idle one at once (and
//!   so does running out of file descriptors while accepting).
//!
//! A client with real work sends its head right after connecting, so it is working within
//! moments and out of reach of all of this.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, watch};

/// Idle (fresh or keep-alive) connections above which the short timeouts apply.
pub const IDLE_PRESSURE: usize = 512;
/// Idle connections above which a new connection closes the oldest idle one at once.
pub const IDLE_CONNECTIONS_MAX: usize = 4_096;
/// Time a fresh connection has to send its whole head while idle connections are above
/// [`IDLE_PRESSURE`].
pub const PRESSURE_HEADER_TIMEOUT: Duration = Duration::from_secs(1);
/// Time a keep-alive connection may sit idle while idle connections are above
/// [`IDLE_PRESSURE`]. Not shorter than the head timeout: a client that reconnects at once when
/// dropped turns a shorter timeout into more reconnects and requests per second (measured with
/// `tests/abuse_connections.rs`: 250 ms gave a p99 of about 1 s for health and publish, 1 s
/// about 0.1 s), while the idle budget is held just the same.
pub const PRESSURE_KEEP_ALIVE_TIMEOUT: Duration = Duration::from_secs(1);
/// How often the short timeouts are applied.
pub const REAP_INTERVAL: Duration = Duration::from_millis(100);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Fresh,
    Working,
    KeepAlive,
    /// Told to close; no longer counted as idle.
    Closing,
}

#[derive(Debug)]
struct Entry {
    phase: Phase,
    /// When the connection became idle (fresh: accepted; keep-alive: answered).
    since: Instant,
    /// Its key in [`State::idle`] while idle.
    idle_key: u64,
    close: Arc<Notify>,
}

#[derive(Debug, Default)]
struct State {
    next_id: u64,
    next_key: u64,
    entries: HashMap<u64, Entry>,
    /// Idle connections, oldest first (key: order of becoming idle → connection id).
    idle: BTreeMap<u64, u64>,
}

impl State {
    fn make_idle(&mut self, id: u64, phase: Phase, now: Instant) {
        let key = self.next_key;
        self.next_key += 1;
        if let Some(entry) = self.entries.get_mut(&id) {
            if entry.phase == Phase::Closing {
                return;
            }
            entry.phase = phase;
            entry.since = now;
            entry.idle_key = key;
            self.idle.insert(key, id);
        }
    }

    fn leave_idle(&mut self, id: u64, phase: Phase) {
        if let Some(entry) = self.entries.get_mut(&id) {
            if matches!(entry.phase, Phase::Fresh | Phase::KeepAlive) {
                self.idle.remove(&entry.idle_key);
            }
            if entry.phase != Phase::Closing {
                entry.phase = phase;
            }
        }
    }

    /// Tells the oldest idle connection to close; `false` if there is none.
    fn close_oldest(&mut self) -> bool {
        let Some((_, id)) = self.idle.pop_first() else {
            return false;
        };
        if let Some(entry) = self.entries.get_mut(&id) {
            entry.phase = Phase::Closing;
            entry.close.notify_one();
        }
        true
    }
}

/// Every open connection and its phase (see the module docs).
#[derive(Debug)]
pub struct Connections {
    state: Mutex<State>,
    /// Open connections, for waiting until all are closed.
    open: watch::Sender<usize>,
}

impl Connections {
    /// An empty registry.
    pub fn new() -> Arc<Self> {
        Arc::new(Self {
            state: Mutex::new(State::default()),
            open: watch::Sender::new(0),
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state stays consistent between statements: a panic elsewhere does not spoil it.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Registers a new (fresh) connection; closes the oldest idle one if that makes too many.
    pub fn open(self: &Arc<Self>) -> Connection {
        let close = Arc::new(Notify::new());
        let id = {
            let mut state = self.lock();
            let id = state.next_id;
            state.next_id += 1;
            state.entries.insert(
                id,
                Entry {
                    phase: Phase::Fresh,
                    since: Instant::now(),
                    idle_key: 0,
                    close: close.clone(),
                },
            );
            state.make_idle(id, Phase::Fresh, Instant::now());
            while state.idle.len() > IDLE_CONNECTIONS_MAX && state.close_oldest() {}
            id
        };
        self.open.send_modify(|open| *open += 1);
        Connection {
            tracker: Tracker {
                registry: self.clone(),
                id,
            },
            close,
        }
    }

    /// Tells up to `count` of the oldest idle connections to close (out of file descriptors).
    pub fn close_oldest(&self, count: usize) {
        let mut state = self.lock();
        for _ in 0..count {
            if !state.close_oldest() {
                break;
            }
        }
    }

    /// Idle connections now.
    pub fn idle(&self) -> usize {
        self.lock().idle.len()
    }

    /// Applies the short timeouts if idle connections are above [`IDLE_PRESSURE`]; returns how
    /// many connections were told to close.
    pub fn reap(&self, now: Instant) -> usize {
        let mut state = self.lock();
        if state.idle.len() <= IDLE_PRESSURE {
            return 0;
        }
        let shortest = PRESSURE_KEEP_ALIVE_TIMEOUT.min(PRESSURE_HEADER_TIMEOUT);
        let mut expired = Vec::new();
        for (&key, id) in &state.idle {
            let Some(entry) = state.entries.get(id) else {
                continue;
            };
            let age = now.saturating_duration_since(entry.since);
            if age < shortest {
                break; // the rest became idle later still
            }
            let limit = if entry.phase == Phase::Fresh {
                PRESSURE_HEADER_TIMEOUT
            } else {
                PRESSURE_KEEP_ALIVE_TIMEOUT
            };
            if age >= limit {
                expired.push(key);
            }
        }
        for key in &expired {
            if let Some(id) = state.idle.remove(key)
                && let Some(entry) = state.entries.get_mut(&id)
            {
                entry.phase = Phase::Closing;
                entry.close.notify_one();
            }
        }
        expired.len()
    }

    /// Waits until every registered connection is gone.
    pub async fn all_closed(&self) {
        let mut open = self.open.subscribe();
        let _ = open.wait_for(|open| *open == 0).await;
    }
}

/// Marks one connection's requests (cheap to clone into the service).
#[derive(Clone, Debug)]
pub struct Tracker {
    registry: Arc<Connections>,
    id: u64,
}

impl Tracker {
    /// The connection is working until the guard is dropped (when its answer is ready).
    pub fn begin_request(&self) -> RequestGuard {
        self.registry.lock().leave_idle(self.id, Phase::Working);
        RequestGuard {
            tracker: self.clone(),
        }
    }

    /// Whether a request is being handled on this connection.
    pub fn working(&self) -> bool {
        self.registry
            .lock()
            .entries
            .get(&self.id)
            .is_some_and(|entry| entry.phase == Phase::Working)
    }
}

/// See [`Tracker::begin_request`].
#[derive(Debug)]
pub struct RequestGuard {
    tracker: Tracker,
}

impl Drop for RequestGuard {
    fn drop(&mut self) {
        self.tracker
            .registry
            .lock()
            .make_idle(self.tracker.id, Phase::KeepAlive, Instant::now());
    }
}

/// A registered connection; dropping it unregisters it.
#[derive(Debug)]
pub struct Connection {
    tracker: Tracker,
    close: Arc<Notify>,
}

impl Connection {
    /// The tracker for the connection's service.
    pub fn tracker(&self) -> Tracker {
        self.tracker.clone()
    }

    /// Completes when the budget wants this connection closed.
    pub async fn close_requested(&self) {
        self.close.notified().await;
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        let registry = &self.tracker.registry;
        {
            let mut state = registry.lock();
            state.leave_idle(self.tracker.id, Phase::Closing);
            state.entries.remove(&self.tracker.id);
        }
        registry
            .open
            .send_modify(|open| *open = open.saturating_sub(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_idle_goes_first_and_working_ones_stay() {
        let registry = Connections::new();
        let mut all: Vec<Connection> = (0..IDLE_CONNECTIONS_MAX).map(|_| registry.open()).collect();
        let working = all[1].tracker().begin_request();
        assert_eq!(registry.idle(), IDLE_CONNECTIONS_MAX - 1);
        all.push(registry.open()); // the budget's last idle place
        all.push(registry.open());
        all.push(registry.open());
        assert_eq!(registry.idle(), IDLE_CONNECTIONS_MAX);
        // The two oldest idle ones were told to close, passing over the working one.
        let state = registry.lock();
        let phase = |c: &Connection| state.entries[&c.tracker.id].phase;
        assert_eq!(phase(&all[0]), Phase::Closing);
        assert_eq!(phase(&all[1]), Phase::Working);
        assert_eq!(phase(&all[2]), Phase::Closing);
        assert_eq!(phase(&all[3]), Phase::Fresh);
        drop(state);
        // Answered, it is idle again (an answer closes nothing; the next accept does).
        drop(working);
        assert_eq!(registry.idle(), IDLE_CONNECTIONS_MAX + 1);
        drop(all);
        assert_eq!(*registry.open.borrow(), 0);
        assert_eq!(registry.idle(), 0);
    }

    #[test]
    fn short_timeouts_apply_under_pressure_only() {
        let registry = Connections::new();
        let few: Vec<Connection> = (0..IDLE_PRESSURE).map(|_| registry.open()).collect();
        let later = Instant::now() + PRESSURE_HEADER_TIMEOUT.max(PRESSURE_KEEP_ALIVE_TIMEOUT) * 2;
        assert_eq!(registry.reap(later), 0, "not under pressure");
        let more: Vec<Connection> = (0..10).map(|_| registry.open()).collect();
        drop(more[0].tracker().begin_request()); // keep-alive now
        let working = more[1].tracker().begin_request();
        assert_eq!(registry.reap(Instant::now()), 0, "none expired yet");
        // Every idle one (fresh and keep-alive) expires; the working one stays.
        assert_eq!(registry.reap(later), IDLE_PRESSURE + 9);
        assert!(more[1].tracker().working());
        drop((few, more, working));
    }
}
