//! The listener: a thread running ntex's single-threaded I/O (on a tokio current-thread
//! runtime) that accepts connections and runs ntex-mqtt's MQTT 3.1.1 and 5 state machines, with
//! gridlog's handlers (`v3.rs`, `v5.rs`). All sessions live on this thread (`broker.rs`); engine
//! calls that wait for the disk run on the blocking pool, never on it.
//!
//! Up to four ports ([`Listeners`]): plain MQTT, MQTTS (TLS, client certificates requested),
//! MQTT over WebSocket and over WebSocket with TLS; the last three are bridged (`bridge.rs`).

use std::net::{SocketAddr, TcpListener};
use std::rc::Rc;
use std::sync::Arc;
use std::thread::JoinHandle;

use ntex_io::IoBoxed;
use ntex_mqtt::{MqttServiceConfig, QoS, v3, v5};
use ntex_service::Pipeline;
use ntex_service::cfg::SharedCfg;
use ntex_util::time::Seconds;
use rustls::server::ResolvesServerCert;
use tokio::sync::watch;

use crate::bridge::Serve;
use crate::broker::Broker;
use crate::error::{ListenerError, ServiceError};
use crate::limits::{
    CONNECT_TIMEOUT_SECS, INBOUND_IN_FLIGHT_MAX, MAX_PACKET_BYTES, OUTBOUND_IN_FLIGHT_MAX,
    TOPIC_ALIASES_MAX,
};
use crate::peer::{Peer, Transport};
use crate::shared::Shared;
use crate::stats::MqttStats;

/// The ports an [`Endpoint`] serves (each already bound).
pub struct Listeners {
    /// Plain MQTT (e.g. `127.0.0.1:1883`).
    pub mqtt: TcpListener,
    /// MQTTS (e.g. `127.0.0.1:8883`); needs `certificate`.
    pub mqtts: Option<TcpListener>,
    /// MQTT over WebSocket, path `/mqtt` (e.g. `127.0.0.1:8080`).
    pub ws: Option<TcpListener>,
    /// MQTT over WebSocket with TLS, path `/mqtt` (e.g. `127.0.0.1:8443`); needs `certificate`.
    pub wss: Option<TcpListener>,
    /// The server certificate of MQTTS and WSS (`gridlog serve`'s, reloads included).
    pub certificate: Option<Arc<dyn ResolvesServerCert>>,
}

impl Listeners {
    /// Plain MQTT only.
    pub fn plain(mqtt: TcpListener) -> Self {
        Self {
            mqtt,
            mqtts: None,
            ws: None,
            wss: None,
            certificate: None,
        }
    }
}

/// The addresses an [`Endpoint`] listens on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Addresses {
    /// Plain MQTT.
    pub mqtt: SocketAddr,
    /// MQTTS.
    pub mqtts: Option<SocketAddr>,
    /// MQTT over WebSocket.
    pub ws: Option<SocketAddr>,
    /// MQTT over WebSocket with TLS.
    pub wss: Option<SocketAddr>,
}

/// A running MQTT listener; [`Endpoint::stop`] (or dropping it) stops it.
pub struct Endpoint {
    addresses: Addresses,
    stats: MqttStats,
    stop: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

/// The bound ports as tokio listeners, with the TLS acceptor, on the listener thread.
struct Ports {
    mqtt: tokio::net::TcpListener,
    mqtts: Option<tokio::net::TcpListener>,
    ws: Option<tokio::net::TcpListener>,
    wss: Option<tokio::net::TcpListener>,
    acceptor: Option<crate::tls::Acceptor>,
}

impl Endpoint {
    /// Starts serving plain MQTT on `listener` (already bound).
    pub fn start(listener: TcpListener, shared: Shared) -> Result<Self, ListenerError> {
        Self::start_with(Listeners::plain(listener), shared)
    }

