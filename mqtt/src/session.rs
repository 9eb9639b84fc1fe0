//! One connected session: its client, its grants (the permission bindings' templates
//! substituted for it, computed once at CONNECT) and its subscriptions. A persistent session
//! (Session Expiry Interval > 0, 3.1.1 `cleanSession=0`) is also stored by the engine
//! (`Namespace::mqtt_session_*`): its subscriptions and `QoS` 1 queue there outlive the
//! connection, and this is the connection's copy of the subscriptions.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use gridlog::{FilterSegment, MqttClient, Permission, RateLimit};
use ntex_mqtt::QoS;

use crate::broker::{Broker, Outgoing, Sink};
use crate::error::TopicError;
use crate::limits::{SESSION_QUEUE_MESSAGES_MAX, SUBSCRIPTIONS_PER_SESSION_MAX};
use crate::stats::SubscribeOutcome;
use crate::throttle::{self, Egress};
use crate::topic;

/// A connected session.
pub struct Session {
    /// The listener's broker.
    pub broker: Rc<Broker>,
    /// Client identifier (session name).
    pub client_id: String,
    /// The authenticated client.
    pub client: MqttClient,
    /// The way back to the client.
    pub sink: Sink,
    publish_grants: Vec<Vec<FilterSegment>>,
    subscribe_grants: Vec<Vec<FilterSegment>>,
    subscriptions: RefCell<Vec<Subscription>>,
    /// `QoS` 1 deliveries sent and not yet acknowledged (or waiting for the client's window).
    unacknowledged: Cell<usize>,
    /// The will message, published when the connection ends without a normal DISCONNECT (a
    /// persistent session's will is the engine's; this one then only says whether it is still
    /// armed).
    will: RefCell<Option<Outgoing>>,
    /// The session's inbound rate (applied when the namespace has throughput units).
    pub inbound: RefCell<RateLimit>,
    /// The session's outbound rate (applied when the namespace has throughput units).
    pub outbound: RefCell<RateLimit>,
    /// The session's SUBSCRIBE and UNSUBSCRIBE requests rate (idem).
    pub subscribes: RefCell<RateLimit>,
    /// Deliveries held back by the outbound rates.
    pub egress: Egress,
    /// The engine stores this session ([`Persistence`]); `None`: it ends with the connection.
    pub persistence: Option<Persistence>,
}

/// How a persistent session's connection holds the engine's stored session.
#[derive(Clone, Copy, Debug)]
pub struct Persistence {
    /// `OpenedSession::connection`.
    pub connection: u64,
}

struct Subscription {
    text: String,
    filter: Vec<FilterSegment>,
    qos: QoS,
}

/// Why a subscription is refused (each maps to a SUBACK code).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubscribeRefusal {
    /// The filter breaks a rule (v5 0x8F), or is a shared subscription (v5 0x9E).
    Invalid(TopicError),
    /// No Subscriber binding covers it (v5 0x87).
    NotAuthorized,
    /// Too many subscriptions (v5 0x97).
    Quota,
}

impl Session {
    /// A session of `client` on `sink`.
    pub fn new(
        broker: Rc<Broker>,
        client_id: String,
        client: MqttClient,
        sink: Sink,
        will: Option<Outgoing>,
        persistence: Option<Persistence>,
    ) -> Self {
        let mqtt = broker.shared().mqtt();
        let publish_grants = mqtt.grants(&client, Permission::Publisher);
        let subscribe_grants = mqtt.grants(&client, Permission::Subscriber);
        let now = broker.shared().clock.monotonic();
        let inbound = RefCell::new(throttle::session_inbound(now));
        Self {
            broker,
            client_id,
            client,
            sink,
            publish_grants,
            subscribe_grants,
            subscriptions: RefCell::new(Vec::new()),
            unacknowledged: Cell::new(0),
            will: RefCell::new(will),
            inbound,
            outbound: RefCell::new(throttle::session_outbound(now)),
            subscribes: RefCell::new(throttle::session_subscribes(now)),
            egress: Egress::default(),
            persistence,
        }
    }

    /// Restores stored subscriptions (filter, granted `QoS`) that the client's Subscriber
    /// bindings still cover (the configuration may have changed since); returns those that no
    /// longer are, which the caller removes from the stored session.
    pub fn restore(&self, subscriptions: &[(String, u8)]) -> Vec<String> {
        let mut dropped = Vec::new();
        let mut restored = self.subscriptions.borrow_mut();
        for (text, qos) in subscriptions {
            let covered = topic::topic_filter(text).ok().filter(|filter| {
                self.subscribe_grants
                    .iter()
                    .any(|grant| topic::covers(grant, filter))
            });
            match covered {
                Some(filter) if restored.len() < SUBSCRIPTIONS_PER_SESSION_MAX => {
                    restored.push(Subscription {
                        text: text.clone(),
                        filter,
                        qos: if *qos == 0 {
                            QoS::AtMostOnce
                        } else {
                            QoS::AtLeastOnce
                        },
                    });
                }
                _ => dropped.push(text.clone()),
            }
        }
        dropped
    }

