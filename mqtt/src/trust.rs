//! The namespace's `caCertificates` as trust anchors: a client certificate under a
//! `*MatchesAuthenticationName` scheme must chain to one of them (through the intermediates the
//! client sent), be valid now and, if it says, be meant for client authentication. Checked by
//! `rustls-webpki`, rustls' own path builder (docs/mqtt.md says why).

use std::time::Duration;

use gridlog::CaCertificate;
use rustls::DistinguishedName;
use rustls_pki_types::{CertificateDer, TrustAnchor, UnixTime};

use crate::certificate::ClientCertificate;

/// The trust anchors of one namespace.
#[derive(Debug, Default)]
pub struct Trust {
    anchors: Vec<TrustAnchor<'static>>,
    /// The DER of each CA certificate it was made from (to tell when they change).
    source: Vec<Vec<u8>>,
}

impl Trust {
    /// From the configured CA certificates (validated by the configuration: each parses and
    /// is a CA; one that webpki still cannot use as an anchor is skipped, with a warning).
    pub fn new(cas: &[CaCertificate]) -> Self {
        let anchors = cas
            .iter()
            .filter_map(|ca| {
                let der = CertificateDer::from(ca.der.as_slice());
                match webpki::anchor_from_trusted_cert(&der) {
                    Ok(anchor) => Some(anchor.to_owned()),
                    Err(e) => {
                        tracing::warn!(ca = %ca.name, error = %e, "a caCertificate cannot be a trust anchor; ignored");
                        None
                    }
                }
            })
            .collect();
        Self {
            anchors,
            source: cas.iter().map(|ca| ca.der.clone()).collect(),
        }
    }

    /// Whether it was made from exactly `cas` (same certificates, same order).
    pub fn is_for(&self, cas: &[CaCertificate]) -> bool {
        self.source.len() == cas.len()
            && self.source.iter().zip(cas).all(|(der, ca)| *der == ca.der)
    }

    /// The anchors' subjects (the CA hints of the TLS handshake).
    pub fn subjects(&self) -> Vec<DistinguishedName> {
        self.anchors
            .iter()
            .map(|anchor| DistinguishedName::in_sequence(anchor.subject.as_ref()))
            .collect()
    }

    /// Whether `certificate` chains to an anchor and is valid at `now_unix_secs` for client
    /// authentication; the webpki error says why not.
    pub fn verify(
        &self,
        certificate: &ClientCertificate,
        now_unix_secs: u64,
    ) -> Result<(), webpki::Error> {
        let leaf = webpki::EndEntityCert::try_from(certificate.leaf())?;
        leaf.verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            &self.anchors,
            certificate.intermediates(),
            UnixTime::since_unix_epoch(Duration::from_secs(now_unix_secs)),
            webpki::KeyUsage::client_auth(),
            None,
            None,
        )
        .map(|_| ())
    }
}
