//! Property: every valid configuration survives `to_json` → `from_json` unchanged, and
//! `to_json` is a fixed point after one round.
//!
//! Case count: `PROPTEST_CASES` (proptest's default, 256). A failure is persisted to
//! `engine/tests/config_props.proptest-regressions`, replayed first on the next run; commit it with the
//! fix.

use gridlog::NamespaceConfig;
use proptest::prelude::*;
use serde_json::{Value, json};

/// A subscription valid for a topic of `retention_days`: lock, count and TTL within their
/// ranges and TTL within [max(PT1M, lock), retention].
fn subscription(index: usize, retention_days: u32) -> impl Strategy<Value = Value> {
    let retention_secs = u64::from(retention_days) * 86_400;
    (60_u64..=300, 1_u32..=10, any::<bool>(), any::<bool>()).prop_flat_map(
        move |(lock, count, dead_letter, explicit_ttl)| {
            (lock..=retention_secs).prop_map(move |ttl| {
                let mut queue = json!({
                    "receiveLockDurationInSeconds": lock,
                    "maxDeliveryCount": count,
                });
                if explicit_ttl {
                    queue["eventTimeToLive"] = json!(format!("PT{ttl}S"));
                }
                if dead_letter {
                    queue["deadLetterTopic"] = json!("dead-letters");
                }
                json!({"name": format!("sub-{index}"), "properties": {
                    "deliveryConfiguration": {"deliveryMode": "Queue", "queue": queue},
                    "filtersConfiguration": {"filters": [
                        {"operatorType": "NumberInRange", "key": "data.n",
                         "values": [[0, lock]]}]}}})
            })
        },
    )
}

fn topic(index: usize) -> impl Strategy<Value = Value> {
    (1_u32..=7, 0_usize..4).prop_flat_map(move |(retention_days, subscriptions)| {
        (0..subscriptions)
            .map(|sub| subscription(sub, retention_days))
            .collect::<Vec<_>>()
            .prop_map(move |subscriptions| {
                json!({"name": format!("topic-{index}"),
                       "properties": {"eventRetentionInDays": retention_days},
                       "eventSubscriptions": subscriptions})
            })
    })
}

fn namespace() -> impl Strategy<Value = Value> {
    (0_usize..4, proptest::option::of(1_u32..=40)).prop_flat_map(|(topics, units)| {
        (0..topics)
            .map(topic)
            .collect::<Vec<_>>()
            .prop_map(move |mut topics| {
                topics.push(json!({"name": "dead-letters"}));
                let mut config = json!({"accessKeys": ["k"], "topics": topics});
                if let Some(units) = units {
                    config["throughputUnits"] = json!(units);
                }
                config
            })
    })
}

proptest! {
    #[test]
    fn valid_configurations_round_trip(input in namespace()) {
        let parsed = NamespaceConfig::from_json_str(&input.to_string())
            .map_err(|error| TestCaseError::fail(format!("{input}: {error}")))?;
        let output = parsed.to_json();
        let reparsed = NamespaceConfig::from_json_str(&output.to_string())
            .map_err(|error| TestCaseError::fail(format!("{output}: {error}")))?;
        prop_assert_eq!(&reparsed, &parsed);
        prop_assert_eq!(reparsed.to_json(), output);
    }
}
