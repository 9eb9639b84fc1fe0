//! Namespace configuration: parsing with defaults, validation errors naming the field path, the
//! limits at both sides, lenient Azure members, and the ARM round trip.

use std::time::Duration;

use gridlog::config::ConfigErrorKind;
use gridlog::filter::FilterErrorKind;
use gridlog::{DeliveryMode, EngineError, ErrorCode as _, NamespaceConfig};
use serde_json::{Value, json};

fn parse(config: &Value) -> NamespaceConfig {
    NamespaceConfig::from_json_str(&config.to_string())
        .unwrap_or_else(|error| panic!("{config}: {error}"))
}

fn error(config: &Value) -> (String, ConfigErrorKind) {
    match NamespaceConfig::from_json_str(&config.to_string()) {
        Ok(parsed) => panic!("accepted {config}: {parsed:?}"),
        Err(error) => (error.path, error.kind),
    }
}

/// A namespace with one topic `orders` (plus `orders-dlq`) and one subscription whose queue
/// settings are `queue`.
fn with_queue(queue: &Value) -> Value {
    json!({
        "accessKeys": ["key-1"],
        "topics": [
            {"name": "orders", "properties": {"eventRetentionInDays": 3}, "eventSubscriptions": [
                {"name": "first", "properties": {}},
                {"name": "all", "properties": {
                    "deliveryConfiguration": {"deliveryMode": "Queue", "queue": queue},
                    "filtersConfiguration": {"includedEventTypes": null, "filters": []}
                }}
            ]},
            {"name": "orders-dlq"}
        ]
    })
}

const QUEUE_PATH: &str = "topics[0].eventSubscriptions[1].properties.deliveryConfiguration.queue";

fn queue_error(queue: &Value) -> (String, ConfigErrorKind) {
    let (path, kind) = error(&with_queue(queue));
    let field = path
        .strip_prefix(QUEUE_PATH)
        .unwrap_or_else(|| panic!("{path} is not under the queue"))
        .to_owned();
    (field, kind)
}

fn out_of_range(min: i64, max: i64, got: i64) -> ConfigErrorKind {
    ConfigErrorKind::OutOfRange { min, max, got }
}

#[test]
fn the_issue_example_parses() {
    let config = parse(&json!({
        "accessKeys": ["k"], "throughputUnits": 2,
        "topics": [{"name": "orders", "properties": {"eventRetentionInDays": 7},
            "eventSubscriptions": [{"name": "all", "properties": {
                "deliveryConfiguration": {"deliveryMode": "Queue", "queue": {
                    "receiveLockDurationInSeconds": 60, "maxDeliveryCount": 10,
                    "eventTimeToLive": "P7D", "deadLetterTopic": "orders-dlq"}},
                "filtersConfiguration": {"includedEventTypes": null, "filters": [
                    {"operatorType": "StringBeginsWith", "key": "subject", "values": ["/o/"]}]}}}]},
            {"name": "orders-dlq"}]
    }));
    assert_eq!(config.throughput_units, Some(2));
    assert_eq!(config.access_keys[0].as_str(), "k");
    let topic = &config.topics[0];
    assert_eq!(topic.retention_days, 7);
    let subscription = &topic.subscriptions[0];
    assert_eq!(subscription.delivery.mode, DeliveryMode::Queue);
    assert_eq!(subscription.delivery.lock_duration, Duration::from_mins(1));
    assert_eq!(subscription.delivery.max_delivery_count, 10);
    assert_eq!(
        subscription.delivery.event_ttl,
        Duration::from_hours(7 * 24)
    );
    assert_eq!(
        subscription.delivery.dead_letter_topic.as_deref(),
        Some("orders-dlq")
    );
    assert_eq!(subscription.filters.filters.len(), 1);
    assert!(config.topic("ORDERS").is_some());
}

