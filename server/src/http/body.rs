//! Reading a request body under the request-size cap, and draining an oversized one so that
//! its client reads the `413` answer instead of a reset connection.
//!
//! A server that answers before it has read the request and then closes the connection leaves
//! unread bytes in its socket; the kernel answers them with a TCP reset, which can reach the
//! client before it has read the answer (it is still sending). Python's `requests` then reports
//! "connection reset" or, over TLS, "EOF occurred in violation of protocol" instead of the
//! `413`. So an oversized body is read to its end and thrown away, up to
//! [`DRAIN_BYTES_MAX`] and within [`BODY_READ_TIMEOUT`]; beyond either, the connection is closed
//! as before.

use bytes::{Bytes, BytesMut};
use http_body_util::BodyExt;
use hyper::header::{self, HeaderMap};

use gridlog::format::limits::REQUEST_BYTES_MAX;

use super::BODY_READ_TIMEOUT;
use super::error::ApiError;

/// Most bytes of an oversized request body read and discarded before its `413` is sent
/// (4 × the request cap: a client that overshoots by a few events still reads its answer).
pub const DRAIN_BYTES_MAX: u64 = 4 * REQUEST_BYTES_MAX as u64;

/// Reads a body of at most [`REQUEST_BYTES_MAX`] bytes, refusing a larger one as it streams.
/// A larger body (by `Content-Length` or as it arrives) is drained up to [`DRAIN_BYTES_MAX`]
/// before the refusal is returned.
pub(super) async fn read_body<B>(headers: &HeaderMap, body: B) -> Result<Bytes, ApiError>
where
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let declared = match headers.get(header::CONTENT_LENGTH) {
        None => None,
        Some(length) => Some(
            length
                .to_str()
                .ok()
                .and_then(|v| v.parse::<u64>().ok())
                .ok_or_else(|| ApiError::BadRequest {
                    code: "InvalidContentLength",
                    message: "Content-Length is not a number".to_owned(),
                })?,
        ),
    };
    let body = std::pin::pin!(body);
    match tokio::time::timeout(BODY_READ_TIMEOUT, collect(declared, body)).await {
        Err(_) => Err(ApiError::BodyTimeout),
        Ok(result) => result,
    }
}

/// Collects the body, or drains it once it is known to be too large.
async fn collect<B>(declared: Option<u64>, mut body: B) -> Result<Bytes, ApiError>
where
    B: hyper::body::Body<Data = Bytes> + Unpin,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let too_large = || ApiError::PayloadTooLarge {
        message: format!("the request body exceeds {REQUEST_BYTES_MAX} bytes"),
    };
    if declared.is_some_and(|length| length > REQUEST_BYTES_MAX as u64) {
        if declared.is_some_and(|length| length <= DRAIN_BYTES_MAX) {
            drain(&mut body, 0).await;
        }
        return Err(too_large());
    }
    let mut collected = BytesMut::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|error| ApiError::BadRequest {
            code: "InvalidBody",
            message: format!("reading the request body failed: {}", error.into()),
        })?;
        let Ok(data) = frame.into_data() else {
            continue; // trailers carry nothing the API reads
        };
        if collected.len() + data.len() > REQUEST_BYTES_MAX {
            let seen = (collected.len() + data.len()) as u64;
            drain(&mut body, seen).await;
            return Err(too_large());
        }
        collected.extend_from_slice(&data);
    }
    Ok(collected.freeze())
}

/// Reads and discards the rest of `body` while fewer than [`DRAIN_BYTES_MAX`] bytes were seen
/// (`seen` so far); stops quietly at the cap or on a read error (the connection is then closed).
async fn drain<B>(body: &mut B, mut seen: u64)
where
    B: hyper::body::Body<Data = Bytes> + Unpin,
{
    while seen <= DRAIN_BYTES_MAX {
        match body.frame().await {
            Some(Ok(frame)) => {
                if let Some(data) = frame.data_ref() {
                    seen += data.len() as u64;
                }
            }
            Some(Err(_)) | None => return,
        }
    }
}
