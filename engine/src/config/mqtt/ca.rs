//! The namespace's `caCertificates` (reference `eventgrid-mqtt.md` §2.7): the CA certificates
//! that client certificates chain to under the `*MatchesAuthenticationName` schemes, and the
//! namespace's `clientAuthentication.alternativeAuthenticationNameSources` (§3.4).
//!
//! `encodedCertificate` is accepted as PEM (with or without its line breaks), as the base64 of
//! the PEM text, or as the bare base64 of the DER; it must hold exactly one X.509 certificate
//! whose basic constraints say it is a CA. Parsed with `x509-parser` (docs/mqtt.md says why).

use base64::Engine as _;

const PEM_BEGIN: &str = "-----BEGIN CERTIFICATE-----";
const PEM_END: &str = "-----END CERTIFICATE-----";

/// A CA certificate (`namespaces/caCertificates`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaCertificate {
    /// `name`: 3–50 characters of `[A-Za-z0-9-]`.
    pub name: String,
    /// `properties.description`.
    pub description: Option<String>,
    /// `properties.encodedCertificate`, as written (written back as it came).
    pub encoded_certificate: String,
    /// The certificate, DER.
    pub der: Vec<u8>,
}

/// Where an authentication name may come from when the CONNECT has no username
/// (`clientAuthentication.alternativeAuthenticationNameSources`, walked in order).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlternativeNameSource {
    /// `ClientCertificateSubject`: the subject's common name.
    ClientCertificateSubject,
    /// `ClientCertificateDns`: the first SAN `dNSName`.
    ClientCertificateDns,
    /// `ClientCertificateUri`: the first SAN `uniformResourceIdentifier`.
    ClientCertificateUri,
    /// `ClientCertificateIp`: the first SAN `iPAddress`.
    ClientCertificateIp,
    /// `ClientCertificateEmail`: the first SAN `rfc822Name`.
    ClientCertificateEmail,
}

impl AlternativeNameSource {
    /// Every source.
    pub const ALL: [Self; 5] = [
        Self::ClientCertificateSubject,
        Self::ClientCertificateDns,
        Self::ClientCertificateUri,
        Self::ClientCertificateIp,
        Self::ClientCertificateEmail,
    ];

    /// The ARM spelling.
    pub const fn name(self) -> &'static str {
        match self {
            Self::ClientCertificateSubject => "ClientCertificateSubject",
            Self::ClientCertificateDns => "ClientCertificateDns",
            Self::ClientCertificateUri => "ClientCertificateUri",
            Self::ClientCertificateIp => "ClientCertificateIp",
            Self::ClientCertificateEmail => "ClientCertificateEmail",
        }
    }
}

/// Decodes an `encodedCertificate` to the DER of one CA certificate, or says why not.
pub fn decode_ca_certificate(text: &str) -> Result<Vec<u8>, String> {
    let der = decode_der(text)?;
    let (rest, certificate) = x509_parser::parse_x509_certificate(&der)
        .map_err(|e| format!("not an X.509 certificate ({e})"))?;
    if !rest.is_empty() {
        return Err("trailing bytes after the certificate".to_owned());
    }
    let constraints = certificate
        .basic_constraints()
        .map_err(|e| format!("its basic constraints do not parse ({e})"))?;
    if !constraints.is_some_and(|constraints| constraints.value.ca) {
        return Err("not a CA certificate (its basic constraints do not say CA:TRUE)".to_owned());
    }
    Ok(der)
}

/// PEM, base64 of PEM, or base64 of DER → DER.
fn decode_der(text: &str) -> Result<Vec<u8>, String> {
    let trimmed = text.trim();
    let body = match trimmed.strip_prefix(PEM_BEGIN) {
        Some(rest) => {
            let (body, after) = rest
                .split_once(PEM_END)
                .ok_or("PEM without its END CERTIFICATE line")?;
            if !after.trim().is_empty() {
                return Err("one certificate only (text after END CERTIFICATE)".to_owned());
            }
            body
        }
        None => trimmed,
    };
    let compact: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if compact.is_empty() {
        return Err("empty".to_owned());
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|e| format!("neither PEM nor base64 ({e})"))?;
    match std::str::from_utf8(&bytes) {
        // The base64 of a PEM text ("a base64 encoded PEM formatted certificate string").
        Ok(inner) if inner.trim_start().starts_with(PEM_BEGIN) => decode_der(inner),
        _ => Ok(bytes),
    }
}
