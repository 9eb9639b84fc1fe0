//! A client certificate presented in the TLS handshake (MQTTS, WSS): its chain as sent (leaf
//! first), the leaf's SHA-256 thumbprint, and the fields the validation schemes and the
//! alternative authentication name sources read (subject, SANs, validity), parsed with
//! `x509-parser`.

use std::net::IpAddr;

use rustls_pki_types::CertificateDer;
use sha2::{Digest as _, Sha256};
use x509_parser::extensions::GeneralName;

/// The certificate chain a client sent (leaf first; never empty).
#[derive(Clone, Debug)]
pub struct ClientCertificate {
    chain: Vec<CertificateDer<'static>>,
}

/// The leaf's fields that authentication reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LeafFields {
    /// The subject's common names.
    pub common_names: Vec<String>,
    /// The subject as a distinguished name (`CN=…, O=…`, x509-parser's rendering).
    pub subject: String,
    /// SAN `dNSName`s.
    pub dns: Vec<String>,
    /// SAN `uniformResourceIdentifier`s.
    pub uris: Vec<String>,
    /// SAN `iPAddress`es.
    pub ips: Vec<IpAddr>,
    /// SAN `rfc822Name`s.
    pub emails: Vec<String>,
    /// `notBefore`, Unix seconds.
    pub not_before: i64,
    /// `notAfter`, Unix seconds.
    pub not_after: i64,
}

impl ClientCertificate {
    /// The chain as the handshake gave it; `None` when the client sent no certificate.
    pub fn new(chain: Vec<CertificateDer<'static>>) -> Option<Self> {
        (!chain.is_empty()).then_some(Self { chain })
    }

    /// The leaf (end-entity) certificate.
    pub fn leaf(&self) -> &CertificateDer<'static> {
        &self.chain[0]
    }

    /// The certificates the client sent after its leaf (intermediates, perhaps its CA).
    pub fn intermediates(&self) -> &[CertificateDer<'static>] {
        &self.chain[1..]
    }

    /// The SHA-256 of the leaf's DER, lowercase hexadecimal (what `step certificate
    /// fingerprint` prints, the thumbprint the service's quickstarts register).
    pub fn thumbprint(&self) -> String {
        hex(&Sha256::digest(self.leaf().as_ref()))
    }

    /// The leaf's fields, or `None` if it does not parse as X.509.
    pub fn fields(&self) -> Option<LeafFields> {
        let (_, leaf) = x509_parser::parse_x509_certificate(self.leaf().as_ref()).ok()?;
        let mut fields = LeafFields {
            common_names: leaf
                .subject()
                .iter_common_name()
                .filter_map(|name| name.as_str().ok().map(str::to_owned))
                .collect(),
            subject: leaf.subject().to_string(),
            not_before: leaf.validity().not_before.timestamp(),
            not_after: leaf.validity().not_after.timestamp(),
            ..LeafFields::default()
        };
        if let Ok(Some(names)) = leaf.subject_alternative_name() {
            for name in &names.value.general_names {
                match name {
                    GeneralName::DNSName(dns) => fields.dns.push((*dns).to_owned()),
                    GeneralName::URI(uri) => fields.uris.push((*uri).to_owned()),
                    GeneralName::RFC822Name(email) => fields.emails.push((*email).to_owned()),
                    GeneralName::IPAddress(bytes) => {
                        if let Some(ip) = ip_from_bytes(bytes) {
                            fields.ips.push(ip);
                        }
                    }
                    _ => {}
                }
            }
        }
        Some(fields)
    }
}

fn ip_from_bytes(bytes: &[u8]) -> Option<IpAddr> {
    if let Ok(v4) = <[u8; 4]>::try_from(bytes) {
        return Some(IpAddr::from(v4));
    }
    <[u8; 16]>::try_from(bytes).ok().map(IpAddr::from)
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut text, byte| {
        let _ = write!(text, "{byte:02x}");
        text
    })
}
