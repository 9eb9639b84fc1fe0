//! The namespace configuration: topics, their event subscriptions (delivery and filters), access
//! keys, shared access policies and Event Hubs name mappings, in Azure's ARM JSON shape.
//!
//! ```json
//! {"accessKeys": ["..."], "throughputUnits": 1,
//!  "sharedAccessPolicies": [{"keyName": "RootManageSharedAccessKey", "key": "..."}],
//!  "eventHubs": [{"name": "batch-status", "topic": "orders",
//!    "properties": {"partitionCount": 4, "messageRetentionInDays": 1},
//!    "consumerGroups": [{"name": "$Default"}, {"name": "dashboard"}]}],
//!  "topics": [{"name": "orders", "properties": {"eventRetentionInDays": 7},
//!    "eventSubscriptions": [{"name": "all", "properties": {
//!      "deliveryConfiguration": {"deliveryMode": "Queue", "queue": {
//!        "receiveLockDurationInSeconds": 60, "maxDeliveryCount": 10,
//!        "eventTimeToLive": "P7D", "deadLetterTopic": "orders-dlq"}},
//!      "filtersConfiguration": {"includedEventTypes": null, "filters": []}}}]},
//!   {"name": "orders-dlq"}]}
//! ```
//!
//! Parsing ([`NamespaceConfig::from_json_slice`]) goes JSON → ARM serde types (`arm`, closed
//! objects; see that module for the few lenient members) → typed values with defaults filled in
//! (`convert`) → [`NamespaceConfig::validate`] (every range and cross-reference, `validate`).
//! Every error names the field path. [`NamespaceConfig::to_json`] writes the same ARM shape back,
//! with every default spelled out, so `from_json(to_json(c)) == c`.
//!
//! Defaults (reference §3, §8): retention 7 days; lock 60 s; `maxDeliveryCount` 10;
//! `eventTimeToLive` = min(7 days, retention) = the retention; `deliveryMode` `Queue` when
//! `deliveryConfiguration` or `deliveryMode` is absent. `throughputUnits` absent means unlimited
//! throughput, and then up to [`TOPICS_PER_NAMESPACE_MAX`](crate::limits::TOPICS_PER_NAMESPACE_MAX)
//! topics. Names of topics, subscriptions, policies and Event Hubs are compared
//! case-insensitively (Azure resource names are), so two names differing only in case collide.

mod arm;
mod arm_hub;
mod convert;
pub mod duration;
mod error;
mod hub;
pub mod mqtt;
mod validate;

use std::time::Duration;

pub use error::{ConfigError, ConfigErrorKind};
pub use hub::EventHubConfig;
pub(crate) use hub::{hub_from_json_str, hub_to_json_string};

pub(crate) use convert::{
    subscription_from_json_str, subscription_to_json_string, topic_from_json_str,
    topic_to_json_string,
};

use crate::filter::FiltersConfig;

/// A namespace: its topics and credentials.
#[derive(Clone, Debug, PartialEq)]
pub struct NamespaceConfig {
    /// `accessKeys`: keys accepted as `SharedAccessKey` / `aeg-sas-key` and for SAS tokens.
    pub access_keys: Vec<AccessKey>,
    /// `throughputUnits`, 1–40; `None` means unlimited.
    pub throughput_units: Option<u32>,
    /// `sharedAccessPolicies`: named keys for Service Bus-style SAS (Event Hubs ingest).
    pub shared_access_policies: Vec<SharedAccessPolicy>,
    /// `eventHubs`: the Event Hubs (`hub.rs`), each optionally mapped to a topic.
    pub event_hubs: Vec<EventHubConfig>,
    /// `tls`: how `gridlog serve` serves HTTPS (the server's business, like the keys: the engine
    /// keeps nothing of it). `None`: plain HTTP unless `serve`'s flags say otherwise.
    pub tls: Option<TlsConfig>,
    /// `topics`.
    pub topics: Vec<TopicConfig>,
    /// The MQTT broker's resources (`topicSpacesConfiguration`, `clients`, `clientGroups`,
    /// `topicSpaces`, `permissionBindings`; `mqtt/`).
    pub mqtt: mqtt::MqttConfig,
}

/// `tls` in a namespace configuration: `{"certificateFile": F, "keyFile": K}` (PEM files; a
/// relative path is relative to the configuration file's folder) or `{"selfSigned": true}` (the
/// development CA and certificate `serve --tls-self-signed` keeps in the data directory).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TlsConfig {
    /// A certificate chain and its private key.
    Files {
        /// `certificateFile`.
        certificate_file: String,
        /// `keyFile`.
        key_file: String,
    },
    /// `selfSigned: true`.
    SelfSigned,
}

/// A secret key. `Debug` does not print it.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessKey(String);

impl AccessKey {
    /// Wraps a key (validated by [`NamespaceConfig::validate`]).
    pub fn new(key: impl Into<String>) -> Self {
        Self(key.into())
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for AccessKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AccessKey(..)")
    }
}

/// A shared access policy: a key name and its key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SharedAccessPolicy {
    /// `keyName`: 1–256 characters of `[A-Za-z0-9._-]`, unique per namespace.
    pub key_name: String,
    /// `key`.
    pub key: AccessKey,
}