#[test]
fn defaults_fill_everything_absent() {
    let config = parse(&json!({"topics": [
        {"name": "t-7", "eventSubscriptions": [{"name": "s-1"}]},
        {"name": "t-2", "properties": {"eventRetentionInDays": 2},
         "eventSubscriptions": [{"name": "s-1", "properties": {"deliveryConfiguration": {}}}]}
    ]}));
    assert!(config.access_keys.is_empty());
    assert_eq!(config.throughput_units, None);
    let first = &config.topics[0];
    assert_eq!(first.retention_days, 7);
    let delivery = &first.subscriptions[0].delivery;
    assert_eq!(delivery.mode, DeliveryMode::Queue);
    assert_eq!(delivery.lock_duration, Duration::from_mins(1));
    assert_eq!(delivery.max_delivery_count, 10);
    assert_eq!(delivery.event_ttl, Duration::from_hours(7 * 24));
    assert_eq!(delivery.dead_letter_topic, None);
    // TTL defaults to min(7 days, retention).
    let second = &config.topics[1];
    assert_eq!(
        second.subscriptions[0].delivery.event_ttl,
        Duration::from_hours(2 * 24)
    );
    assert!(parse(&json!({})).topics.is_empty());
}

#[test]
fn queue_ranges_at_both_sides() {
    for (queue, ok) in [
        (json!({"receiveLockDurationInSeconds": 60}), true),
        (json!({"receiveLockDurationInSeconds": 300}), true),
        (json!({"maxDeliveryCount": 1}), true),
        (json!({"maxDeliveryCount": 10}), true),
        (json!({"eventTimeToLive": "PT1M"}), true),
        (json!({"eventTimeToLive": "P3D"}), true),
        (
            json!({"eventTimeToLive": "PT5M", "receiveLockDurationInSeconds": 300}),
            true,
        ),
    ] {
        assert_eq!(
            NamespaceConfig::from_json_str(&with_queue(&queue).to_string()).is_ok(),
            ok,
            "{queue}"
        );
    }
    let cases = [
        (
            json!({"receiveLockDurationInSeconds": 59}),
            ".receiveLockDurationInSeconds",
            out_of_range(60, 300, 59),
        ),
        (
            json!({"receiveLockDurationInSeconds": 301}),
            ".receiveLockDurationInSeconds",
            out_of_range(60, 300, 301),
        ),
        (
            json!({"receiveLockDurationInSeconds": -1}),
            ".receiveLockDurationInSeconds",
            out_of_range(60, 300, -1),
        ),
        (
            json!({"maxDeliveryCount": 0}),
            ".maxDeliveryCount",
            out_of_range(1, 10, 0),
        ),
        (
            json!({"maxDeliveryCount": 11}),
            ".maxDeliveryCount",
            out_of_range(1, 10, 11),
        ),
        (
            json!({"maxDeliveryCount": 99_999_999_999_i64}),
            ".maxDeliveryCount",
            out_of_range(1, 10, 99_999_999_999),
        ),
        (
            json!({"eventTimeToLive": "PT59S"}),
            ".eventTimeToLive",
            ConfigErrorKind::DurationOutOfRange {
                rule: "at least PT1M".to_owned(),
                got: "PT59S".to_owned(),
            },
        ),
        (
            json!({"eventTimeToLive": "P3DT1S"}),
            ".eventTimeToLive",
            ConfigErrorKind::DurationOutOfRange {
                rule: "at most the topic's retention (P3D)".to_owned(),
                got: "P3DT1S".to_owned(),
            },
        ),
        (
            json!({"eventTimeToLive": "PT4M", "receiveLockDurationInSeconds": 300}),
            ".eventTimeToLive",
            ConfigErrorKind::DurationOutOfRange {
                rule: "at least the lock duration (PT5M)".to_owned(),
                got: "PT4M".to_owned(),
            },
        ),
        (
            json!({"eventTimeToLive": "P1M"}),
            ".eventTimeToLive",
            ConfigErrorKind::InvalidDuration {
                text: "P1M".to_owned(),
                reason: "years and months are not supported (no fixed length)",
            },
        ),
        (
            json!({"deadLetterTopic": "nope"}),
            ".deadLetterTopic",
            ConfigErrorKind::UnknownTopic {
                name: "nope".to_owned(),
            },
        ),
        (
            json!({"deadLetterTopic": "Orders"}),
            ".deadLetterTopic",
            ConfigErrorKind::DeadLetterToSelf,
        ),
    ];
    for (queue, field, kind) in cases {
        assert_eq!(queue_error(&queue), (field.to_owned(), kind), "{queue}");
    }
}

