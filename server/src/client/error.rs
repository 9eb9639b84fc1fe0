//! [`ClientError`]: why an outgoing request got no answer.

use std::path::PathBuf;
use std::time::Duration;

use rustls::CertificateError;

use super::url::UrlError;

/// The kind of a failed TLS handshake (a `/metrics` label and a log field).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TlsFailure {
    /// The server's certificate does not chain to a trusted root (wrong or missing CA file).
    UnknownCa,
    /// The certificate is not for the host in the URL.
    NameMismatch,
    /// The certificate has expired.
    Expired,
    /// Anything else (protocol error, closed during the handshake, bad signature, …).
    Other,
}

impl TlsFailure {
    /// A stable name (`tls_unknown_ca`, …).
    pub const fn label(self) -> &'static str {
        match self {
            Self::UnknownCa => "tls_unknown_ca",
            Self::NameMismatch => "tls_name_mismatch",
            Self::Expired => "tls_expired",
            Self::Other => "tls_other",
        }
    }

    /// The kind of `error`.
    pub fn of(error: &rustls::Error) -> Self {
        match error {
            rustls::Error::InvalidCertificate(certificate) => match certificate {
                CertificateError::UnknownIssuer => Self::UnknownCa,
                CertificateError::NotValidForName
                | CertificateError::NotValidForNameContext { .. } => Self::NameMismatch,
                CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                    Self::Expired
                }
                _ => Self::Other,
            },
            _ => Self::Other,
        }
    }
}

/// An outgoing request that got no answer, or a client that could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The URL cannot be used.
    #[error("bad URL: {0}")]
    Url(UrlError),
    /// A destination's CA file could not be read.
    #[error("cannot read the CA file {}: {source}", path.display())]
    CaFile {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A destination's CA file holds no usable PEM certificate.
    #[error("the CA file {} holds no usable PEM certificate", path.display())]
    CaPem {
        /// The file.
        path: PathBuf,
    },
    /// rustls refused the client configuration.
    #[error("TLS client configuration: {0}")]
    Config(rustls::Error),
    /// The request could not be built (a header value or path that HTTP does not allow).
    #[error("bad request: {0}")]
    Request(hyper::http::Error),
    /// The TCP connection failed (refused, unreachable).
    #[error("connection failed: {0}")]
    Connect(std::io::Error),
    /// The TLS handshake failed.
    #[error("TLS handshake failed ({}): {detail}", kind.label())]
    Tls {
        /// What kind of failure.
        kind: TlsFailure,
        /// rustls' (or the socket's) reason.
        detail: std::io::Error,
    },
    /// The HTTP exchange failed (connection closed, malformed answer).
    #[error("HTTP exchange failed: {0}")]
    Http(hyper::Error),
    /// No answer within the timeout.
    #[error("no answer within {0:?}")]
    Timeout(Duration),
}

impl ClientError {
    /// A failed handshake, classified.
    pub fn from_handshake(error: std::io::Error) -> Self {
        let kind = error
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
            .map_or(TlsFailure::Other, TlsFailure::of);
        Self::Tls {
            kind,
            detail: error,
        }
    }

    /// A stable name of the failure (a `/metrics` label).
    pub const fn label(&self) -> &'static str {
        match self {
            Self::Url(_)
            | Self::Request(_)
            | Self::CaFile { .. }
            | Self::CaPem { .. }
            | Self::Config(_) => "config",
            Self::Connect(_) => "connect_failed",
            Self::Tls { kind, .. } => kind.label(),
            Self::Http(_) => "http_error",
            Self::Timeout(_) => "timeout",
        }
    }
}
