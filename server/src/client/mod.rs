//! The one outgoing HTTP client: HTTP/1.1 (hyper's client connection) over plain TCP or TLS
//! (tokio-rustls), used by push delivery and by the command-line tools (`gridlog publish` …
//! `--endpoint`, `gridlog bench`, `gridlog top`).
//!
//! - **Verification** is always on: `https://` servers are verified against the system's trust
//!   store (`rustls-native-certs`: the roots the OS and its administrator maintain, including a
//!   company's own CA, and updated with the OS rather than with gridlog), plus, per
//!   destination, an optional CA file for a private CA. There is no switch to turn it off.
//! - **Failures** are typed ([`ClientError`]); a TLS failure says which
//!   ([`TlsFailure`]: unknown CA, name mismatch, expired certificate, other), so push delivery
//!   can count, log and retry it like any other failed attempt.
//! - [`HttpClient::post`] is one connection per request, with one timeout covering connect,
//!   handshake, send and the response head: push attempts are rare per destination, and
//!   connection reuse is not worth its state. [`HttpClient::connect`] opens a kept-alive
//!   [`Connection`] for callers that send many requests (the tools).
//! - TLS sessions are resumed (rustls' in-memory cache) unless a client is made with
//!   [`HttpClient::without_resumption`] (the handshake benchmark's full-handshake figure).

pub mod connection;
pub mod error;
pub mod roots;
pub mod url;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{CONTENT_TYPE, HOST};
use hyper::{Method, Request};
use rustls::ClientConfig;
use rustls::client::Resumption;
use rustls_pki_types::ServerName;
use tokio::net::TcpStream;

pub use connection::{Connection, Response};
pub use error::{ClientError, TlsFailure};
pub use url::{Scheme, Url};

/// A client for one destination: its TLS configuration (trust roots) if it is `https://`.
#[derive(Clone)]
pub struct HttpClient {
    tls: Option<Arc<ClientConfig>>,
}

impl std::fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpClient")
            .field("tls", &self.tls.is_some())
            .finish()
    }
}

impl HttpClient {
    /// A client for `url`: for `https://`, trusting the system roots and the certificates of
    /// `ca_file` (PEM) if given.
    pub fn for_url(url: &Url, ca_file: Option<&std::path::Path>) -> Result<Self, ClientError> {
        let tls = match url.scheme {
            Scheme::Http => None,
            Scheme::Https => Some(roots::client_config(ca_file)?),
        };
        Ok(Self { tls })
    }

    /// The same client with TLS session resumption off: every connection makes a full
    /// handshake.
    #[must_use]
    pub fn without_resumption(&self) -> Self {
        let tls = self.tls.as_ref().map(|config| {
            let mut config = ClientConfig::clone(config);
            config.resumption = Resumption::disabled();
            Arc::new(config)
        });
        Self { tls }
    }

    /// Opens a connection to `url`'s server: TCP (no delay), then for `https://` the TLS
    /// handshake, then HTTP/1.1.
    pub async fn connect(&self, url: &Url) -> Result<Connection, ClientError> {
        Ok(self.connect_reporting(url).await?.0)
    }

    /// [`HttpClient::connect`], also saying whether the TLS handshake resumed a session
    /// (`None` for plain HTTP).
    pub async fn connect_reporting(
        &self,
        url: &Url,
    ) -> Result<(Connection, Option<bool>), ClientError> {
        let stream = TcpStream::connect(&url.authority)
            .await
            .map_err(ClientError::Connect)?;
        let _ = stream.set_nodelay(true);
        match (&self.tls, url.scheme) {
            (Some(config), Scheme::Https) => {
                let name = ServerName::try_from(url.server_name.clone())
                    .map_err(|_| ClientError::Url(url::UrlError::BadHost))?;
                let connector = tokio_rustls::TlsConnector::from(config.clone());
                let tls = connector
                    .connect(name, stream)
                    .await
                    .map_err(ClientError::from_handshake)?;
                let resumed =
                    tls.get_ref().1.handshake_kind() == Some(rustls::HandshakeKind::Resumed);
                Ok((Connection::over(tls).await?, Some(resumed)))
            }
            (None, Scheme::Https) => Err(ClientError::Url(url::UrlError::Scheme)),
            _ => Ok((Connection::over(stream).await?, None)),
        }
    }

    /// POSTs `body` to `url` with `content_type` and `headers` on a new connection; the
    /// answer's status.
    pub async fn post(
        &self,
        url: &Url,
        content_type: &str,
        headers: &[(&str, String)],
        body: Bytes,
        timeout: Duration,
    ) -> Result<u16, ClientError> {
        let attempt = async {
            let mut connection = self.connect(url).await?;
            let mut with_type = Vec::with_capacity(headers.len() + 1);
            with_type.push((CONTENT_TYPE.as_str(), content_type));
            with_type.extend(headers.iter().map(|(name, value)| (*name, value.as_str())));
            let request = request(url, &Method::POST, &url.path_and_query, &with_type, body)?;
            Ok(connection.send_head(request).await?.status().as_u16())
        };
        tokio::time::timeout(timeout, attempt)
            .await
            .map_err(|_| ClientError::Timeout(timeout))?
    }
}

/// A request for `path_and_query` on `url`'s server, with its `Host` header and `headers`.
pub fn request(
    url: &Url,
    method: &Method,
    path_and_query: &str,
    headers: &[(&str, &str)],
    body: Bytes,
) -> Result<Request<Full<Bytes>>, ClientError> {
    let mut request = Request::builder()
        .method(method)
        .uri(path_and_query)
        .header(HOST, url.host.as_str());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.body(Full::new(body)).map_err(ClientError::Request)
}