#[test]
fn error_messages_name_the_field() {
    let error =
        NamespaceConfig::from_json_str(&with_queue(&json!({"maxDeliveryCount": 11})).to_string())
            .expect_err("out of range");
    assert_eq!(
        error.to_string(),
        "topics[0].eventSubscriptions[1].properties.deliveryConfiguration.queue.maxDeliveryCount: \
         must be 1..=10, got 11"
    );
    assert_eq!(error.code(), "ConfigOutOfRange");
    let engine = EngineError::from(error);
    assert_eq!(engine.code(), "InvalidConfiguration");
    assert_eq!(engine.detail_code(), "ConfigOutOfRange");
}

#[test]
fn unknown_and_mistyped_fields_name_their_path() {
    let (path, kind) = error(&with_queue(&json!({"maxDeliveryCnt": 3})));
    assert_eq!(path, format!("{QUEUE_PATH}.maxDeliveryCnt"));
    assert!(
        matches!(&kind, ConfigErrorKind::Syntax { message } if message.contains("unknown field")),
        "{kind:?}"
    );
    let (path, kind) = error(&with_queue(&json!({"maxDeliveryCount": "3"})));
    assert_eq!(path, format!("{QUEUE_PATH}.maxDeliveryCount"));
    assert!(matches!(kind, ConfigErrorKind::Syntax { .. }));
    let (path, _) = error(&json!({"topics": [{"name": "abc", "extra": 1}]}));
    assert_eq!(path, "topics[0].extra");
    let (path, _) = error(&json!({"topic": []}));
    assert_eq!(path, "topic");
    let (path, _) = error(&json!({"topics": [{"properties": {}}]}));
    assert_eq!(path, "topics[0]");
    let (path, kind) = error(&json!("not an object"));
    assert_eq!(path, "");
    assert_eq!(kind, ConfigErrorKind::NotAnObject { found: "a string" });
    assert!(NamespaceConfig::from_json_str("{} trailing").is_err());
    assert!(NamespaceConfig::from_json_str("{").is_err());
}

#[test]
fn names_are_validated_and_unique_case_insensitively() {
    for name in ["abc", "a-b", &"x".repeat(50), "ABC-123"] {
        assert!(
            NamespaceConfig::from_json_str(&json!({"topics": [{"name": name}]}).to_string())
                .is_ok(),
            "{name}"
        );
    }
    for name in ["ab", &"x".repeat(51), "a_b", "a.b", "a b", "ümlaut"] {
        let (path, kind) = error(&json!({"topics": [{"name": name}]}));
        assert_eq!(path, "topics[0].name");
        assert!(
            matches!(kind, ConfigErrorKind::InvalidName { .. }),
            "{name}: {kind:?}"
        );
    }
    assert_eq!(
        error(&json!({"topics": [{"name": "orders"}, {"name": "ORDERS"}]})),
        (
            "topics[1].name".to_owned(),
            ConfigErrorKind::DuplicateName {
                name: "ORDERS".to_owned()
            }
        )
    );
    assert_eq!(
        error(
            &json!({"topics": [{"name": "orders", "eventSubscriptions": [
            {"name": "sub"}, {"name": "xyz"}, {"name": "Sub"}]}]})
        ),
        (
            "topics[0].eventSubscriptions[2].name".to_owned(),
            ConfigErrorKind::DuplicateName {
                name: "Sub".to_owned()
            }
        )
    );
    let (path, kind) = error(
        &json!({"topics": [{"name": "orders", "eventSubscriptions": [
        {"name": "s"}]}]}),
    );
    assert_eq!(path, "topics[0].eventSubscriptions[0].name");
    assert!(matches!(kind, ConfigErrorKind::InvalidName { .. }));
    // The same subscription name under two topics is fine.
    parse(&json!({"topics": [
        {"name": "one", "eventSubscriptions": [{"name": "sub"}]},
        {"name": "two", "eventSubscriptions": [{"name": "sub"}]}]}));
}

