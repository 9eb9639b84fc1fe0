//! The ARM JSON shape of a namespace configuration, as serde types: what the file and the
//! management API read and write. Numbers are wide (`i64`) so out-of-range values reach
//! validation and get a "must be 1..=10, got 11" error instead of a serde type error.
//!
//! Every object is closed (`deny_unknown_fields`). Lenient exceptions, members that Azure
//! templates or GET responses carry and gridlog does not model:
//!
//! - topic `properties.provisioningState`, subscription `properties.provisioningState`:
//!   read-only in Azure; accepted with any value and ignored.
//! - topic `properties.publisherType` (only `Custom`) and `properties.inputSchema` (only
//!   `CloudEventSchemaV1_0`), subscription `properties.eventDeliverySchema` (only
//!   `CloudEventSchemaV1_0`): accepted when they hold the one value gridlog implements; written
//!   back with that value.
//! - `queue.deadLetterDestinationWithResourceIdentity` and
//!   `push.deadLetterDestinationWithResourceIdentity` (Azure's blob-storage dead-lettering):
//!   accepted with any value and ignored; gridlog dead-letters to `deadLetterTopic` (its own
//!   addition) or drops.
//! - `push.deliveryWithResourceIdentity` and `push.destination`: kept verbatim, unvalidated, until
//!   push delivery types them.

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub(super) use super::arm_hub::EventHubArm;
use super::mqtt::arm::{
    CaCertificateArm, ClientArm, ClientGroupArm, PermissionBindingArm, TopicSpaceArm,
    TopicSpacesConfigurationArm,
};

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct NamespaceArm {
    #[serde(default)]
    pub access_keys: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throughput_units: Option<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shared_access_policies: Vec<SharedAccessPolicyArm>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub event_hubs: Vec<EventHubArm>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<TlsArm>,
    #[serde(default)]
    pub topics: Vec<TopicArm>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic_spaces_configuration: Option<TopicSpacesConfigurationArm>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clients: Vec<ClientArm>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub client_groups: Vec<ClientGroupArm>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topic_spaces: Vec<TopicSpaceArm>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permission_bindings: Vec<PermissionBindingArm>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ca_certificates: Vec<CaCertificateArm>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct TlsArm {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate_file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub self_signed: Option<bool>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct SharedAccessPolicyArm {
    pub key_name: String,
    pub key: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct TopicArm {
    pub name: String,
    #[serde(default)]
    pub properties: TopicPropertiesArm,
    #[serde(default)]
    pub event_subscriptions: Vec<SubscriptionArm>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct TopicPropertiesArm {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_schema: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_retention_in_days: Option<i64>,
    #[serde(default, skip_serializing)]
    #[expect(dead_code, reason = "accepted and ignored (see the module docs)")]
    pub provisioning_state: Option<Value>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct SubscriptionArm {
    pub name: String,
    #[serde(default)]
    pub properties: SubscriptionPropertiesArm,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct SubscriptionPropertiesArm {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_configuration: Option<DeliveryConfigurationArm>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_delivery_schema: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filters_configuration: Option<Value>,
    #[serde(default, skip_serializing)]
    #[expect(dead_code, reason = "accepted and ignored (see the module docs)")]
    pub provisioning_state: Option<Value>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct DeliveryConfigurationArm {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_mode: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<QueueArm>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push: Option<PushArm>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct QueueArm {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receive_lock_duration_in_seconds: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_delivery_count: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_time_to_live: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_topic: Option<String>,
    #[serde(default, skip_serializing)]
    #[expect(dead_code, reason = "accepted and ignored (see the module docs)")]
    pub dead_letter_destination_with_resource_identity: Option<Value>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct PushArm {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_delivery_count: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_time_to_live: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead_letter_topic: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_with_resource_identity: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<Value>,
    #[serde(default, skip_serializing)]
    #[expect(dead_code, reason = "accepted and ignored (see the module docs)")]
    pub dead_letter_destination_with_resource_identity: Option<Value>,
}
