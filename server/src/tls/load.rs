//! Loading a PEM certificate chain and its private key into what rustls serves.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::sign::CertifiedKey;
use rustls::{Error as RustlsError, InconsistentKeys};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use time::OffsetDateTime;

use super::TlsError;
use super::x509::CertInfo;

/// The certificate (a chain: the server's first, then intermediates) and key files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsFiles {
    /// PEM, one or more `CERTIFICATE` blocks.
    pub cert: PathBuf,
    /// PEM, one private key (PKCS#8, PKCS#1 RSA or SEC1 EC).
    pub key: PathBuf,
}

/// A loaded certificate and what was read from it.
#[derive(Clone, Debug)]
pub struct LoadedCert {
    /// What rustls presents.
    pub key: Arc<CertifiedKey>,
    /// The server certificate's serial, validity and fingerprint.
    pub info: CertInfo,
}

impl LoadedCert {
    /// Whole days until the certificate expires, as of `now` (negative once expired).
    pub fn days_left(&self, now: OffsetDateTime) -> i64 {
        (self.info.not_after - now).whole_days()
    }
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        path: path.to_owned(),
        source,
    })
}

impl TlsFiles {
    /// Reads and checks both files as of `now`: the key must be the certificate's, and the
    /// certificate valid at `now`.
    pub fn load(&self, now: OffsetDateTime) -> Result<LoadedCert, TlsError> {
        let cert_pem = read(&self.cert)?;
        let key_pem = read(&self.key)?;
        let chain = CertificateDer::pem_slice_iter(&cert_pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|source| TlsError::Pem {
                path: self.cert.clone(),
                source,
            })?;
        let Some(first) = chain.first() else {
            return Err(TlsError::NoCertificate {
                path: self.cert.clone(),
            });
        };
        let info = CertInfo::parse(first).ok_or_else(|| TlsError::BadCertificate {
            path: self.cert.clone(),
        })?;
        let key = PrivateKeyDer::from_pem_slice(&key_pem).map_err(|source| match source {
            rustls_pki_types::pem::Error::NoItemsFound => TlsError::NoKey {
                path: self.key.clone(),
            },
            source => TlsError::Pem {
                path: self.key.clone(),
                source,
            },
        })?;
        let signing = super::provider()
            .key_provider
            .load_private_key(key)
            .map_err(|source| TlsError::UnsupportedKey {
                path: self.key.clone(),
                source,
            })?;
        let certified = CertifiedKey::new(chain, signing);
        match certified.keys_match() {
            // Unknown: the key type cannot tell its public key; the handshake will.
            Ok(()) | Err(RustlsError::InconsistentKeys(InconsistentKeys::Unknown)) => {}
            Err(RustlsError::InconsistentKeys(InconsistentKeys::KeyMismatch)) => {
                return Err(TlsError::KeyMismatch {
                    cert: self.cert.clone(),
                    key: self.key.clone(),
                });
            }
            Err(_) => {
                return Err(TlsError::BadCertificate {
                    path: self.cert.clone(),
                });
            }
        }
        if now > info.not_after {
            return Err(TlsError::Expired {
                path: self.cert.clone(),
                not_after: info.not_after,
            });
        }
        if now < info.not_before {
            return Err(TlsError::NotYetValid {
                path: self.cert.clone(),
                not_before: info.not_before,
            });
        }
        Ok(LoadedCert {
            key: Arc::new(certified),
            info,
        })
    }
}