#[test]
fn retention_and_throughput_units_at_both_sides() {
    for days in [1, 7] {
        parse(&json!({"topics": [{"name": "abc", "properties": {"eventRetentionInDays": days}}]}));
    }
    for days in [0, 8] {
        assert_eq!(
            error(
                &json!({"topics": [{"name": "abc", "properties": {"eventRetentionInDays": days}}]})
            ),
            (
                "topics[0].properties.eventRetentionInDays".to_owned(),
                out_of_range(1, 7, days)
            )
        );
    }
    for units in [1, 40] {
        parse(&json!({ "throughputUnits": units }));
    }
    for units in [0, 41] {
        assert_eq!(
            error(&json!({ "throughputUnits": units })),
            ("throughputUnits".to_owned(), out_of_range(1, 40, units))
        );
    }
}

fn topics(count: usize) -> Vec<Value> {
    (0..count)
        .map(|index| json!({"name": format!("topic-{index}")}))
        .collect()
}

#[test]
fn topic_count_follows_throughput_units() {
    parse(&json!({"throughputUnits": 1, "topics": topics(100)}));
    assert_eq!(
        error(&json!({"throughputUnits": 1, "topics": topics(101)})),
        (
            "topics".to_owned(),
            ConfigErrorKind::TooMany { max: 100, got: 101 }
        )
    );
    parse(&json!({"throughputUnits": 2, "topics": topics(101)}));
}

#[test]
fn subscription_count_at_both_sides() {
    let subscriptions = |count: usize| -> Value {
        let subscriptions: Vec<Value> = (0..count)
            .map(|index| json!({"name": format!("sub-{index}")}))
            .collect();
        json!({"topics": [{"name": "orders", "eventSubscriptions": subscriptions}]})
    };
    parse(&subscriptions(500));
    assert_eq!(
        error(&subscriptions(501)),
        (
            "topics[0].eventSubscriptions".to_owned(),
            ConfigErrorKind::TooMany { max: 500, got: 501 }
        )
    );
}

#[test]
fn filter_errors_are_located_inside_the_subscription() {
    let config = json!({"topics": [{"name": "orders", "eventSubscriptions": [{"name": "all",
        "properties": {"filtersConfiguration": {"filters": [
            {"operatorType": "IsNotNull", "key": "a"},
            {"operatorType": "Nope", "key": "a"}]}}}]}]});
    assert_eq!(
        error(&config),
        (
            "topics[0].eventSubscriptions[0].properties.filtersConfiguration.filters[1].operatorType"
                .to_owned(),
            ConfigErrorKind::Filter(FilterErrorKind::UnknownOperator {
                operator: "Nope".to_owned()
            })
        )
    );
    assert_eq!(
        NamespaceConfig::from_json_str(&config.to_string())
            .expect_err("invalid")
            .code(),
        "FilterUnknownOperator"
    );
}

