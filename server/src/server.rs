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
//! - At most [`CONNECTIONS_MAX`] connections are served at once; further ones wait in the
//!   kernel's backlog.
//! - Shutdown: stop accepting, turn the shutdown flag on (waiting receives answer at once with
//!   whatever they have, new requests get 503), let in-flight requests finish for up to
//!   [`SHUTDOWN_GRACE`], close idle keep-alive connections. The caller then closes the store.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

use crate::http::{App, handle};
use parse_errors::JsonParseErrors;

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
/// Connections served at once.
pub const CONNECTIONS_MAX: usize = 1024;
/// How long in-flight requests may take to finish on shutdown.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Serves `app` on `listener` until `signal` completes, then drains (see the module docs).
/// `shutdown` is the sender of the flag `app` watches.
pub async fn serve(
    listener: TcpListener,
    app: Arc<App>,
    shutdown: watch::Sender<bool>,
    signal: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .max_buf_size(HEAD_BYTES_MAX)
        .max_headers(HEADER_LINES_PARSED_MAX)
        .keep_alive(true);
    let permits = Arc::new(Semaphore::new(CONNECTIONS_MAX));
    tokio::pin!(signal);
    loop {
        let Ok(permit) = permits.clone().acquire_owned().await else {
            break;
        };
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        tracing::warn!(%error, "accept failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let app = app.clone();
                let service = service_fn(move |request| handle(app.clone(), request));
                let connection = graceful.watch(builder.serve_connection(JsonParseErrors::new(TokioIo::new(stream)), service));
                tokio::spawn(async move {
                    if let Err(error) = connection.await {
                        tracing::debug!(%peer, %error, "connection ended with an error");
                    }
                    drop(permit);
                });
            }
            () = &mut signal => break,
        }
    }
    drop(listener);
    tracing::info!("shutting down: no new connections; answering waiting receives");
    let _ = shutdown.send(true);
    if tokio::time::timeout(SHUTDOWN_GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("some connections were still busy after {SHUTDOWN_GRACE:?}; closing anyway");
    }
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
