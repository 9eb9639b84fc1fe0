//! [`Committer`]: group commit for callers that must not block (the async front ends).
//!
//! A front end on an async runtime used to hand each write to a blocking thread pool: one
//! thread hop, one transaction and one wait for a sync per request, and, with hundreds of
//! requests in flight, hundreds of threads parked on the WAL's group commit. Instead, a write
//! submitted with [`Namespace::publish_async`](super::Namespace::publish_async) (or the MQTT
//! broker's [`Namespace::mqtt_publish_async`](super::Namespace::mqtt_publish_async), or a
//! settlement with [`Namespace::settle_async`](super::Namespace::settle_async)) is queued
//! here, and a committer thread takes **every write queued so far** into one [`Txn`]: each
//! write is decided and appended on its own (its own WAL batch, its own outcome: one refused
//! write does not fail the others), then the transaction commits once (one sync for all) and
//! each write's outcome is sent to its [`Committing`] future.
//!
//! Two committer threads pipeline: while one waits for its sync, the other appends the next
//! batch (the WAL's group commit then syncs it in the next `fdatasync`). A thread takes the
//! state lock *before* it drains the queue, so writes reach the WAL in the order they were
//! submitted, and one caller's writes are stored in its order. The durability promise is the
//! synchronous path's: no outcome is sent before the write's records are synced (per the
//! namespace's durability).

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock, Weak};
use std::task::{Context, Poll};
use std::thread::JoinHandle;

use gridlog_format::Event;
use parking_lot::{Condvar, Mutex};

use super::delivery::SettleOp;
use super::txn::Txn;
use super::{Inner, PublishReceipt, SettleOutcome, TokenFailure};
use crate::token::TokenFields;
use crate::error::EngineError;
use crate::mqtt::{Enqueued, MqttMessage};

/// Committer threads: two, so that one appends while the other waits for its sync.
const COMMITTER_THREADS: usize = 2;
/// Most writes one transaction takes from the queue (bounds the state lock's hold; the rest go
/// to the next transaction).
const COMMIT_BATCH_WRITES_MAX: usize = 512;

type Reply<T> = oneshot::Sender<Result<T, EngineError>>;

/// A write waiting for a committer thread.
pub(super) enum Write {
    /// [`super::publish::publish_in`] of `events` to `topic`.
    Publish {
        topic: String,
        events: Vec<Event>,
        reply: Reply<PublishReceipt>,
    },
    /// An MQTT PUBLISH: routed (one event to a topic) and queued in persistent sessions
    /// (boxed: the event and the message are most of the write).
    Mqtt {
        publish: Box<MqttPublish>,
        reply: Reply<Enqueued>,
    },
    /// [`super::delivery::settle_in`]: a settlement whose tokens were authenticated before it
    /// was queued.
    Settle {
        settle: Box<SettleWrite>,
        reply: Reply<SettleOutcome>,
    },
}

/// What a settlement decides under the lock: see [`super::delivery::settle_in`].
pub(super) struct SettleWrite {
    pub(super) topic: String,
    pub(super) sub: String,
    pub(super) tokens: Vec<String>,
    /// Each token's authentication, in `tokens` order.
    pub(super) verified: Vec<Result<TokenFields, TokenFailure>>,
    pub(super) op: SettleOp,
}

/// What an MQTT PUBLISH stores: see [`super::mqtt::mqtt_publish_in`].
pub(super) struct MqttPublish {
    /// The routing topic and the event the message becomes there.
    pub(super) routed: Option<(String, Event)>,
    /// The message, to queue in the persistent sessions it matches.
    pub(super) queued: Option<MqttMessage>,
}

/// A write decided and appended, its outcome waiting for the commit.
enum Applied {
    Publish(Reply<PublishReceipt>, Result<PublishReceipt, EngineError>),
    Mqtt(Reply<Enqueued>, Result<Enqueued, EngineError>),
    Settle(Reply<SettleOutcome>, Result<SettleOutcome, EngineError>),
}

/// The outcome of a write submitted to the committer: resolves once the write is durable (or
/// refused). Dropping it does not cancel the write.
#[must_use = "the write's outcome"]
#[derive(Debug)]
pub struct Committing<T> {
    receiver: oneshot::AsyncReceiver<Result<T, EngineError>>,
}

impl<T> Future for Committing<T> {
    type Output = Result<T, EngineError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // A sender dropped without an answer: the namespace stopped its committer (closed).
        Pin::new(&mut self.receiver)
            .poll(cx)
            .map(|received| received.unwrap_or(Err(EngineError::Closed)))
    }
}

impl<T> Committing<T> {
    /// A write and the future of its outcome.
    pub(super) fn channel() -> (Reply<T>, Self) {
        let (sender, receiver) = oneshot::async_channel();
        (sender, Self { receiver })
    }

    /// An outcome known at once (nothing to write, or refused before queueing).
    pub(super) fn ready(result: Result<T, EngineError>) -> Self {
        let (sender, this) = Self::channel();
        let _receiver_alive = sender.send(result);
        this
    }
}

/// The queue the committer threads take writes from, shared with them.
#[derive(Default)]
struct Queue {
    state: Mutex<QueueState>,
    ready: Condvar,
}

#[derive(Default)]
struct QueueState {
    writes: VecDeque<Write>,
    stopped: bool,
}

/// The committer: its queue and (started with the first write) its threads.
#[derive(Default)]
pub(super) struct Committer {
    queue: Arc<Queue>,
    threads: OnceLock<Mutex<Vec<JoinHandle<()>>>>,
}

