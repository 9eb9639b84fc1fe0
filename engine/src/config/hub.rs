//! An Event Hub in the namespace configuration ([`EventHubConfig`]): its conversion from and to
//! the ARM shape (`arm_hub.rs`), its validation, and the JSON its `HubPut` record carries.

use std::time::Duration;

use super::arm_hub::{
    ConsumerGroupArm, EventHubArm, EventHubPropertiesArm, RetentionDescriptionArm,
};
use super::validate::{Names, check_count, check_range, echo, existing_topic, invalid_name};
use super::{ConfigError, ConfigErrorKind, NamespaceConfig};
use crate::limits::{
    CONSUMER_GROUP_DEFAULT, CONSUMER_GROUP_NAME_CHARS_MAX, CONSUMER_GROUPS_PER_HUB_MAX,
    EVENT_HUB_PARTITIONS_DEFAULT, EVENT_HUB_PARTITIONS_MAX, EVENT_HUB_PARTITIONS_MIN,
    EVENT_HUB_RETENTION_HOURS_DEFAULT, EVENT_HUB_RETENTION_HOURS_MAX,
    EVENT_HUB_RETENTION_HOURS_MIN, HOURS_PER_DAY, RETENTION_DAYS_MAX, RETENTION_DAYS_MIN,
};

/// The one cleanup policy gridlog implements (`retentionDescription.cleanupPolicy`).
const CLEANUP_POLICY: &str = "Delete";
/// Seconds in an hour.
const SECS_PER_HOUR: u64 = 3_600;

/// An Event Hub (`Microsoft.EventHub/namespaces/eventhubs`): partitions, retention, consumer
/// groups, and optionally the namespace topic its events are also published into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventHubConfig {
    /// `name`: 1–256 characters of `[A-Za-z0-9._-]`, starting and ending with a letter or digit.
    pub name: String,
    /// `properties.partitionCount`: 1–32, default 4. Partitions are numbered `0..count`.
    pub partition_count: u32,
    /// `properties.retentionDescription.retentionTimeInHours` (or
    /// `properties.messageRetentionInDays` × 24): 1–168 hours, default 24.
    pub retention_hours: u32,
    /// `consumerGroups[].name`: `$Default` first (always present, added when absent), then the
    /// others in the order given; at most 20.
    pub consumer_groups: Vec<String>,
    /// `topic` (gridlog's addition): a namespace topic every event sent to the hub is also
    /// published into (as a `CloudEvent` the front end builds), so Event Grid subscriptions see it.
    pub topic: Option<String>,
}

impl EventHubConfig {
    /// A hub with every default: 4 partitions, 24 h retention, `$Default` only, no topic.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            partition_count: EVENT_HUB_PARTITIONS_DEFAULT,
            retention_hours: EVENT_HUB_RETENTION_HOURS_DEFAULT,
            consumer_groups: vec![CONSUMER_GROUP_DEFAULT.to_owned()],
            topic: None,
        }
    }

    /// The retention as a duration.
    pub fn retention(&self) -> Duration {
        Duration::from_secs(u64::from(self.retention_hours) * SECS_PER_HOUR)
    }

    /// The consumer group named `name` (case-insensitive), as configured.
    pub fn consumer_group(&self, name: &str) -> Option<&str> {
        self.consumer_groups
            .iter()
            .find(|group| group.eq_ignore_ascii_case(name))
            .map(String::as_str)
    }
}

pub(super) fn hub_from_arm(arm: EventHubArm, path: &str) -> Result<EventHubConfig, ConfigError> {
    let properties = format!("{path}.properties");
    let partition_count = arm
        .properties
        .partition_count
        .map(|count| {
            to_u32(
                &format!("{properties}.partitionCount"),
                count,
                EVENT_HUB_PARTITIONS_MIN,
                EVENT_HUB_PARTITIONS_MAX,
            )
        })
        .transpose()?
        .unwrap_or(EVENT_HUB_PARTITIONS_DEFAULT);
    let days_path = format!("{properties}.messageRetentionInDays");
    let from_days = arm
        .properties
        .message_retention_in_days
        .map(|days| {
            to_u32(&days_path, days, RETENTION_DAYS_MIN, RETENTION_DAYS_MAX)
                .map(|days| days.saturating_mul(HOURS_PER_DAY))
        })
        .transpose()?;
    let description = format!("{properties}.retentionDescription");
    let from_hours = match arm.properties.retention_description {
        None => None,
        Some(retention) => {
            if let Some(policy) = retention.cleanup_policy.as_deref()
                && !policy.eq_ignore_ascii_case(CLEANUP_POLICY)
            {
                return Err(ConfigError::new(
                    format!("{description}.cleanupPolicy"),
                    ConfigErrorKind::UnsupportedValue {
                        got: echo(policy),
                        expected: "'Delete'",
                    },
                ));
            }
            retention
                .retention_time_in_hours
                .map(|hours| {
                    to_u32(
                        &format!("{description}.retentionTimeInHours"),
                        hours,
                        EVENT_HUB_RETENTION_HOURS_MIN,
                        EVENT_HUB_RETENTION_HOURS_MAX,
                    )
                })
                .transpose()?
        }
    };
    let retention_hours = match (from_days, from_hours) {
        (Some(days), Some(hours)) if days != hours => {
            return Err(ConfigError::new(
                format!("{description}.retentionTimeInHours"),
                ConfigErrorKind::NotAllowed {
                    reason: "retentionTimeInHours must equal messageRetentionInDays × 24 when \
                             both are given",
                },
            ));
        }
        (_, Some(hours)) => hours,
        (Some(days), None) => days,
        (None, None) => EVENT_HUB_RETENTION_HOURS_DEFAULT,
    };
    let mut consumer_groups: Vec<String> = arm
        .consumer_groups
        .into_iter()
        .map(|group| group.name)
        .collect();
    if let Some(at) = consumer_groups
        .iter()
        .position(|group| group.eq_ignore_ascii_case(CONSUMER_GROUP_DEFAULT))
    {
        consumer_groups.remove(at);
    }
    consumer_groups.insert(0, CONSUMER_GROUP_DEFAULT.to_owned());
    Ok(EventHubConfig {
        name: arm.name,
        partition_count,
        retention_hours,
        consumer_groups,
        topic: arm.topic,
    })
}

