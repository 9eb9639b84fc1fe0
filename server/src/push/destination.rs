//! A push subscription's destination, read from the members the configuration keeps verbatim
//! (`push.destination`, or `push.deliveryWithResourceIdentity.destination`):
//!
//! ```json
//! {"endpointType": "WebHook", "properties": {"endpointUrl": "http://127.0.0.1:9000/hook"}}
//! {"endpointType": "EventHub", "properties": {"endpointUrl": "http://10.0.0.2:8765",
//!   "eventHubName": "edge-forward", "sharedAccessKeyName": "send", "sharedAccessKey": "…"}}
//! ```
//!
//! `endpointType` is compared case-insensitively. Only `http://` URLs are supported (gridlog has
//! no TLS client); an Event Hubs destination is reached through the REST send-batch call with a
//! Service Bus SAS token made from `sharedAccessKeyName` / `sharedAccessKey`. Azure's
//! managed-identity `resourceId` form cannot be used (no identity to sign with).

use gridlog::PushDestination;
use serde_json::Value;

/// An `http://` URL split for a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpUrl {
    /// `host:port` (port 80 when absent).
    pub authority: String,
    /// The `Host` header value (as written).
    pub host: String,
    /// Path and query, starting with `/`.
    pub path_and_query: String,
}

impl HttpUrl {
    /// Parses an `http://host[:port][/path][?query]` URL.
    pub fn parse(url: &str) -> Result<Self, String> {
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| format!("'{url}': only http:// endpoints are supported"))?;
        let (host, path) = match rest.find(['/', '?']) {
            Some(i) if rest.as_bytes()[i] == b'/' => (&rest[..i], rest[i..].to_owned()),
            Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
            None => (rest, "/".to_owned()),
        };
        if host.is_empty() || host.contains('@') {
            return Err(format!(
                "'{url}': no host (or user info, which is not supported)"
            ));
        }
        let has_port = host
            .rsplit_once(':')
            .is_some_and(|(_, port)| port.parse::<u16>().is_ok() && !host.ends_with(']'));
        let authority = if has_port {
            host.to_owned()
        } else {
            format!("{host}:80")
        };
        Ok(Self {
            authority,
            host: host.to_owned(),
            path_and_query: path,
        })
    }
}

/// Where a push subscription delivers.
#[derive(Clone, PartialEq, Eq)]
pub enum Destination {
    /// `WebHook`: each event sent (HTTP POST) as a structured `CloudEvent`.
    WebHook {
        /// `endpointUrl`.
        url: HttpUrl,
    },
    /// `EventHub`: each event sent with the Event Hubs REST send-batch call.
    EventHub {
        /// `endpointUrl` (the namespace), without a trailing `/`.
        endpoint: String,
        /// `{endpointUrl}/{eventHubName}/messages?api-version=2014-01`.
        url: HttpUrl,
        /// The SAS resource: `{endpointUrl}/{eventHubName}`.
        resource: String,
        /// `sharedAccessKeyName`.
        key_name: String,
        /// `sharedAccessKey`.
        key: String,
    },
}

impl std::fmt::Debug for Destination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::WebHook { url } => {
                write!(f, "WebHook(http://{}{})", url.host, url.path_and_query)
            }
            Self::EventHub { resource, .. } => write!(f, "EventHub({resource})"),
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

impl Destination {
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
            .ok_or("destination.endpointType is required: WebHook or EventHub")?;
        let properties = destination
            .get("properties")
            .ok_or("destination.properties is required")?;
        if kind.eq_ignore_ascii_case("WebHook") {
            Ok(Self::WebHook {
                url: HttpUrl::parse(string(properties, "endpointUrl")?)?,
            })
        } else if kind.eq_ignore_ascii_case("EventHub") {
            let endpoint = string(properties, "endpointUrl")
                .map_err(|e| format!("{e} (gridlog reaches Event Hubs by URL, not resourceId)"))?
                .trim_end_matches('/')
                .to_owned();
            let hub = string(properties, "eventHubName")?;
            let encoded_hub =
                percent_encoding::utf8_percent_encode(hub, percent_encoding::NON_ALPHANUMERIC);
            let url = HttpUrl::parse(&format!(
                "{endpoint}/{encoded_hub}/messages?api-version=2014-01"
            ))?;
            Ok(Self::EventHub {
                resource: format!("{endpoint}/{hub}"),
                endpoint,
                url,
                key_name: string(properties, "sharedAccessKeyName")?.to_owned(),
                key: string(properties, "sharedAccessKey")?.to_owned(),
            })
        } else {
            Err(format!(
                "destination.endpointType '{kind}' is not supported: WebHook or EventHub"
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
    fn urls() {
        let u = HttpUrl::parse("http://127.0.0.1:9000/hook?x=1").unwrap();
        assert_eq!(u.authority, "127.0.0.1:9000");
        assert_eq!(u.path_and_query, "/hook?x=1");
        let u = HttpUrl::parse("http://example.com").unwrap();
        assert_eq!(
            (u.authority.as_str(), u.path_and_query.as_str()),
            ("example.com:80", "/")
        );
        let u = HttpUrl::parse("http://h:1?q").unwrap();
        assert_eq!(u.path_and_query, "/?q");
        assert!(HttpUrl::parse("https://h/").is_err());
        assert!(HttpUrl::parse("http:///x").is_err());
        assert!(HttpUrl::parse("http://u@h/").is_err());
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
        let Destination::EventHub { url, resource, .. } = &d else {
            panic!("{d:?}")
        };
        assert_eq!(url.path_and_query, "/a%20b/messages?api-version=2014-01");
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
            r#"{"endpointType":"WebHook","properties":{"endpointUrl":"https://h/"}}"#,
        ] {
            assert!(Destination::from_config(Some(&push(bad))).is_err(), "{bad}");
        }
        assert!(Destination::from_config(None).is_err());
    }
}
