//! The one outgoing HTTP client: HTTP/1.1 POSTs (hyper's client connection) over plain TCP or
//! TLS (tokio-rustls), used by push delivery.
//!
//! - **Verification** is always on: `https://` servers are verified against the system's trust
//!   store (`rustls-native-certs`: the roots the OS and its administrator maintain, including a
//!   company's own CA, and updated with the OS rather than with gridlog), plus, per
//!   destination, an optional CA file for a private CA. There is no switch to turn it off.
//! - **Failures** are typed ([`ClientError`]); a TLS failure says which
//!   ([`TlsFailure`]: unknown CA, name mismatch, expired certificate, other), so push delivery
//!   can count, log and retry it like any other failed attempt.
//! - One connection per request, with one timeout covering connect, handshake, send and the
//!   response head: push attempts are rare per destination, and connection reuse is not worth
//!   its state.

pub mod error;
pub mod roots;
pub mod url;

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::Request;
use hyper::header::{CONTENT_TYPE, HOST};
use hyper_util::rt::TokioIo;
use rustls::ClientConfig;
use rustls_pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;

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

    /// POSTs `body` to `url` with `content_type` and `headers`; the answer's status.
    pub async fn post(
        &self,
        url: &Url,
        content_type: &str,
        headers: &[(&str, String)],
        body: Bytes,
        timeout: Duration,
    ) -> Result<u16, ClientError> {
        let attempt = async {
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
                    send(tls, url, content_type, headers, body).await
                }
                (None, Scheme::Https) => Err(ClientError::Url(url::UrlError::Scheme)),
                _ => send(stream, url, content_type, headers, body).await,
            }
        };
        tokio::time::timeout(timeout, attempt)
            .await
            .map_err(|_| ClientError::Timeout(timeout))?
    }
}

async fn send<S>(
    stream: S,
    url: &Url,
    content_type: &str,
    headers: &[(&str, String)],
    body: Bytes,
) -> Result<u16, ClientError>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(ClientError::Http)?;
    let driver = tokio::spawn(async move {
        let _ = connection.await;
    });
    let mut request = Request::post(url.path_and_query.as_str())
        .header(HOST, url.host.as_str())
        .header(CONTENT_TYPE, content_type);
    for (name, value) in headers {
        request = request.header(*name, value.as_str());
    }
    let request = request
        .body(Full::new(body))
        .map_err(|_| ClientError::Url(url::UrlError::BadHost))?;
    let response = sender.send_request(request).await;
    driver.abort();
    Ok(response.map_err(ClientError::Http)?.status().as_u16())
}
