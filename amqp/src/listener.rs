//! The listener: a thread running ntex's single-threaded I/O (on a tokio current-thread
//! runtime) that accepts connections and runs the AMQP state machine of each. Engine calls
//! that wait for the disk run on the blocking pool, never on this thread.

use std::net::{SocketAddr, TcpListener};
use std::rc::Rc;
use std::sync::Arc;
use std::thread::JoinHandle;

use ntex_amqp::{AmqpServiceConfig, server};
use ntex_io::IoBoxed;
use ntex_service::Pipeline;
use ntex_service::cfg::SharedCfg;
use tokio::sync::watch;

use crate::connection::Conn;
use crate::error::ListenerError;
use crate::limits::{IDLE_TIMEOUT_SECS, MAX_FRAME_SIZE, MAX_MESSAGE_SIZE};
use crate::sasl;
use crate::shared::Shared;

/// A running AMQP listener; [`Endpoint::stop`] (or dropping it) stops it.
pub struct Endpoint {
    local: SocketAddr,
    stop: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl Endpoint {
    /// Starts serving AMQP on `listener` (already bound).
    pub fn start(listener: TcpListener, shared: Shared) -> Result<Self, ListenerError> {
        listener
            .set_nonblocking(true)
            .map_err(ListenerError::Socket)?;
        let local = listener.local_addr().map_err(ListenerError::Socket)?;
        let (stop, stopped) = watch::channel(false);
        let shared = Arc::new(shared);
        let thread = std::thread::Builder::new()
            .name("gridlog-amqp".to_owned())
            .spawn(move || {
                ntex_rt::System::new("gridlog-amqp", ntex_net::DefaultRuntime)
                    .block_on(accept_loop(listener, shared, stopped));
            })
            .map_err(ListenerError::Thread)?;
        Ok(Self {
            local,
            stop,
            thread: Some(thread),
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
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
    SharedCfg::new("AMQP")
        .add(
            AmqpServiceConfig::new()
                .set_max_frame_size(MAX_FRAME_SIZE)
                .set_idle_timeout(IDLE_TIMEOUT_SECS)
                .set_max_size(MAX_MESSAGE_SIZE as usize + MAX_FRAME_SIZE as usize),
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
            tracing::error!(error = %e, "the AMQP listener cannot run");
            return;
        }
    };
    let cfg = config();
    let handshake_shared = shared.clone();
    let service = Rc::new(Pipeline::new(
        (),
        server::Server::builder(move |hs: server::Handshake| {
            sasl::handshake(handshake_shared.clone(), hs)
        })
        .control(ntex_service::fn_factory(
            async |st: &ntex_amqp::State<Rc<Conn>>| {
                let conn = st.get_ref().clone();
                Ok::<_, std::convert::Infallible>(ntex_service::fn_service(async move |frame| {
                    conn.control(&frame)
                }))
            },
        ))
        .build(ntex_service::fn_factory(
            async |st: &ntex_amqp::State<Rc<Conn>>| {
                let conn = st.get_ref().clone();
                Ok::<_, std::convert::Infallible>(ntex_service::fn_service(async move |message| {
                    conn.publish(message).await
                }))
            },
        )),
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
                                    tracing::debug!(%peer, error = ?e, "AMQP connection ended");
                                }
                            });
                        }
                        Err(e) => tracing::info!(%peer, error = %e, "AMQP connection refused"),
                    }
                }
                Err(e) => {
                    tracing::info!(error = %e, "accepting an AMQP connection failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            },
            _ = stopped.changed() => break,
        }
    }
}
