//! Persistent sessions, the broker's side: messages to and from the engine's form
//! ([`gridlog::MqttMessage`]), the engine calls (on the blocking pool, never on the listener
//! thread), the resend of a resumed session's queue, a connection's end, and the sweep that
//! expires sessions and publishes due wills (every [`SWEEP_INTERVAL`]).

use std::rc::Rc;
use std::time::Duration;

use gridlog::limits::MQTT_WILL_DELAY_SECS_MAX;
use gridlog::{
    DueWill, MqttClient, MqttMessage, MqttProperties, MqttWill, OpenedSession, SessionOpen,
};
use ntex_bytes::{ByteString, Bytes};
use ntex_mqtt::QoS;
use ntex_mqtt::v5::codec::PublishProperties;

use crate::broker::{self, Broker, Outgoing, Sink};
use crate::error::SessionStoreError;
use crate::session::{Persistence, Session};

/// How often the broker sweeps the stored sessions (expiry, will delays).
pub const SWEEP_INTERVAL: Duration = Duration::from_secs(1);

/// The engine's form of `message`.
pub fn to_message(message: &Outgoing) -> MqttMessage {
    MqttMessage {
        topic: message.topic.to_string(),
        payload: message.payload.to_vec(),
        qos: u8::from(message.qos == QoS::AtLeastOnce),
        properties: message.properties.as_ref().map(|p| MqttProperties {
            utf8_payload: p.is_utf8_payload,
            content_type: p.content_type.as_ref().map(ToString::to_string),
            response_topic: p.response_topic.as_ref().map(ToString::to_string),
            correlation_data: p.correlation_data.as_ref().map(|d| d.to_vec()),
            message_expiry_secs: p.message_expiry_interval.map(u32::from),
            user_properties: p
                .user_properties
                .iter()
                .map(|(name, value)| (name.to_string(), value.to_string()))
                .collect(),
        }),
    }
}

/// The broker's form of a stored message.
pub fn to_outgoing(message: &MqttMessage) -> Outgoing {
    Outgoing {
        topic: ByteString::from(message.topic.as_str()),
        payload: Bytes::copy_from_slice(&message.payload),
        qos: if message.qos == 0 {
            QoS::AtMostOnce
        } else {
            QoS::AtLeastOnce
        },
        properties: message.properties.as_ref().map(|p| PublishProperties {
            is_utf8_payload: p.utf8_payload,
            content_type: p.content_type.as_deref().map(ByteString::from),
            response_topic: p.response_topic.as_deref().map(ByteString::from),
            correlation_data: p.correlation_data.as_deref().map(Bytes::copy_from_slice),
            message_expiry_interval: p.message_expiry_secs.and_then(std::num::NonZeroU32::new),
            user_properties: p
                .user_properties
                .iter()
                .map(|(name, value)| {
                    (
                        ByteString::from(name.as_str()),
                        ByteString::from(value.as_str()),
                    )
                })
                .collect(),
            ..PublishProperties::default()
        }),
    }
}

/// Runs `call` on the namespace on the blocking pool.
async fn blocking<T: Send + 'static>(
    broker: &Broker,
    call: impl FnOnce(&gridlog::Namespace) -> Result<T, gridlog::EngineError> + Send + 'static,
) -> Result<T, SessionStoreError> {
    let namespace = broker.shared().namespace.clone();
    match tokio::task::spawn_blocking(move || call(&namespace)).await {
        Ok(result) => Ok(result?),
        Err(join) => Err(SessionStoreError::Task(join.to_string())),
    }
}

/// What an accepted CONNECT asks of its session.
pub struct Connecting {
    /// Client identifier.
    pub client_id: String,
    /// The authenticated client.
    pub client: MqttClient,
    /// Clean Start (3.1.1 `cleanSession=1`).
    pub clean_start: bool,
    /// Session Expiry Interval, clamped (0: the session ends with the connection).
    pub expiry_secs: u32,
    /// The will.
    pub will: Option<Outgoing>,
    /// Will Delay Interval, seconds (clamped to 300 s here).
    pub will_delay_secs: u32,
}

/// Opens the session of an accepted CONNECT (resumed, discarded or stored by the engine,
/// durably) and registers its connection on `sink`: stored subscriptions restored, the stored
/// queue sent once the CONNACK is out. Returns the session and Session Present.
pub async fn connect(
    broker: &Rc<Broker>,
    connecting: Connecting,
    sink: Sink,
) -> Result<(Rc<Session>, bool), SessionStoreError> {
    let open = SessionOpen {
        client_id: connecting.client_id.clone(),
        authentication_name: connecting.client.authentication_name.clone(),
        clean_start: connecting.clean_start,
        expiry_secs: connecting.expiry_secs,
        will: connecting.will.as_ref().map(|will| MqttWill {
            delay_secs: connecting.will_delay_secs.min(MQTT_WILL_DELAY_SECS_MAX),
            message: to_message(will),
        }),
    };
    // A message queued for the session between the engine's open and the registration below
    // would reach neither the resent queue nor the connection: the broker keeps those.
    broker.opening(&connecting.client_id);
    let opened = blocking(broker, move |namespace| namespace.mqtt_session_open(&open)).await;
    let missed = broker.opened(&connecting.client_id);
    let opened = opened?;
    let persistence = (opened.connection != 0).then_some(Persistence {
        connection: opened.connection,
    });
    let session = Rc::new(Session::new(
        broker.clone(),
        connecting.client_id,
        connecting.client,
        sink,
        connecting.will,
        persistence,
    ));
    restored(&session, &opened);
    broker.register(session.clone());
    let present = opened.present;
    let later = missed
        .into_iter()
        .filter(|&(_, id)| persistence.is_some_and(|p| id > p.connection));
    resend(
        &session,
        opened
            .queue
            .iter()
            .map(|queued| (to_outgoing(&queued.message), queued.id, queued.dup))
            .chain(later.map(|(message, id)| (message, id, false)))
            .collect(),
    );
    Ok((session, present))
}

