//! Throughput units for MQTT (reference `eventgrid-mqtt.md` §6), applied only when the namespace
//! has `throughputUnits` (unlimited otherwise, as for HTTP and Event Hubs):
//!
//! - **Inbound**, per namespace: 1,000 PUBLISH packets/s and 1 MB/s of payload per TU (the
//!   engine's [`Direction::MqttInbound`] bucket); per session: 1,000/s and 1 MB/s
//!   ([`MQTT_SESSION_INBOUND_MESSAGES_PER_SEC`]). A PUBLISH over either is refused whole: v5
//!   PUBACK 0x97 Quota exceeded (0x96 Message rate too high is a DISCONNECT-only code in MQTT
//!   5), 3.1.1 closes the connection; at `QoS` 0 it is dropped.
//! - **Outbound**, per namespace: 1,000 messages/s and 1 MB/s per TU. A `QoS` 0 delivery over
//!   it is dropped; a `QoS` 1 delivery waits, in order, in its session's queue (it holds one of
//!   the session's 100 delivery slots meanwhile, so a session that cannot be served fast enough
//!   overflows, as in the service).
//! - **Connects**: 200 CONNECT requests/s per TU; over it: v5 CONNACK 0x97, 3.1.1 0x03.
//! - **Sessions**: 10,000 connected sessions per TU (without TUs: the most TUs'); over it: v5
//!   CONNACK 0x97, 3.1.1 0x03.
//! - **Subscribe and unsubscribe requests**: 200/s per namespace (not per TU) and 5/s per
//!   session ([`SUBSCRIBE_REQUESTS_PER_SEC`], [`SESSION_SUBSCRIBE_REQUESTS_PER_SEC`]); a request
//!   over either is refused whole: v5 SUBACK 0x97 for each filter, UNSUBACK 0x80 for each
//!   (MQTT 5 gives UNSUBACK no 0x97), 3.1.1 SUBACK 0x80 for each filter, and a 3.1.1
//!   UNSUBSCRIBE closes the connection (its UNSUBACK has no code, and a silent UNSUBACK would
//!   claim the subscriptions are gone).
//! - **Outbound, per session**: 100 messages/s and 1 MB/s
//!   ([`SESSION_OUTBOUND_MESSAGES_PER_SEC`]), with the namespace's outbound rate: over either,
//!   a `QoS` 0 delivery is dropped and a `QoS` 1 delivery waits, in order, as above.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use crate::limits::{
    SESSION_OUTBOUND_BYTES_PER_SEC, SESSION_OUTBOUND_MESSAGES_PER_SEC,
    SESSION_SUBSCRIBE_REQUESTS_PER_SEC, SUBSCRIBE_REQUESTS_PER_SEC,
};
use gridlog::limits::{
    MQTT_SESSION_INBOUND_BYTES_PER_SEC, MQTT_SESSION_INBOUND_MESSAGES_PER_SEC,
    MQTT_SESSIONS_PER_TU_MAX, THROUGHPUT_UNITS_MAX,
};
use gridlog::{Direction, EngineError, MonotonicTime, RateLimit};
use ntex_mqtt::QoS;
use tokio::sync::oneshot;

use crate::broker::Outgoing;
use crate::session::Session;
use crate::shared::Shared;

/// Why the throughput limits refused something (the `reason` label of
/// `gridlog_mqtt_throttled_total`, in [`crate::stats::THROTTLE_REASONS`] order).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Throttled {
    /// The namespace's inbound messages or bytes per second.
    Inbound = 0,
    /// The session's inbound messages or bytes per second.
    SessionInbound = 1,
    /// The namespace's outbound messages or bytes per second (a delivery dropped or held back).
    Outbound = 2,
    /// The namespace's CONNECT requests per second.
    ConnectRate = 3,
    /// The namespace's connected sessions.
    Sessions = 4,
    /// The namespace's SUBSCRIBE and UNSUBSCRIBE requests per second.
    SubscribeRate = 5,
    /// The session's SUBSCRIBE and UNSUBSCRIBE requests per second.
    SessionSubscribeRate = 6,
    /// The session's outbound messages or bytes per second (a delivery dropped or held back).
    SessionOutbound = 7,
}

