//! The namespace's MQTT broker resources (reference `eventgrid-mqtt.md` §2), ARM-shaped like the
//! rest of the configuration: `clients`, `clientGroups`, `topicSpaces`, `permissionBindings`
//! and `topicSpacesConfiguration`, each list entry `{"name": …, "properties": {…}}`.
//!
//! ```json
//! {"topicSpacesConfiguration": {"state": "Enabled",
//!    "routeTopicResourceId": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.EventGrid/namespaces/ns1/topics/telemetry"},
//!  "clients": [{"name": "dev1", "properties": {"authenticationName": "dev1",
//!    "attributes": {"type": "sensor", "floor": 3},
//!    "clientCertificateAuthentication": {"validationScheme": "ThumbprintMatch",
//!      "allowedThumbprints": ["…"]}}}],
//!  "clientGroups": [{"name": "sensors", "properties": {"query": "attributes.type IN ['sensor']"}}],
//!  "topicSpaces": [{"name": "devices", "properties":
//!    {"topicTemplates": ["devices/${client.authenticationName}/#"]}}],
//!  "permissionBindings": [{"name": "sensors-publish", "properties":
//!    {"clientGroupName": "sensors", "topicSpaceName": "devices", "permission": "Publisher"}}]}
//! ```
//!
//! Parsing (`arm.rs` → `convert.rs`) parses queries, templates and CA certificates (`ca.rs`); `validate.rs` checks names,
//! counts, attributes, thumbprints and cross-references. docs/mqtt.md lists where gridlog
//! differs from the service.

pub(super) mod arm;
mod ca;
pub(super) mod convert;
mod query;
mod template;
mod validate;

use std::collections::BTreeMap;

pub(super) use arm::MqttArm;
pub use ca::{AlternativeNameSource, CaCertificate, decode_ca_certificate};
pub(super) use convert::{mqtt_from_arm, mqtt_to_arm};
pub use query::{ClientGroupQuery, QueryError};
pub use template::{FilterSegment, TemplatePart, TemplateSegment, TopicTemplate};
pub(super) use validate::validate_mqtt;

/// The built-in client group every client belongs to.
pub const ALL_CLIENTS_GROUP: &str = "$all";

/// The MQTT side of a namespace.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MqttConfig {
    /// `topicSpacesConfiguration`.
    pub topic_spaces_configuration: TopicSpacesConfiguration,
    /// `clients`.
    pub clients: Vec<MqttClient>,
    /// `clientGroups` (without the built-in `$all`).
    pub client_groups: Vec<ClientGroup>,
    /// `topicSpaces`.
    pub topic_spaces: Vec<TopicSpace>,
    /// `permissionBindings`.
    pub permission_bindings: Vec<PermissionBinding>,
    /// `caCertificates`.
    pub ca_certificates: Vec<CaCertificate>,
}

impl MqttConfig {
    /// The enabled or disabled client whose `authenticationName` is `name` (case-insensitive).
    pub fn client_by_authentication_name(&self, name: &str) -> Option<&MqttClient> {
        self.clients
            .iter()
            .find(|client| client.authentication_name.eq_ignore_ascii_case(name))
    }

    /// Whether `client` is in the group named `group` (`$all`: always; an unknown group: never).
    pub fn in_group(&self, client: &MqttClient, group: &str) -> bool {
        if group.eq_ignore_ascii_case(ALL_CLIENTS_GROUP) {
            return true;
        }
        self.client_groups
            .iter()
            .find(|candidate| candidate.name.eq_ignore_ascii_case(group))
            .is_some_and(|found| found.query.matches(client))
    }

    /// The topic space named `name` (case-insensitive).
    pub fn topic_space(&self, name: &str) -> Option<&TopicSpace> {
        self.topic_spaces
            .iter()
            .find(|space| space.name.eq_ignore_ascii_case(name))
    }

    /// Every filter `client` may use for `permission`: the templates of the topic spaces bound
    /// to its groups with that permission, substituted for it.
    pub fn grants(&self, client: &MqttClient, permission: Permission) -> Vec<Vec<FilterSegment>> {
        let mut filters = Vec::new();
        for binding in &self.permission_bindings {
            if binding.permission != permission || !self.in_group(client, &binding.client_group_name)
            {
                continue;
            }
            if let Some(space) = self.topic_space(&binding.topic_space_name) {
                for template in &space.topic_templates {
                    filters.extend(template.substitute(client));
                }
            }
        }
        filters
    }
}

