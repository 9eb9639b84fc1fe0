//! The listener: a thread running ntex's single-threaded I/O (on a tokio current-thread
//! runtime) that accepts connections and runs the AMQP state machine of each. Engine calls
//! that wait for the disk run on the blocking pool, never on this thread.
//!
//! AMQPS (optional, [`TlsListener`]): the TLS handshake runs on tokio-rustls with the
//! `rustls::ServerConfig` the caller gives (gridlog serve's certificate, reloads included); the
//! decrypted stream is bridged to the AMQP connection over a Unix socket pair, so plain and TLS
//! connections run the same state machine and share one [`Shared`] (tokens, owner levels).

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
use crate::limits::{IDLE_TIMEOUT_SECS, MAX_FRAME_SIZE, MAX_MESSAGE_SIZE, TLS_HANDSHAKE_SECS};
use crate::sasl;
use crate::shared::Shared;

/// The AMQPS side of an [`Endpoint`]: a bound listener and the TLS configuration it presents.
pub struct TlsListener {
    /// Bound (e.g. `127.0.0.1:5671`).
    pub listener: TcpListener,
    /// The server certificate and protocol versions (no client authentication).
    pub config: Arc<rustls::ServerConfig>,
}

/// A running AMQP listener; [`Endpoint::stop`] (or dropping it) stops it.
pub struct Endpoint {
    local: SocketAddr,
    tls_local: Option<SocketAddr>,
    stop: watch::Sender<bool>,
    thread: Option<JoinHandle<()>>,
}

impl Endpoint {
    /// Starts serving AMQP on `listener` (already bound).
    pub fn start(listener: TcpListener, shared: Shared) -> Result<Self, ListenerError> {
        Self::start_with_tls(listener, None, shared)
    }

    /// Starts serving AMQP on `listener` and, when given, AMQPS on `tls` (both bound).
    pub fn start_with_tls(
        listener: TcpListener,
        tls: Option<TlsListener>,
        shared: Shared,
    ) -> Result<Self, ListenerError> {
        listener
            .set_nonblocking(true)
            .map_err(ListenerError::Socket)?;
        let local = listener.local_addr().map_err(ListenerError::Socket)?;
        let tls_local = match &tls {
            Some(tls) => {
                tls.listener
                    .set_nonblocking(true)
                    .map_err(ListenerError::Socket)?;
                Some(tls.listener.local_addr().map_err(ListenerError::Socket)?)
            }
            None => None,
        };
        let (stop, stopped) = watch::channel(false);
        let shared = Arc::new(shared);
        let thread = std::thread::Builder::new()
            .name("gridlog-amqp".to_owned())
            .spawn(move || {
                ntex_rt::System::new("gridlog-amqp", ntex_net::DefaultRuntime)
                    .block_on(accept_loop(listener, tls, shared, stopped));
            })
            .map_err(ListenerError::Thread)?;
        Ok(Self {
            local,
            tls_local,
            stop,
            thread: Some(thread),
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// The address it listens on for AMQPS, if it does.
    pub fn tls_local_addr(&self) -> Option<SocketAddr> {
        self.tls_local
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

/// Accepts on `listener`, or waits forever without one.
async fn accept_on(
    listener: Option<&tokio::net::TcpListener>,
) -> std::io::Result<(tokio::net::TcpStream, SocketAddr)> {
    match listener {
        Some(listener) => listener.accept().await,
        None => std::future::pending().await,
    }
}

/// Runs the TLS handshake of an AMQPS connection, then bridges the decrypted stream to the
/// AMQP connection `serve` runs on the other end of a Unix socket pair.
async fn bridge_tls(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    acceptor: tokio_rustls::TlsAcceptor,
    cfg: SharedCfg,
    serve: Rc<dyn Fn(IoBoxed, SocketAddr)>,
) {
    let handshake = tokio::time::timeout(
        std::time::Duration::from_secs(TLS_HANDSHAKE_SECS),
        acceptor.accept(stream),
    )
    .await;
    let mut tls = match handshake {
        Ok(Ok(tls)) => tls,
        Ok(Err(e)) => {
            tracing::info!(%peer, error = %e, "AMQPS handshake failed");
            return;
        }
        Err(_) => {
            tracing::info!(%peer, "AMQPS handshake timed out");
            return;
        }
    };
    let pair = std::os::unix::net::UnixStream::pair().and_then(|(ours, theirs)| {
        ours.set_nonblocking(true)?;
        let ours = tokio::net::UnixStream::from_std(ours)?;
        let io = ntex_net::from_unix_stream(theirs, cfg)?;
        Ok((ours, io))
    });
    let (mut ours, io) = match pair {
        Ok(pair) => pair,
        Err(e) => {
            tracing::info!(%peer, error = %e, "AMQPS connection refused");
            return;
        }
    };
    serve(IoBoxed::from(io), peer);
    if let Err(e) = tokio::io::copy_bidirectional(&mut tls, &mut ours).await {
        tracing::debug!(%peer, error = %e, "AMQPS connection ended");
    }
}

async fn accept_loop(
    listener: TcpListener,
    tls: Option<TlsListener>,
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
    let tls = match tls.map(|tls| {
        tokio::net::TcpListener::from_std(tls.listener)
            .map(|listener| (listener, tokio_rustls::TlsAcceptor::from(tls.config)))
    }) {
        Some(Ok(tls)) => Some(tls),
        Some(Err(e)) => {
            tracing::error!(error = %e, "the AMQPS listener cannot run");
            return;
        }
        None => None,
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
    let serve: Rc<dyn Fn(IoBoxed, SocketAddr)> = Rc::new(move |io: IoBoxed, peer: SocketAddr| {
        let service = service.clone();
        ntex_rt::spawn(async move {
            if let Err(e) = service.call(((), io)).await {
                tracing::debug!(%peer, error = ?e, "AMQP connection ended");
            }
        });
    });
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let io = stream
                        .into_std()
                        .and_then(|s| ntex_net::from_tcp_stream(s, cfg.clone()));
                    match io {
                        Ok(io) => serve(IoBoxed::from(io), peer),
                        Err(e) => tracing::info!(%peer, error = %e, "AMQP connection refused"),
                    }
                }
                Err(e) => {
                    tracing::info!(error = %e, "accepting an AMQP connection failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            },
            accepted = accept_on(tls.as_ref().map(|(listener, _)| listener)) => match (accepted, &tls) {
                (Ok((stream, peer)), Some((_, acceptor))) => {
                    ntex_rt::spawn(bridge_tls(stream, peer, acceptor.clone(), cfg.clone(), serve.clone()));
                }
                (Ok(_), None) => {}
                (Err(e), _) => {
                    tracing::info!(error = %e, "accepting an AMQPS connection failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            },
            _ = stopped.changed() => break,
        }
    }
}