/// The per-session inbound limit, full at `now`.
pub fn session_inbound(now: MonotonicTime) -> RateLimit {
    RateLimit::new(
        MQTT_SESSION_INBOUND_MESSAGES_PER_SEC,
        MQTT_SESSION_INBOUND_BYTES_PER_SEC,
        now,
    )
}

/// The per-session outbound limit, full at `now`.
pub fn session_outbound(now: MonotonicTime) -> RateLimit {
    RateLimit::new(
        SESSION_OUTBOUND_MESSAGES_PER_SEC,
        SESSION_OUTBOUND_BYTES_PER_SEC,
        now,
    )
}

/// The per-session SUBSCRIBE/UNSUBSCRIBE limit, full at `now` (requests only: no bytes).
pub fn session_subscribes(now: MonotonicTime) -> RateLimit {
    RateLimit::new(SESSION_SUBSCRIBE_REQUESTS_PER_SEC, 0, now)
}

/// The namespace's SUBSCRIBE/UNSUBSCRIBE limit (held by the broker), full at `now`.
pub fn namespace_subscribes(now: MonotonicTime) -> RateLimit {
    RateLimit::new(SUBSCRIBE_REQUESTS_PER_SEC, 0, now)
}

/// Takes one SUBSCRIBE or UNSUBSCRIBE request from the session's and the namespace's limits,
/// or refuses it (nothing taken, counted).
pub fn subscribe_request(session: &Session) -> Result<(), Throttled> {
    let shared = session.broker.shared();
    if shared.namespace.throughput_units().is_none() {
        return Ok(());
    }
    let now = shared.clock.monotonic();
    let mut own = session.subscribes.borrow_mut();
    let refused = if !own.wait(1, 0, now).is_zero() {
        Err(Throttled::SessionSubscribeRate)
    } else if session.broker.subscribes().try_take(1, 0, now).is_err() {
        Err(Throttled::SubscribeRate)
    } else {
        own.try_take(1, 0, now)
            .map_err(|_| Throttled::SessionSubscribeRate)
    };
    if let Err(reason) = refused {
        shared.stats.throttled(reason);
    }
    refused
}

/// Takes one delivery of `bytes` to `session` from the session's outbound limit (with
/// throughput units) and the namespace's, or says which refused and for how long.
fn take_outbound(
    shared: &Shared,
    session: &Session,
    bytes: u64,
) -> Result<(), (Throttled, Option<Duration>)> {
    let limited = shared.namespace.throughput_units().is_some();
    let now = shared.clock.monotonic();
    if limited {
        let wait = session.outbound.borrow_mut().wait(1, bytes, now);
        if !wait.is_zero() {
            return Err((Throttled::SessionOutbound, Some(wait)));
        }
    }
    match shared
        .namespace
        .take_throughput(Direction::MqttOutbound, 1, bytes)
    {
        Ok(()) => {}
        Err(EngineError::Throttled { retry_after, .. }) => {
            return Err((Throttled::Outbound, Some(retry_after)));
        }
        Err(_) => return Err((Throttled::Outbound, None)),
    }
    if limited {
        // The session's bucket had room at `now`: this cannot be refused.
        let _ = session.outbound.borrow_mut().try_take(1, bytes, now);
    }
    Ok(())
}

fn bytes(payload: usize) -> u64 {
    u64::try_from(payload).unwrap_or(u64::MAX)
}

/// Takes one PUBLISH of `payload` bytes from the session's and the namespace's inbound limits,
/// or refuses it (nothing taken).
pub fn inbound(session: &Session, payload: usize) -> Result<(), Throttled> {
    let shared = session.broker.shared();
    if shared.namespace.throughput_units().is_none() {
        return Ok(());
    }
    let bytes = bytes(payload);
    let now = shared.clock.monotonic();
    let mut limit = session.inbound.borrow_mut();
    if !limit.wait(1, bytes, now).is_zero() {
        return Err(Throttled::SessionInbound);
    }
    shared
        .namespace
        .take_throughput(Direction::MqttInbound, 1, bytes)
        .map_err(|_| Throttled::Inbound)?;
    limit
        .try_take(1, bytes, now)
        .map_err(|_| Throttled::SessionInbound)
}

/// Takes one CONNECT from the namespace's connect rate.
pub fn connect(shared: &Shared) -> Result<(), Throttled> {
    shared
        .namespace
        .take_throughput(Direction::MqttConnect, 1, 0)
        .map_err(|_| Throttled::ConnectRate)
}

