//! [`TlsError`]: every way loading, generating or serving a certificate can fail.

use std::path::PathBuf;

use time::OffsetDateTime;

/// A TLS setup failure, naming the file concerned.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A file could not be read (missing, unreadable).
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file could not be written (self-signed generation).
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A file is not valid PEM.
    #[error("{} is not valid PEM: {source}", path.display())]
    Pem {
        /// The file.
        path: PathBuf,
        /// The parser's complaint.
        source: rustls_pki_types::pem::Error,
    },
    /// The certificate file holds no `CERTIFICATE` block.
    #[error("{} holds no PEM CERTIFICATE block", path.display())]
    NoCertificate {
        /// The file.
        path: PathBuf,
    },
    /// The key file holds no private key (PKCS#8, PKCS#1 RSA or SEC1 EC).
    #[error("{} holds no PEM private key (PKCS#8, RSA or EC)", path.display())]
    NoKey {
        /// The file.
        path: PathBuf,
    },
    /// The key's type is not one rustls can sign with.
    #[error("the key in {} is not usable: {source}", path.display())]
    UnsupportedKey {
        /// The file.
        path: PathBuf,
        /// rustls' reason.
        source: rustls::Error,
    },
    /// The key is not the certificate's.
    #[error("the key in {} does not match the certificate in {}", key.display(), cert.display())]
    KeyMismatch {
        /// The certificate file.
        cert: PathBuf,
        /// The key file.
        key: PathBuf,
    },
    /// The first certificate could not be read as X.509.
    #[error("the first certificate in {} is not a readable X.509 certificate", path.display())]
    BadCertificate {
        /// The file.
        path: PathBuf,
    },
    /// The certificate has expired.
    #[error("the certificate in {} expired at {not_after}: renew it (or delete it to regenerate a self-signed one)", path.display())]
    Expired {
        /// The file.
        path: PathBuf,
        /// Its `notAfter`.
        not_after: OffsetDateTime,
    },
    /// The certificate is not valid yet.
    #[error("the certificate in {} is not valid before {not_before}", path.display())]
    NotYetValid {
        /// The file.
        path: PathBuf,
        /// Its `notBefore`.
        not_before: OffsetDateTime,
    },
    /// rustls refused the configuration.
    #[error("TLS configuration: {0}")]
    Config(rustls::Error),
    /// Generating a development certificate failed.
    #[error("generating a development certificate: {0}")]
    Generate(rcgen::Error),
    /// Installing the reload signal handler failed.
    #[error("installing the SIGHUP handler: {0}")]
    Signal(std::io::Error),
}
