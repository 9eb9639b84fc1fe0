//! The trust roots of outgoing TLS: the system's (loaded once per process) plus a
//! destination's own CA file.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use rustls::{ClientConfig, RootCertStore};
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

use super::ClientError;

/// The system's trust store (`rustls-native-certs`), loaded on first use; certificates it
/// cannot parse are skipped (and counted in the log).
fn system_roots() -> &'static RootCertStore {
    static ROOTS: OnceLock<RootCertStore> = OnceLock::new();
    ROOTS.get_or_init(|| {
        let found = rustls_native_certs::load_native_certs();
        let mut roots = RootCertStore::empty();
        let (added, skipped) = roots.add_parsable_certificates(found.certs);
        if !found.errors.is_empty() || skipped > 0 {
            tracing::warn!(
                added,
                skipped,
                errors = found.errors.len(),
                "some system trust roots could not be loaded"
            );
        }
        tracing::debug!(added, "system trust roots loaded");
        roots
    })
}

/// A client configuration trusting the system roots and, if given, the certificates of the PEM
/// file `ca_file`.
pub fn client_config(ca_file: Option<&Path>) -> Result<Arc<ClientConfig>, ClientError> {
    let mut roots = system_roots().clone();
    if let Some(path) = ca_file {
        let pem = std::fs::read(path).map_err(|source| ClientError::CaFile {
            path: path.to_owned(),
            source,
        })?;
        let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<_, _>>()
            .map_err(|_| ClientError::CaPem {
                path: path.to_owned(),
            })?;
        let (added, _) = roots.add_parsable_certificates(certs);
        if added == 0 {
            return Err(ClientError::CaPem {
                path: path.to_owned(),
            });
        }
    }
    let config = ClientConfig::builder_with_provider(crate::tls::provider())
        .with_safe_default_protocol_versions()
        .map_err(ClientError::Config)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}
