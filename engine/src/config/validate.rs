//! Validation of a typed namespace configuration: every range, name rule, count limit and
//! cross-reference, each error located by its ARM field path.

use std::collections::HashSet;
use std::time::Duration;

use super::duration;
use super::{
    AccessKey, ConfigError, ConfigErrorKind, DeliveryConfig, DeliveryMode, NamespaceConfig,
    SharedAccessPolicy, SubscriptionConfig, TopicConfig,
};
use crate::limits::{
    ACCESS_KEY_CHARS_MAX, ACCESS_KEYS_MAX, EVENT_HUB_NAME_CHARS_MAX, EVENT_HUBS_MAX,
    EVENT_TTL_SECS_MIN, LOCK_DURATION_SECS_MAX, LOCK_DURATION_SECS_MIN, MAX_DELIVERY_COUNT_MAX,
    MAX_DELIVERY_COUNT_MIN, RESOURCE_NAME_CHARS_MAX, RESOURCE_NAME_CHARS_MIN, RETENTION_DAYS_MAX,
    RETENTION_DAYS_MIN, SHARED_ACCESS_POLICIES_MAX, SHARED_ACCESS_POLICY_NAME_CHARS_MAX,
    SUBSCRIPTIONS_PER_TOPIC_MAX, THROUGHPUT_UNITS_MAX, THROUGHPUT_UNITS_MIN,
    TOPICS_PER_NAMESPACE_MAX, TOPICS_PER_TU_MAX,
};

/// Characters of a user-supplied value repeated in an error.
pub(super) const ECHO_CHARS_MAX: usize = 64;

pub(super) fn range_error(path: &str, got: i64, min: u32, max: u32) -> ConfigError {
    ConfigError::new(
        path,
        ConfigErrorKind::OutOfRange {
            min: i64::from(min),
            max: i64::from(max),
            got,
        },
    )
}

pub(super) fn check_range(path: &str, value: u32, min: u32, max: u32) -> Result<(), ConfigError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(range_error(path, i64::from(value), min, max))
    }
}

pub(super) fn check_count(path: &str, got: usize, max: usize) -> Result<(), ConfigError> {
    if got <= max {
        Ok(())
    } else {
        Err(ConfigError::new(
            path,
            ConfigErrorKind::TooMany { max, got },
        ))
    }
}

pub(super) fn namespace(config: &NamespaceConfig) -> Result<(), ConfigError> {
    if let Some(units) = config.throughput_units {
        check_range(
            "throughputUnits",
            units,
            THROUGHPUT_UNITS_MIN,
            THROUGHPUT_UNITS_MAX,
        )?;
    }
    check_count("accessKeys", config.access_keys.len(), ACCESS_KEYS_MAX)?;
    for (index, key) in config.access_keys.iter().enumerate() {
        access_key(&format!("accessKeys[{index}]"), key)?;
    }
    let policy_name = NameRule {
        field: "keyName",
        of: |policy: &SharedAccessPolicy| &policy.key_name,
        check: |path, name| dotted_name(path, name, SHARED_ACCESS_POLICY_NAME_CHARS_MAX),
    };
    named_entries(
        "sharedAccessPolicies",
        &config.shared_access_policies,
        SHARED_ACCESS_POLICIES_MAX,
        &policy_name,
        |path, policy| access_key(&format!("{path}.key"), &policy.key),
    )?;
    let topics_max = config
        .throughput_units
        .map_or(TOPICS_PER_NAMESPACE_MAX, |units| {
            TOPICS_PER_TU_MAX.saturating_mul(usize::try_from(units).unwrap_or(usize::MAX))
        });
    let topic_name = NameRule {
        field: "name",
        of: |topic: &TopicConfig| &topic.name,
        check: resource_name,
    };
    named_entries("topics", &config.topics, topics_max, &topic_name, |path, entry| {
        topic(config, entry, path)
    })?;
    check_count("eventHubs", config.event_hubs.len(), EVENT_HUBS_MAX)?;
    let mut hub_names = Names::default();
    for (index, hub) in config.event_hubs.iter().enumerate() {
        let path = format!("eventHubs[{index}]");
        event_hub_name(&format!("{path}.name"), &hub.name)?;
        hub_names.insert(&format!("{path}.name"), &hub.name)?;
        super::hub::validate_hub(config, hub, &path)?;
    }
    super::mqtt::validate_mqtt(config)
}

