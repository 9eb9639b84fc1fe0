//! The CONNECT decision, common to MQTT 3.1.1 and 5: the broker's state, the client identifier,
//! certificate authentication (`authenticate.rs`) or the development-only authentication, the
//! session rules (takeover, sessions per
//! authentication name). The protocol modules turn a [`Refusal`] into their CONNACK code.

use gridlog::{MqttClient, ResourceState};
use ntex_mqtt::QoS;

use crate::authenticate::{CertificateFailure, authenticate};
use crate::broker::Broker;
use crate::certificate::ClientCertificate;
use crate::limits::CLIENT_ID_CHARS_MAX;
use crate::peer::Transport;

/// Why a CONNECT is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// `topicSpacesConfiguration.state` is `Disabled` (v5 0x88, 3.1.1 0x03).
    BrokerDisabled,
    /// Empty or too long a client identifier (v5 0x85, 3.1.1 0x02).
    BadClientId,
    /// No username (and, with a certificate, no alternative name sources), or the password is
    /// not an access key (v5 0x86, 3.1.1 0x04).
    BadCredentials,
    /// Unknown or disabled client, a certificate that does not authenticate it (thumbprint,
    /// chain, name, validity), no certificate without the development mode, or a session name
    /// held by another authentication name (v5 0x87, 3.1.1 0x05).
    NotAuthorized,
    /// `maximumClientSessionsPerAuthenticationName` reached (v5 0x97, 3.1.1 0x05).
    TooManySessions,
    /// The stored sessions could not be read or written (v5 0x88, 3.1.1 0x03).
    Unavailable,
    /// Over the namespace's CONNECT rate (throughput units; v5 0x97, 3.1.1 0x03).
    ConnectRate,
    /// The namespace's connected sessions (10,000 per throughput unit) reached (v5 0x97,
    /// 3.1.1 0x03).
    SessionsQuota,
    /// A will message with retain, `QoS` 2 or an invalid topic (v5 0x9A, 0x9B, 0x90; 3.1.1
    /// 0x03), and over MQTT 5 an authentication method (0x8C) or user properties (0x83).
    Unsupported,
}

/// What a CONNECT carries that the decision reads.
pub struct Request<'a> {
    /// Client identifier (the session name).
    pub client_id: &'a str,
    /// User name.
    pub username: Option<&'a str>,
    /// Password.
    pub password: Option<&'a [u8]>,
    /// The will message's topic, `QoS` and retain flag, if it has one.
    pub will: Option<(&'a str, QoS, bool)>,
    /// The certificate the client sent in the TLS handshake, if any.
    pub certificate: Option<&'a ClientCertificate>,
    /// The transport the connection came on (logged with a refusal).
    pub transport: Transport,
}

/// The Session Expiry Interval a CONNECT gets, seconds: what it asked for (3.1.1
/// `cleanSession=0`: the most there is), at most `maximumSessionExpiryInHours`.
pub fn session_expiry(broker: &Broker, requested_secs: u32) -> u32 {
    let hours = broker
        .shared()
        .mqtt()
        .topic_spaces_configuration
        .maximum_session_expiry_in_hours;
    requested_secs.min(hours.saturating_mul(3_600))
}

/// Decides a CONNECT: the authenticated client, or why not (counted).
pub fn decide(broker: &Broker, request: &Request<'_>) -> Result<MqttClient, Refusal> {
    let decided = decide_uncounted(broker, request);
    broker
        .shared()
        .stats
        .connect(decided.as_ref().map(|_| ()).map_err(|refusal| *refusal));
    decided
}

fn decide_uncounted(broker: &Broker, request: &Request<'_>) -> Result<MqttClient, Refusal> {
    let shared = broker.shared();
    let mqtt = shared.mqtt();
    if mqtt.topic_spaces_configuration.state != ResourceState::Enabled {
        return Err(Refusal::BrokerDisabled);
    }
    crate::throttle::connect(shared).map_err(|_| Refusal::ConnectRate)?;
    let id_chars = request.client_id.chars().count();
    if id_chars == 0 || id_chars > CLIENT_ID_CHARS_MAX {
        return Err(Refusal::BadClientId);
    }
    let client = if let Some(certificate) = request.certificate {
        let now = shared.clock.now().unix_millis() / 1_000;
        let trust = broker.trust(&mqtt.ca_certificates);
        match authenticate(&mqtt, &trust, request.username, certificate, now) {
            Ok(client) => client,
            Err(failure) => {
                tracing::info!(client_id = request.client_id, transport = ?request.transport, reason = %failure, "MQTT certificate authentication refused");
                return Err(if failure == CertificateFailure::NoUsername {
                    Refusal::BadCredentials
                } else {
                    Refusal::NotAuthorized
                });
            }
        }
    } else if shared.dev_auth {
        development(shared, &mqtt, request)?
    } else {
        // Neither a certificate nor the development mode: nobody to authenticate.
        tracing::info!(client_id = request.client_id, transport = ?request.transport, "MQTT CONNECT without a client certificate refused");
        return Err(Refusal::NotAuthorized);
    };
    if let Some((topic, qos, retain)) = request.will
        && (retain || qos == QoS::ExactlyOnce || crate::topic::topic_name(topic).is_err())
    {
        return Err(Refusal::Unsupported);
    }
    broker.admit(request.client_id, &client.authentication_name)?;
    Ok(client.clone())
}

/// The development-only authentication: username = an authentication name, password = an
/// access key.
fn development<'a>(
    shared: &crate::shared::Shared,
    mqtt: &'a gridlog::MqttConfig,
    request: &Request<'_>,
) -> Result<&'a MqttClient, Refusal> {
    let username = request
        .username
        .filter(|name| !name.is_empty())
        .ok_or(Refusal::BadCredentials)?;
    let client = mqtt
        .client_by_authentication_name(username)
        .filter(|client| client.state == ResourceState::Enabled)
        .ok_or(Refusal::NotAuthorized)?;
    if !request
        .password
        .is_some_and(|password| shared.is_access_key(password))
    {
        return Err(Refusal::BadCredentials);
    }
    Ok(client)
}
