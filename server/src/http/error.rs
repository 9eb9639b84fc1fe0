//! Every error the HTTP API answers, and the **one** function that maps an error to its status
//! ([`ApiError::status`]). Bodies are `{"error":{"code","message"}}` with an `x-ms-error-code`
//! header (reference §1.5).

use hyper::StatusCode;

use gridlog::format::FormatError;

use crate::backend::BackendError;

/// An error answer.
#[derive(Debug)]
pub enum ApiError {
    /// The path is not an operation of this API.
    UnknownPath,
    /// The method is not allowed on this path (`Allow` lists the right one).
    MethodNotAllowed {
        /// The allowed methods.
        allow: &'static str,
    },
    /// Missing or wrong credentials.
    Unauthorized,
    /// A bad request: query, body shape or name (code, message).
    BadRequest {
        /// Stable code.
        code: &'static str,
        /// Message.
        message: String,
    },
    /// The body is larger than allowed.
    PayloadTooLarge {
        /// Message.
        message: String,
    },
    /// The URL is longer than allowed.
    UriTooLong,
    /// The request headers are larger than allowed.
    HeadersTooLarge,
    /// More request header lines than allowed.
    TooManyHeaders,
    /// The request head (request line and headers) does not fit the parser's buffer (hyper
    /// refuses it before any handler runs; see [`crate::server::HEAD_BYTES_MAX`]).
    HeadTooLarge,
    /// The request head is not HTTP/1.1 (a malformed request line or header; refused by hyper).
    MalformedRequest,
    /// The event(s) did not parse or validate.
    Format(FormatError),
    /// The store refused.
    Backend(BackendError),
    /// The server is shutting down.
    ShuttingDown,
    /// The client was too slow to send its body.
    BodyTimeout,
}

impl From<FormatError> for ApiError {
    fn from(error: FormatError) -> Self {
        Self::Format(error)
    }
}

impl From<BackendError> for ApiError {
    fn from(error: BackendError) -> Self {
        Self::Backend(error)
    }
}

impl ApiError {
    /// The status, code and message of this error: the one mapping from errors to HTTP.
    pub fn status(&self) -> (StatusCode, &str, String) {
        match self {
            Self::UnknownPath => (
                StatusCode::NOT_FOUND,
                "NotFound",
                "no such operation; data-plane paths are /topics/{topic}:publish and \
                 /topics/{topic}/eventsubscriptions/{subscription}:{receive|acknowledge|release|reject|renewLock}"
                    .to_owned(),
            ),
            Self::MethodNotAllowed { allow } => (
                StatusCode::METHOD_NOT_ALLOWED,
                "MethodNotAllowed",
                format!("method not allowed; use {allow}"),
            ),
            Self::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "Unauthorized",
                "the request is not authorized: give a valid access key or SAS token".to_owned(),
            ),
            Self::BadRequest { code, message } => (StatusCode::BAD_REQUEST, code, message.clone()),
            Self::PayloadTooLarge { message } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "PayloadTooLarge",
                message.clone(),
            ),
            Self::UriTooLong => (
                StatusCode::URI_TOO_LONG,
                "UriTooLong",
                "the request URL is too long".to_owned(),
            ),
            Self::HeadersTooLarge => (
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "RequestHeaderFieldsTooLarge",
                "the request headers are too large".to_owned(),
            ),
            Self::TooManyHeaders => (
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "RequestHeaderFieldsTooLarge",
                format!(
                    "more than {} request headers",
                    crate::http::HEADERS_COUNT_MAX
                ),
            ),
            Self::HeadTooLarge => (
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                "RequestHeaderFieldsTooLarge",
                format!(
                    "the request head (request line and headers) exceeds {} bytes",
                    crate::server::HEAD_BYTES_MAX
                ),
            ),
            Self::MalformedRequest => (
                StatusCode::BAD_REQUEST,
                "InvalidRequest",
                "the request is not valid HTTP/1.1 (request line or headers)".to_owned(),
            ),
            Self::Format(error) if error.is_limit() => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "PayloadTooLarge",
                format!("{}: {error}", error.code()),
            ),
            Self::Format(error) => (StatusCode::BAD_REQUEST, error.code(), error.to_string()),
            Self::Backend(error) => {
                let (status, code) = match error {
                    BackendError::NotFound(_) => (StatusCode::NOT_FOUND, "NotFound"),
                    BackendError::Invalid { code, .. } => (StatusCode::BAD_REQUEST, *code),
                    BackendError::TooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "PayloadTooLarge"),
                    BackendError::NoSpace(_) => {
                        (StatusCode::INSUFFICIENT_STORAGE, "InsufficientStorage")
                    }
                    BackendError::Throttled { .. } => {
                        (StatusCode::TOO_MANY_REQUESTS, "TooManyRequests")
                    }
                    BackendError::Unavailable(_) => {
                        (StatusCode::SERVICE_UNAVAILABLE, "ServiceUnavailable")
                    }
                    BackendError::Internal { code, .. } => {
                        (StatusCode::INTERNAL_SERVER_ERROR, *code)
                    }
                };
                (status, code, error.to_string())
            }
            Self::ShuttingDown => (
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                "the server is shutting down".to_owned(),
            ),
            Self::BodyTimeout => (
                StatusCode::REQUEST_TIMEOUT,
                "RequestTimeout",
                "the request body was not received in time".to_owned(),
            ),
        }
    }

    /// Seconds for a `Retry-After` header, if any.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::Backend(BackendError::Throttled {
                retry_after_secs, ..
            }) => Some(*retry_after_secs),
            Self::ShuttingDown => Some(1),
            _ => None,
        }
    }

    /// The `Allow` header, if any.
    pub fn allow(&self) -> Option<&'static str> {
        match self {
            Self::MethodNotAllowed { allow } => Some(allow),
            _ => None,
        }
    }
}

/// `{"error":{"code":…,"message":…}}`.
pub fn error_body(code: &str, message: &str) -> Vec<u8> {
    serde_json::json!({"error": {"code": code, "message": message}})
        .to_string()
        .into_bytes()
}
