//! Event Hubs REST ingest: the Azure Event Hubs "send event" / "send batch" REST calls, so a job
//! that reports to Event Hubs can report to gridlog unchanged. The mapping from an Event Hubs
//! message to a `CloudEvent` is `docs/eventhubs.md`; the HTTP handler is `crate::http::eventhubs`.
//!
//! - [`ServiceBusSas`] (in the engine crate, shared with gridlog-amqp): Service Bus SAS tokens (`SharedAccessSignature sr=…&sig=…&se=…&skn=…`) checked
//!   against the namespace's `sharedAccessPolicies`.
//! - [`message`]: the two body forms (the `application/vnd.microsoft.servicebus.json` batch and
//!   the single raw message with a `BrokerProperties` header) and their `CloudEvent` mapping.
//! - [`hub`]: the partition a request's messages go to and their stored form, for a hub the
//!   namespace has (`eventHubs`).
//! - [`EventHubs`]: the configuration the handler needs (the policies).

pub mod hub;
pub mod message;

use gridlog::NamespaceConfig;

pub use gridlog::sas::ServiceBusSas;

/// What the Event Hubs endpoint needs from the namespace configuration: the policies. The
/// hubs themselves (partitions, their topic) are the store's (`DataPlane::hub`).
#[derive(Clone, Debug, Default)]
pub struct EventHubs {
    sas: ServiceBusSas,
}

impl EventHubs {
    /// The policies (`sharedAccessPolicies`) of `config`.
    pub fn from_config(config: &NamespaceConfig) -> Self {
        Self {
            sas: ServiceBusSas::new(
                config
                    .shared_access_policies
                    .iter()
                    .map(|p| (p.key_name.as_str(), p.key.as_str())),
            ),
        }
    }

    /// The SAS checker.
    pub fn sas(&self) -> &ServiceBusSas {
        &self.sas
    }
}

/// A parsed Event Hubs send path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HubPath {
    /// The Event Hub name (decoded).
    pub hub: String,
    /// `publishers/{p}` or `partitions/{p}`, when the path names one: (kind, name).
    pub target: Option<(&'static str, String)>,
}

/// Parses `/{hub}/messages`, `/{hub}/publishers/{p}/messages` or
/// `/{hub}/partitions/{p}/messages` (raw, percent-encoded path). `None`: not an Event Hubs path.
pub fn parse_path(raw: &str) -> Option<HubPath> {
    let rest = raw.strip_prefix('/')?;
    let segments: Vec<&str> = rest.split('/').collect();
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8()
            .ok()
            .filter(|d| !d.is_empty() && !d.contains('/') && !d.contains(':'))
            .map(std::borrow::Cow::into_owned)
    };
    match segments.as_slice() {
        [hub, "messages"] if *hub != "_gridlog" && *hub != "topics" => Some(HubPath {
            hub: decode(hub)?,
            target: None,
        }),
        [hub, kind @ ("publishers" | "partitions"), name, "messages"] if *hub != "_gridlog" => {
            Some(HubPath {
                hub: decode(hub)?,
                target: Some((
                    if *kind == "publishers" {
                        "publishers"
                    } else {
                        "partitions"
                    },
                    decode(name)?,
                )),
            })
        }
        _ => None,
    }
}

/// The earliest accepted `api-version` (`2014-01`); later dates are accepted too.
pub const API_VERSION_MIN: &str = "2014-01";

/// Checks the query: `api-version` (optional; a date `YYYY-MM` or `YYYY-MM-DD`, not before
/// [`API_VERSION_MIN`]) and `timeout` (optional; whole seconds, 1–[`TIMEOUT_SECS_MAX`]).
/// Other parameters are ignored, as Event Hubs does.
pub fn check_query(pairs: &[(String, String)]) -> Result<(), String> {
    for (name, value) in pairs {
        match name.as_str() {
            "api-version" => {
                let b = value.as_bytes();
                let shape_ok = (b.len() == 7 || b.len() == 10)
                    && b.iter().enumerate().all(|(i, c)| {
                        if i == 4 || i == 7 {
                            *c == b'-'
                        } else {
                            c.is_ascii_digit()
                        }
                    });
                // Same shape, so a string comparison orders the dates.
                if !shape_ok || value.get(..7).is_none_or(|ym| ym < API_VERSION_MIN) {
                    return Err(format!(
                        "api-version '{value}' is not supported; use {API_VERSION_MIN} or later"
                    ));
                }
            }
            "timeout" => {
                let ok = value
                    .parse::<u32>()
                    .is_ok_and(|t| (1..=TIMEOUT_SECS_MAX).contains(&t));
                if !ok {
                    return Err(format!(
                        "timeout must be whole seconds, 1-{TIMEOUT_SECS_MAX}, got '{value}'"
                    ));
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Largest accepted `timeout` query value, in seconds (a publish is answered once durable; the
/// value is validated and otherwise has no effect).
pub const TIMEOUT_SECS_MAX: u32 = 3600;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(
            parse_path("/batch-status/messages"),
            Some(HubPath {
                hub: "batch-status".into(),
                target: None
            })
        );
        assert_eq!(
            parse_path("/h%20b/publishers/dev1/messages"),
            Some(HubPath {
                hub: "h b".into(),
                target: Some(("publishers", "dev1".into()))
            })
        );
        assert_eq!(
            parse_path("/h/partitions/0/messages").and_then(|p| p.target),
            Some(("partitions", "0".into()))
        );
        for bad in [
            "/messages",
            "/h/message",
            "//messages",
            "/a/b/messages",
            "/_gridlog/messages",
            "/topics/messages",
            "/h%2Fx/messages",
            "/h/messages/",
            "/h/other/p/messages",
        ] {
            assert_eq!(parse_path(bad), None, "{bad}");
        }
    }

    #[test]
    fn query() {
        let q = |pairs: &[(&str, &str)]| {
            check_query(
                &pairs
                    .iter()
                    .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
                    .collect::<Vec<_>>(),
            )
        };
        assert!(q(&[]).is_ok());
        assert!(q(&[("timeout", "60"), ("api-version", "2014-01")]).is_ok());
        assert!(q(&[("api-version", "2015-01")]).is_ok());
        assert!(q(&[("api-version", "2024-05-01")]).is_ok());
        assert!(q(&[("api-version", "2013-12")]).is_err());
        assert!(q(&[("api-version", "2014-1")]).is_err());
        assert!(q(&[("api-version", "latest")]).is_err());
        assert!(q(&[("timeout", "0")]).is_err());
        assert!(q(&[("timeout", "x")]).is_err());
        assert!(q(&[("other", "x")]).is_ok());
    }

    #[test]
    fn policies() {
        let config = NamespaceConfig::from_json_str(
            r#"{"sharedAccessPolicies":[{"keyName":"send","key":"k"}],
                "eventHubs":[{"name":"batch-status","topic":"jobs"}],
                "topics":[{"name":"jobs"}]}"#,
        )
        .unwrap();
        assert!(!EventHubs::from_config(&config).sas().is_empty());
        assert!(EventHubs::default().sas().is_empty());
    }
}