    /// Starts serving MQTT on every port of `listeners`.
    pub fn start_with(listeners: Listeners, shared: Shared) -> Result<Self, ListenerError> {
        let Listeners {
            mqtt,
            mqtts,
            ws,
            wss,
            certificate,
        } = listeners;
        let acceptor = match (&certificate, mqtts.is_some() || wss.is_some()) {
            (_, false) => None,
            (None, true) => return Err(ListenerError::NoCertificate),
            (Some(resolver), true) => Some(crate::tls::Acceptor::new(
                resolver.clone(),
                &shared.mqtt().ca_certificates,
            )?),
        };
        let addresses = Addresses {
            mqtt: prepare(&mqtt)?,
            mqtts: mqtts.as_ref().map(prepare).transpose()?,
            ws: ws.as_ref().map(prepare).transpose()?,
            wss: wss.as_ref().map(prepare).transpose()?,
        };
        // After a restart no connection holds a stored session: their expiry and wills count
        // from now.
        let restarted = shared
            .namespace
            .mqtt_sessions_restarted()
            .map_err(ListenerError::Sessions)?;
        if restarted > 0 {
            tracing::info!(
                restarted,
                "MQTT sessions held at the last stop are disconnected"
            );
        }
        let (stop, stopped) = watch::channel(false);
        let stats = shared.stats.clone();
        let shared = Arc::new(shared);
        let thread = std::thread::Builder::new()
            .name("gridlog-mqtt".to_owned())
            .spawn(move || {
                ntex_rt::System::new("gridlog-mqtt", ntex_net::DefaultRuntime).block_on(
                    async move {
                        let ports = (|| {
                            Ok::<_, std::io::Error>(Ports {
                                mqtt: tokio::net::TcpListener::from_std(mqtt)?,
                                mqtts: mqtts.map(tokio::net::TcpListener::from_std).transpose()?,
                                ws: ws.map(tokio::net::TcpListener::from_std).transpose()?,
                                wss: wss.map(tokio::net::TcpListener::from_std).transpose()?,
                                acceptor,
                            })
                        })();
                        match ports {
                            Ok(ports) => accept_loop(ports, shared, stopped).await,
                            Err(e) => tracing::error!(error = %e, "the MQTT listener cannot run"),
                        }
                    },
                );
            })
            .map_err(ListenerError::Thread)?;
        Ok(Self {
            addresses,
            stats,
            stop,
            thread: Some(thread),
        })
    }

    /// The address it listens on for plain MQTT.
    pub fn local_addr(&self) -> SocketAddr {
        self.addresses.mqtt
    }

    /// Every address it listens on.
    pub fn addresses(&self) -> Addresses {
        self.addresses
    }

    /// Its counters.
    pub fn stats(&self) -> &MqttStats {
        &self.stats
    }