    /// Whether the will is still armed (no normal DISCONNECT).
    pub fn will_armed(&self) -> bool {
        self.will.borrow().is_some()
    }

    /// Forgets the will (a normal DISCONNECT).
    pub fn clear_will(&self) {
        self.will.borrow_mut().take();
    }

    /// Publishes the will, if there still is one, as the client would have (authorized, routed,
    /// delivered): the connection of a session that ends with it ended without a normal
    /// DISCONNECT (the session ends, so the will delay ends too). A persistent session's will
    /// is the engine's (`persistent.rs`).
    pub fn publish_will(self: &Rc<Self>) {
        if self.persistence.is_some() {
            return;
        }
        let Some(will) = self.will.borrow_mut().take() else {
            return;
        };
        let session = self.clone();
        ntex_rt::spawn(async move {
            let outcome = crate::publish::handle(&session, will).await;
            tracing::debug!(client_id = %session.client_id, ?outcome, "MQTT will published");
        });
    }

    /// Whether the connection is still open.
    pub fn sink_open(&self) -> bool {
        self.sink.is_open()
    }

    /// Whether this client may publish to `segments` (a checked topic name).
    pub fn may_publish(&self, segments: &[&str]) -> bool {
        self.publish_grants
            .iter()
            .any(|grant| topic::matches(grant, segments))
    }

    /// Counts a filter refused before it was looked at (beyond the filters of one SUBSCRIBE).
    pub fn refuse_filter(&self) {
        self.broker
            .shared()
            .stats
            .subscription(SubscribeOutcome::Quota);
    }

    /// Adds (or replaces) the subscription to `text` at `qos` (`QoS` 2 is granted as 1); returns
    /// the granted `QoS`.
    pub fn subscribe(&self, text: &str, qos: QoS) -> Result<QoS, SubscribeRefusal> {
        let subscribed = self.subscribe_uncounted(text, qos);
        self.broker.shared().stats.subscription(match subscribed {
            Ok(_) => SubscribeOutcome::Granted,
            Err(SubscribeRefusal::Invalid(_)) => SubscribeOutcome::Invalid,
            Err(SubscribeRefusal::NotAuthorized) => SubscribeOutcome::NotAuthorized,
            Err(SubscribeRefusal::Quota) => SubscribeOutcome::Quota,
        });
        subscribed
    }

    fn subscribe_uncounted(&self, text: &str, qos: QoS) -> Result<QoS, SubscribeRefusal> {
        let filter = topic::topic_filter(text).map_err(SubscribeRefusal::Invalid)?;
        if !self
            .subscribe_grants
            .iter()
            .any(|grant| topic::covers(grant, &filter))
        {
            return Err(SubscribeRefusal::NotAuthorized);
        }
        let granted = if qos == QoS::AtMostOnce {
            QoS::AtMostOnce
        } else {
            QoS::AtLeastOnce
        };
        let mut subscriptions = self.subscriptions.borrow_mut();
        if let Some(existing) = subscriptions.iter_mut().find(|s| s.text == text) {
            existing.qos = granted;
            return Ok(granted);
        }
        if subscriptions.len() >= SUBSCRIPTIONS_PER_SESSION_MAX {
            return Err(SubscribeRefusal::Quota);
        }
        subscriptions.push(Subscription {
            text: text.to_owned(),
            filter,
            qos: granted,
        });
        Ok(granted)
    }

    /// Removes the subscription to `text`; whether there was one.
    pub fn unsubscribe(&self, text: &str) -> bool {
        let mut subscriptions = self.subscriptions.borrow_mut();
        let before = subscriptions.len();
        subscriptions.retain(|s| s.text != text);
        subscriptions.len() != before
    }

    /// Counts one more unacknowledged `QoS` 1 delivery; `false` (nothing counted) when
    /// [`SESSION_QUEUE_MESSAGES_MAX`] are already waiting.
    pub fn take_delivery_slot(&self) -> bool {
        let taken = self.unacknowledged.get();
        if taken >= SESSION_QUEUE_MESSAGES_MAX {
            return false;
        }
        self.unacknowledged.set(taken + 1);
        true
    }

    /// A `QoS` 1 delivery was acknowledged (or its connection ended).
    pub fn release_delivery_slot(&self) {
        self.unacknowledged
            .set(self.unacknowledged.get().saturating_sub(1));
    }

    /// The highest `QoS` among the subscriptions whose filter `matches`; `None` if none does.
    pub fn granted_qos(&self, matches: impl Fn(&[FilterSegment]) -> bool) -> Option<QoS> {
        self.subscriptions
            .borrow()
            .iter()
            .filter(|s| matches(&s.filter))
            .map(|s| s.qos)
            .max()
    }
}
