//! A minimal HTTP/1.1 POST over a fresh TCP connection (hyper's client connection), with one
//! timeout covering connect, send and the response head. Push deliveries are rare enough per
//! destination, and destinations few enough, that connection reuse is not worth its state.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::Request;
use hyper::header::{CONTENT_TYPE, HOST};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use super::destination::HttpUrl;
use super::schedule::Attempt;

/// POSTs `body` to `url` with `content_type` and `headers`; the status, or
/// [`Attempt::NoAnswer`] when there was none within `timeout`.
pub async fn post(
    url: &HttpUrl,
    content_type: &str,
    headers: &[(&str, String)],
    body: Bytes,
    timeout: Duration,
) -> Attempt {
    let attempt = async {
        let stream = TcpStream::connect(&url.authority).await.ok()?;
        let _ = stream.set_nodelay(true);
        let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .ok()?;
        let driver = tokio::spawn(async move {
            let _ = connection.await;
        });
        let mut request = Request::post(url.path_and_query.as_str())
            .header(HOST, url.host.as_str())
            .header(CONTENT_TYPE, content_type);
        for (name, value) in headers {
            request = request.header(*name, value.as_str());
        }
        let request = request.body(Full::new(body)).ok()?;
        let response = sender.send_request(request).await;
        driver.abort();
        Some(response.ok()?.status().as_u16())
    };
    match tokio::time::timeout(timeout, attempt).await {
        Ok(Some(status)) => Attempt::Status(status),
        Ok(None) | Err(_) => Attempt::NoAnswer,
    }
}
