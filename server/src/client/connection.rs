//! [`Connection`]: one kept-alive HTTP/1.1 connection (plain TCP or TLS) to one server, and
//! the [`Response`] of one request on it.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::{HeaderMap, Request};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::task::JoinHandle;

use super::ClientError;

/// A whole answer: status, headers and the collected body.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: HeaderMap,
    /// The body, read to its end.
    pub body: Bytes,
}

/// One open HTTP/1.1 connection; requests on it go one after the other. Dropping it closes it.
#[derive(Debug)]
pub struct Connection {
    sender: SendRequest<Full<Bytes>>,
    driver: JoinHandle<()>,
}

impl Connection {
    /// The HTTP/1.1 handshake over an open stream (TCP, or TLS after its handshake); the
    /// connection's driver is a task of the current runtime.
    pub(super) async fn over<S>(stream: S) -> Result<Self, ClientError>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .map_err(ClientError::Http)?;
        let driver = tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(Self { sender, driver })
    }

    /// Has the server (or an error) closed it? A closed connection takes no more requests.
    pub fn is_closed(&self) -> bool {
        self.sender.is_closed()
    }

    /// Sends `request` and waits for the head of the answer (the body is not read).
    pub async fn send_head(
        &mut self,
        request: Request<Full<Bytes>>,
    ) -> Result<hyper::Response<hyper::body::Incoming>, ClientError> {
        self.sender.ready().await.map_err(ClientError::Http)?;
        self.sender
            .send_request(request)
            .await
            .map_err(ClientError::Http)
    }

    /// Sends `request` and reads the whole answer.
    pub async fn send(&mut self, request: Request<Full<Bytes>>) -> Result<Response, ClientError> {
        let response = self.send_head(request).await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(ClientError::Http)?
            .to_bytes();
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.driver.abort();
    }
}