/// Stores subscriptions of a persistent session (durable when it returns).
pub async fn subscribe(
    session: &Session,
    filters: Vec<(String, u8)>,
) -> Result<(), SessionStoreError> {
    if session.persistence.is_none() || filters.is_empty() {
        return Ok(());
    }
    let client_id = session.client_id.clone();
    blocking(&session.broker, move |namespace| {
        namespace.mqtt_session_subscribe(&client_id, &filters)
    })
    .await
}

/// Removes subscriptions of a persistent session (durable when it returns).
pub async fn unsubscribe(session: &Session, filters: Vec<String>) -> Result<(), SessionStoreError> {
    if session.persistence.is_none() || filters.is_empty() {
        return Ok(());
    }
    let client_id = session.client_id.clone();
    blocking(&session.broker, move |namespace| {
        namespace.mqtt_session_unsubscribe(&client_id, &filters)
    })
    .await
}

/// Restores a resumed session's subscriptions on its connection; those its bindings no longer
/// cover are removed from the stored session too.
fn restored(session: &Rc<Session>, opened: &OpenedSession) {
    let dropped = session.restore(&opened.subscriptions);
    if dropped.is_empty() {
        return;
    }
    tracing::info!(client_id = %session.client_id, ?dropped, "MQTT subscriptions no longer authorized");
    let session = session.clone();
    ntex_rt::spawn(async move {
        if let Err(e) = unsubscribe(&session, dropped).await {
            tracing::warn!(error = %e, "removing MQTT subscriptions failed");
        }
    });
}

/// Sends a resumed session's queue (message, id, DUP), oldest first (DUP=1 for what may have
/// been sent before), after the CONNACK (the task runs once the handshake has written it).
fn resend(session: &Rc<Session>, queue: Vec<(Outgoing, u64, bool)>) {
    if queue.is_empty() {
        return;
    }
    let session = session.clone();
    ntex_rt::spawn(async move {
        for (message, id, dup) in queue {
            session
                .broker
                .shared()
                .stats
                .delivery(true, message.payload.len());
            broker::send(&session, &message, QoS::AtLeastOnce, Some((id, dup)));
        }
    });
}

/// A persistent session's connection ended: unless another connection took the session over,
/// its expiry and will delay start now (the will stays armed unless a normal DISCONNECT
/// came); a will due at once is published.
pub fn disconnected(session: &Rc<Session>, current: bool) {
    let Some(persistence) = session.persistence else {
        return;
    };
    if !current {
        return;
    }
    let client_id = session.client_id.clone();
    let will = session.will_armed();
    let broker = session.broker.clone();
    ntex_rt::spawn(async move {
        let due = blocking(&broker, move |namespace| {
            namespace.mqtt_session_disconnect(&client_id, persistence.connection, will)
        })
        .await;
        match due {
            Ok(Some(due)) => publish_will(&broker, due),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "storing an MQTT disconnect failed"),
        }
    });
}

/// Publishes a stored session's due will as its client would have (authorized by its
/// Publisher bindings, routed, delivered); dropped when the client is gone or disabled.
pub fn publish_will(broker: &Rc<Broker>, due: DueWill) {
    let Some(client) = broker
        .shared()
        .mqtt()
        .client_by_authentication_name(&due.authentication_name)
        .filter(|client| client.state == gridlog::ResourceState::Enabled)
        .cloned()
    else {
        tracing::info!(client_id = %due.client_id, "MQTT will dropped: its client is gone");
        return;
    };
    let stand_in = Rc::new(Session::new(
        broker.clone(),
        due.client_id,
        client,
        Sink::Detached,
        None,
        None,
    ));
    let will = to_outgoing(&due.message);
    ntex_rt::spawn(async move {
        let outcome = crate::publish::handle(&stand_in, will).await;
        tracing::debug!(client_id = %stand_in.client_id, ?outcome, "MQTT will published");
    });
}

/// Sweeps the stored sessions every [`SWEEP_INTERVAL`] until the broker goes: expired
/// sessions end (a connected session of that id is not touched: only disconnected ones
/// expire) and due wills are published.
pub async fn sweep_loop(broker: std::rc::Weak<Broker>) {
    loop {
        ntex_util::time::sleep(SWEEP_INTERVAL).await;
        let Some(broker) = broker.upgrade() else {
            return;
        };
        match blocking(&broker, gridlog::Namespace::mqtt_session_sweep).await {
            Ok(sweep) => {
                for client_id in &sweep.expired {
                    tracing::debug!(%client_id, "MQTT session expired");
                }
                for due in sweep.wills {
                    publish_will(&broker, due);
                }
            }
            Err(e) => tracing::warn!(error = %e, "sweeping MQTT sessions failed"),
        }
    }
}
