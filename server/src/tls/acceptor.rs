//! The TLS side of one accepted connection.
//!
//! The first byte decides: a TLS connection starts with a handshake record (`0x16`); anything
//! else is taken as plain HTTP sent to the TLS port, answered `400` with the usual JSON error
//! (`code: "TlsRequired"`, saying to use `https://`) and closed. The handshake itself then runs
//! under the caller's time limit (the listener gives it the header timeout: a handshake is a
//! connection that has not sent a request yet).

use std::sync::Arc;

use rustls::ServerConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::server::TlsStream;

use super::{CertResolver, TlsError};
use crate::http::error::error_body;

/// The first byte of a TLS record carrying a handshake message.
pub const TLS_HANDSHAKE_RECORD: u8 = 0x16;
/// The most bytes of a plain-HTTP request read before it is answered (its head, usually all of
/// it; reading it first keeps the answer from being lost to a reset).
const PLAIN_REQUEST_READ_BYTES_MAX: usize = 16 * 1024;
/// The error code of the answer to plain HTTP on the TLS port.
pub const TLS_REQUIRED_CODE: &str = "TlsRequired";

/// The server configuration presenting `resolver`'s certificate (reloads included): gridlog's
/// provider, the safe default protocol versions, no client authentication, no ALPN (the HTTP
/// acceptor adds `http/1.1`; the AMQPS listener uses it as it is).
pub fn server_config(resolver: Arc<CertResolver>) -> Result<ServerConfig, TlsError> {
    Ok(ServerConfig::builder_with_provider(super::provider())
        .with_safe_default_protocol_versions()
        .map_err(TlsError::Config)?
        .with_no_client_auth()
        .with_cert_resolver(resolver))
}

/// Accepts TLS connections with the certificate of a [`CertResolver`].
#[derive(Clone)]
pub struct TlsAcceptor {
    inner: tokio_rustls::TlsAcceptor,
    resolver: Arc<CertResolver>,
}

impl std::fmt::Debug for TlsAcceptor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsAcceptor")
            .field("resolver", &self.resolver)
            .finish_non_exhaustive()
    }
}

/// How a connection's start went.
#[derive(Debug)]
pub enum Handshake {
    /// A TLS connection, ready for HTTP.
    Tls(Box<TlsStream<TcpStream>>),
    /// Plain HTTP, answered and closed.
    PlainHttp,
    /// The handshake failed (or the peer closed first).
    Failed(std::io::Error),
}

impl TlsAcceptor {
    /// An acceptor presenting `resolver`'s certificate, offering HTTP/1.1 by ALPN.
    pub fn new(resolver: Arc<CertResolver>) -> Result<Self, TlsError> {
        let mut config = server_config(resolver.clone())?;
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(Self {
            inner: tokio_rustls::TlsAcceptor::from(Arc::new(config)),
            resolver,
        })
    }

    /// The resolver (for reloads).
    pub fn resolver(&self) -> &Arc<CertResolver> {
        &self.resolver
    }

    /// Runs the start of `stream` (see the module docs). Not time-limited: the caller is.
    pub async fn accept(&self, mut stream: TcpStream) -> Handshake {
        let mut first = [0u8; 1];
        match stream.peek(&mut first).await {
            Ok(0) => return Handshake::Failed(std::io::ErrorKind::UnexpectedEof.into()),
            Ok(_) if first[0] == TLS_HANDSHAKE_RECORD => {}
            Ok(_) => {
                answer_plain_http(&mut stream).await;
                return Handshake::PlainHttp;
            }
            Err(error) => return Handshake::Failed(error),
        }
        match self.inner.accept(stream).await {
            Ok(tls) => Handshake::Tls(Box::new(tls)),
            Err(error) => Handshake::Failed(error),
        }
    }
}

/// The `400` answer to plain HTTP on the TLS port.
pub fn plain_http_answer() -> Vec<u8> {
    let body = error_body(
        TLS_REQUIRED_CODE,
        "This port serves HTTPS: use an https:// URL (and trust the server's CA).",
    );
    let mut answer = format!(
        "HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nx-ms-error-code: {TLS_REQUIRED_CODE}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    answer.extend_from_slice(&body);
    answer
}

async fn answer_plain_http(stream: &mut TcpStream) {
    let mut request = vec![0u8; PLAIN_REQUEST_READ_BYTES_MAX];
    let _ = stream.read(&mut request).await;
    let _ = stream.write_all(&plain_http_answer()).await;
    let _ = stream.shutdown().await;
}
