//! Certificates for the TLS tests, made with rcgen: a server CA and the `localhost` server
//! certificate the broker presents, a client CA (a namespace `caCertificates` entry) and leaf
//! certificates it signs or that sign themselves (thumbprints), and their SHA-256 thumbprints.

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    SanType,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use sha2::{Digest as _, Sha256};

use super::transport::Identity;

/// A CA: its certificate and what signs with it.
pub struct Ca {
    pub cert: CertificateDer<'static>,
    pub pem: String,
    issuer: Issuer<'static, KeyPair>,
}

impl Ca {
    pub fn new(name: &str) -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        let key = KeyPair::generate().expect("key");
        let cert = params.self_signed(&key).expect("self-signed");
        Self {
            pem: cert.pem(),
            cert: cert.der().clone(),
            issuer: Issuer::new(params, key),
        }
    }

    /// A leaf it signs: common name `cn`, SANs `sans`, for client authentication.
    pub fn leaf(&self, cn: &str, sans: Vec<SanType>) -> Identity {
        let (params, key) = leaf_params(cn, sans);
        let cert = params.signed_by(&key, &self.issuer).expect("signed");
        identity(cert.der().clone(), &key)
    }

    /// A leaf that expired yesterday.
    pub fn expired_leaf(&self, cn: &str) -> Identity {
        let (mut params, key) = leaf_params(cn, Vec::new());
        let now = time::OffsetDateTime::now_utc();
        params.not_before = now - time::Duration::days(10);
        params.not_after = now - time::Duration::days(1);
        let cert = params.signed_by(&key, &self.issuer).expect("signed");
        identity(cert.der().clone(), &key)
    }

    /// The server certificate for `localhost` and 127.0.0.1, as a resolver.
    pub fn server(&self) -> Arc<dyn ResolvesServerCert> {
        let mut params =
            CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
                .expect("params");
        params
            .distinguished_name
            .push(DnType::CommonName, "localhost");
        let key = KeyPair::generate().expect("key");
        let cert = params.signed_by(&key, &self.issuer).expect("signed");
        let provider = rustls::crypto::ring::default_provider();
        let signing = provider
            .key_provider
            .load_private_key(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
                key.serialize_der(),
            )))
            .expect("signing key");
        Arc::new(Fixed(Arc::new(CertifiedKey::new(
            vec![cert.der().clone()],
            signing,
        ))))
    }
}

/// A self-signed leaf (for `ThumbprintMatch`).
pub fn self_signed(cn: &str) -> Identity {
    let (params, key) = leaf_params(cn, Vec::new());
    let cert = params.self_signed(&key).expect("self-signed");
    identity(cert.der().clone(), &key)
}

/// The SHA-256 thumbprint of `identity`'s leaf, hexadecimal.
pub fn thumbprint(identity: &Identity) -> String {
    use std::fmt::Write as _;
    Sha256::digest(identity.chain[0].as_ref())
        .iter()
        .fold(String::new(), |mut text, byte| {
            let _ = write!(text, "{byte:02x}");
            text
        })
}

fn leaf_params(cn: &str, sans: Vec<SanType>) -> (CertificateParams, KeyPair) {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("params");
    params.distinguished_name.push(DnType::CommonName, cn);
    params.subject_alt_names = sans;
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    (params, KeyPair::generate().expect("key"))
}

fn identity(cert: CertificateDer<'static>, key: &KeyPair) -> Identity {
    Identity {
        chain: vec![cert],
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    }
}

#[derive(Debug)]
struct Fixed(Arc<CertifiedKey>);

impl ResolvesServerCert for Fixed {
    fn resolve(&self, _: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }
}