fn topic(config: &NamespaceConfig, topic: &TopicConfig, path: &str) -> Result<(), ConfigError> {
    check_range(
        &format!("{path}.properties.eventRetentionInDays"),
        topic.retention_days,
        RETENTION_DAYS_MIN,
        RETENTION_DAYS_MAX,
    )?;
    let subscription_name = NameRule {
        field: "name",
        of: |subscription: &SubscriptionConfig| &subscription.name,
        check: resource_name,
    };
    named_entries(
        &format!("{path}.eventSubscriptions"),
        &topic.subscriptions,
        SUBSCRIPTIONS_PER_TOPIC_MAX,
        &subscription_name,
        |path, entry| subscription(config, topic, entry, path),
    )
}

/// How the entries of a list are named: the name's field (for error paths), where an entry
/// keeps it, and the rule it must follow.
struct NameRule<T> {
    field: &'static str,
    of: fn(&T) -> &str,
    check: fn(&str, &str) -> Result<(), ConfigError>,
}

/// Checks the list at `list`: at most `max` entries, each entry's name valid by `rule` and unique
/// (ignoring ASCII case) among them, then `each` with the entry's path (`{list}[i]`).
fn named_entries<T>(
    list: &str,
    entries: &[T],
    max: usize,
    rule: &NameRule<T>,
    mut each: impl FnMut(&str, &T) -> Result<(), ConfigError>,
) -> Result<(), ConfigError> {
    check_count(list, entries.len(), max)?;
    let mut names = Names::default();
    for (index, entry) in entries.iter().enumerate() {
        let path = format!("{list}[{index}]");
        let name_path = format!("{path}.{}", rule.field);
        let name = (rule.of)(entry);
        (rule.check)(&name_path, name)?;
        names.insert(&name_path, name)?;
        each(&path, entry)?;
    }
    Ok(())
}

fn subscription(
    config: &NamespaceConfig,
    topic: &TopicConfig,
    subscription: &SubscriptionConfig,
    path: &str,
) -> Result<(), ConfigError> {
    let delivery = &subscription.delivery;
    let block = match delivery.mode {
        DeliveryMode::Queue => "queue",
        DeliveryMode::Push => "push",
    };
    let delivery_path = format!("{path}.properties.deliveryConfiguration.{block}");
    delivery_config(config, topic, delivery, &delivery_path)?;
    subscription.filters.validate().map_err(|error| {
        let filters_path = format!("{path}.properties.filtersConfiguration");
        let path = if error.path.is_empty() {
            filters_path
        } else {
            format!("{filters_path}.{}", error.path)
        };
        ConfigError::new(path, ConfigErrorKind::Filter(error.kind))
    })
}

fn delivery_config(
    config: &NamespaceConfig,
    topic: &TopicConfig,
    delivery: &DeliveryConfig,
    path: &str,
) -> Result<(), ConfigError> {
    if delivery.mode == DeliveryMode::Queue {
        let lock_path = format!("{path}.receiveLockDurationInSeconds");
        let lock_secs = u32::try_from(delivery.lock_duration.as_secs()).unwrap_or(u32::MAX);
        check_range(
            &lock_path,
            lock_secs,
            LOCK_DURATION_SECS_MIN,
            LOCK_DURATION_SECS_MAX,
        )?;
        if delivery.lock_duration.subsec_nanos() != 0 {
            return Err(ConfigError::new(
                lock_path,
                ConfigErrorKind::NotAllowed {
                    reason: "the lock duration must be whole seconds",
                },
            ));
        }
    }
    check_range(
        &format!("{path}.maxDeliveryCount"),
        delivery.max_delivery_count,
        MAX_DELIVERY_COUNT_MIN,
        MAX_DELIVERY_COUNT_MAX,
    )?;
    let ttl_path = format!("{path}.eventTimeToLive");
    let ttl = delivery.event_ttl;
    let ttl_error = |rule: String| {
        ConfigError::new(
            ttl_path.clone(),
            ConfigErrorKind::DurationOutOfRange {
                rule,
                got: duration::format(ttl),
            },
        )
    };
    if ttl.subsec_nanos() != 0 {
        return Err(ttl_error("whole seconds".to_owned()));
    }
    let ttl_min = Duration::from_secs(EVENT_TTL_SECS_MIN);
    if ttl < ttl_min {
        return Err(ttl_error(format!("at least {}", duration::format(ttl_min))));
    }
    if ttl > topic.retention() {
        return Err(ttl_error(format!(
            "at most the topic's retention ({})",
            duration::format(topic.retention())
        )));
    }
    if delivery.mode == DeliveryMode::Queue && ttl < delivery.lock_duration {
        return Err(ttl_error(format!(
            "at least the lock duration ({})",
            duration::format(delivery.lock_duration)
        )));
    }
    if let Some(dead_letter_topic) = &delivery.dead_letter_topic {
        let dead_letter_path = format!("{path}.deadLetterTopic");
        existing_topic(config, &dead_letter_path, dead_letter_topic)?;
        if dead_letter_topic.eq_ignore_ascii_case(&topic.name) {
            return Err(ConfigError::new(
                dead_letter_path,
                ConfigErrorKind::DeadLetterToSelf,
            ));
        }
    }
    Ok(())
}

