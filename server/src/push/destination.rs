//! A push subscription's destination, read from the members the configuration keeps verbatim
//! (`push.destination`, or `push.deliveryWithResourceIdentity.destination`):
//!
//! ```json
//! {"endpointType": "WebHook", "properties": {"endpointUrl": "https://hooks.example/x"}}
//! {"endpointType": "EventHub", "properties": {"endpointUrl": "https://ns.servicebus.windows.net",
//!   "eventHubName": "edge-forward", "sharedAccessKeyName": "send", "sharedAccessKey": "…"}}
//! {"endpointType": "NamespaceTopic", "properties": {
//!   "endpointUrl": "https://ns.westeurope-1.eventgrid.azure.net", "topicName": "orders",
//!   "accessKeyEnvironmentVariable": "AZURE_EG_KEY"}}
//! ```
//!
//! `endpointType` is compared case-insensitively. URLs are `http://` or `https://`; `https://`
//! servers are verified against the system roots plus the PEM file `caCertificateFile` if
//! given (a gridlog member, for private CAs). Secrets come from the config or from an
//! environment variable named in it (`…EnvironmentVariable`), read when the worker starts:
//!
//! - `WebHook`: one POST per event (structured `CloudEvent`).
//! - `EventHub`: the Event Hubs REST send-batch call with a Service Bus SAS token made from
//!   `sharedAccessKeyName` and `sharedAccessKey` (or `sharedAccessKeyEnvironmentVariable`),
//!   signed afresh for every attempt (valid an hour), so it never expires in use.
//! - `NamespaceTopic` (the ARM name of an Event Grid namespace topic destination): the
//!   namespace's `POST /topics/{topicName}:publish` with `Authorization: SharedAccessKey` from
//!   `accessKey` / `accessKeyEnvironmentVariable`, or `Authorization: SharedAccessSignature`
//!   from `sharedAccessSignature` / `sharedAccessSignatureEnvironmentVariable` — what the Azure
//!   SDKs send, so the destination is an Event Grid namespace in Azure or another gridlog.
//!
//! Azure's managed-identity `resourceId` form cannot be used (no identity to sign with).

use gridlog::PushDestination;
use serde_json::Value;

use crate::client::{HttpClient, Url};

/// The `api-version` of the namespace publish call.
pub const NAMESPACE_API_VERSION: &str = "2024-06-01";

/// Where requests go and the client (trust roots) that reaches it.
#[derive(Clone)]
pub struct Target {
    /// The request URL.
    pub url: Url,
    /// The client for it.
    pub client: HttpClient,
}

/// How a namespace topic destination authenticates.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    /// An access key (`Authorization: SharedAccessKey …`).
    AccessKey(String),
    /// A SAS token (`Authorization: SharedAccessSignature …`).
    Sas(String),
}

impl Credential {
    /// The `Authorization` header value.
    pub fn authorization(&self) -> String {
        match self {
            Self::AccessKey(key) => format!("SharedAccessKey {key}"),
            Self::Sas(token) => {
                let token = token
                    .strip_prefix("SharedAccessSignature ")
                    .unwrap_or(token);
                format!("SharedAccessSignature {token}")
            }
        }
    }
}

/// Where a push subscription delivers.
#[derive(Clone)]
pub enum Destination {
    /// `WebHook`: each event sent (HTTP POST) as a structured `CloudEvent`.
    WebHook {
        /// `endpointUrl`.
        target: Target,
    },
    /// `EventHub`: each event sent with the Event Hubs REST send-batch call.
    EventHub {
        /// `{endpointUrl}/{eventHubName}/messages?api-version=2014-01`.
        target: Target,
        /// The SAS resource: `{endpointUrl}/{eventHubName}`.
        resource: String,
        /// `sharedAccessKeyName`.
        key_name: String,
        /// `sharedAccessKey`.
        key: String,
    },
    /// `NamespaceTopic`: each event published to an Event Grid namespace topic.
    NamespaceTopic {
        /// `{endpointUrl}/topics/{topicName}:publish?api-version=…`.
        target: Target,
        /// The key or SAS token.
        credential: Credential,
    },
}