pub(super) fn hub_to_arm(hub: &EventHubConfig) -> EventHubArm {
    let whole_days = hub.retention_hours.is_multiple_of(HOURS_PER_DAY);
    EventHubArm {
        name: hub.name.clone(),
        topic: hub.topic.clone(),
        properties: EventHubPropertiesArm {
            partition_count: Some(i64::from(hub.partition_count)),
            message_retention_in_days: whole_days
                .then(|| i64::from(hub.retention_hours / HOURS_PER_DAY)),
            retention_description: Some(RetentionDescriptionArm {
                cleanup_policy: Some(CLEANUP_POLICY.to_owned()),
                retention_time_in_hours: Some(i64::from(hub.retention_hours)),
            }),
            ..EventHubPropertiesArm::default()
        },
        consumer_groups: hub
            .consumer_groups
            .iter()
            .map(|name| ConsumerGroupArm {
                name: name.clone(),
                properties: None,
            })
            .collect(),
    }
}

/// The JSON a `HubPut` record carries: the hub's ARM shape, every default spelled out.
pub(crate) fn hub_to_json_string(hub: &EventHubConfig) -> String {
    serde_json::to_string(&hub_to_arm(hub)).unwrap_or_default()
}

/// The hub a `HubPut` record carries.
pub(crate) fn hub_from_json_str(json: &str) -> Result<EventHubConfig, ConfigError> {
    let arm: EventHubArm = serde_json::from_str(json).map_err(|error| {
        ConfigError::new(
            "",
            ConfigErrorKind::Syntax {
                message: error.to_string(),
            },
        )
    })?;
    hub_from_arm(arm, "")
}

/// Checks one hub of `config` at `path` (`eventHubs[i]`).
pub(super) fn validate_hub(
    config: &NamespaceConfig,
    hub: &EventHubConfig,
    path: &str,
) -> Result<(), ConfigError> {
    check_range(
        &format!("{path}.properties.partitionCount"),
        hub.partition_count,
        EVENT_HUB_PARTITIONS_MIN,
        EVENT_HUB_PARTITIONS_MAX,
    )?;
    check_range(
        &format!("{path}.properties.retentionDescription.retentionTimeInHours"),
        hub.retention_hours,
        EVENT_HUB_RETENTION_HOURS_MIN,
        EVENT_HUB_RETENTION_HOURS_MAX,
    )?;
    check_count(
        &format!("{path}.consumerGroups"),
        hub.consumer_groups.len(),
        CONSUMER_GROUPS_PER_HUB_MAX,
    )?;
    let mut names = Names::default();
    let mut has_default = false;
    for (index, group) in hub.consumer_groups.iter().enumerate() {
        let group_path = format!("{path}.consumerGroups[{index}].name");
        consumer_group_name(&group_path, group)?;
        names.insert(&group_path, group)?;
        has_default |= group.eq_ignore_ascii_case(CONSUMER_GROUP_DEFAULT);
    }
    if !has_default {
        return Err(ConfigError::new(
            format!("{path}.consumerGroups"),
            ConfigErrorKind::NotAllowed {
                reason: "every Event Hub has the consumer group '$Default'",
            },
        ));
    }
    if let Some(topic) = &hub.topic {
        existing_topic(config, &format!("{path}.topic"), topic)?;
    }
    Ok(())
}

/// Consumer group names: `$Default`, or 1–50 characters of `[A-Za-z0-9._-]` starting and ending
/// with a letter or digit (Event Hubs' rule).
fn consumer_group_name(path: &str, name: &str) -> Result<(), ConfigError> {
    const RULE: &str = "must be '$Default' or 1-50 characters of A-Z, a-z, 0-9, '.', '_' and \
                        '-', starting and ending with a letter or digit";
    if name == CONSUMER_GROUP_DEFAULT {
        return Ok(());
    }
    let chars_ok = name
        .bytes()
        .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'-'));
    let edges_ok = [name.bytes().next(), name.bytes().last()]
        .into_iter()
        .all(|byte| byte.is_some_and(|byte| byte.is_ascii_alphanumeric()));
    if chars_ok && edges_ok && name.len() <= CONSUMER_GROUP_NAME_CHARS_MAX {
        Ok(())
    } else {
        Err(invalid_name(path, name, RULE))
    }
}

fn to_u32(path: &str, value: i64, min: u32, max: u32) -> Result<u32, ConfigError> {
    u32::try_from(value)
        .ok()
        .filter(|value| (min..=max).contains(value))
        .ok_or_else(|| super::validate::range_error(path, value, min, max))
}
