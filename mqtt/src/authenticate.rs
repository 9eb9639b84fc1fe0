//! Certificate authentication as the service does it (reference §3.1–3.4): the authentication
//! name (the CONNECT username, else the namespace's alternative sources read from the leaf in
//! order), the client registered under it (enabled), then its `validationScheme`:
//! `ThumbprintMatch` (the leaf's SHA-256 among `allowedThumbprints`, case-insensitive; no chain)
//! or a `*MatchesAuthenticationName` scheme (the chain validates to a `caCertificate` and the
//! scheme's field equals the authentication name). Every certificate must be within its
//! validity period.

use std::net::IpAddr;

use gridlog::{AlternativeNameSource, MqttClient, MqttConfig, ResourceState, ValidationScheme};

use crate::certificate::{ClientCertificate, LeafFields};
use crate::trust::Trust;

/// Why a certificate did not authenticate (logged; the CONNACK says only 0x86 or 0x87).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum CertificateFailure {
    /// No username and no alternative sources configured (v5 0x86, 3.1.1 0x04).
    #[error("no username, and no alternativeAuthenticationNameSources are configured")]
    NoUsername,
    /// The alternative sources found nothing in the certificate.
    #[error("no alternative authentication name source yields a name from the certificate")]
    NoName,
    /// The leaf does not parse as X.509.
    #[error("the certificate does not parse")]
    Unreadable,
    /// No client has that authentication name.
    #[error("no client has the authentication name '{0}'")]
    UnknownClient(String),
    /// The client is disabled.
    #[error("client '{0}' is disabled")]
    Disabled(String),
    /// Expired or not yet valid.
    #[error("the certificate is not valid now")]
    NotValidNow,
    /// `ThumbprintMatch`: not one of the allowed thumbprints.
    #[error("thumbprint {0} is not allowed for the client")]
    Thumbprint(String),
    /// The chain does not validate to a `caCertificate`.
    #[error("the chain does not validate to a caCertificate: {0}")]
    Untrusted(String),
    /// The scheme's field does not equal the authentication name.
    #[error("the certificate's {0} does not match the authentication name")]
    NameMismatch(&'static str),
}

/// Authenticates a CONNECT that came with `certificate`: the client it is, or why not.
pub fn authenticate<'a>(
    mqtt: &'a MqttConfig,
    trust: &Trust,
    username: Option<&str>,
    certificate: &ClientCertificate,
    now_unix_secs: i64,
) -> Result<&'a MqttClient, CertificateFailure> {
    let fields = certificate.fields().ok_or(CertificateFailure::Unreadable)?;
    let name = if let Some(name) = username.filter(|name| !name.is_empty()) {
        name.to_owned()
    } else {
        let sources = &mqtt
            .topic_spaces_configuration
            .alternative_authentication_name_sources;
        if sources.is_empty() {
            return Err(CertificateFailure::NoUsername);
        }
        sources
            .iter()
            .find_map(|source| alternative_name(&fields, *source))
            .ok_or(CertificateFailure::NoName)?
    };
    let client = mqtt
        .client_by_authentication_name(&name)
        .ok_or_else(|| CertificateFailure::UnknownClient(name.clone()))?;
    if client.state != ResourceState::Enabled {
        return Err(CertificateFailure::Disabled(client.name.clone()));
    }
    if now_unix_secs < fields.not_before || now_unix_secs > fields.not_after {
        return Err(CertificateFailure::NotValidNow);
    }
    let scheme = client.certificate.validation_scheme;
    if scheme == ValidationScheme::ThumbprintMatch {
        let thumbprint = certificate.thumbprint();
        return if client
            .certificate
            .allowed_thumbprints
            .iter()
            .any(|allowed| allowed.eq_ignore_ascii_case(&thumbprint))
        {
            Ok(client)
        } else {
            Err(CertificateFailure::Thumbprint(thumbprint))
        };
    }
    trust
        .verify(certificate, u64::try_from(now_unix_secs).unwrap_or(0))
        .map_err(|e| CertificateFailure::Untrusted(e.to_string()))?;
    let wanted = &client.authentication_name;
    let same = |text: &String| text.eq_ignore_ascii_case(wanted);
    let matched = match scheme {
        ValidationScheme::SubjectMatchesAuthenticationName => {
            fields.common_names.iter().any(same) || same(&fields.subject)
        }
        ValidationScheme::DnsMatchesAuthenticationName => fields.dns.iter().any(same),
        ValidationScheme::UriMatchesAuthenticationName => fields.uris.iter().any(same),
        ValidationScheme::IpMatchesAuthenticationName => wanted
            .parse::<IpAddr>()
            .is_ok_and(|ip| fields.ips.contains(&ip)),
        ValidationScheme::EmailMatchesAuthenticationName => fields.emails.iter().any(same),
        ValidationScheme::ThumbprintMatch => true,
    };
    if matched {
        Ok(client)
    } else {
        Err(CertificateFailure::NameMismatch(field_name(scheme)))
    }
}

/// The first value of `source`'s field in the leaf.
fn alternative_name(fields: &LeafFields, source: AlternativeNameSource) -> Option<String> {
    match source {
        AlternativeNameSource::ClientCertificateSubject => fields.common_names.first().cloned(),
        AlternativeNameSource::ClientCertificateDns => fields.dns.first().cloned(),
        AlternativeNameSource::ClientCertificateUri => fields.uris.first().cloned(),
        AlternativeNameSource::ClientCertificateIp => fields.ips.first().map(IpAddr::to_string),
        AlternativeNameSource::ClientCertificateEmail => fields.emails.first().cloned(),
    }
}

const fn field_name(scheme: ValidationScheme) -> &'static str {
    match scheme {
        ValidationScheme::SubjectMatchesAuthenticationName => "subject",
        ValidationScheme::DnsMatchesAuthenticationName => "SAN dNSName",
        ValidationScheme::UriMatchesAuthenticationName => "SAN URI",
        ValidationScheme::IpMatchesAuthenticationName => "SAN iPAddress",
        ValidationScheme::EmailMatchesAuthenticationName => "SAN rfc822Name",
        ValidationScheme::ThumbprintMatch => "thumbprint",
    }
}