impl std::fmt::Debug for Destination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::WebHook { target } => write!(f, "WebHook({})", target.url),
            Self::EventHub { resource, .. } => write!(f, "EventHub({resource})"),
            Self::NamespaceTopic { target, .. } => write!(f, "NamespaceTopic({})", target.url),
        }
    }
}

fn string<'a>(properties: &'a Value, name: &str) -> Result<&'a str, String> {
    properties
        .get(name)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| format!("destination.properties.{name} (a string) is required"))
}

/// A secret given as `name`, or through the environment variable named by
/// `{name}EnvironmentVariable`; `None` when neither member is there.
fn secret(properties: &Value, name: &str) -> Result<Option<String>, String> {
    if let Some(value) = properties.get(name) {
        return value
            .as_str()
            .filter(|s| !s.is_empty())
            .map(|s| Some(s.to_owned()))
            .ok_or_else(|| format!("destination.properties.{name} must be a non-empty string"));
    }
    let env_member = format!("{name}EnvironmentVariable");
    let Some(variable) = properties.get(&env_member) else {
        return Ok(None);
    };
    let variable = variable
        .as_str()
        .ok_or_else(|| format!("destination.properties.{env_member} must be a string"))?;
    match std::env::var(variable) {
        Ok(value) if !value.is_empty() => Ok(Some(value)),
        _ => Err(format!(
            "destination.properties.{env_member}: the environment variable {variable} is not set"
        )),
    }
}

fn target(url: &str, properties: &Value) -> Result<Target, String> {
    let url = Url::parse(url).map_err(|e| format!("'{url}': {e}"))?;
    let ca_file = properties
        .get("caCertificateFile")
        .map(|v| {
            v.as_str()
                .ok_or("destination.properties.caCertificateFile must be a string")
        })
        .transpose()?;
    let client =
        HttpClient::for_url(&url, ca_file.map(std::path::Path::new)).map_err(|e| e.to_string())?;
    Ok(Target { url, client })
}

impl Destination {
    /// The request target.
    pub fn target(&self) -> &Target {
        match self {
            Self::WebHook { target }
            | Self::EventHub { target, .. }
            | Self::NamespaceTopic { target, .. } => target,
        }
    }