/// Connected sessions the namespace allows.
pub fn sessions_max(shared: &Shared) -> usize {
    let units = shared
        .namespace
        .throughput_units()
        .unwrap_or(THROUGHPUT_UNITS_MAX);
    MQTT_SESSIONS_PER_TU_MAX.saturating_mul(usize::try_from(units).unwrap_or(usize::MAX))
}

/// A session's deliveries held back by the outbound limit, sent in order.
#[derive(Default)]
pub struct Egress {
    /// Deliveries waiting.
    waiting: Cell<usize>,
    /// Which limit held back the first of them (what the ones behind it count as).
    reason: Cell<Option<Throttled>>,
    /// Fires when the last delivery queued so far has been sent (or given up).
    tail: RefCell<Option<oneshot::Receiver<()>>>,
}

/// What a delivery may do now under the outbound limit.
pub enum Outbound {
    /// Send it now.
    Send,
    /// Dropped (`QoS` 0 over the limit).
    Dropped,
    /// Held back in the session's queue; it will be sent when the limit allows.
    Queued,
}

/// Takes one delivery of `message` at `qos` to `session` from the session's and the
/// namespace's outbound limits: sent now, dropped (`QoS` 0) or queued (`QoS` 1, after the ones
/// already waiting).
pub fn outbound(
    shared: &Arc<Shared>,
    session: &Rc<Session>,
    message: &Outgoing,
    qos: QoS,
) -> Outbound {
    let bytes = bytes(message.payload.len());
    let queue = &session.egress;
    if qos == QoS::AtMostOnce {
        return match take_outbound(shared, session, bytes) {
            Ok(()) => Outbound::Send,
            Err((reason, _)) => {
                shared.stats.throttled(reason);
                Outbound::Dropped
            }
        };
    }
    let reason = if queue.waiting.get() == 0 {
        match take_outbound(shared, session, bytes) {
            Ok(()) => return Outbound::Send,
            Err((reason, _)) => {
                queue.reason.set(Some(reason));
                reason
            }
        }
    } else {
        queue.reason.get().unwrap_or(Throttled::Outbound)
    };
    shared.stats.throttled(reason);
    let (done, done_rx) = oneshot::channel();
    let previous = queue.tail.replace(Some(done_rx));
    queue.waiting.set(queue.waiting.get() + 1);
    let shared = shared.clone();
    let session = session.clone();
    let message = message.clone();
    ntex_rt::spawn(async move {
        if let Some(previous) = previous {
            let _ = previous.await;
        }
        let mut open = session.sink_open();
        while open {
            match take_outbound(&shared, &session, bytes) {
                Ok(()) => break,
                Err((_, Some(retry_after))) => {
                    ntex_util::time::sleep(at_least_a_millisecond(retry_after)).await;
                }
                Err((_, None)) => open = false,
            }
            open = open && session.sink_open();
        }
        session.egress.waiting.set(session.egress.waiting.get() - 1);
        let _ = done.send(());
        if open {
            shared.stats.delivery(true, message.payload.len());
            crate::broker::send(&session, &message, QoS::AtLeastOnce, None);
        } else {
            session.release_delivery_slot();
        }
    });
    Outbound::Queued
}

fn at_least_a_millisecond(wait: Duration) -> Duration {
    let millis = wait.as_nanos().div_ceil(1_000_000).max(1);
    Duration::from_millis(u64::try_from(millis).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use std::sync::Arc;

    use gridlog::{Namespace, NamespaceOptions, SystemClock};

    use super::sessions_max;
    use crate::shared::Shared;
    use crate::stats::MqttStats;

    #[test]
    fn sessions_are_ten_thousand_per_tu_or_the_most_tus_without() {
        let dir = tempfile::tempdir().unwrap();
        let namespace = Namespace::open(dir.path(), NamespaceOptions::default()).unwrap();
        let shared = Shared {
            namespace: namespace.clone(),
            access_keys: Vec::new(),
            dev_auth: false,
            clock: Arc::new(SystemClock::new()),
            stats: MqttStats::default(),
        };
        assert_eq!(sessions_max(&shared), 400_000);
        namespace.set_throughput_units(Some(3)).unwrap();
        assert_eq!(sessions_max(&shared), 30_000);
        namespace.set_throughput_units(Some(1)).unwrap();
        assert_eq!(sessions_max(&shared), 10_000);
    }
}
