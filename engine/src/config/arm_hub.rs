//! The ARM JSON shape of an Event Hub (`Microsoft.EventHub/namespaces/eventhubs`), as serde
//! types: an entry of the namespace configuration's `eventHubs`.
//!
//! ```json
//! {"name": "batch-status", "topic": "orders",
//!  "properties": {"partitionCount": 4, "messageRetentionInDays": 1,
//!    "retentionDescription": {"cleanupPolicy": "Delete", "retentionTimeInHours": 24}},
//!  "consumerGroups": [{"name": "$Default"}, {"name": "dashboard"}]}
//! ```
//!
//! `topic` (gridlog's addition) maps the hub to a namespace topic; `consumerGroups` holds
//! Azure's child resources `Microsoft.EventHub/namespaces/eventhubs/consumergroups` by name.
//! Lenient members, read-only or unmodelled in Azure's GET responses, accepted with any value and
//! ignored: `properties.status`, `properties.partitionIds`, `properties.createdAt`,
//! `properties.updatedAt`, `properties.captureDescription`, and a consumer group's `properties`
//! (`userMetadata`). `retentionDescription.cleanupPolicy` is accepted when it is `Delete`, the
//! one policy gridlog implements.

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct EventHubArm {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topic: Option<String>,
    #[serde(default)]
    pub properties: EventHubPropertiesArm,
    #[serde(default)]
    pub consumer_groups: Vec<ConsumerGroupArm>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct EventHubPropertiesArm {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_count: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_retention_in_days: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_description: Option<RetentionDescriptionArm>,
    #[serde(default, skip_serializing)]
    #[expect(dead_code, reason = "accepted and ignored (see the module docs)")]
    pub status: Option<Value>,
    #[serde(default, skip_serializing)]
    #[expect(dead_code, reason = "accepted and ignored (see the module docs)")]
    pub partition_ids: Option<Value>,
    #[serde(default, skip_serializing)]
    #[expect(dead_code, reason = "accepted and ignored (see the module docs)")]
    pub created_at: Option<Value>,
    #[serde(default, skip_serializing)]
    #[expect(dead_code, reason = "accepted and ignored (see the module docs)")]
    pub updated_at: Option<Value>,
    #[serde(default, skip_serializing)]
    #[expect(dead_code, reason = "accepted and ignored (see the module docs)")]
    pub capture_description: Option<Value>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct RetentionDescriptionArm {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cleanup_policy: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention_time_in_hours: Option<i64>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(super) struct ConsumerGroupArm {
    pub name: String,
    #[serde(default, skip_serializing)]
    #[expect(dead_code, reason = "accepted and ignored (see the module docs)")]
    pub properties: Option<Value>,
}
