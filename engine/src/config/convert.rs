//! Conversion between the ARM serde types and the typed configuration: defaults are filled in on
//! the way in and spelled out on the way out. Only what cannot be represented in the typed
//! configuration is checked here (numbers outside `u32`, duration text, enum values, filters,
//! contradicting members); ranges and cross-references are `validate`'s.

use std::time::Duration;

use serde_json::Value;

use super::arm::{
    DeliveryConfigurationArm, NamespaceArm, PushArm, QueueArm, SharedAccessPolicyArm,
    SubscriptionArm, SubscriptionPropertiesArm, TlsArm, TopicArm, TopicPropertiesArm,
};
use super::duration;
use super::validate::{ECHO_CHARS_MAX, range_error};
use super::{
    AccessKey, ConfigError, ConfigErrorKind, DeliveryConfig, DeliveryMode,
    NamespaceConfig, PushDestination, SharedAccessPolicy, SubscriptionConfig, TlsConfig,
    TopicConfig,
};
use crate::filter::FiltersConfig;
use crate::limits::{
    LOCK_DURATION_SECS_DEFAULT, LOCK_DURATION_SECS_MAX, LOCK_DURATION_SECS_MIN,
    MAX_DELIVERY_COUNT_DEFAULT, MAX_DELIVERY_COUNT_MAX, MAX_DELIVERY_COUNT_MIN,
    RETENTION_DAYS_DEFAULT, RETENTION_DAYS_MAX, RETENTION_DAYS_MIN, THROUGHPUT_UNITS_MAX,
    THROUGHPUT_UNITS_MIN,
};

/// The one `publisherType` gridlog implements.
const PUBLISHER_TYPE: &str = "Custom";
/// The one event schema gridlog implements (`inputSchema`, `eventDeliverySchema`).
const EVENT_SCHEMA: &str = "CloudEventSchemaV1_0";

pub(super) fn from_arm(arm: NamespaceArm) -> Result<NamespaceConfig, ConfigError> {
    let throughput_units = arm
        .throughput_units
        .map(|units| {
            to_u32(
                "throughputUnits",
                units,
                THROUGHPUT_UNITS_MIN,
                THROUGHPUT_UNITS_MAX,
            )
        })
        .transpose()?;
    let tls = arm.tls.map(tls_from_arm).transpose()?;
    let topics = arm
        .topics
        .into_iter()
        .enumerate()
        .map(|(index, topic)| topic_from_arm(topic, &format!("topics[{index}]")))
        .collect::<Result<_, _>>()?;
    let mqtt = super::mqtt::mqtt_from_arm(super::mqtt::MqttArm {
        topic_spaces_configuration: arm.topic_spaces_configuration,
        clients: arm.clients,
        client_groups: arm.client_groups,
        topic_spaces: arm.topic_spaces,
        permission_bindings: arm.permission_bindings,
        ca_certificates: arm.ca_certificates,
    })?;
    Ok(NamespaceConfig {
        mqtt,
        tls,
        access_keys: arm.access_keys.into_iter().map(AccessKey).collect(),
        throughput_units,
        shared_access_policies: arm
            .shared_access_policies
            .into_iter()
            .map(|policy| SharedAccessPolicy {
                key_name: policy.key_name,
                key: AccessKey(policy.key),
            })
            .collect(),
        event_hubs: arm
            .event_hubs
            .into_iter()
            .enumerate()
            .map(|(index, hub)| super::hub::hub_from_arm(hub, &format!("eventHubs[{index}]")))
            .collect::<Result<_, _>>()?,
        topics,
    })
}

/// `tls`: both files, or `selfSigned: true`, never both.
fn tls_from_arm(arm: TlsArm) -> Result<TlsConfig, ConfigError> {
    let not_allowed = |reason| ConfigError::new("tls", ConfigErrorKind::NotAllowed { reason });
    match (arm.certificate_file, arm.key_file, arm.self_signed) {
        (Some(certificate_file), Some(key_file), None | Some(false)) => Ok(TlsConfig::Files {
            certificate_file,
            key_file,
        }),
        (None, None, Some(true)) => Ok(TlsConfig::SelfSigned),
        (Some(_), Some(_), Some(true)) => Err(not_allowed(
            "certificateFile/keyFile and selfSigned: true together",
        )),
        (Some(_), None, _) | (None, Some(_), _) => Err(not_allowed(
            "certificateFile and keyFile go together",
        )),
        (None, None, _) => Err(not_allowed(
            "give certificateFile and keyFile, or selfSigned: true",
        )),
    }
}