    /// Reads the destination of a push subscription.
    pub fn from_config(push: Option<&PushDestination>) -> Result<Self, String> {
        let destination = push
            .and_then(|p| {
                p.destination.as_ref().or_else(|| {
                    p.delivery_with_resource_identity
                        .as_ref()
                        .and_then(|d| d.get("destination"))
                })
            })
            .ok_or("a push subscription needs push.destination")?;
        let kind = destination
            .get("endpointType")
            .and_then(Value::as_str)
            .ok_or("destination.endpointType is required: WebHook, EventHub or NamespaceTopic")?;
        let properties = destination
            .get("properties")
            .ok_or("destination.properties is required")?;
        let endpoint = || {
            string(properties, "endpointUrl")
                .map_err(|e| {
                    format!("{e} (gridlog reaches its destinations by URL, not resourceId)")
                })
                .map(|url| url.trim_end_matches('/').to_owned())
        };
        let encode = |s: &str| {
            percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
        };
        if kind.eq_ignore_ascii_case("WebHook") {
            Ok(Self::WebHook {
                target: target(string(properties, "endpointUrl")?, properties)?,
            })
        } else if kind.eq_ignore_ascii_case("EventHub") {
            let endpoint = endpoint()?;
            let hub = string(properties, "eventHubName")?;
            let url = format!("{endpoint}/{}/messages?api-version=2014-01", encode(hub));
            Ok(Self::EventHub {
                target: target(&url, properties)?,
                resource: format!("{endpoint}/{hub}"),
                key_name: string(properties, "sharedAccessKeyName")?.to_owned(),
                key: secret(properties, "sharedAccessKey")?.ok_or(
                    "destination.properties.sharedAccessKey (or sharedAccessKeyEnvironmentVariable) is required",
                )?,
            })
        } else if kind.eq_ignore_ascii_case("NamespaceTopic") {
            let endpoint = endpoint()?;
            let topic = string(properties, "topicName")?;
            let url = format!(
                "{endpoint}/topics/{}:publish?api-version={NAMESPACE_API_VERSION}",
                encode(topic)
            );
            let credential = match (
                secret(properties, "accessKey")?,
                secret(properties, "sharedAccessSignature")?,
            ) {
                (Some(key), None) => Credential::AccessKey(key),
                (None, Some(token)) => Credential::Sas(token),
                _ => return Err("destination.properties needs one of accessKey or sharedAccessSignature (or their …EnvironmentVariable forms)".to_owned()),
            };
            Ok(Self::NamespaceTopic {
                target: target(&url, properties)?,
                credential,
            })
        } else {
            Err(format!(
                "destination.endpointType '{kind}' is not supported: WebHook, EventHub or NamespaceTopic"
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push(destination: &str) -> PushDestination {
        PushDestination {
            delivery_with_resource_identity: None,
            destination: Some(serde_json::from_str(destination).unwrap()),
        }
    }

    #[test]
    fn destinations() {
        let d = Destination::from_config(Some(&push(
            r#"{"endpointType":"webhook","properties":{"endpointUrl":"http://h:1/x"}}"#,
        )))
        .unwrap();
        assert!(matches!(d, Destination::WebHook { .. }));
        let d = Destination::from_config(Some(&push(
            r#"{"endpointType":"EventHub","properties":{"endpointUrl":"http://h:2/","eventHubName":"a b",
                "sharedAccessKeyName":"send","sharedAccessKey":"k"}}"#,
        )))
        .unwrap();
        let Destination::EventHub {
            target, resource, ..
        } = &d
        else {
            panic!("{d:?}")
        };
        assert_eq!(
            target.url.path_and_query,
            "/a%20b/messages?api-version=2014-01"
        );
        assert_eq!(resource, "http://h:2/a b");
        assert!(!format!("{d:?}").contains('k'), "no key in Debug");
        let identity = PushDestination {
            delivery_with_resource_identity: Some(serde_json::json!({"destination":
                {"endpointType":"WebHook","properties":{"endpointUrl":"http://h/"}}})),
            destination: None,
        };
        assert!(Destination::from_config(Some(&identity)).is_ok());
        for bad in [
            r#"{"endpointType":"EventHub","properties":{"resourceId":"/subscriptions/x"}}"#,
            r#"{"endpointType":"StorageQueue","properties":{}}"#,
            r#"{"properties":{"endpointUrl":"http://h/"}}"#,
            r#"{"endpointType":"WebHook","properties":{"endpointUrl":"ftp://h/"}}"#,
            r#"{"endpointType":"WebHook","properties":{"endpointUrl":"https://h/","caCertificateFile":"/nonexistent.pem"}}"#,
            r#"{"endpointType":"NamespaceTopic","properties":{"endpointUrl":"https://h/","topicName":"t"}}"#,
            r#"{"endpointType":"NamespaceTopic","properties":{"endpointUrl":"https://h/","topicName":"t","accessKeyEnvironmentVariable":"GRIDLOG_TEST_UNSET_VARIABLE"}}"#,
        ] {
            assert!(Destination::from_config(Some(&push(bad))).is_err(), "{bad}");
        }
        assert!(Destination::from_config(None).is_err());
        let d = Destination::from_config(Some(&push(
            r#"{"endpointType":"NamespaceTopic","properties":{"endpointUrl":"https://ns.example/","topicName":"a b",
                "accessKey":"k1"}}"#,
        )))
        .unwrap();
        let Destination::NamespaceTopic { target, credential } = &d else {
            panic!("{d:?}")
        };
        assert_eq!(
            target.url.path_and_query,
            "/topics/a%20b:publish?api-version=2024-06-01"
        );
        assert_eq!(credential.authorization(), "SharedAccessKey k1");
        assert!(!format!("{d:?}").contains("k1"), "no key in Debug");
        assert_eq!(
            Credential::Sas("SharedAccessSignature r=x".into()).authorization(),
            "SharedAccessSignature r=x"
        );
    }
}