#[test]
fn access_keys_policies_and_event_hubs() {
    let config = parse(&json!({
        "accessKeys": ["a", "b=="],
        "sharedAccessPolicies": [{"keyName": "RootManageSharedAccessKey", "key": "k1"},
                                 {"keyName": "send.only_1", "key": "k2"}],
        "eventHubs": [{"name": "batch-status", "topic": "Jobs"}, {"name": "x.y_z", "topic": "jobs"}],
        "topics": [{"name": "jobs"}]
    }));
    assert_eq!(config.shared_access_policies.len(), 2);
    assert_eq!(config.event_hubs[0].topic.as_deref(), Some("Jobs"));
    assert!(!format!("{config:?}").contains("k1"));
    let cases = [
        (json!({"accessKeys": [""]}), "accessKeys[0]"),
        (json!({"accessKeys": ["a b"]}), "accessKeys[0]"),
        (json!({"accessKeys": ["x".repeat(257)]}), "accessKeys[0]"),
        (
            json!({"accessKeys": ["1", "2", "3", "4", "5", "6", "7", "8", "9"]}),
            "accessKeys",
        ),
        (
            json!({"sharedAccessPolicies": [{"keyName": "a b", "key": "k"}]}),
            "sharedAccessPolicies[0].keyName",
        ),
        (
            json!({"sharedAccessPolicies": [{"keyName": "a", "key": "k"}, {"keyName": "A", "key": "k"}]}),
            "sharedAccessPolicies[1].keyName",
        ),
        (
            json!({"sharedAccessPolicies": [{"keyName": "a", "key": ""}]}),
            "sharedAccessPolicies[0].key",
        ),
        (
            json!({"sharedAccessPolicies": [{"keyName": "a"}]}),
            "sharedAccessPolicies[0]",
        ),
        (
            json!({"eventHubs": [{"name": "hub", "topic": "nope"}]}),
            "eventHubs[0].topic",
        ),
        (
            json!({"eventHubs": [{"name": "-hub", "topic": "jobs"}], "topics": [{"name": "jobs"}]}),
            "eventHubs[0].name",
        ),
        (
            json!({"eventHubs": [{"name": "hub", "topic": "jobs"}, {"name": "HUB", "topic": "jobs"}],
                "topics": [{"name": "jobs"}]}),
            "eventHubs[1].name",
        ),
    ];
    for (config, path) in cases {
        assert_eq!(error(&config).0, path, "{config}");
    }
    let (_, kind) = error(&json!({"accessKeys": ["a b"]}));
    assert_eq!(
        kind,
        ConfigErrorKind::InvalidKey {
            rule: "must be printable ASCII without spaces"
        }
    );
}

#[test]
fn lenient_azure_members_are_accepted() {
    let config = parse(&json!({"topics": [
        {"name": "orders", "properties": {"publisherType": "Custom",
            "inputSchema": "CloudEventSchemaV1_0", "provisioningState": "Succeeded",
            "eventRetentionInDays": 1},
         "eventSubscriptions": [{"name": "all", "properties": {
            "eventDeliverySchema": "CloudEventSchemaV1_0", "provisioningState": "Succeeded",
            "deliveryConfiguration": {"deliveryMode": "queue", "queue": {
                "deadLetterDestinationWithResourceIdentity": {"deadLetterDestination": {
                    "endpointType": "StorageBlob"}}}}}}]}]}));
    assert_eq!(
        config.topics[0].subscriptions[0].delivery.event_ttl,
        Duration::from_hours(24)
    );
    let (path, kind) = error(&json!({"topics": [{"name": "orders",
        "properties": {"inputSchema": "EventGridSchema"}}]}));
    assert_eq!(path, "topics[0].properties.inputSchema");
    assert!(matches!(kind, ConfigErrorKind::UnsupportedValue { .. }));
}

#[test]
fn delivery_modes() {
    let config = parse(
        &json!({"topics": [{"name": "orders", "eventSubscriptions": [
            {"name": "push", "properties": {"deliveryConfiguration": {"deliveryMode": "Push",
                "push": {"maxDeliveryCount": 3, "eventTimeToLive": "PT30M",
                         "destination": {"endpointType": "WebHook", "properties": {"endpointUrl": "http://x"}}}}}}
        ]}]}),
    );
    let delivery = &config.topics[0].subscriptions[0].delivery;
    assert_eq!(delivery.mode, DeliveryMode::Push);
    assert_eq!(delivery.max_delivery_count, 3);
    assert_eq!(delivery.event_ttl, Duration::from_mins(30));
    assert_eq!(
        delivery
            .push_destination
            .as_ref()
            .and_then(|push| push.destination.as_ref()),
        Some(&json!({"endpointType": "WebHook", "properties": {"endpointUrl": "http://x"}}))
    );
    let base = "topics[0].eventSubscriptions[0].properties.deliveryConfiguration";
    for (delivery, field, code) in [
        (
            json!({"deliveryMode": "Queue", "push": {}}),
            "push",
            "ConfigNotAllowed",
        ),
        (
            json!({"deliveryMode": "Push", "queue": {}}),
            "queue",
            "ConfigNotAllowed",
        ),
        (
            json!({"deliveryMode": "Webhook"}),
            "deliveryMode",
            "ConfigUnsupportedValue",
        ),
    ] {
        let config = json!({"topics": [{"name": "orders", "eventSubscriptions": [
            {"name": "sub", "properties": {"deliveryConfiguration": delivery}}]}]});
        let (path, kind) = error(&config);
        assert_eq!(path, format!("{base}.{field}"));
        assert_eq!(kind.code(), code);
    }
}