impl Committer {
    /// Queues `write` for the next transaction (starting the threads with the first write).
    /// After [`Self::stop`] the write is dropped, so its future resolves to `Closed`.
    pub(super) fn submit(&self, inner: &Arc<Inner>, write: Write) {
        self.threads.get_or_init(|| Mutex::new(self.spawn(inner)));
        let mut state = self.queue.state.lock();
        if state.stopped {
            return;
        }
        state.writes.push_back(write);
        drop(state);
        self.queue.ready.notify_one();
    }

    fn spawn(&self, inner: &Arc<Inner>) -> Vec<JoinHandle<()>> {
        (0..COMMITTER_THREADS)
            .filter_map(|_| {
                let queue = Arc::clone(&self.queue);
                let weak = Arc::downgrade(inner);
                // A thread that cannot start leaves the others; with none, writes wait for
                // `stop` (the namespace's close), which fails them with `Closed`.
                std::thread::Builder::new()
                    .name("gridlog-commit".into())
                    .spawn(move || commit_loop(&queue, &weak))
                    .ok()
            })
            .collect()
    }

    /// Stops the threads (after the batches they hold) and fails every queued write with
    /// `Closed`; later writes fail at once.
    pub(super) fn stop(&self) {
        let dropped = {
            let mut state = self.queue.state.lock();
            state.stopped = true;
            std::mem::take(&mut state.writes)
        };
        self.queue.ready.notify_all();
        drop(dropped);
        if let Some(threads) = self.threads.get() {
            let current = std::thread::current().id();
            for handle in threads.lock().drain(..) {
                if handle.thread().id() != current {
                    let _joined = handle.join();
                }
            }
        }
    }
}

impl Drop for Committer {
    fn drop(&mut self) {
        let mut state = self.queue.state.lock();
        state.stopped = true;
        drop(state);
        self.queue.ready.notify_all();
    }
}

impl Queue {
    /// Waits for writes; `false` once stopped.
    fn wait(&self) -> bool {
        let mut state = self.state.lock();
        while state.writes.is_empty() && !state.stopped {
            self.ready.wait(&mut state);
        }
        !state.stopped
    }

    /// Up to [`COMMIT_BATCH_WRITES_MAX`] writes, oldest first.
    fn take(&self) -> Vec<Write> {
        let mut state = self.state.lock();
        let n = state.writes.len().min(COMMIT_BATCH_WRITES_MAX);
        state.writes.drain(..n).collect()
    }
}

fn commit_loop(queue: &Queue, weak: &Weak<Inner>) {
    while queue.wait() {
        let Some(inner) = weak.upgrade() else { return };
        commit_batch(&inner, queue);
    }
}

/// One transaction over the writes queued so far.
fn commit_batch(inner: &Inner, queue: &Queue) {
    // The state lock before the drain: batches reach the WAL in queue order.
    let mut st = match Txn::begin(inner) {
        Ok(st) => st,
        Err(error) => {
            let mut failure = Failure::new(error);
            for write in queue.take() {
                write.fail(failure.next());
            }
            return;
        }
    };
    let writes = queue.take();
    let applied: Vec<Applied> = writes.into_iter().map(|w| w.apply(&mut st)).collect();
    let mut failure = st.commit().err().map(Failure::new);
    for write in applied {
        write.reply(failure.as_mut());
    }
}

impl Write {
    /// Decides and appends the write in `st` (not yet synced).
    fn apply(self, st: &mut Txn<'_>) -> Applied {
        match self {
            Self::Publish {
                topic,
                events,
                reply,
            } => Applied::Publish(reply, super::publish::publish_in(st, &topic, &events)),
            Self::Mqtt { publish, reply } => {
                let routed = publish.routed.as_ref();
                let routed = routed.map(|(topic, event)| (topic.as_str(), event));
                let queued = publish.queued.as_ref();
                Applied::Mqtt(reply, super::mqtt::mqtt_publish_in(st, routed, queued))
            }
            Self::Settle { settle, reply } => {
                let SettleWrite {
                    topic,
                    sub,
                    tokens,
                    verified,
                    op,
                } = *settle;
                let tokens: Vec<&str> = tokens.iter().map(String::as_str).collect();
                let outcome = super::delivery::settle_in(st, &topic, &sub, &tokens, verified, &op);
                Applied::Settle(reply, outcome)
            }
        }
    }

    fn fail(self, error: EngineError) {
        match self {
            Self::Publish { reply, .. } => drop(reply.send(Err(error))),
            Self::Mqtt { reply, .. } => drop(reply.send(Err(error))),
            Self::Settle { reply, .. } => drop(reply.send(Err(error))),
        }
    }
}

impl Applied {
    /// Sends the outcome: the write's own, unless the commit failed after it was appended.
    fn reply(self, failure: Option<&mut Failure>) {
        match self {
            Self::Publish(reply, outcome) => drop(reply.send(committed(outcome, failure))),
            Self::Mqtt(reply, outcome) => drop(reply.send(committed(outcome, failure))),
            Self::Settle(reply, outcome) => drop(reply.send(committed(outcome, failure))),
        }
    }
}

fn committed<T>(outcome: Result<T, EngineError>, failure: Option<&mut Failure>) -> Result<T, EngineError> {
    match (outcome, failure) {
        (Ok(_), Some(failure)) => Err(failure.next()),
        (outcome, _) => outcome,
    }
}

/// One error for many writes: the first gets it; the others get what it leaves behind (a
/// closed namespace stays closed; any other failure poisoned it).
struct Failure {
    first: Option<EngineError>,
    closed: bool,
}

impl Failure {
    fn new(error: EngineError) -> Self {
        Self {
            closed: matches!(error, EngineError::Closed),
            first: Some(error),
        }
    }

    fn next(&mut self) -> EngineError {
        self.first.take().unwrap_or(if self.closed {
            EngineError::Closed
        } else {
            EngineError::Poisoned
        })
    }
}