/// `Enabled` or `Disabled` (a client's `state`, the broker's `topicSpacesConfiguration.state`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResourceState {
    /// `Enabled`.
    Enabled,
    /// `Disabled`.
    Disabled,
}

impl ResourceState {
    /// The ARM spelling.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Enabled => "Enabled",
            Self::Disabled => "Disabled",
        }
    }
}

/// `topicSpacesConfiguration`.
#[derive(Clone, Debug, PartialEq)]
pub struct TopicSpacesConfiguration {
    /// `state`: default `Disabled` (the broker refuses connections).
    pub state: ResourceState,
    /// `routeTopicResourceId`: where every published message is also appended.
    pub route_topic: Option<RouteTopic>,
    /// `routingEnrichments`.
    pub routing_enrichments: RoutingEnrichments,
    /// `maximumSessionExpiryInHours`: 1–8, default 1.
    pub maximum_session_expiry_in_hours: u32,
    /// `maximumClientSessionsPerAuthenticationName`: 1–100, default 1.
    pub maximum_client_sessions_per_authentication_name: u32,
    /// `clientAuthentication.alternativeAuthenticationNameSources`, in order (none: the CONNECT
    /// username is required).
    pub alternative_authentication_name_sources: Vec<AlternativeNameSource>,
}

impl Default for TopicSpacesConfiguration {
    fn default() -> Self {
        Self {
            state: ResourceState::Disabled,
            route_topic: None,
            routing_enrichments: RoutingEnrichments::default(),
            maximum_session_expiry_in_hours: crate::limits::MQTT_SESSION_EXPIRY_HOURS_DEFAULT,
            maximum_client_sessions_per_authentication_name:
                crate::limits::MQTT_SESSIONS_PER_AUTHENTICATION_NAME_DEFAULT,
            alternative_authentication_name_sources: Vec::new(),
        }
    }
}

/// A parsed `routeTopicResourceId`:
/// `/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.EventGrid/namespaces/{ns}/topics/{t}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteTopic {
    /// The id as written.
    pub resource_id: String,
    /// `{ns}`: the routed events' `source`.
    pub namespace: String,
    /// `{t}`: a topic of this namespace.
    pub topic: String,
}

/// `routingEnrichments`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RoutingEnrichments {
    /// `static[]`: `{key, valueType: "String", value}`.
    pub static_values: Vec<(String, String)>,
    /// `dynamic[]`: `{key, value}` with `value` an expression.
    pub dynamic_values: Vec<(String, DynamicValue)>,
}

/// The value expression of a dynamic enrichment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DynamicValue {
    /// `${client.authenticationName}`.
    AuthenticationName,
    /// `${client.attributes.<key>}` (arrays joined with commas).
    Attribute(String),
    /// `${mqtt.message.userProperties.<key>}` or `${mqtt.message.userProperties['<key>']}`.
    UserProperty(String),
    /// `${mqtt.message.topicName}`.
    TopicName,
    /// `${mqtt.message.responseTopic}`.
    ResponseTopic,
    /// `${mqtt.message.correlationData}` (base64).
    CorrelationData,
    /// `${mqtt.message.pfi}` (an integer).
    PayloadFormatIndicator,
}

/// A client (`namespaces/clients`).
#[derive(Clone, Debug, PartialEq)]
pub struct MqttClient {
    /// `name`: 1–128 characters of `[-A-Za-z0-9:._]`, unique (case-sensitive).
    pub name: String,
    /// `properties.description`.
    pub description: Option<String>,
    /// `properties.authenticationName`: default the name; 1–128 characters; unique and looked up
    /// case-insensitively, substituted with its case kept.
    pub authentication_name: String,
    /// `properties.state`: default `Enabled`; a disabled client cannot connect.
    pub state: ResourceState,
    /// `properties.attributes`: keys of `[A-Za-z0-9_]`, under 4 KB in all.
    pub attributes: BTreeMap<String, ClientAttribute>,
    /// `properties.clientCertificateAuthentication`.
    pub certificate: CertificateAuthentication,
}

impl MqttClient {
    /// A client named `name` with every default (its authentication name is its name).
    pub fn new(name: impl Into<String>) -> Self {
        let name = name.into();
        Self {
            authentication_name: name.clone(),
            name,
            description: None,
            state: ResourceState::Enabled,
            attributes: BTreeMap::new(),
            certificate: CertificateAuthentication::default(),
        }
    }
}