fn topic_from_arm(arm: TopicArm, path: &str) -> Result<TopicConfig, ConfigError> {
    let properties = format!("{path}.properties");
    expect_value(
        arm.properties.publisher_type.as_deref(),
        PUBLISHER_TYPE,
        &format!("{properties}.publisherType"),
        "'Custom'",
    )?;
    expect_value(
        arm.properties.input_schema.as_deref(),
        EVENT_SCHEMA,
        &format!("{properties}.inputSchema"),
        "'CloudEventSchemaV1_0'",
    )?;
    let retention_days = arm
        .properties
        .event_retention_in_days
        .map(|days| {
            to_u32(
                &format!("{properties}.eventRetentionInDays"),
                days,
                RETENTION_DAYS_MIN,
                RETENTION_DAYS_MAX,
            )
        })
        .transpose()?
        .unwrap_or(RETENTION_DAYS_DEFAULT);
    let retention = Duration::from_secs(u64::from(retention_days) * crate::limits::SECS_PER_DAY);
    let subscriptions = arm
        .event_subscriptions
        .into_iter()
        .enumerate()
        .map(|(index, subscription)| {
            subscription_from_arm(
                subscription,
                retention,
                &format!("{path}.eventSubscriptions[{index}]"),
            )
        })
        .collect::<Result<_, _>>()?;
    Ok(TopicConfig {
        name: arm.name,
        retention_days,
        subscriptions,
    })
}

fn subscription_from_arm(
    arm: SubscriptionArm,
    retention: Duration,
    path: &str,
) -> Result<SubscriptionConfig, ConfigError> {
    let properties = format!("{path}.properties");
    expect_value(
        arm.properties.event_delivery_schema.as_deref(),
        EVENT_SCHEMA,
        &format!("{properties}.eventDeliverySchema"),
        "'CloudEventSchemaV1_0'",
    )?;
    let filters_path = format!("{properties}.filtersConfiguration");
    let filters = match &arm.properties.filters_configuration {
        None => FiltersConfig::default(),
        Some(json) => FiltersConfig::from_json(json).map_err(|error| {
            let path = if error.path.is_empty() {
                filters_path.clone()
            } else {
                format!("{filters_path}.{}", error.path)
            };
            ConfigError::new(path, ConfigErrorKind::Filter(error.kind))
        })?,
    };
    let delivery = delivery_from_arm(
        arm.properties.delivery_configuration.unwrap_or_default(),
        retention,
        &format!("{properties}.deliveryConfiguration"),
    )?;
    Ok(SubscriptionConfig {
        name: arm.name,
        delivery,
        filters,
    })
}

fn delivery_from_arm(
    arm: DeliveryConfigurationArm,
    retention: Duration,
    path: &str,
) -> Result<DeliveryConfig, ConfigError> {
    let mode = match arm.delivery_mode.as_deref() {
        None => DeliveryMode::Queue,
        Some(mode) if mode.eq_ignore_ascii_case("Queue") => DeliveryMode::Queue,
        Some(mode) if mode.eq_ignore_ascii_case("Push") => DeliveryMode::Push,
        Some(mode) => {
            return Err(ConfigError::new(
                format!("{path}.deliveryMode"),
                ConfigErrorKind::UnsupportedValue {
                    got: mode.chars().take(ECHO_CHARS_MAX).collect(),
                    expected: "'Queue' or 'Push'",
                },
            ));
        }
    };
    match mode {
        DeliveryMode::Queue => {
            refuse_block(
                arm.push.is_some(),
                &format!("{path}.push"),
                "'push' requires \"deliveryMode\": \"Push\"",
            )?;
            queue_from_arm(
                arm.queue.unwrap_or_default(),
                retention,
                &format!("{path}.queue"),
            )
        }
        DeliveryMode::Push => {
            refuse_block(
                arm.queue.is_some(),
                &format!("{path}.queue"),
                "'queue' requires \"deliveryMode\": \"Queue\"",
            )?;
            push_from_arm(
                arm.push.unwrap_or_default(),
                retention,
                &format!("{path}.push"),
            )
        }
    }
}

/// `NotAllowed` at `path` with `reason` when the delivery block of the other mode is
/// `given`.
fn refuse_block(given: bool, path: &str, reason: &'static str) -> Result<(), ConfigError> {
    if given {
        return Err(ConfigError::new(path, ConfigErrorKind::NotAllowed { reason }));
    }
    Ok(())
}