#[test]
fn arm_round_trip() {
    let input = json!({
        "accessKeys": ["key-1", "key-2"], "throughputUnits": 4,
        "sharedAccessPolicies": [{"keyName": "Root", "key": "abc="}],
        "eventHubs": [{"name": "hub", "topic": "orders"}],
        "topics": [
            {"name": "orders", "properties": {"eventRetentionInDays": 3}, "eventSubscriptions": [
                {"name": "all", "properties": {"deliveryConfiguration": {"deliveryMode": "Queue",
                    "queue": {"receiveLockDurationInSeconds": 120, "maxDeliveryCount": 4,
                              "eventTimeToLive": "PT90M", "deadLetterTopic": "orders-dlq"}},
                    "filtersConfiguration": {"includedEventTypes": ["A.B"], "filters": [
                        {"operatorType": "NumberInRange", "key": "data.n", "values": [[1, 2.5]]}]}}},
                {"name": "defaults"},
                {"name": "pushed", "properties": {"deliveryConfiguration": {"deliveryMode": "Push",
                    "push": {"deliveryWithResourceIdentity": {"identity": {"type": "SystemAssigned"}}}}}}
            ]},
            {"name": "orders-dlq"}
        ]
    });
    let parsed = parse(&input);
    let output = parsed.to_json();
    let reparsed = parse(&output);
    assert_eq!(reparsed, parsed);
    assert_eq!(reparsed.to_json(), output);
    let queue =
        &output["topics"][0]["eventSubscriptions"][0]["properties"]["deliveryConfiguration"];
    assert_eq!(
        queue,
        &json!({"deliveryMode": "Queue", "queue": {"receiveLockDurationInSeconds": 120,
            "maxDeliveryCount": 4, "eventTimeToLive": "PT1H30M", "deadLetterTopic": "orders-dlq"}})
    );
    let defaults = &output["topics"][0]["eventSubscriptions"][1]["properties"];
    assert_eq!(
        defaults,
        &json!({"deliveryConfiguration": {"deliveryMode": "Queue", "queue": {
                    "receiveLockDurationInSeconds": 60, "maxDeliveryCount": 10,
                    "eventTimeToLive": "P3D"}},
                "eventDeliverySchema": "CloudEventSchemaV1_0",
                "filtersConfiguration": {"includedEventTypes": null, "filters": []}})
    );
    assert_eq!(
        output["topics"][1]["properties"],
        json!({"publisherType": "Custom", "inputSchema": "CloudEventSchemaV1_0",
               "eventRetentionInDays": 7})
    );
    assert_eq!(output["accessKeys"], json!(["key-1", "key-2"]));
    assert_eq!(output["throughputUnits"], json!(4));
}

#[test]
fn validate_checks_configurations_edited_in_code() {
    let mut config = parse(&with_queue(&json!({})));
    config.validate().expect("parsed configurations are valid");
    config.topics[0].subscriptions[1]
        .delivery
        .max_delivery_count = 11;
    let error = config.validate().expect_err("out of range");
    assert_eq!(error.path, format!("{QUEUE_PATH}.maxDeliveryCount"));
    config.topics[0].subscriptions[1]
        .delivery
        .max_delivery_count = 10;
    config.topics[0].retention_days = 1;
    // The TTL defaulted to the old 3-day retention, now longer than the retention.
    let error = config.validate().expect_err("ttl over retention");
    assert_eq!(
        error.path,
        "topics[0].eventSubscriptions[0].properties.deliveryConfiguration.queue.eventTimeToLive"
    );
    assert_eq!(error.code(), "ConfigDurationOutOfRange");
}

