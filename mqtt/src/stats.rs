//! The broker's counters ([`MqttStats`]): shared with whoever exposes them (`gridlog serve`'s
//! `/metrics`), updated from the listener thread with relaxed atomics, read as a plain
//! [`MqttStatsSnapshot`].

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::connect::Refusal;
use crate::throttle::Throttled;

/// The counters of one listener (cheap to clone: one shared set).
#[derive(Clone, Debug, Default)]
pub struct MqttStats(Arc<Counters>);

#[derive(Debug, Default)]
struct Counters {
    sessions: AtomicU64,
    connects: [AtomicU64; CONNECT_OUTCOMES.len()],
    publishes: [AtomicU64; PUBLISH_OUTCOMES.len()],
    publish_bytes: AtomicU64,
    deliveries: [AtomicU64; 2],
    delivery_bytes: AtomicU64,
    throttled: [AtomicU64; THROTTLE_REASONS.len()],
    subscriptions: [AtomicU64; SUBSCRIBE_OUTCOMES.len()],
    overflows: AtomicU64,
}

/// The `outcome` label values of CONNECTs, in [`MqttStatsSnapshot::connects`] order.
pub const CONNECT_OUTCOMES: [&str; 10] = [
    "accepted",
    "broker_disabled",
    "bad_client_id",
    "bad_credentials",
    "not_authorized",
    "too_many_sessions",
    "unsupported",
    "unavailable",
    "connect_rate",
    "sessions_quota",
];
/// The `outcome` label values of PUBLISH packets, in [`MqttStatsSnapshot::publishes`] order.
pub const PUBLISH_OUTCOMES: [&str; 6] = [
    "accepted",
    "not_authorized",
    "invalid_topic",
    "over_limit",
    "routing_failed",
    "throttled",
];
/// The `reason` label values of `gridlog_mqtt_throttled_total` (what the throughput units
/// refused), in [`MqttStatsSnapshot::throttled`] order: PUBLISH packets over the namespace's
/// or the session's inbound rate, deliveries dropped or held back by the outbound rate,
/// CONNECTs over the connect rate or the sessions quota, SUBSCRIBE/UNSUBSCRIBE requests over
/// the namespace's or the session's rate, deliveries dropped or held back by the session's
/// outbound rate.
pub const THROTTLE_REASONS: [&str; 8] = [
    "inbound",
    "session_inbound",
    "outbound",
    "connect_rate",
    "sessions",
    "subscribe_rate",
    "session_subscribe_rate",
    "session_outbound",
];
/// The `outcome` label values of SUBSCRIBE filters, in [`MqttStatsSnapshot::subscriptions`]
/// order.
pub const SUBSCRIBE_OUTCOMES: [&str; 4] = ["granted", "not_authorized", "invalid", "quota"];

/// What became of a PUBLISH, for the counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PublishOutcome {
    /// Routed (if routing is on) and delivered.
    Accepted,
    /// No Publisher binding covers it.
    NotAuthorized,
    /// The topic breaks a rule.
    InvalidTopic,
    /// A v5 property over the service's caps.
    OverLimit,
    /// The routing topic did not take it.
    RoutingFailed,
    /// Over the throughput units' inbound rate (namespace or session).
    Throttled,
}

/// What became of one SUBSCRIBE filter, for the counters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubscribeOutcome {
    /// Granted.
    Granted,
    /// No Subscriber binding covers it.
    NotAuthorized,
    /// The filter breaks a rule (or is a shared subscription).
    Invalid,
    /// Over the subscriptions or filters caps.
    Quota,
}

