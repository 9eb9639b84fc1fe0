//! The listener: a thread running ntex's single-threaded I/O (on a tokio current-thread
//! runtime) that accepts connections and runs ntex-mqtt's MQTT 3.1.1 and 5 state machines, with
//! gridlog's handlers (`v3.rs`, `v5.rs`). All sessions live on this thread (`broker.rs`); engine
//! calls that wait for the disk run on the blocking pool, never on it.

use std::net::{SocketAddr, TcpListener};
use std::rc::Rc;
use std::sync::Arc;
use std::thread::JoinHandle;

use ntex_io::IoBoxed;
use ntex_mqtt::{MqttServiceConfig, QoS, v3, v5};
use ntex_service::Pipeline;
use ntex_service::cfg::SharedCfg;
use ntex_util::time::Seconds;
use tokio::sync::watch;

use crate::broker::Broker;
use crate::error::{ListenerError, ServiceError};
use crate::limits::{
    CONNECT_TIMEOUT_SECS, INBOUND_IN_FLIGHT_MAX, MAX_PACKET_BYTES, OUTBOUND_IN_FLIGHT_MAX,
    TOPIC_ALIASES_MAX,
};
use crate::shared::Shared;
use crate::stats::MqttStats;

/// A running MQTT listener; [`Endpoint::stop`] (or dropping it) stops it.
pub struct Endpoint {
    local: SocketAddr,
    stats: MqttStats,
    stop: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl Endpoint {
    /// Starts serving MQTT on `listener` (already bound).
    pub fn start(listener: TcpListener, shared: Shared) -> Result<Self, ListenerError> {
        listener
            .set_nonblocking(true)
            .map_err(ListenerError::Socket)?;
        let local = listener.local_addr().map_err(ListenerError::Socket)?;
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
                ntex_rt::System::new("gridlog-mqtt", ntex_net::DefaultRuntime)
                    .block_on(accept_loop(listener, shared, stopped));
            })
            .map_err(ListenerError::Thread)?;
        Ok(Self {
            local,
            stats,
            stop,
            thread: Some(thread),
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
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

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut stopped: watch::Receiver<bool>,
) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(listener) => listener,
        Err(e) => {
            tracing::error!(error = %e, "the MQTT listener cannot run");
            return;
        }
    };
    let cfg = config();
    let broker = Broker::new(shared);
    ntex_rt::spawn(crate::persistent::sweep_loop(Rc::downgrade(&broker)));
    let broker3 = broker.clone();
    let broker5 = broker.clone();
    let v3_server = v3::MqttServer::new(
        async |session: &v3::Session<crate::v3::State>, message: v3::Publish| {
            crate::v3::publish(session, message).await
        },
    )
    .protocol(
        async |session: &v3::Session<crate::v3::State>, message: v3::ProtocolMessage| {
            Ok::<_, ServiceError>(crate::v3::protocol(session, message).await)
        },
    )
    .control(async |session: &v3::Session<crate::v3::State>, control| {
        Ok::<_, ServiceError>(crate::v3::control(session, &control))
    })
    .build(move |handshake: v3::Connect| {
        let broker = broker3.clone();
        async move { Ok::<_, ServiceError>(crate::v3::connect(&broker, handshake).await) }
    });
    let v5_server = v5::MqttServer::new(
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
    .build(move |handshake: v5::Connect| {
        let broker = broker5.clone();
        async move { Ok::<_, ServiceError>(crate::v5::connect(&broker, handshake).await) }
    });
    let service = Rc::new(Pipeline::new(
        (),
        ntex_mqtt::MqttServer::<(), ((), IoBoxed), _, _, ServiceError>::new()
            .v3(v3_server)
            .v5(v5_server),
    ));
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let io = stream
                        .into_std()
                        .and_then(|s| ntex_net::from_tcp_stream(s, cfg.clone()));
                    match io {
                        Ok(io) => {
                            let service = service.clone();
                            ntex_rt::spawn(async move {
                                if let Err(e) = service.call(((), IoBoxed::from(io))).await {
                                    tracing::debug!(%peer, error = ?e, "MQTT connection ended");
                                }
                            });
                        }
                        Err(e) => tracing::info!(%peer, error = %e, "MQTT connection refused"),
                    }
                }
                Err(e) => {
                    tracing::info!(error = %e, "accepting an MQTT connection failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            },
            _ = stopped.changed() => break,
        }
    }
    drop(broker);
}