/// A namespace topic.
#[derive(Clone, Debug, PartialEq)]
pub struct TopicConfig {
    /// `name`: 3–50 characters of `[A-Za-z0-9-]`.
    pub name: String,
    /// `properties.eventRetentionInDays`: 1–7, default 7.
    pub retention_days: u32,
    /// `eventSubscriptions`: at most 500.
    pub subscriptions: Vec<SubscriptionConfig>,
}

impl TopicConfig {
    /// The retention as a duration.
    pub fn retention(&self) -> Duration {
        Duration::from_secs(u64::from(self.retention_days) * crate::limits::SECS_PER_DAY)
    }
}

/// An event subscription.
#[derive(Clone, Debug, PartialEq)]
pub struct SubscriptionConfig {
    /// `name`: 3–50 characters of `[A-Za-z0-9-]`, unique within its topic.
    pub name: String,
    /// `properties.deliveryConfiguration`.
    pub delivery: DeliveryConfig,
    /// `properties.filtersConfiguration`.
    pub filters: FiltersConfig,
}

/// How a subscription's events are delivered.
#[derive(Clone, Debug, PartialEq)]
pub struct DeliveryConfig {
    /// `deliveryMode`.
    pub mode: DeliveryMode,
    /// `queue.receiveLockDurationInSeconds`: 60–300 s, whole seconds, default 60 s. Unused (and
    /// not written) for push subscriptions.
    pub lock_duration: Duration,
    /// `maxDeliveryCount`: 1–10, default 10.
    pub max_delivery_count: u32,
    /// `eventTimeToLive`: at least `PT1M`, at most the topic's retention, and for queues at least
    /// the lock duration; whole seconds; default the topic's retention.
    pub event_ttl: Duration,
    /// `deadLetterTopic` (gridlog's addition): another topic of the namespace; `None` drops
    /// dead-lettered events.
    pub dead_letter_topic: Option<String>,
    /// For push subscriptions, the destination members kept verbatim.
    pub push_destination: Option<PushDestination>,
}

/// `deliveryMode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DeliveryMode {
    /// `Queue`: pull delivery (receive, acknowledge, release, reject, renew).
    Queue,
    /// `Push`: the engine delivers to a destination (not implemented yet).
    Push,
}

impl DeliveryMode {
    /// The ARM spelling.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Queue => "Queue",
            Self::Push => "Push",
        }
    }
}

/// A push subscription's destination, kept as given until push delivery types it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PushDestination {
    /// `push.deliveryWithResourceIdentity`, verbatim.
    pub delivery_with_resource_identity: Option<serde_json::Value>,
    /// `push.destination`, verbatim.
    pub destination: Option<serde_json::Value>,
}

/// What a JSON document whose first byte is not `{` is (`None` for an object, and for text that
/// is not JSON at all, which the parser reports with its position).
fn not_an_object(json: &[u8]) -> Option<&'static str> {
    match json.iter().find(|b| !b.is_ascii_whitespace())? {
        b'[' => Some("an array"),
        b'"' => Some("a string"),
        b'-' | b'0'..=b'9' => Some("a number"),
        b't' | b'f' => Some("a boolean"),
        b'n' => Some("null"),
        _ => None,
    }
}

impl NamespaceConfig {
    /// Parses and validates an ARM-shaped namespace configuration.
    pub fn from_json_slice(json: &[u8]) -> Result<Self, ConfigError> {
        if let Some(found) = not_an_object(json) {
            return Err(ConfigError::new("", ConfigErrorKind::NotAnObject { found }));
        }
        let mut deserializer = serde_json::Deserializer::from_slice(json);
        let arm: arm::NamespaceArm =
            serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
                let path = error.path().to_string();
                let message = error.into_inner().to_string();
                ConfigError::new(
                    if path == "." { String::new() } else { path },
                    ConfigErrorKind::Syntax { message },
                )
            })?;
        deserializer.end().map_err(|error| {
            ConfigError::new(
                "",
                ConfigErrorKind::Syntax {
                    message: error.to_string(),
                },
            )
        })?;
        let config = convert::from_arm(arm)?;
        config.validate()?;
        Ok(config)
    }

    /// Parses and validates an ARM-shaped namespace configuration.
    pub fn from_json_str(json: &str) -> Result<Self, ConfigError> {
        Self::from_json_slice(json.as_bytes())
    }

    /// The ARM-shaped JSON, every default spelled out.
    pub fn to_json(&self) -> serde_json::Value {
        convert::to_arm_json(self)
    }

    /// Checks every range, name and cross-reference: for a configuration built or edited in code
    /// (parsing already does this).
    pub fn validate(&self) -> Result<(), ConfigError> {
        validate::namespace(self)
    }

    /// The Event Hub named `name` (case-insensitive).
    pub fn event_hub(&self, name: &str) -> Option<&EventHubConfig> {
        self.event_hubs
            .iter()
            .find(|hub| hub.name.eq_ignore_ascii_case(name))
    }

    /// The topic named `name` (case-insensitive).
    pub fn topic(&self, name: &str) -> Option<&TopicConfig> {
        self.topics
            .iter()
            .find(|topic| topic.name.eq_ignore_ascii_case(name))
    }
}