#[test]
fn a_document_that_is_not_an_object_is_refused() {
    for (text, found) in [
        ("[]", "an array"),
        (" \"x\"", "a string"),
        ("42", "a number"),
        ("null", "null"),
    ] {
        let error = NamespaceConfig::from_json_str(text).unwrap_err();
        assert_eq!(error.kind, ConfigErrorKind::NotAnObject { found }, "{text}");
        assert_eq!(error.code(), "ConfigSyntax");
        assert!(
            error.to_string().contains("must be a JSON object"),
            "{error}"
        );
    }
}

/// Issue #19: the configuration file can carry `serve`'s TLS settings, as the flags do.
#[test]
fn tls_settings_are_files_or_self_signed_and_round_trip() {
    let files = parse(&json!({"tls": {"certificateFile": "cert.pem", "keyFile": "key.pem"}}));
    assert_eq!(
        files.tls,
        Some(gridlog::TlsConfig::Files {
            certificate_file: "cert.pem".to_owned(),
            key_file: "key.pem".to_owned(),
        })
    );
    assert_eq!(
        files.to_json()["tls"],
        json!({"certificateFile": "cert.pem", "keyFile": "key.pem"})
    );
    let dev = parse(&json!({"tls": {"selfSigned": true}}));
    assert_eq!(dev.tls, Some(gridlog::TlsConfig::SelfSigned));
    assert_eq!(dev.to_json()["tls"], json!({"selfSigned": true}));
    assert_eq!(parse(&json!({"topics": []})).tls, None);
    for bad in [
        json!({"tls": {}}),
        json!({"tls": {"certificateFile": "cert.pem"}}),
        json!({"tls": {"keyFile": "key.pem"}}),
        json!({"tls": {"selfSigned": false}}),
        json!({"tls": {"certificateFile": "c", "keyFile": "k", "selfSigned": true}}),
    ] {
        let (path, kind) = error(&bad);
        assert_eq!(path, "tls", "{bad}");
        assert!(
            matches!(kind, ConfigErrorKind::NotAllowed { .. }),
            "{bad}: {kind:?}"
        );
    }
    let (_, kind) = error(&json!({"tls": {"selfSigned": true, "port": 1}}));
    assert!(matches!(kind, ConfigErrorKind::Syntax { .. }), "{kind:?}");
}

