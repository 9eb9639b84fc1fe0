//! [`Waiters`]: the wake-ups of waiting receives (long-polls), blocking and async.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use parking_lot::Mutex;

/// Who is waiting for what.
#[derive(Default)]
pub(super) struct Waiters {
    /// Wake-ups per topic id: publishes, releases and dead-letter publishes notify their topic;
    /// close, poisoning and the async ticker notify all.
    by_topic: Mutex<HashMap<u32, Arc<event_listener::Event>>>,
    /// Wake-ups per Event Hub id: sends notify their hub; close, poisoning and the async
    /// ticker notify all.
    by_hub: Mutex<HashMap<u32, Arc<event_listener::Event>>>,
    /// For waiters on a topic that does not exist (their receive fails at once anyway).
    unknown: event_listener::Event,
    /// Async receives currently waiting (the ticker wakes them to re-read the clock).
    async_waiting: AtomicUsize,
}

impl Waiters {
    /// A listener for wake-ups of topic `id` (`None`: an unknown topic), registered before the
    /// receive looks, so nothing that happens after the look is missed.
    pub(super) fn listen(&self, id: Option<u32>) -> event_listener::EventListener {
        match id {
            Some(id) => self.by_topic.lock().entry(id).or_default().listen(),
            None => self.unknown.listen(),
        }
    }

    /// A listener for wake-ups of Event Hub `id` (`None`: an unknown hub).
    pub(super) fn listen_hub(&self, id: Option<u32>) -> event_listener::EventListener {
        match id {
            Some(id) => self.by_hub.lock().entry(id).or_default().listen(),
            None => self.unknown.listen(),
        }
    }

    /// Wakes the waits on Event Hub `hub`.
    pub(super) fn notify_hub(&self, hub: u32) {
        let waker = self.by_hub.lock().get(&hub).cloned();
        if let Some(waker) = waker {
            waker.notify(usize::MAX);
        }
    }

    /// Wakes the receives waiting on `topic`.
    pub(super) fn notify_topic(&self, topic: u32) {
        let waker = self.by_topic.lock().get(&topic).cloned();
        if let Some(waker) = waker {
            waker.notify(usize::MAX);
        }
    }

    /// Wakes every waiting receive.
    pub(super) fn notify_all(&self) {
        let mut wakers: Vec<Arc<event_listener::Event>> =
            self.by_topic.lock().values().cloned().collect();
        wakers.extend(self.by_hub.lock().values().cloned());
        for waker in wakers {
            waker.notify(usize::MAX);
        }
        self.unknown.notify(usize::MAX);
    }

    /// Are async receives waiting?
    pub(super) fn any_async(&self) -> bool {
        self.async_waiting.load(Ordering::Acquire) > 0
    }
}

/// Counts one waiting async receive while it lives.
pub(super) struct AsyncWaiter<'a>(&'a Waiters);

impl<'a> AsyncWaiter<'a> {
    pub(super) fn new(waiters: &'a Waiters) -> Self {
        waiters.async_waiting.fetch_add(1, Ordering::AcqRel);
        Self(waiters)
    }
}

impl Drop for AsyncWaiter<'_> {
    fn drop(&mut self) {
        self.0.async_waiting.fetch_sub(1, Ordering::AcqRel);
    }
}
