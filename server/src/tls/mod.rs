//! TLS for `serve` (HTTPS instead of plain HTTP on the listening port), on rustls with the
//! `ring` provider (no OpenSSL).
//!
//! - [`load`]: a PEM certificate chain and its key (RSA, ECDSA or Ed25519) read into a
//!   [`rustls::sign::CertifiedKey`], refused when a file is missing, the key does not match the
//!   certificate, or the certificate is expired or not yet valid;
//! - [`x509`]: the few certificate fields gridlog reads (serial, validity) from the DER;
//! - [`self_signed`]: the development CA and `localhost` certificate of `serve
//!   --tls-self-signed`, made once in the data directory and reused;
//! - [`resolver`]: the certificate the server presents, swapped in place on SIGHUP or when
//!   the files change (a failed reload keeps the old one and logs why);
//! - [`acceptor`]: the handshake of one accepted connection, which first peeks at its first
//!   byte: a plain-HTTP request on the TLS port is answered `400` with a JSON error that says
//!   to use `https://`, then closed.
//!
//! Every failure is one [`TlsError`].

pub mod acceptor;
pub mod error;
pub mod load;
pub mod resolver;
pub mod self_signed;
pub mod x509;

use std::sync::Arc;
use std::time::Duration;

pub use acceptor::{Handshake, TlsAcceptor, server_config};
pub use error::TlsError;
pub use load::{LoadedCert, TlsFiles};
pub use resolver::CertResolver;

/// A certificate that expires within this many days is served, with a warning at start and at
/// every reload.
pub const EXPIRY_WARNING_DAYS: i64 = 14;
/// How often the certificate files' modification times are compared with the loaded ones.
pub const RELOAD_POLL_INTERVAL: Duration = Duration::from_secs(2);

/// The one crypto provider gridlog uses (client and server), chosen explicitly so that no
/// process-wide default is needed.
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}