#[test]
fn event_hubs_are_arm_shaped_with_defaults_and_field_paths() {
    let config = parse(&json!({"eventHubs": [
        {"name": "plain"},
        {"name": "full", "topic": "jobs",
         "properties": {"partitionCount": 32, "messageRetentionInDays": 7,
            "retentionDescription": {"cleanupPolicy": "Delete", "retentionTimeInHours": 168},
            "status": "Active", "partitionIds": ["0"], "createdAt": "2024-01-01T00:00:00Z"},
         "consumerGroups": [{"name": "audit", "properties": {"userMetadata": "x"}},
                            {"name": "$default"}]},
        {"name": "hours", "properties": {"retentionDescription": {"retentionTimeInHours": 5}}}],
        "topics": [{"name": "jobs"}]}));
    let plain = &config.event_hubs[0];
    assert_eq!(
        (
            plain.partition_count,
            plain.retention_hours,
            &plain.consumer_groups[..],
            &plain.topic
        ),
        (4, 24, &["$Default".to_owned()][..], &None)
    );
    let full = &config.event_hubs[1];
    assert_eq!((full.partition_count, full.retention_hours), (32, 168));
    // `$Default` is always first, once, spelled as Event Hubs does.
    assert_eq!(full.consumer_groups, ["$Default", "audit"]);
    assert_eq!(full.topic.as_deref(), Some("jobs"));
    assert_eq!(config.event_hubs[2].retention_hours, 5);
    // Written back in the same shape, every default spelled out, and read back the same.
    let written = config.to_json();
    assert_eq!(
        written["eventHubs"][0],
        json!({"name": "plain", "properties": {"partitionCount": 4,
            "messageRetentionInDays": 1,
            "retentionDescription": {"cleanupPolicy": "Delete", "retentionTimeInHours": 24}},
            "consumerGroups": [{"name": "$Default"}]})
    );
    assert_eq!(
        written["eventHubs"][2]["properties"],
        json!({"partitionCount": 4,
            "retentionDescription": {"cleanupPolicy": "Delete", "retentionTimeInHours": 5}})
    );
    assert_eq!(parse(&written), config);
    let cases = [
        (
            json!({"eventHubs": [{"name": "h", "properties": {"partitionCount": 0}}]}),
            "eventHubs[0].properties.partitionCount",
        ),
        (
            json!({"eventHubs": [{"name": "h", "properties": {"partitionCount": 33}}]}),
            "eventHubs[0].properties.partitionCount",
        ),
        (
            json!({"eventHubs": [{"name": "h", "properties": {"messageRetentionInDays": 8}}]}),
            "eventHubs[0].properties.messageRetentionInDays",
        ),
        (
            json!({"eventHubs": [{"name": "h", "properties": {"retentionDescription":
                {"retentionTimeInHours": 169}}}]}),
            "eventHubs[0].properties.retentionDescription.retentionTimeInHours",
        ),
        (
            json!({"eventHubs": [{"name": "h", "properties": {"messageRetentionInDays": 1,
                "retentionDescription": {"retentionTimeInHours": 48}}}]}),
            "eventHubs[0].properties.retentionDescription.retentionTimeInHours",
        ),
        (
            json!({"eventHubs": [{"name": "h", "properties": {"retentionDescription":
                {"cleanupPolicy": "Compact"}}}]}),
            "eventHubs[0].properties.retentionDescription.cleanupPolicy",
        ),
        (
            json!({"eventHubs": [{"name": "h", "consumerGroups": [{"name": "-bad"}]}]}),
            "eventHubs[0].consumerGroups[1].name",
        ),
        (
            json!({"eventHubs": [{"name": "h", "consumerGroups": [{"name": "a"}, {"name": "A"}]}]}),
            "eventHubs[0].consumerGroups[2].name",
        ),
        (
            json!({"eventHubs": [{"name": "h", "consumerGroups":
                (0..20).map(|i| json!({"name": format!("g{i}")})).collect::<Vec<_>>()}]}),
            "eventHubs[0].consumerGroups",
        ),
        (
            json!({"eventHubs": [{"name": "h", "properties": {"partitionCount": 2, "bogus": 1}}]}),
            "eventHubs[0].properties.bogus",
        ),
    ];
    for (config, path) in cases {
        assert_eq!(error(&config).0, path, "{config}");
    }
}

#[test]
fn a_hub_s_partition_count_only_grows() {
    let dir = tempfile::tempdir().unwrap();
    let ns = gridlog::Namespace::open(
        dir.path(),
        gridlog::NamespaceOptions {
            index: gridlog::IndexKind::Memory,
            maintenance_interval: None,
            ..gridlog::NamespaceOptions::default()
        },
    )
    .unwrap();
    let with = |count: u32| {
        parse(&json!({"eventHubs": [{"name": "h", "properties": {"partitionCount": count}}]}))
    };
    let report = ns.apply_config(&with(2)).unwrap();
    assert_eq!(report.hubs_created, ["h"]);
    assert_eq!(ns.apply_config(&with(2)).unwrap().unchanged, 1);
    assert_eq!(ns.apply_config(&with(3)).unwrap().hubs_updated, ["h"]);
    assert_eq!(ns.hub_info("h").unwrap().partition_ids, ["0", "1", "2"]);
    let refused = ns.apply_config(&with(1)).unwrap_err();
    match refused {
        gridlog::EngineError::Config(error) => {
            assert_eq!(error.path, "eventHubs[0].properties.partitionCount");
        }
        other => panic!("{other}"),
    }
    assert_eq!(ns.hub_info("h").unwrap().partition_ids.len(), 3);
    // A topic a hub maps to cannot be deleted while it does.
    ns.apply_config(&parse(&json!({"eventHubs": [{"name": "h", "topic": "jobs",
        "properties": {"partitionCount": 3}}], "topics": [{"name": "jobs"}]})))
        .unwrap();
    assert_eq!(
        ns.delete_topic("jobs").unwrap_err().code(),
        "InvalidConfiguration"
    );
    ns.close().unwrap();
}