/// The counters at one moment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MqttStatsSnapshot {
    /// Connected sessions.
    pub sessions: u64,
    /// CONNECTs by outcome ([`CONNECT_OUTCOMES`]).
    pub connects: [u64; CONNECT_OUTCOMES.len()],
    /// PUBLISH packets by outcome ([`PUBLISH_OUTCOMES`]).
    pub publishes: [u64; PUBLISH_OUTCOMES.len()],
    /// Payload bytes of accepted PUBLISH packets.
    pub publish_bytes: u64,
    /// Messages sent to subscribers, at `QoS` 0 and at `QoS` 1.
    pub deliveries: [u64; 2],
    /// Payload bytes of the messages sent to subscribers.
    pub delivery_bytes: u64,
    /// What the throughput units refused, by reason ([`THROTTLE_REASONS`]).
    pub throttled: [u64; THROTTLE_REASONS.len()],
    /// SUBSCRIBE filters by outcome ([`SUBSCRIBE_OUTCOMES`]).
    pub subscriptions: [u64; SUBSCRIBE_OUTCOMES.len()],
    /// Sessions ended because their client did not acknowledge deliveries.
    pub overflows: u64,
}

fn add(counter: &AtomicU64, n: u64) {
    counter.fetch_add(n, Ordering::Relaxed);
}

impl MqttStats {
    /// Counts a CONNECT.
    pub(crate) fn connect(&self, outcome: Result<(), Refusal>) {
        let index = match outcome {
            Ok(()) => 0,
            Err(Refusal::BrokerDisabled) => 1,
            Err(Refusal::BadClientId) => 2,
            Err(Refusal::BadCredentials) => 3,
            Err(Refusal::NotAuthorized) => 4,
            Err(Refusal::TooManySessions) => 5,
            Err(Refusal::Unsupported) => 6,
            Err(Refusal::Unavailable) => 7,
            Err(Refusal::ConnectRate) => 8,
            Err(Refusal::SessionsQuota) => 9,
        };
        add(&self.0.connects[index], 1);
        match outcome {
            Err(Refusal::ConnectRate) => self.throttled(Throttled::ConnectRate),
            Err(Refusal::SessionsQuota) => self.throttled(Throttled::Sessions),
            _ => {}
        }
    }

    /// Counts a PUBLISH (and, when accepted, its payload bytes).
    pub(crate) fn publish(&self, outcome: PublishOutcome, bytes: usize) {
        add(&self.0.publishes[outcome as usize], 1);
        if outcome == PublishOutcome::Accepted {
            add(
                &self.0.publish_bytes,
                u64::try_from(bytes).unwrap_or(u64::MAX),
            );
        }
    }

    /// Counts a message of `bytes` payload sent to a subscriber at `QoS` 1 (`true`) or 0.
    pub(crate) fn delivery(&self, at_least_once: bool, bytes: usize) {
        add(&self.0.deliveries[usize::from(at_least_once)], 1);
        add(
            &self.0.delivery_bytes,
            u64::try_from(bytes).unwrap_or(u64::MAX),
        );
    }

    /// Counts something the throughput units refused.
    pub(crate) fn throttled(&self, reason: Throttled) {
        add(&self.0.throttled[reason as usize], 1);
    }

    /// Counts one SUBSCRIBE filter.
    pub(crate) fn subscription(&self, outcome: SubscribeOutcome) {
        add(&self.0.subscriptions[outcome as usize], 1);
    }

    /// Counts a session overflow.
    pub(crate) fn overflow(&self) {
        add(&self.0.overflows, 1);
    }

    /// Sets the number of connected sessions.
    pub(crate) fn set_sessions(&self, sessions: usize) {
        self.0.sessions.store(
            u64::try_from(sessions).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    /// The counters now.
    pub fn snapshot(&self) -> MqttStatsSnapshot {
        let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        MqttStatsSnapshot {
            sessions: load(&self.0.sessions),
            connects: self.0.connects.each_ref().map(load),
            publishes: self.0.publishes.each_ref().map(load),
            publish_bytes: load(&self.0.publish_bytes),
            deliveries: self.0.deliveries.each_ref().map(load),
            delivery_bytes: load(&self.0.delivery_bytes),
            throttled: self.0.throttled.each_ref().map(load),
            subscriptions: self.0.subscriptions.each_ref().map(load),
            overflows: load(&self.0.overflows),
        }
    }
}