/// A client attribute's value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientAttribute {
    /// A string.
    String(String),
    /// An integer.
    Integer(i64),
    /// A boolean (the ARM description allows it; the docs list only the other three).
    Bool(bool),
    /// An array of strings.
    Strings(Vec<String>),
}

impl ClientAttribute {
    /// The value as text: an array joined with commas (as routing enrichments render it).
    pub fn to_text(&self) -> String {
        match self {
            Self::String(text) => text.clone(),
            Self::Integer(number) => number.to_string(),
            Self::Bool(value) => value.to_string(),
            Self::Strings(texts) => texts.join(","),
        }
    }
}

/// `clientCertificateAuthentication`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateAuthentication {
    /// `validationScheme`: default `SubjectMatchesAuthenticationName`.
    pub validation_scheme: ValidationScheme,
    /// `allowedThumbprints`: 1–2 with `ThumbprintMatch`, none otherwise.
    pub allowed_thumbprints: Vec<String>,
}

impl Default for CertificateAuthentication {
    fn default() -> Self {
        Self {
            validation_scheme: ValidationScheme::SubjectMatchesAuthenticationName,
            allowed_thumbprints: Vec::new(),
        }
    }
}

/// `validationScheme`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValidationScheme {
    /// `SubjectMatchesAuthenticationName`.
    SubjectMatchesAuthenticationName,
    /// `DnsMatchesAuthenticationName`.
    DnsMatchesAuthenticationName,
    /// `UriMatchesAuthenticationName`.
    UriMatchesAuthenticationName,
    /// `IpMatchesAuthenticationName`.
    IpMatchesAuthenticationName,
    /// `EmailMatchesAuthenticationName`.
    EmailMatchesAuthenticationName,
    /// `ThumbprintMatch`.
    ThumbprintMatch,
}

impl ValidationScheme {
    /// Every scheme.
    pub const ALL: [Self; 6] = [
        Self::SubjectMatchesAuthenticationName,
        Self::DnsMatchesAuthenticationName,
        Self::UriMatchesAuthenticationName,
        Self::IpMatchesAuthenticationName,
        Self::EmailMatchesAuthenticationName,
        Self::ThumbprintMatch,
    ];

    /// The ARM spelling.
    pub const fn name(self) -> &'static str {
        match self {
            Self::SubjectMatchesAuthenticationName => "SubjectMatchesAuthenticationName",
            Self::DnsMatchesAuthenticationName => "DnsMatchesAuthenticationName",
            Self::UriMatchesAuthenticationName => "UriMatchesAuthenticationName",
            Self::IpMatchesAuthenticationName => "IpMatchesAuthenticationName",
            Self::EmailMatchesAuthenticationName => "EmailMatchesAuthenticationName",
            Self::ThumbprintMatch => "ThumbprintMatch",
        }
    }
}

/// A client group (`namespaces/clientGroups`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientGroup {
    /// `name`: 3–50 characters of `[A-Za-z0-9-]`.
    pub name: String,
    /// `properties.description`.
    pub description: Option<String>,
    /// `properties.query`.
    pub query: ClientGroupQuery,
}

/// A topic space (`namespaces/topicSpaces`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicSpace {
    /// `name`: 3–50 characters of `[A-Za-z0-9-]`.
    pub name: String,
    /// `properties.description`.
    pub description: Option<String>,
    /// `properties.topicTemplates`: 1–10.
    pub topic_templates: Vec<TopicTemplate>,
}

/// A permission binding (`namespaces/permissionBindings`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PermissionBinding {
    /// `name`: 3–50 characters of `[A-Za-z0-9-]`.
    pub name: String,
    /// `properties.description`.
    pub description: Option<String>,
    /// `properties.clientGroupName`: a group of the namespace or `$all`.
    pub client_group_name: String,
    /// `properties.topicSpaceName`: a topic space of the namespace.
    pub topic_space_name: String,
    /// `properties.permission`.
    pub permission: Permission,
}

/// `Publisher` or `Subscriber` (independent of each other).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// `Publisher`.
    Publisher,
    /// `Subscriber`.
    Subscriber,
}

impl Permission {
    /// The ARM spelling.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Publisher => "Publisher",
            Self::Subscriber => "Subscriber",
        }
    }
}

/// Attribute keys (and the keys in template variables): `[A-Za-z0-9_]+`.
pub(crate) fn attribute_key_valid(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
}
