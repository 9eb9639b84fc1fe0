//! Plain data of the read-only peek ([`Namespace::peek_topic`](super::Namespace::peek_topic),
//! [`Namespace::peek_subscription`](super::Namespace::peek_subscription)) and of the
//! re-publishing of dead-letter events
//! ([`Namespace::republish_dead_letters`](super::Namespace::republish_dead_letters)).

use std::ops::Range;

use gridlog_wal::RecordBytes;

/// Which events a peek returns (both conditions must hold when both are given).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PeekFilter {
    /// The event's `type` equals this (ASCII case-insensitive, as Event Grid compares types).
    pub event_type: Option<String>,
    /// The event's `subject` begins with this (ASCII case-insensitive).
    pub subject_prefix: Option<String>,
}

impl PeekFilter {
    /// Does an event of `event_type` and `subject` pass?
    pub fn passes(&self, event_type: &str, subject: Option<&str>) -> bool {
        let type_ok = self
            .event_type
            .as_deref()
            .is_none_or(|wanted| wanted.eq_ignore_ascii_case(event_type));
        let subject_ok = self.subject_prefix.as_deref().is_none_or(|prefix| {
            subject.is_some_and(|subject| {
                subject
                    .get(..prefix.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
            })
        });
        type_ok && subject_ok
    }
}

/// Where a peeked event stands in a subscription.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeekState {
    /// In a topic's log (a topic peek says nothing about any subscription).
    Logged,
    /// Never delivered to the subscription yet.
    Waiting,
    /// Delivered before, available to the next receive now (released, or its lock expired).
    Available,
    /// Released with a delay: visible again later.
    Delayed,
    /// Locked by a consumer now.
    Locked,
}

impl PeekState {
    /// The API's name: `logged`, `waiting`, `available`, `delayed`, `locked`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Logged => "logged",
            Self::Waiting => "waiting",
            Self::Available => "available",
            Self::Delayed => "delayed",
            Self::Locked => "locked",
        }
    }
}

/// Where a dead-letter event came from: the subscription that dead-lettered it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadLetterOrigin {
    /// The source subscription's topic (`None` when the subscription no longer exists).
    pub topic: Option<String>,
    /// The source subscription (`None` when it no longer exists).
    pub subscription: Option<String>,
    /// The original event's seq in the log.
    pub source_seq: u64,
}

/// One event seen by a peek: nothing was locked and no delivery count changed.
#[derive(Clone)]
pub struct Peeked {
    /// Its WAL seq (a position to peek from).
    pub seq: u64,
    /// When it was stored in the topic, Unix ms.
    pub published_at_ms: i64,
    /// Deliveries to the subscription so far (0: never delivered; always 0 in a topic peek).
    pub delivery_count: u32,
    /// Where it stands.
    pub state: PeekState,
    /// Set for a dead-letter event: where it came from.
    pub dead_letter: Option<DeadLetterOrigin>,
    pub(crate) bytes: RecordBytes,
    pub(crate) json: Range<usize>,
}

impl Peeked {
    /// The stored structured JSON of the event, exactly as published.
    pub fn json(&self) -> &[u8] {
        &self.bytes[self.json.clone()]
    }
}

impl std::fmt::Debug for Peeked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Peeked")
            .field("seq", &self.seq)
            .field("delivery_count", &self.delivery_count)
            .field("state", &self.state)
            .field("dead_letter", &self.dead_letter)
            .field("json", &String::from_utf8_lossy(self.json()))
            .finish_non_exhaustive()
    }
}

/// One page of a peek.
#[derive(Clone, Debug)]
pub struct PeekPage {
    /// The events, in log order.
    pub events: Vec<Peeked>,
    /// Where the next page starts (`from` for the next call); equal to [`Self::end_seq`] when
    /// the peek reached the end of the log.
    pub next_seq: u64,
    /// The log's end when the page was read (the next seq to be written and made durable).
    pub end_seq: u64,
}

/// One dead-letter event published again into its original topic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Republished {
    /// The dead-letter event's seq.
    pub seq: u64,
    /// The topic it was published into.
    pub topic: String,
    /// The event's `id`.
    pub id: String,
}

/// A dead-letter event that was not published again, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepublishFailure {
    /// The seq asked for.
    pub seq: u64,
    /// Stable code: `NotADeadLetter` (no dead-letter event of this topic at that seq),
    /// `SourceGone` (its subscription or topic was deleted), `InvalidEvent`.
    pub code: &'static str,
    /// Human-readable reason.
    pub message: String,
}

/// What [`Namespace::republish_dead_letters`](super::Namespace::republish_dead_letters) did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RepublishOutcome {
    /// Published again, in the order asked.
    pub republished: Vec<Republished>,
    /// Not published, in the order asked.
    pub failed: Vec<RepublishFailure>,
}