fn queue_from_arm(
    arm: QueueArm,
    retention: Duration,
    path: &str,
) -> Result<DeliveryConfig, ConfigError> {
    let lock_secs = arm
        .receive_lock_duration_in_seconds
        .map(|secs| {
            to_u32(
                &format!("{path}.receiveLockDurationInSeconds"),
                secs,
                LOCK_DURATION_SECS_MIN,
                LOCK_DURATION_SECS_MAX,
            )
        })
        .transpose()?
        .unwrap_or(LOCK_DURATION_SECS_DEFAULT);
    Ok(DeliveryConfig {
        mode: DeliveryMode::Queue,
        lock_duration: Duration::from_secs(u64::from(lock_secs)),
        max_delivery_count: max_delivery_count(arm.max_delivery_count, path)?,
        event_ttl: event_ttl(arm.event_time_to_live.as_deref(), retention, path)?,
        dead_letter_topic: arm.dead_letter_topic,
        push_destination: None,
    })
}

fn push_from_arm(
    arm: PushArm,
    retention: Duration,
    path: &str,
) -> Result<DeliveryConfig, ConfigError> {
    Ok(DeliveryConfig {
        mode: DeliveryMode::Push,
        lock_duration: Duration::from_secs(u64::from(LOCK_DURATION_SECS_DEFAULT)),
        max_delivery_count: max_delivery_count(arm.max_delivery_count, path)?,
        event_ttl: event_ttl(arm.event_time_to_live.as_deref(), retention, path)?,
        dead_letter_topic: arm.dead_letter_topic,
        push_destination: Some(PushDestination {
            delivery_with_resource_identity: arm.delivery_with_resource_identity,
            destination: arm.destination,
        }),
    })
}

fn max_delivery_count(count: Option<i64>, path: &str) -> Result<u32, ConfigError> {
    Ok(count
        .map(|count| {
            to_u32(
                &format!("{path}.maxDeliveryCount"),
                count,
                MAX_DELIVERY_COUNT_MIN,
                MAX_DELIVERY_COUNT_MAX,
            )
        })
        .transpose()?
        .unwrap_or(MAX_DELIVERY_COUNT_DEFAULT))
}

fn event_ttl(text: Option<&str>, retention: Duration, path: &str) -> Result<Duration, ConfigError> {
    match text {
        // min(7 days, retention); retention is at most 7 days.
        None => Ok(retention),
        Some(text) => duration::parse(text).map_err(|error| {
            ConfigError::new(
                format!("{path}.eventTimeToLive"),
                ConfigErrorKind::InvalidDuration {
                    text: text.chars().take(ECHO_CHARS_MAX).collect(),
                    reason: error.reason,
                },
            )
        }),
    }
}

/// `value` as a `u32`, or the range error `validate` would give for `min..=max`.
fn to_u32(path: &str, value: i64, min: u32, max: u32) -> Result<u32, ConfigError> {
    u32::try_from(value).map_err(|_| range_error(path, value, min, max))
}

fn expect_value(
    got: Option<&str>,
    only: &str,
    path: &str,
    expected: &'static str,
) -> Result<(), ConfigError> {
    match got {
        Some(got) if !got.eq_ignore_ascii_case(only) => Err(ConfigError::new(
            path,
            ConfigErrorKind::UnsupportedValue {
                got: got.chars().take(ECHO_CHARS_MAX).collect(),
                expected,
            },
        )),
        _ => Ok(()),
    }
}

pub(super) fn to_arm_json(config: &NamespaceConfig) -> Value {
    let mqtt = super::mqtt::mqtt_to_arm(&config.mqtt);
    let arm = NamespaceArm {
        topic_spaces_configuration: mqtt.topic_spaces_configuration,
        clients: mqtt.clients,
        client_groups: mqtt.client_groups,
        topic_spaces: mqtt.topic_spaces,
        permission_bindings: mqtt.permission_bindings,
        ca_certificates: mqtt.ca_certificates,
        access_keys: config
            .access_keys
            .iter()
            .map(|key| key.as_str().to_owned())
            .collect(),
        throughput_units: config.throughput_units.map(i64::from),
        shared_access_policies: config
            .shared_access_policies
            .iter()
            .map(|policy| SharedAccessPolicyArm {
                key_name: policy.key_name.clone(),
                key: policy.key.as_str().to_owned(),
            })
            .collect(),
        event_hubs: config
            .event_hubs
            .iter()
            .map(super::hub::hub_to_arm)
            .collect(),
        tls: config.tls.as_ref().map(|tls| match tls {
            TlsConfig::Files {
                certificate_file,
                key_file,
            } => TlsArm {
                certificate_file: Some(certificate_file.clone()),
                key_file: Some(key_file.clone()),
                self_signed: None,
            },
            TlsConfig::SelfSigned => TlsArm {
                self_signed: Some(true),
                ..TlsArm::default()
            },
        }),
        topics: config.topics.iter().map(topic_to_arm).collect(),
    };
    #[expect(
        clippy::expect_used,
        reason = "these types have only string map keys and derived impls, which cannot fail"
    )]
    serde_json::to_value(arm).expect("ARM types serialise to JSON")
}

