//! The HTTP/1.1 listener: accept loop, connection limits, timeouts and graceful shutdown.
//!
//! - Request headers must arrive within [`HEADER_READ_TIMEOUT`] (slow clients are cut off);
//!   bodies within [`crate::http::BODY_READ_TIMEOUT`].
//! - Head limits, and who answers them: the request target is at most
//!   [`crate::http::URL_BYTES_MAX`] bytes (414), the headers at most
//!   [`crate::http::HEADERS_BYTES_MAX`] bytes of names and values (431) in at most
//!   [`crate::http::HEADERS_COUNT_MAX`] lines (431); those are checked by the handler. The
//!   parser's buffer ([`HEAD_BYTES_MAX`]) is sized so that any head within them fits, and its
//!   header-line cap ([`HEADER_LINES_PARSED_MAX`]) is above the handler's; a head beyond either,
//!   or one that is not HTTP/1.1 (400), is refused by hyper itself, and that answer is rewritten
//!   to the same JSON error shape ([`parse_errors`]); the connection is then closed.
//! - Connections are always accepted; there is no cap on connections doing authenticated work.
//!   Idle ones (no complete request head yet, or between keep-alive requests) are let go,
//!   oldest first, when there are too many: see [`connections`] ([`IDLE_PRESSURE`],
//!   [`IDLE_CONNECTIONS_MAX`], [`PRESSURE_HEADER_TIMEOUT`], [`PRESSURE_KEEP_ALIVE_TIMEOUT`]).
//!   Waiting receives are capped per subscription and namespace in [`crate::http`].
//! - The listen backlog is [`LISTEN_BACKLOG`] ([`bind`]), so clients let go together and
//!   reconnecting together do not overflow it.
//! - The soft open-file limit bounds how many sockets can be held; a process may raise it to
//!   the hard one with [`open_files::raise_open_files_limit`] (`gridlog serve` does). The
//!   library does not change process-wide limits by itself: a broker linking it decides.
//! - Shutdown: stop accepting, turn the shutdown flag on (waiting receives answer at once with
//!   whatever they have, new requests get 503), let in-flight requests finish for up to
//!   [`SHUTDOWN_GRACE`], close idle keep-alive connections. The caller then closes the store.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use crate::http::{App, handle};
use crate::tls::{Handshake, TlsAcceptor};
use connections::{Connection, Connections};
pub use connections::{
    IDLE_CONNECTIONS_MAX, IDLE_PRESSURE, PRESSURE_HEADER_TIMEOUT, PRESSURE_KEEP_ALIVE_TIMEOUT,
    REAP_INTERVAL,
};
use parse_errors::JsonParseErrors;

pub mod connections;
pub mod open_files;
pub mod parse_errors;

/// Time a client has to send its request line and headers.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// hyper's read buffer, so the largest request head (request line and headers, line ends
/// included) it takes. Above the largest head the handler's own limits let through (an 8 KiB
/// target and 32 KiB of headers in 200 lines come to about 42 KiB).
pub const HEAD_BYTES_MAX: usize = 64 * 1024;
/// hyper's cap on header lines, above [`crate::http::HEADERS_COUNT_MAX`] so the handler's check
/// answers first on a connection that stays usable. hyper allocates this many slots for every
/// head it parses, hence not higher.
pub const HEADER_LINES_PARSED_MAX: usize = 256;
/// How long a connection told to close (idle budget) may take to finish its last write before
/// it is dropped, unless it is working.
pub const CLOSE_GRACE: Duration = Duration::from_secs(5);
/// The listen backlog (the kernel caps it at `net.core.somaxconn`, 4,096 by default). When the
/// idle budget lets go of many connections at once, their clients reconnect together; a
/// backlog that overflows drops SYNs, and every client caught then waits a full SYN retransmit
/// (1 s), legitimate ones included.
pub const LISTEN_BACKLOG: u32 = 4_096;
/// Idle connections closed at once when accepting fails for want of file descriptors.
pub const CLOSE_ON_FD_EXHAUSTION: usize = 16;
/// How long in-flight requests may take to finish on shutdown.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// A listening socket on `addr` with [`LISTEN_BACKLOG`] and `SO_REUSEADDR` (as tokio's `bind`
/// sets), non-blocking, ready for `tokio::net::TcpListener::from_std`. Synchronous, so `serve`
/// can take its port before it creates or prints anything (a port in use fails first).
pub fn bind(addr: SocketAddr) -> std::io::Result<std::net::TcpListener> {
    use rustix::net::{AddressFamily, SocketFlags, SocketType, sockopt};
    let family = if addr.is_ipv4() {
        AddressFamily::INET
    } else {
        AddressFamily::INET6
    };
    let socket = rustix::net::socket_with(
        family,
        SocketType::STREAM,
        SocketFlags::CLOEXEC | SocketFlags::NONBLOCK,
        None,
    )?;
    sockopt::set_socket_reuseaddr(&socket, true)?;
    rustix::net::bind(&socket, &addr)?;
    rustix::net::listen(&socket, i32::try_from(LISTEN_BACKLOG).unwrap_or(i32::MAX))?;
    Ok(std::net::TcpListener::from(socket))
}

/// Serves `app` on `listener` until `signal` completes, then drains (see the module docs).
/// `shutdown` is the sender of the flag `app` watches.
pub async fn serve(
    listener: TcpListener,
    app: Arc<App>,
    shutdown: watch::Sender<bool>,
    signal: impl Future<Output = ()>,
) {
    run(listener, app, shutdown, signal, None).await;
}

