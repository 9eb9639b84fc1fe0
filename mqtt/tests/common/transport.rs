//! The byte streams the test client speaks MQTT over: TCP, TLS (rustls, blocking, with or
//! without a client certificate), and a WebSocket (tungstenite, blocking) over either.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned};
use tungstenite::client::IntoClientRequest as _;
use tungstenite::{Message, WebSocket};

/// A stream the test client can use.
pub trait Transport: Read + Write + Send {
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()>;
    fn shutdown(&self);
    /// Reads without consuming (plain TCP only: [`Client::next_delivery`](super::Client)).
    fn peek(&self, _buf: &mut [u8]) -> io::Result<usize> {
        Err(io::Error::from(io::ErrorKind::Unsupported))
    }
}

impl Transport for TcpStream {
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        TcpStream::set_read_timeout(self, timeout)
    }
    fn shutdown(&self) {
        let _ = TcpStream::shutdown(self, std::net::Shutdown::Both);
    }
    fn peek(&self, buf: &mut [u8]) -> io::Result<usize> {
        TcpStream::peek(self, buf)
    }
}

/// A TLS client stream.
pub type Tls = StreamOwned<ClientConnection, TcpStream>;

impl Transport for Tls {
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.sock.set_read_timeout(timeout)
    }
    fn shutdown(&self) {
        let _ = self.sock.shutdown(std::net::Shutdown::Both);
    }
}

/// A client certificate chain and its key.
pub struct Identity {
    pub chain: Vec<CertificateDer<'static>>,
    pub key: PrivateKeyDer<'static>,
}

impl Clone for Identity {
    fn clone(&self) -> Self {
        Self {
            chain: self.chain.clone(),
            key: self.key.clone_key(),
        }
    }
}

/// Connects with TLS to `addr`, trusting `server_ca`, presenting `identity` if given; the
/// handshake is driven to its end (a server refusing it shows here).
pub fn tls(
    addr: SocketAddr,
    server_ca: &CertificateDer<'static>,
    identity: Option<Identity>,
) -> io::Result<Tls> {
    let mut roots = RootCertStore::empty();
    roots.add(server_ca.clone()).expect("server CA");
    let builder =
        ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_root_certificates(roots);
    let config = match identity {
        Some(identity) => builder
            .with_client_auth_cert(identity.chain, identity.key)
            .expect("client certificate"),
        None => builder.with_no_client_auth(),
    };
    let name = ServerName::try_from("localhost").expect("name");
    let connection = ClientConnection::new(Arc::new(config), name).expect("client");
    let tcp = TcpStream::connect(addr)?;
    tcp.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut tls = StreamOwned::new(connection, tcp);
    while tls.conn.is_handshaking() {
        tls.conn.complete_io(&mut tls.sock)?;
    }
    Ok(tls)
}

/// A WebSocket carrying MQTT bytes as binary messages.
pub struct Ws<S: Read + Write> {
    socket: WebSocket<S>,
    pending: Vec<u8>,
    at: usize,
}

/// The WebSocket upgrade on `stream` to `url` (e.g. `ws://127.0.0.1:1/mqtt`) offering
/// `subprotocols` (comma-separated, if any): the stream, and the subprotocol the server chose.
pub fn websocket<S: Read + Write>(
    stream: S,
    url: &str,
    subprotocols: Option<&str>,
) -> Result<(Ws<S>, Option<String>), tungstenite::Error> {
    let mut request = url.into_client_request()?;
    if let Some(subprotocols) = subprotocols {
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            subprotocols.parse().expect("header"),
        );
    }
    let (ws, response) = tungstenite::client::client(request, stream).map_err(|e| match e {
        tungstenite::HandshakeError::Failure(e) => e,
        tungstenite::HandshakeError::Interrupted(_) => tungstenite::Error::ConnectionClosed,
    })?;
    let chosen = response
        .headers()
        .get("Sec-WebSocket-Protocol")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    Ok((
        Ws {
            socket: ws,
            pending: Vec::new(),
            at: 0,
        },
        chosen,
    ))
}

impl<S: Read + Write> Read for Ws<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.pending.len() {
            match self.socket.read() {
                Ok(Message::Binary(bytes)) => {
                    self.pending = bytes.to_vec();
                    self.at = 0;
                }
                Ok(Message::Close(_)) => return Ok(0),
                Ok(_) => {}
                Err(tungstenite::Error::Io(e)) => return Err(e),
                Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => {
                    return Ok(0);
                }
                Err(tungstenite::Error::Protocol(_)) => {
                    return Err(io::Error::from(ErrorKind::UnexpectedEof));
                }
                Err(e) => return Err(io::Error::other(e)),
            }
        }
        let n = buf.len().min(self.pending.len() - self.at);
        buf[..n].copy_from_slice(&self.pending[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

impl<S: Read + Write> Write for Ws<S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.socket
            .send(Message::binary(buf.to_vec()))
            .map_err(io::Error::other)?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.socket.flush().map_err(io::Error::other)
    }
}

impl<S: Transport> Transport for Ws<S> {
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        self.socket.get_ref().set_read_timeout(timeout)
    }
    fn shutdown(&self) {
        self.socket.get_ref().shutdown();
    }
}