pub(super) fn existing_topic(config: &NamespaceConfig, path: &str, name: &str) -> Result<(), ConfigError> {
    if config.topic(name).is_some() {
        Ok(())
    } else {
        Err(ConfigError::new(
            path,
            ConfigErrorKind::UnknownTopic { name: echo(name) },
        ))
    }
}

/// Names seen so far in one scope, compared case-insensitively.
#[derive(Default)]
pub(super) struct Names(HashSet<String>);

impl Names {
    pub(super) fn insert(&mut self, path: &str, name: &str) -> Result<(), ConfigError> {
        if self.0.insert(name.to_ascii_lowercase()) {
            Ok(())
        } else {
            Err(ConfigError::new(
                path,
                ConfigErrorKind::DuplicateName { name: echo(name) },
            ))
        }
    }
}

pub(super) fn echo(text: &str) -> String {
    text.chars().take(ECHO_CHARS_MAX).collect()
}

pub(super) fn invalid_name(path: &str, name: &str, rule: &'static str) -> ConfigError {
    ConfigError::new(
        path,
        ConfigErrorKind::InvalidName {
            name: echo(name),
            rule,
        },
    )
}

/// Topic and subscription names: 3–50 characters of `[A-Za-z0-9-]`.
pub(super) fn resource_name(path: &str, name: &str) -> Result<(), ConfigError> {
    const RULE: &str = "must be 3-50 characters of A-Z, a-z, 0-9 and '-'";
    let valid_chars = name
        .bytes()
        .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-');
    if valid_chars && (RESOURCE_NAME_CHARS_MIN..=RESOURCE_NAME_CHARS_MAX).contains(&name.len()) {
        Ok(())
    } else {
        Err(invalid_name(path, name, RULE))
    }
}

/// Shared-access-policy key names: 1–256 characters of `[A-Za-z0-9._-]`.
fn dotted_name(path: &str, name: &str, chars_max: usize) -> Result<(), ConfigError> {
    const RULE: &str = "must be 1-256 characters of A-Z, a-z, 0-9, '.', '_' and '-'";
    let valid_chars = name
        .bytes()
        .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'-'));
    if valid_chars && (1..=chars_max).contains(&name.len()) {
        Ok(())
    } else {
        Err(invalid_name(path, name, RULE))
    }
}

/// Event Hub names: 1–256 characters of `[A-Za-z0-9._-]`, starting and ending with a letter or
/// digit.
fn event_hub_name(path: &str, name: &str) -> Result<(), ConfigError> {
    const RULE: &str = "must be 1-256 characters of A-Z, a-z, 0-9, '.', '_' and '-', \
                        starting and ending with a letter or digit";
    dotted_name(path, name, EVENT_HUB_NAME_CHARS_MAX)
        .map_err(|_| invalid_name(path, name, RULE))?;
    let edges_ok = [name.bytes().next(), name.bytes().last()]
        .into_iter()
        .all(|byte| byte.is_some_and(|byte| byte.is_ascii_alphanumeric()));
    if edges_ok {
        Ok(())
    } else {
        Err(invalid_name(path, name, RULE))
    }
}

/// Access keys: 1–256 printable ASCII characters without spaces (they travel in HTTP headers).
fn access_key(path: &str, key: &AccessKey) -> Result<(), ConfigError> {
    let key = key.as_str();
    let rule = if key.is_empty() {
        Some("must not be empty")
    } else if key.len() > ACCESS_KEY_CHARS_MAX {
        Some("must be at most 256 characters")
    } else if !key.bytes().all(|byte| byte.is_ascii_graphic()) {
        Some("must be printable ASCII without spaces")
    } else {
        None
    };
    match rule {
        None => Ok(()),
        Some(rule) => Err(ConfigError::new(path, ConfigErrorKind::InvalidKey { rule })),
    }
}
