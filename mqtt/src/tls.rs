//! TLS for MQTTS and WSS: rustls (the `ring` provider, TLS 1.2 and 1.3), the certificate the
//! caller gives (`gridlog serve`'s, reloads included), and client certificates **requested,
//! not required** (reference §8: the service's rule). The verifier here accepts any client
//! certificate whose holder proves its key in the handshake; whether it authenticates anyone is
//! decided at CONNECT against the client resource (`auth/`), as the service does.

use std::cell::RefCell;
use std::sync::Arc;

use gridlog::CaCertificate;
use tokio_rustls::TlsAcceptor;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::server::ResolvesServerCert;
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, ServerConfig, SignatureScheme};
use rustls_pki_types::{CertificateDer, UnixTime};

use crate::error::ListenerError;
use crate::trust::Trust;

/// The TLS acceptor of MQTTS and WSS, remade when the namespace's `caCertificates` change (the
/// management API), so that the handshake's CA hints are always their subjects.
pub(crate) struct Acceptor {
    resolver: Arc<dyn ResolvesServerCert>,
    /// The CA certificates (DER) the acceptor was made for, and the acceptor.
    current: RefCell<(Vec<Vec<u8>>, TlsAcceptor)>,
}

impl Acceptor {
    /// An acceptor presenting `resolver`'s certificate, hinting `cas`.
    pub(crate) fn new(
        resolver: Arc<dyn ResolvesServerCert>,
        cas: &[CaCertificate],
    ) -> Result<Self, ListenerError> {
        let acceptor = Self::make(&resolver, cas)?;
        Ok(Self {
            resolver,
            current: RefCell::new((ders(cas), acceptor)),
        })
    }

    fn make(
        resolver: &Arc<dyn ResolvesServerCert>,
        cas: &[CaCertificate],
    ) -> Result<TlsAcceptor, ListenerError> {
        let config = server_config(resolver.clone(), Trust::new(cas).subjects())?;
        Ok(TlsAcceptor::from(Arc::new(config)))
    }

    /// The acceptor for `cas` (the live configuration's): the last one, or a new one when they
    /// changed (if that fails, the last one, with a warning).
    pub(crate) fn get(&self, cas: &[CaCertificate]) -> TlsAcceptor {
        let mut current = self.current.borrow_mut();
        let now = ders(cas);
        if current.0 != now {
            match Self::make(&self.resolver, cas) {
                Ok(acceptor) => *current = (now, acceptor),
                Err(e) => tracing::warn!(error = %e, "MQTT TLS: the CA hints cannot be updated"),
            }
        }
        current.1.clone()
    }
}

fn ders(cas: &[CaCertificate]) -> Vec<Vec<u8>> {
    cas.iter().map(|ca| ca.der.clone()).collect()
}

/// The provider every MQTT TLS connection uses.
pub(crate) fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The server configuration of MQTTS and WSS: `resolver`'s certificate, TLS 1.2 and 1.3, client
/// certificates requested (the hints: the subjects of the namespace's `caCertificates`).
pub fn server_config(
    resolver: Arc<dyn ResolvesServerCert>,
    ca_subjects: Vec<DistinguishedName>,
) -> Result<ServerConfig, ListenerError> {
    let provider = provider();
    let verifier = OptionalClientCert {
        algorithms: provider.signature_verification_algorithms,
        hints: ca_subjects,
    };
    Ok(ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(ListenerError::Tls)?
        .with_client_cert_verifier(Arc::new(verifier))
        .with_cert_resolver(resolver))
}

/// Requests a client certificate; accepts any well-formed one (the chain is judged at CONNECT,
/// per client), and checks the handshake signature with its key (proof of possession).
#[derive(Debug)]
struct OptionalClientCert {
    algorithms: WebPkiSupportedAlgorithms,
    hints: Vec<DistinguishedName>,
}

impl ClientCertVerifier for OptionalClientCert {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &self.hints
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        webpki::EndEntityCert::try_from(end_entity)
            .map(|_| ClientCertVerified::assertion())
            .map_err(|_| rustls::Error::InvalidCertificate(rustls::CertificateError::BadEncoding))
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}