    /// Stops accepting and closes every connection; returns when the thread has ended.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let _ = self.stop.send(true);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Non-blocking, and its address.
fn prepare(listener: &TcpListener) -> Result<SocketAddr, ListenerError> {
    listener
        .set_nonblocking(true)
        .map_err(ListenerError::Socket)?;
    listener.local_addr().map_err(ListenerError::Socket)
}

fn config() -> SharedCfg {
    SharedCfg::new("MQTT")
        .add(
            MqttServiceConfig::new()
                .set_max_qos(QoS::AtLeastOnce)
                .set_max_size(MAX_PACKET_BYTES)
                .set_max_receive(INBOUND_IN_FLIGHT_MAX)
                .set_max_send(OUTBOUND_IN_FLIGHT_MAX)
                .set_max_topic_alias(TOPIC_ALIASES_MAX)
                .set_connect_timeout(Seconds(CONNECT_TIMEOUT_SECS)),
        )
        .into()
}

/// Accepts on `listener`, or waits forever without one.
async fn accept_on(
    listener: Option<&tokio::net::TcpListener>,
) -> std::io::Result<(tokio::net::TcpStream, SocketAddr)> {
    match listener {
        Some(listener) => listener.accept().await,
        None => std::future::pending().await,
    }
}

async fn accept_loop(ports: Ports, shared: Arc<Shared>, mut stopped: watch::Receiver<bool>) {
    let cfg = config();
    let broker = Broker::new(shared);
    ntex_rt::spawn(crate::persistent::sweep_loop(Rc::downgrade(&broker)));
    let broker3 = broker.clone();
    let broker5 = broker.clone();
    let v3_server = v3::MqttServer::with(
        async |session: &v3::Session<crate::v3::State>, message: v3::Publish| {
            crate::v3::publish(session, message).await
        },
    )
    .protocol(
        async |session: &v3::Session<crate::v3::State>, message: v3::ProtocolMessage| {
            crate::v3::protocol(session, message).await
        },
    )
    .control(async |session: &v3::Session<crate::v3::State>, control| {
        Ok::<_, ServiceError>(crate::v3::control(session, &control))
    })
    .build(move |handshake: v3::Connect<Peer>| {
        let broker = broker3.clone();
        async move { Ok::<_, ServiceError>(crate::v3::connect(&broker, handshake).await) }
    });
    let v5_server = v5::MqttServer::with(
        async |session: &v5::Session<crate::v5::State>, message: v5::Publish| {
            crate::v5::publish(session, message).await
        },
    )
    .protocol(
        async |session: &v5::Session<crate::v5::State>, message: v5::ProtocolMessage| {
            Ok::<_, ServiceError>(crate::v5::protocol(session, message).await)
        },
    )
    .control(async |session: &v5::Session<crate::v5::State>, control| {
        Ok::<_, ServiceError>(crate::v5::control(session, &control))
    })
    .build(move |handshake: v5::Connect<Peer>| {
        let broker = broker5.clone();
        async move { Ok::<_, ServiceError>(crate::v5::connect(&broker, handshake).await) }
    });
    let service = Rc::new(Pipeline::new(
        (),
        ntex_mqtt::MqttServer::<(), (Peer, IoBoxed), _, _, ServiceError>::new()
            .v3(v3_server)
            .v5(v5_server),
    ));
    let serve: Serve = Rc::new(move |io: IoBoxed, who: Peer, peer: SocketAddr| {
        let service = service.clone();
        ntex_rt::spawn(async move {
            if let Err(e) = service.call((who, io)).await {
                tracing::debug!(%peer, error = ?e, "MQTT connection ended");
            }
        });
    });
    // The acceptor for the CA certificates now (its hints follow the management API).
    let acceptor = || {
        ports
            .acceptor
            .as_ref()
            .map(|a| a.get(&broker.shared().mqtt().ca_certificates))
    };
    loop {
        tokio::select! {
            accepted = ports.mqtt.accept() => match accepted {
                Ok((stream, peer)) => {
                    let io = stream
                        .into_std()
                        .and_then(|s| ntex_net::from_tcp_stream(s, cfg.clone()));
                    match io {
                        Ok(io) => serve(IoBoxed::from(io), Peer::plain(Transport::Tcp), peer),
                        Err(e) => tracing::info!(%peer, error = %e, "MQTT connection refused"),
                    }
                }
                Err(e) => pause("MQTT", &e).await,
            },
            accepted = accept_on(ports.mqtts.as_ref()) => match (accepted, acceptor()) {
                (Ok((stream, peer)), Some(acceptor)) => {
                    ntex_rt::spawn(crate::bridge::tls(stream, peer, acceptor, cfg.clone(), serve.clone()));
                }
                (Ok(_), None) => {}
                (Err(e), _) => pause("MQTTS", &e).await,
            },
            accepted = accept_on(ports.ws.as_ref()) => match accepted {
                Ok((stream, peer)) => {
                    ntex_rt::spawn(crate::bridge::websocket(stream, peer, None, cfg.clone(), serve.clone()));
                }
                Err(e) => pause("MQTT WebSocket", &e).await,
            },
            accepted = accept_on(ports.wss.as_ref()) => match (accepted, acceptor()) {
                (Ok((stream, peer)), Some(acceptor)) => {
                    ntex_rt::spawn(crate::bridge::websocket(stream, peer, Some(acceptor), cfg.clone(), serve.clone()));
                }
                (Ok(_), None) => {}
                (Err(e), _) => pause("MQTT WSS", &e).await,
            },
            _ = stopped.changed() => break,
        }
    }
    drop(broker);
}

/// After a failed accept (e.g. out of file descriptors): log, and wait a little.
async fn pause(what: &str, error: &std::io::Error) {
    tracing::info!(error = %error, "accepting an {what} connection failed");
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
}
