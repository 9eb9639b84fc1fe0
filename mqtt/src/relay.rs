//! [`relay`]: hands the engine's group-commit outcomes to the listener thread's sessions in
//! one wake-up per commit, so the PUBACKs of one commit leave in one `send` per connection.
//!
//! A committer thread answers every write of its transaction one after the other. If each
//! PUBLISH's task waited on its own outcome, each answer would wake its task from another
//! thread, and the runtime (local tasks first, woken-from-elsewhere tasks one at a time) would
//! run that task, encode its PUBACK, and flush the connection's write buffer before it even
//! looked at the next woken task: one `send` syscall per PUBACK. Here the listener thread's
//! one relay task owns every outcome in flight and is the only task the committer wakes; when
//! it runs, it collects each outcome that has arrived and wakes the waiting PUBLISH tasks from
//! this thread. They are then all queued before the runtime's write-flush task, which comes
//! after them and sends each connection's PUBACKs together.
//!
//! Nothing waits longer than before: the relay runs as soon as the first outcome of a commit
//! arrives, and it polls each outcome without blocking.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// An outcome in flight, as the relay polls it ([`Forward`]): ready once delivered to its slot.
type Pending = Pin<Box<dyn Future<Output = ()>>>;

/// This thread's relay: the outcomes in flight and the relay task's waker.
#[derive(Default)]
struct Relay {
    /// Outcomes not yet arrived.
    pending: Vec<Pending>,
    /// The relay task's waker: what every outcome in flight wakes (set at its first poll).
    waker: Option<Waker>,
    /// Whether the relay task runs on this thread.
    running: bool,
}

thread_local! {
    static RELAY: RefCell<Relay> = RefCell::new(Relay::default());
}

/// Where an outcome lands for its waiting task.
enum Slot<T> {
    /// Not arrived; the waiting task's waker.
    Waiting(Option<Waker>),
    /// Arrived, not yet taken.
    Arrived(T),
    /// Taken by the waiting task, or abandoned by the relay (runtime shutdown).
    Done,
}

/// Waits for `outcome` through this thread's relay task (started on first use, on the current
/// ntex runtime). Without a runtime to start it on, waits for `outcome` directly.
pub async fn relay<T: 'static>(outcome: impl Future<Output = T> + 'static) -> Option<T> {
    let slot: Rc<RefCell<Slot<T>>> = Rc::new(RefCell::new(Slot::Waiting(None)));
    let forward: Pending = Box::pin(Forward {
        outcome: Box::pin(outcome),
        slot: Rc::clone(&slot),
    });
    RELAY.with(|relay| {
        let mut relay = relay.borrow_mut();
        relay.pending.push(forward);
        if let Some(waker) = &relay.waker {
            // The new outcome may already be there (a refusal answered at once).
            waker.wake_by_ref();
        }
        if !relay.running {
            relay.running = true;
            ntex_rt::spawn(RelayTask);
        }
    });
    Waiting { slot }.await
}

/// One outcome in flight, owned by the relay: moves the outcome into its slot and wakes the
/// waiting task. Dropped before that (the relay abandoned at shutdown), it marks the slot done
/// and wakes the task all the same, so nothing waits forever.
struct Forward<F, T> {
    outcome: Pin<Box<F>>,
    slot: Rc<RefCell<Slot<T>>>,
}

impl<F: Future<Output = T>, T> Future for Forward<F, T> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let Poll::Ready(value) = self.outcome.as_mut().poll(cx) else {
            return Poll::Pending;
        };
        let previous = std::mem::replace(&mut *self.slot.borrow_mut(), Slot::Arrived(value));
        if let Slot::Waiting(Some(waker)) = previous {
            waker.wake();
        }
        Poll::Ready(())
    }
}

impl<F, T> Drop for Forward<F, T> {
    fn drop(&mut self) {
        let mut slot = self.slot.borrow_mut();
        if let Slot::Waiting(waker) = &mut *slot {
            let waker = waker.take();
            *slot = Slot::Done;
            drop(slot);
            if let Some(waker) = waker {
                waker.wake();
            }
        }
    }
}

