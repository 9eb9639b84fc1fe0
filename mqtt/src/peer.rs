//! What the listener knows of a connection before its CONNECT: how it came (TCP, TLS,
//! WebSocket, WebSocket over TLS) and the certificate its client presented in the TLS
//! handshake. ntex-mqtt hands it to the CONNECT handler as the connection's state.

use crate::certificate::ClientCertificate;

/// The transport a connection arrived on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// Plain TCP (`--mqtt-listen`).
    Tcp,
    /// TLS (`--mqtts-listen`).
    Tls,
    /// WebSocket (`--mqtt-ws-listen`).
    WebSocket,
    /// WebSocket over TLS (`--mqtt-wss-listen`).
    WebSocketTls,
}

/// A connection's transport and client certificate.
#[derive(Clone, Debug)]
pub struct Peer {
    /// How it came.
    pub transport: Transport,
    /// The certificate its client sent in the TLS handshake, if any.
    pub certificate: Option<ClientCertificate>,
}

impl Peer {
    /// A connection without TLS.
    pub const fn plain(transport: Transport) -> Self {
        Self {
            transport,
            certificate: None,
        }
    }
}