fn topic_to_arm(topic: &TopicConfig) -> TopicArm {
    TopicArm {
        name: topic.name.clone(),
        properties: TopicPropertiesArm {
            publisher_type: Some(PUBLISHER_TYPE.to_owned()),
            input_schema: Some(EVENT_SCHEMA.to_owned()),
            event_retention_in_days: Some(i64::from(topic.retention_days)),
            provisioning_state: None,
        },
        event_subscriptions: topic
            .subscriptions
            .iter()
            .map(subscription_to_arm)
            .collect(),
    }
}

fn subscription_to_arm(subscription: &SubscriptionConfig) -> SubscriptionArm {
    let delivery = &subscription.delivery;
    let ttl = Some(duration::format(delivery.event_ttl));
    let max_delivery_count = Some(i64::from(delivery.max_delivery_count));
    let (queue, push) = match delivery.mode {
        DeliveryMode::Queue => (
            Some(QueueArm {
                receive_lock_duration_in_seconds: Some(
                    i64::try_from(delivery.lock_duration.as_secs()).unwrap_or(i64::MAX),
                ),
                max_delivery_count,
                event_time_to_live: ttl,
                dead_letter_topic: delivery.dead_letter_topic.clone(),
                dead_letter_destination_with_resource_identity: None,
            }),
            None,
        ),
        DeliveryMode::Push => {
            let destination = delivery.push_destination.clone().unwrap_or_default();
            (
                None,
                Some(PushArm {
                    max_delivery_count,
                    event_time_to_live: ttl,
                    dead_letter_topic: delivery.dead_letter_topic.clone(),
                    delivery_with_resource_identity: destination.delivery_with_resource_identity,
                    destination: destination.destination,
                    dead_letter_destination_with_resource_identity: None,
                }),
            )
        }
    };
    SubscriptionArm {
        name: subscription.name.clone(),
        properties: SubscriptionPropertiesArm {
            delivery_configuration: Some(DeliveryConfigurationArm {
                delivery_mode: Some(delivery.mode.name().to_owned()),
                queue,
                push,
            }),
            event_delivery_schema: Some(EVENT_SCHEMA.to_owned()),
            filters_configuration: Some(subscription.filters.to_json()),
            provisioning_state: None,
        },
    }
}

/// One topic's ARM JSON without its subscriptions (what the engine persists per topic).
pub(crate) fn topic_to_json_string(topic: &TopicConfig) -> String {
    let mut arm = topic_to_arm(topic);
    arm.event_subscriptions.clear();
    #[expect(
        clippy::expect_used,
        reason = "these types have only string map keys and derived impls, which cannot fail"
    )]
    serde_json::to_string(&arm).expect("ARM types serialise to JSON")
}

/// Parses what [`topic_to_json_string`] wrote (subscriptions, if any, are ignored).
pub(crate) fn topic_from_json_str(json: &str) -> Result<TopicConfig, ConfigError> {
    let mut arm: TopicArm = serde_json::from_str(json).map_err(|error| {
        ConfigError::new(
            "",
            ConfigErrorKind::Syntax {
                message: error.to_string(),
            },
        )
    })?;
    arm.event_subscriptions.clear();
    topic_from_arm(arm, "topic")
}

/// One subscription's ARM JSON (what the engine persists per subscription).
pub(crate) fn subscription_to_json_string(subscription: &SubscriptionConfig) -> String {
    #[expect(
        clippy::expect_used,
        reason = "these types have only string map keys and derived impls, which cannot fail"
    )]
    serde_json::to_string(&subscription_to_arm(subscription)).expect("ARM types serialise to JSON")
}

/// Parses what [`subscription_to_json_string`] wrote. `retention` only supplies the TTL default,
/// which stored JSON always spells out.
pub(crate) fn subscription_from_json_str(
    json: &str,
    retention: Duration,
) -> Result<SubscriptionConfig, ConfigError> {
    let arm: SubscriptionArm = serde_json::from_str(json).map_err(|error| {
        ConfigError::new(
            "",
            ConfigErrorKind::Syntax {
                message: error.to_string(),
            },
        )
    })?;
    subscription_from_arm(arm, retention, "subscription")
}