/// [`serve`] over TLS: every accepted connection goes through `tls` first (a plain-HTTP request
/// is answered `400` and closed; see [`crate::tls::acceptor`]). The handshake counts as a fresh
/// connection in the budget and must finish within [`HEADER_READ_TIMEOUT`].
pub async fn serve_tls(
    listener: TcpListener,
    app: Arc<App>,
    shutdown: watch::Sender<bool>,
    signal: impl Future<Output = ()>,
    tls: TlsAcceptor,
) {
    run(listener, app, shutdown, signal, Some(tls)).await;
}

async fn run(
    listener: TcpListener,
    app: Arc<App>,
    shutdown: watch::Sender<bool>,
    signal: impl Future<Output = ()>,
    tls: Option<TlsAcceptor>,
) {
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .max_buf_size(HEAD_BYTES_MAX)
        .max_headers(HEADER_LINES_PARSED_MAX)
        .keep_alive(true);
    let builder = Arc::new(builder);
    let connections = Connections::new();
    let reaper = tokio::spawn(reap(connections.clone()));
    tokio::pin!(signal);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        if is_fd_exhaustion(&error) {
                            connections.close_oldest(CLOSE_ON_FD_EXHAUSTION);
                        }
                        tracing::warn!(%error, "accept failed");
                        tokio::time::sleep(Duration::from_millis(10)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let connection = connections.open();
                let start = Start {
                    builder: builder.clone(),
                    app: app.clone(),
                    peer,
                    connection,
                    shutdown: shutdown.subscribe(),
                };
                tokio::spawn(start.run(stream, tls.clone()));
            }
            () = &mut signal => break,
        }
    }
    drop(listener);
    reaper.abort();
    tracing::info!("shutting down: no new connections; answering waiting receives");
    let _ = shutdown.send(true);
    if tokio::time::timeout(SHUTDOWN_GRACE, connections.all_closed())
        .await
        .is_err()
    {
        tracing::warn!("some connections were still busy after {SHUTDOWN_GRACE:?}; closing anyway");
    }
}

/// What serving one accepted connection needs.
struct Start {
    builder: Arc<hyper::server::conn::http1::Builder>,
    app: Arc<App>,
    peer: SocketAddr,
    connection: Connection,
    shutdown: watch::Receiver<bool>,
}

impl Start {
    /// Serves `stream`, after its TLS handshake if `tls` is set. The handshake is abandoned
    /// when the idle budget wants the connection closed or after [`HEADER_READ_TIMEOUT`].
    async fn run(self, stream: TcpStream, tls: Option<TlsAcceptor>) {
        let Some(tls) = tls else {
            return serve_connection(self, stream).await;
        };
        let peer = self.peer;
        let handshake = tokio::select! {
            handshake = tokio::time::timeout(HEADER_READ_TIMEOUT, tls.accept(stream)) => handshake,
            () = self.connection.close_requested() => {
                tracing::debug!(%peer, "closing a connection in its TLS handshake (idle budget)");
                return;
            }
        };
        match handshake {
            Ok(Handshake::Tls(stream)) => serve_connection(self, *stream).await,
            Ok(Handshake::PlainHttp) => {
                tracing::debug!(%peer, "plain HTTP on the TLS port: answered 400");
            }
            Ok(Handshake::Failed(error)) => {
                tracing::debug!(%peer, %error, "TLS handshake failed");
            }
            Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
        }
    }
}

/// Serves one connection until it ends, the idle budget wants it closed, or the server shuts
/// down. Closing is graceful (hyper finishes a request in flight, closes an idle connection at
/// once); a connection that is not working and still has not finished after [`CLOSE_GRACE`]
/// (a client that does not read its answer) is dropped.
async fn serve_connection<S>(start: Start, stream: S)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let Start {
        builder,
        app,
        peer,
        connection,
        mut shutdown,
    } = start;
    let tracker = connection.tracker();
    let service = service_fn(move |request| {
        let guard = tracker.begin_request();
        let app = app.clone();
        async move {
            let answer = handle(app, request).await;
            drop(guard);
            answer
        }
    });
    let conn = builder.serve_connection(JsonParseErrors::new(TokioIo::new(stream)), service);
    tokio::pin!(conn);
    let mut closing = false;
    loop {
        tokio::select! {
            result = conn.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(%peer, %error, "connection ended with an error");
                }
                break;
            }
            () = connection.close_requested(), if !closing => {
                tracing::debug!(%peer, "closing an idle connection (idle budget)");
                conn.as_mut().graceful_shutdown();
                closing = true;
            }
            _ = shutdown.wait_for(|down| *down), if !closing => {
                conn.as_mut().graceful_shutdown();
                closing = true;
            }
            () = tokio::time::sleep(CLOSE_GRACE), if closing => {
                if !connection.tracker().working() {
                    break;
                }
            }
        }
    }
}

/// Applies the idle budget's short timeouts every [`REAP_INTERVAL`].
async fn reap(connections: Arc<Connections>) {
    let mut tick = tokio::time::interval(REAP_INTERVAL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let closed = connections.reap(Instant::now());
        if closed > 0 {
            tracing::debug!(closed, "idle connections closed under pressure");
        }
    }
}

/// Out of file descriptors (process or system), which closing idle connections relieves.
fn is_fd_exhaustion(error: &std::io::Error) -> bool {
    matches!(
        rustix::io::Errno::from_io_error(error),
        Some(rustix::io::Errno::MFILE | rustix::io::Errno::NFILE)
    )
}

/// A future that completes on SIGINT (Ctrl-C) or SIGTERM. The handlers are installed by this
/// call (inside a tokio runtime), so a signal sent right after it is not lost.
#[cfg(unix)]
pub fn termination_signal() -> std::io::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {},
            _ = interrupt.recv() => {},
        }
    })
}

/// A future that completes on Ctrl-C.
#[cfg(not(unix))]
pub fn termination_signal() -> std::io::Result<impl Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