/// The waiting side: ready once the relay has put the outcome in the slot; `None` if the relay
/// was dropped first (the runtime is shutting down).
struct Waiting<T> {
    slot: Rc<RefCell<Slot<T>>>,
}

impl<T> Future for Waiting<T> {
    type Output = Option<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut slot = self.slot.borrow_mut();
        match std::mem::replace(&mut *slot, Slot::Done) {
            Slot::Arrived(value) => Poll::Ready(Some(value)),
            Slot::Done => Poll::Ready(None),
            Slot::Waiting(_) => {
                *slot = Slot::Waiting(Some(cx.waker().clone()));
                Poll::Pending
            }
        }
    }
}

/// The relay task: polls every outcome in flight with its own waker; never ends while the
/// runtime runs. Dropped with the runtime, it abandons what is still in flight (each waiting
/// task then sees `None`).
struct RelayTask;

impl Future for RelayTask {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // Taken out of the thread-local so that a forward's wake-up (which may run a task's
        // code on this thread later, never re-entrantly here) cannot find it borrowed.
        let mut pending = RELAY.with(|relay| {
            let mut relay = relay.borrow_mut();
            if !relay
                .waker
                .as_ref()
                .is_some_and(|w| w.will_wake(cx.waker()))
            {
                relay.waker = Some(cx.waker().clone());
            }
            std::mem::take(&mut relay.pending)
        });
        pending.retain_mut(|forward| forward.as_mut().poll(cx).is_pending());
        RELAY.with(|relay| {
            let mut relay = relay.borrow_mut();
            // Outcomes relayed while these were polled come after them.
            pending.append(&mut relay.pending);
            relay.pending = pending;
        });
        Poll::Pending
    }
}

impl Drop for RelayTask {
    fn drop(&mut self) {
        // `try_with`: the thread-local may already be gone when the runtime drops its tasks at
        // thread exit.
        let _ = RELAY.try_with(|relay| {
            let mut relay = relay.borrow_mut();
            relay.running = false;
            relay.waker = None;
            let abandoned = std::mem::take(&mut relay.pending);
            drop(relay);
            drop(abandoned);
        });
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

    use super::relay;
    use gridlog_testkit::rng::Rng;

    /// Outcomes answered from another thread in a random order (as a committer answers a
    /// transaction's writes, and as several committers interleave) each reach their waiter.
    #[test]
    fn every_outcome_reaches_its_waiter_in_any_order() {
        let seed = std::env::var("GRIDLOG_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(1, |d| u64::from(d.subsec_nanos()) ^ d.as_secs())
            });
        println!("relay order test: seed {seed} (replay with GRIDLOG_SEED={seed})");
        ntex_rt::System::new("relay-test", ntex_net::DefaultRuntime).block_on(async move {
            const WAITERS: usize = 300;
            let mut senders = Vec::new();
            let mut waiters = Vec::new();
            for i in 0..WAITERS {
                let (sender, receiver) = oneshot::async_channel::<usize>();
                senders.push((i, sender));
                waiters.push(ntex_rt::spawn(async move {
                    (i, relay(async move { receiver.await.unwrap() }).await)
                }));
            }
            // One answered at once, before the relay task has run.
            let ready = relay(async { 7_usize }).await;
            assert_eq!(ready, Some(7));
            let answering = std::thread::spawn(move || {
                let mut rng = Rng::new(seed);
                while !senders.is_empty() {
                    let (i, sender) = senders.swap_remove(rng.below(senders.len()));
                    sender.send(i * 2).unwrap();
                    if rng.chance(10) {
                        std::thread::yield_now();
                    }
                }
            });
            for waiter in waiters {
                let (i, got) = waiter.await.unwrap();
                assert_eq!(got, Some(i * 2), "waiter {i}");
            }
            answering.join().unwrap();
        });
    }
}
