//! The ARM JSON shape of the MQTT resources, as serde types (closed objects). Lenient members,
//! read-only or unmodelled in Azure's GET responses, accepted with any value and ignored:
//! every `properties.provisioningState`, a CA certificate's `issueTimeInUtc` and
//! `expiryTimeInUtc` (read from the certificate by the service), `topicSpacesConfiguration.hostname` and
//! `topicSpacesConfiguration.routingIdentityInfo` (gridlog routes in-process).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The six top-level members of the namespace document that hold the MQTT resources.
#[derive(Debug, Default)]
pub(in crate::config) struct MqttArm {
    pub topic_spaces_configuration: Option<TopicSpacesConfigurationArm>,
    pub clients: Vec<ClientArm>,
    pub client_groups: Vec<ClientGroupArm>,
    pub topic_spaces: Vec<TopicSpaceArm>,
    pub permission_bindings: Vec<PermissionBindingArm>,
    pub ca_certificates: Vec<CaCertificateArm>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(in crate::config) struct TopicSpacesConfigurationArm {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route_topic_resource_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub routing_enrichments: Option<RoutingEnrichmentsArm>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_session_expiry_in_hours: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_client_sessions_per_authentication_name: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_authentication: Option<ClientAuthenticationArm>,
    #[serde(default, skip_serializing)]
    #[expect(dead_code, reason = "accepted and ignored (see the module docs)")]
    pub hostname: Option<Value>,
    #[serde(default, skip_serializing)]
    #[expect(dead_code, reason = "accepted and ignored (see the module docs)")]
    pub routing_identity_info: Option<Value>,
}

/// `clientAuthentication`: only the alternative name sources (custom JWT and webhook
/// authentication are not supported: refused as unknown fields).
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(in crate::config) struct ClientAuthenticationArm {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alternative_authentication_name_sources: Vec<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(in crate::config) struct CaCertificateArm {
    pub name: String,
    #[serde(default)]
    pub properties: CaCertificatePropertiesArm,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(in crate::config) struct CaCertificatePropertiesArm {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoded_certificate: Option<String>,
    #[serde(default, skip_serializing)]
    #[expect(dead_code, reason = "accepted and ignored (see the module docs)")]
    pub issue_time_in_utc: Option<Value>,
    #[serde(default, skip_serializing)]
    #[expect(dead_code, reason = "accepted and ignored (see the module docs)")]
    pub expiry_time_in_utc: Option<Value>,
    #[serde(default, skip_serializing)]
    #[expect(dead_code, reason = "accepted and ignored (see the module docs)")]
    pub provisioning_state: Option<Value>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(in crate::config) struct RoutingEnrichmentsArm {
    #[serde(default, rename = "static")]
    pub static_values: Vec<StaticEnrichmentArm>,
    #[serde(default, rename = "dynamic")]
    pub dynamic_values: Vec<DynamicEnrichmentArm>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(in crate::config) struct StaticEnrichmentArm {
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_type: Option<String>,
    pub value: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(in crate::config) struct DynamicEnrichmentArm {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(in crate::config) struct ClientArm {
    pub name: String,
    #[serde(default)]
    pub properties: ClientPropertiesArm,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(in crate::config) struct ClientPropertiesArm {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_certificate_authentication: Option<CertificateAuthenticationArm>,
    #[serde(default, skip_serializing)]
    #[expect(dead_code, reason = "accepted and ignored (see the module docs)")]
    pub provisioning_state: Option<Value>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(in crate::config) struct CertificateAuthenticationArm {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validation_scheme: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_thumbprints: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(in crate::config) struct ClientGroupArm {
    pub name: String,
    #[serde(default)]
    pub properties: ClientGroupPropertiesArm,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(in crate::config) struct ClientGroupPropertiesArm {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    #[serde(default, skip_serializing)]
    #[expect(dead_code, reason = "accepted and ignored (see the module docs)")]
    pub provisioning_state: Option<Value>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(in crate::config) struct TopicSpaceArm {
    pub name: String,
    #[serde(default)]
    pub properties: TopicSpacePropertiesArm,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(in crate::config) struct TopicSpacePropertiesArm {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default)]
    pub topic_templates: Vec<String>,
    #[serde(default, skip_serializing)]
    #[expect(dead_code, reason = "accepted and ignored (see the module docs)")]
    pub provisioning_state: Option<Value>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(in crate::config) struct PermissionBindingArm {
    pub name: String,
    #[serde(default)]
    pub properties: PermissionBindingPropertiesArm,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(in crate::config) struct PermissionBindingPropertiesArm {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_group_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic_space_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permission: Option<String>,
    #[serde(default, skip_serializing)]
    #[expect(dead_code, reason = "accepted and ignored (see the module docs)")]
    pub provisioning_state: Option<Value>,
}
