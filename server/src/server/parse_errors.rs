//! JSON answers for the requests hyper refuses on its own.
//!
//! hyper answers a request head it cannot take (longer than its buffer, more header lines than
//! its cap, a malformed request line or header) itself, before any handler runs: a bare
//! `HTTP/1.1 400|414|431` head with `content-length: 0`, after which it closes the connection.
//! hyper 1 has no hook for that answer, so [`JsonParseErrors`] wraps the connection's IO and
//! swaps that head, as it is written, for the documented `{"error":{"code","message"}}` answer
//! with `x-ms-error-code` (the same body [`crate::http::error_response`] gives).
//!
//! Recognising it: hyper writes it only when no response is in progress (its writer is idle),
//! so it is the whole of one write: a status line of 400, 414 or 431, no body, and none of the
//! headers every gridlog answer carries (`x-ms-request-id`). A write that is anything else
//! passes through untouched.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use hyper::rt::{Read, ReadBufCursor, Write};

use crate::http::error::{ApiError, error_body};

/// hyper's own answers are a status line and two short headers; anything longer is not one.
const HYPER_ANSWER_BYTES_MAX: usize = 512;

/// The connection's IO, with hyper's own error answers replaced (see the module docs).
#[derive(Debug)]
pub struct JsonParseErrors<T> {
    inner: T,
    /// The JSON answer still to be written, and how much of it is written.
    pending: Option<(Vec<u8>, usize)>,
}

impl<T> JsonParseErrors<T> {
    /// Wraps `inner`.
    pub fn new(inner: T) -> Self {
        Self {
            inner,
            pending: None,
        }
    }
}

impl<T: Write + Unpin> JsonParseErrors<T> {
    /// Writes what is left of the replacement answer.
    fn poll_drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while let Some((bytes, written)) = &mut self.pending {
            if *written >= bytes.len() {
                self.pending = None;
                break;
            }
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &bytes[*written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            *written += n;
        }
        Poll::Ready(Ok(()))
    }

    /// Takes `buf` as hyper's own answer if it is one: queues the JSON answer in its place.
    fn replace(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Option<io::Result<usize>> {
        let answer = replacement(buf)?;
        self.pending = Some((answer, 0));
        // Start writing now; what the socket does not take goes out on the next write, flush
        // or shutdown (hyper flushes and shuts down after this answer).
        if let Poll::Ready(Err(error)) = self.poll_drain(cx) {
            return Some(Err(error));
        }
        // hyper's answer counts as written: the JSON one stands in for it.
        Some(Ok(buf.len()))
    }
}

impl<T: Read + Unpin> Read for JsonParseErrors<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<T: Write + Unpin> Write for JsonParseErrors<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_drain(cx))?;
        if let Some(result) = this.replace(cx, buf) {
            return Poll::Ready(result);
        }
        Pin::new(&mut this.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_drain(cx))?;
        let mut non_empty = bufs.iter().filter(|b| !b.is_empty());
        if let (Some(only), None) = (non_empty.next(), non_empty.next())
            && let Some(result) = this.replace(cx, only)
        {
            return Poll::Ready(result);
        }
        Pin::new(&mut this.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_drain(cx))?;
        Pin::new(&mut this.inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_drain(cx))?;
        Pin::new(&mut this.inner).poll_shutdown(cx)
    }
}

/// The JSON answer for `buf`, if `buf` is one of hyper's own error answers.
fn replacement(buf: &[u8]) -> Option<Vec<u8>> {
    if buf.len() > HYPER_ANSWER_BYTES_MAX || !buf.ends_with(b"\r\n\r\n") {
        return None;
    }
    let head = std::str::from_utf8(buf).ok()?;
    let status_line = head.strip_prefix("HTTP/1.1 ")?;
    let error = match status_line.get(..4)? {
        "400 " => ApiError::MalformedRequest,
        "414 " => ApiError::UriTooLong,
        "431 " => ApiError::HeadTooLarge,
        _ => return None,
    };
    // Exactly one head, without a body, and not one of ours.
    let lower = head.to_ascii_lowercase();
    if head.matches("\r\n\r\n").count() != 1
        || !lower.contains("\r\ncontent-length: 0\r\n")
        || lower.contains("x-ms-request-id")
    {
        return None;
    }
    let (status, code, message) = error.status();
    let body = error_body(code, &message);
    let id = crate::http::new_request_id();
    let mut answer = format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json; charset=utf-8\r\nx-ms-error-code: {code}\r\nx-ms-request-id: {id}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        body.len()
    )
    .into_bytes();
    answer.extend_from_slice(&body);
    Some(answer)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::replacement;

    #[test]
    fn hyper_answers_are_replaced() {
        let hyper = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: Thu, 01 Jan 2026 00:00:00 GMT\r\n\r\n";
        let answer = String::from_utf8(replacement(hyper).unwrap()).unwrap();
        assert!(answer.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"));
        assert!(answer.contains("x-ms-error-code: RequestHeaderFieldsTooLarge\r\n"));
        let body = answer.split("\r\n\r\n").nth(1).unwrap();
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(json["error"]["code"], "RequestHeaderFieldsTooLarge");
        let bad = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n";
        assert!(
            String::from_utf8(replacement(bad).unwrap())
                .unwrap()
                .contains("x-ms-error-code: InvalidRequest\r\n")
        );
    }

    #[test]
    fn other_writes_pass_through() {
        // One of our own answers (it has a request id), a body, a 200, a head with a body.
        for buf in [
            &b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nx-ms-request-id: 1\r\n\r\n"[..],
            b"{\"value\":[]}",
            b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n\r\n{}",
            b"HTTP/1.1 431 x\r\ncontent-length: 0\r\n\r\nHTTP/1.1 431 x\r\ncontent-length: 0\r\n\r\n",
        ] {
            assert!(replacement(buf).is_none(), "{}", String::from_utf8_lossy(buf));
        }
    }
}
