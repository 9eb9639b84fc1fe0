//! The connections that do not reach the broker as plain TCP — MQTTS, WebSocket, WebSocket over
//! TLS — run their handshakes on tokio (tokio-rustls, tokio-tungstenite) and are bridged to the
//! broker over a Unix socket pair (as gridlog-amqp bridges AMQPS): every connection runs the
//! same ntex-mqtt state machine, and the certificate the client presented travels with it
//! ([`Peer`]) to the CONNECT decision.

use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Duration;

use ntex_io::IoBoxed;
use ntex_service::cfg::SharedCfg;
use tokio::net::{TcpStream, UnixStream};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

use crate::certificate::ClientCertificate;
use crate::limits::HANDSHAKE_SECS;
use crate::peer::{Peer, Transport};

/// Starts the broker's side of one connection.
pub type Serve = Rc<dyn Fn(IoBoxed, Peer, SocketAddr)>;

/// An MQTTS connection: the TLS handshake, then the decrypted bytes to the broker.
pub async fn tls(
    stream: TcpStream,
    peer: SocketAddr,
    acceptor: TlsAcceptor,
    cfg: SharedCfg,
    serve: Serve,
) {
    let Some((mut tls, certificate)) = handshake(stream, peer, &acceptor).await else {
        return;
    };
    let Some(mut ours) = pair(
        peer,
        cfg,
        &serve,
        Peer {
            transport: Transport::Tls,
            certificate,
        },
    ) else {
        return;
    };
    if let Err(e) = tokio::io::copy_bidirectional(&mut tls, &mut ours).await {
        tracing::debug!(%peer, error = %e, "MQTTS connection ended");
    }
}

/// A WebSocket connection, over TLS when `acceptor` is given (WSS).
pub async fn websocket(
    stream: TcpStream,
    peer: SocketAddr,
    acceptor: Option<TlsAcceptor>,
    cfg: SharedCfg,
    serve: Serve,
) {
    match acceptor {
        None => {
            let Some(ws) = upgrade(stream, peer).await else {
                return;
            };
            let Some(ours) = pair(peer, cfg, &serve, Peer::plain(Transport::WebSocket)) else {
                return;
            };
            if let Err(e) = crate::ws::pump(ws, ours).await {
                tracing::debug!(%peer, error = %e, "MQTT WebSocket connection ended");
            }
        }
        Some(acceptor) => {
            let Some((tls, certificate)) = handshake(stream, peer, &acceptor).await else {
                return;
            };
            let Some(ws) = upgrade(tls, peer).await else {
                return;
            };
            let transport = Transport::WebSocketTls;
            let Some(ours) = pair(
                peer,
                cfg,
                &serve,
                Peer {
                    transport,
                    certificate,
                },
            ) else {
                return;
            };
            if let Err(e) = crate::ws::pump(ws, ours).await {
                tracing::debug!(%peer, error = %e, "MQTT WSS connection ended");
            }
        }
    }
}

/// The TLS handshake (bounded in time) and the client's certificate chain, if it sent one.
async fn handshake(
    stream: TcpStream,
    peer: SocketAddr,
    acceptor: &TlsAcceptor,
) -> Option<(TlsStream<TcpStream>, Option<ClientCertificate>)> {
    let limit = Duration::from_secs(HANDSHAKE_SECS);
    match tokio::time::timeout(limit, acceptor.accept(stream)).await {
        Ok(Ok(tls)) => {
            let chain = tls
                .get_ref()
                .1
                .peer_certificates()
                .map(<[_]>::to_vec)
                .unwrap_or_default();
            Some((tls, ClientCertificate::new(chain)))
        }
        Ok(Err(e)) => {
            tracing::info!(%peer, error = %e, "MQTT TLS handshake failed");
            None
        }
        Err(_) => {
            tracing::info!(%peer, "MQTT TLS handshake timed out");
            None
        }
    }
}

/// The WebSocket upgrade (bounded in time).
async fn upgrade<S>(stream: S, peer: SocketAddr) -> Option<tokio_tungstenite::WebSocketStream<S>>
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let limit = Duration::from_secs(HANDSHAKE_SECS);
    match tokio::time::timeout(limit, crate::ws::accept(stream)).await {
        Ok(Ok(ws)) => Some(ws),
        Ok(Err(e)) => {
            tracing::info!(%peer, error = %e, "MQTT WebSocket upgrade refused");
            None
        }
        Err(_) => {
            tracing::info!(%peer, "MQTT WebSocket upgrade timed out");
            None
        }
    }
}

/// A socket pair: one end handed to the broker (with `who`), the other returned to the bridge.
fn pair(peer: SocketAddr, cfg: SharedCfg, serve: &Serve, who: Peer) -> Option<UnixStream> {
    let pair = std::os::unix::net::UnixStream::pair().and_then(|(ours, theirs)| {
        ours.set_nonblocking(true)?;
        let ours = UnixStream::from_std(ours)?;
        let io = ntex_net::from_unix_stream(theirs, cfg)?;
        Ok((ours, io))
    });
    match pair {
        Ok((ours, io)) => {
            serve(IoBoxed::from(io), who, peer);
            Some(ours)
        }
        Err(e) => {
            tracing::info!(%peer, error = %e, "MQTT connection refused");
            None
        }
    }
}
