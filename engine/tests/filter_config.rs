//! Filter configuration: keys and aliases, `includedEventTypes`, AND/OR, fast-path flags,
//! validation errors (typed, located) and the limits at both sides, JSON round trip.

use gridlog::filter::Filter;
use gridlog::filter::{FilterErrorKind, KeyTarget};
use gridlog::{ErrorCode as _, FilterKey, FiltersConfig, Operator};
use serde_json::{Value, json};

fn compile(config: &Value) -> Filter {
    Filter::new(&FiltersConfig::from_json(config).unwrap_or_else(|error| panic!("{error}")))
}

fn error(config: &Value) -> (String, FilterErrorKind) {
    match FiltersConfig::from_json(config) {
        Ok(parsed) => panic!("accepted {config}: {parsed:?}"),
        Err(error) => (error.path, error.kind),
    }
}

fn string_in(key: &str, value: &str) -> Value {
    json!({"filters": [{"operatorType": "StringIn", "key": key, "values": [value]}]})
}

fn sample_event() -> Value {
    json!({
        "specversion": "1.0", "id": "evt-1", "source": "/shop", "type": "Shop.Order.Created",
        "subject": "/orders/42", "time": "2026-01-02T03:04:05Z",
        "datacontenttype": "application/json", "dataschema": "https://schema/1",
        "myext": "extval", "dataversion": "2.0", "count": 5,
        "data": {"total": 120, "customer": {"tier": "gold", "tags": ["vip", "eu"]}, "n.a": 1}
    })
}

#[test]
fn context_attribute_and_extension_keys() {
    let event = sample_event();
    for (key, value) in [
        ("id", "evt-1"),
        ("source", "/shop"),
        ("type", "shop.order.created"),
        ("subject", "/orders/42"),
        ("time", "2026-01-02T03:04:05Z"),
        ("specversion", "1.0"),
        ("datacontenttype", "application/json"),
        ("dataschema", "https://schema/1"),
        ("myext", "EXTVAL"),
        ("Subject", "/orders/42"),
        ("eventid", "evt-1"),
        ("EventType", "Shop.Order.Created"),
        ("eventtypeversion", "2.0"),
        ("data.customer.tier", "GOLD"),
        ("Data.customer.tier", "gold"),
        ("data.customer.tags", "eu"),
    ] {
        assert!(compile(&string_in(key, value)).is_match(&event), "{key}");
    }
    assert!(!compile(&string_in("data.Customer.tier", "gold")).is_match(&event));
    assert!(!compile(&string_in("nosuchext", "x")).is_match(&event));
}

#[test]
fn data_paths_are_missing_without_json_data() {
    let is_missing = json!({"filters": [{"operatorType": "IsNullOrUndefined", "key": "data.a"}]});
    let filter = compile(&is_missing);
    let base64 = json!({"specversion": "1.0", "id": "1", "source": "/s", "type": "T",
                        "data_base64": "AAE="});
    let no_data = json!({"specversion": "1.0", "id": "1", "source": "/s", "type": "T"});
    let string_data = json!({"specversion": "1.0", "id": "1", "source": "/s", "type": "T",
                             "data": "a"});
    let nested_not_object = json!({"data": {"a": null}});
    for event in [
        base64,
        no_data,
        string_data,
        nested_not_object,
        json!("not an object"),
    ] {
        assert!(filter.is_match(&event), "{event}");
    }
    assert!(!filter.is_match(&json!({"data": {"a": 1}})));
    let whole_data = compile(&json!({"filters": [
        {"operatorType": "StringContains", "key": "data", "values": ["ell"]}]}));
    assert!(whole_data.is_match(&json!({"data": "hello"})));
    assert!(!whole_data.is_match(&json!({"data_base64": "aGVsbG8="})));
}

#[test]
fn included_event_types_are_case_insensitive_and_anded() {
    let config = json!({
        "includedEventTypes": ["Shop.Order.Created", "Shop.Order.Shipped"],
        "filters": [{"operatorType": "NumberGreaterThan", "key": "data.total", "value": 100}]
    });
    let filter = compile(&config);
    let mut event = sample_event();
    assert!(filter.is_match(&event));
    event["type"] = json!("SHOP.ORDER.SHIPPED");
    assert!(filter.is_match(&event));
    event["type"] = json!("Shop.Order.Cancelled");
    assert!(!filter.is_match(&event));
    event["type"] = json!("Shop.Order.Created");
    event["data"]["total"] = json!(50);
    assert!(!filter.is_match(&event));
    assert!(!filter.is_match(&json!({"data": {"total": 500}})));
}

#[test]
fn filters_are_anded_values_ored_and_keys_may_repeat() {
    let filter = compile(&json!({"filters": [
        {"operatorType": "NumberGreaterThan", "key": "data.total", "value": 100},
        {"operatorType": "NumberLessThan", "key": "data.total", "value": 200},
        {"operatorType": "StringIn", "key": "data.customer.tier", "values": ["silver", "gold"]}
    ]}));
    let mut event = sample_event();
    assert!(filter.is_match(&event));
    event["data"]["total"] = json!(250);
    assert!(!filter.is_match(&event));
    event["data"]["total"] = json!(150);
    event["data"]["customer"]["tier"] = json!("bronze");
    assert!(!filter.is_match(&event));
}

#[test]
fn empty_or_null_configuration_matches_everything() {
    for config in [
        json!({}),
        json!({"includedEventTypes": null, "filters": null}),
        json!({"includedEventTypes": [], "filters": []}),
    ] {
        let parsed = FiltersConfig::from_json(&config).expect("valid");
        assert_eq!(parsed, FiltersConfig::default());
        let filter = Filter::new(&parsed);
        assert!(filter.is_match_all());
        assert!(!filter.needs_data());
        assert!(filter.is_match(&json!({})));
    }
    assert!(Filter::match_all().is_match_all());
}

#[test]
fn fast_path_flags() {
    let only_types = compile(&json!({"includedEventTypes": ["A"]}));
    assert!(!only_types.is_match_all());
    assert!(!only_types.needs_data());
    let subject = compile(&string_in("subject", "x"));
    assert!(!subject.needs_data());
    assert!(!compile(&string_in("eventtype", "x")).needs_data());
    assert!(compile(&string_in("myext", "x")).needs_data());
    assert!(compile(&string_in("data.a", "x")).needs_data());
    assert!(compile(&string_in("eventtypeversion", "x")).needs_data());
}

#[test]
fn key_parsing() {
    let parsed = FilterKey::parse("EventId").expect("valid");
    assert_eq!(parsed.target(), &KeyTarget::Attribute("id".to_owned()));
    assert_eq!(parsed.as_str(), "EventId");
    let parsed = FilterKey::parse("data.a.größe").expect("valid");
    assert_eq!(
        parsed.target(),
        &KeyTarget::Data(vec!["a".to_owned(), "größe".to_owned()])
    );
    assert_eq!(
        FilterKey::parse("data").expect("valid").target(),
        &KeyTarget::Data(vec![])
    );
    assert_eq!(FilterKey::parse(""), Err(FilterErrorKind::EmptyKey));
    for bad in [
        "subject.x",
        "data..a",
        "data.",
        "data.a b",
        "data.a/b",
        "my-ext",
        "my_ext",
        "a234567890123456789012",
        "data.a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p",
    ] {
        assert!(
            matches!(
                FilterKey::parse(bad),
                Err(FilterErrorKind::InvalidKey { .. })
            ),
            "{bad}"
        );
    }
    assert!(FilterKey::parse("data.a.b.c.d.e.f.g.h.i.j.k.l.m.n.o").is_ok());
    let long = format!("data.{}", "a".repeat(251));
    assert!(FilterKey::parse(&long).is_ok());
    let too_long = format!("data.{}", "a".repeat(252));
    assert!(matches!(
        FilterKey::parse(&too_long),
        Err(FilterErrorKind::InvalidKey { .. })
    ));
}

#[test]
fn operator_table_is_complete() {
    assert_eq!(Operator::ALL.len(), 19);
    for operator in Operator::ALL {
        assert_eq!(Operator::from_name(operator.name()), Some(operator));
        assert_eq!(
            Operator::from_name(&operator.name().to_uppercase()),
            Some(operator)
        );
    }
    let negatives: Vec<_> = Operator::ALL
        .into_iter()
        .filter(|operator| operator.is_negative())
        .collect();
    assert_eq!(negatives.len(), 6);
}

#[test]
#[expect(clippy::too_many_lines, reason = "one table of cases")]
fn typed_errors_with_paths() {
    let cases = [
        (
            json!([]),
            "",
            FilterErrorKind::WrongType {
                expected: "an object",
            },
        ),
        (
            json!({"filter": []}),
            "",
            FilterErrorKind::UnknownField {
                field: "filter".to_owned(),
            },
        ),
        (
            json!({"filters": [{"operatorType": "StringLike", "key": "subject", "values": ["a"]}]}),
            "filters[0].operatorType",
            FilterErrorKind::UnknownOperator {
                operator: "StringLike".to_owned(),
            },
        ),
        (
            json!({"filters": [{"operatorType": "StringIn", "key": "subject", "values": ["a", 1]}]}),
            "filters[0].values[1]",
            FilterErrorKind::WrongValueType {
                operator: "StringIn",
                expected: "an array of strings in 'values'",
            },
        ),
        (
            json!({"filters": [{"operatorType": "NumberIn", "key": "data.a", "values": ["1"]}]}),
            "filters[0].values[0]",
            FilterErrorKind::WrongValueType {
                operator: "NumberIn",
                expected: "an array of numbers in 'values'",
            },
        ),
        (
            json!({"filters": [{"operatorType": "NumberLessThan", "key": "data.a", "value": "1"}]}),
            "filters[0].value",
            FilterErrorKind::WrongValueType {
                operator: "NumberLessThan",
                expected: "a number 'value'",
            },
        ),
        (
            json!({"filters": [{"operatorType": "BoolEquals", "key": "data.a", "value": 1}]}),
            "filters[0].value",
            FilterErrorKind::WrongValueType {
                operator: "BoolEquals",
                expected: "a boolean 'value'",
            },
        ),
        (
            json!({"filters": [{"operatorType": "NumberInRange", "key": "data.a", "values": [[1, 2, 3]]}]}),
            "filters[0].values[0]",
            FilterErrorKind::WrongValueType {
                operator: "NumberInRange",
                expected: "an array of [low, high] number pairs in 'values'",
            },
        ),
        (
            json!({"filters": [{"operatorType": "NumberInRange", "key": "data.a", "values": [1, 2]}]}),
            "filters[0].values[0]",
            FilterErrorKind::WrongValueType {
                operator: "NumberInRange",
                expected: "an array of [low, high] number pairs in 'values'",
            },
        ),
        (
            json!({"filters": [{"operatorType": "NumberNotInRange", "key": "data.a", "values": [[0, 1], [5, 4]]}]}),
            "filters[0].values[1]",
            FilterErrorKind::InvalidRange {
                low: 5.0,
                high: 4.0,
            },
        ),
        (
            json!({"filters": [{"operatorType": "StringIn", "key": "subject", "value": "a"}]}),
            "filters[0].value",
            FilterErrorKind::UnexpectedField {
                field: "value",
                operator: "StringIn",
            },
        ),
        (
            json!({"filters": [{"operatorType": "IsNotNull", "key": "subject", "values": ["a"]}]}),
            "filters[0].values",
            FilterErrorKind::UnexpectedField {
                field: "values",
                operator: "IsNotNull",
            },
        ),
        (
            json!({"filters": [{"operatorType": "StringIn", "key": "subject"}]}),
            "filters[0]",
            FilterErrorKind::MissingField { field: "values" },
        ),
        (
            json!({"filters": [{"operatorType": "StringIn", "key": "subject", "values": []}]}),
            "filters[0].values",
            FilterErrorKind::EmptyValues,
        ),
        (
            json!({"filters": [{"key": "subject"}]}),
            "filters[0]",
            FilterErrorKind::MissingField {
                field: "operatorType",
            },
        ),
        (
            json!({"filters": [{"operatorType": "IsNotNull"}]}),
            "filters[0]",
            FilterErrorKind::MissingField { field: "key" },
        ),
        (
            json!({"filters": [{"operatorType": "IsNotNull", "key": ""}]}),
            "filters[0].key",
            FilterErrorKind::EmptyKey,
        ),
        (
            json!({"filters": [{"operatorType": "IsNotNull", "key": "x", "extra": 1}]}),
            "filters[0]",
            FilterErrorKind::UnknownField {
                field: "extra".to_owned(),
            },
        ),
        (
            json!({"includedEventTypes": ["a", ""]}),
            "includedEventTypes[1]",
            FilterErrorKind::EmptyEventType,
        ),
        (
            json!({"includedEventTypes": "a"}),
            "includedEventTypes",
            FilterErrorKind::WrongType {
                expected: "an array of strings or null",
            },
        ),
    ];
    for (config, path, kind) in cases {
        assert_eq!(error(&config), (path.to_owned(), kind), "{config}");
    }
    let (path, kind) = error(&json!({"filters": [
        {"operatorType": "IsNotNull", "key": "data.a b"}]}));
    assert_eq!(path, "filters[0].key");
    assert!(matches!(kind, FilterErrorKind::InvalidKey { .. }));
    assert_eq!(kind.code(), "FilterInvalidKey");
}

fn is_not_null_filters(count: usize) -> Value {
    let filters: Vec<Value> = (0..count)
        .map(|index| json!({"operatorType": "IsNotNull", "key": format!("e{index}")}))
        .collect();
    json!({ "filters": filters })
}

#[test]
fn filter_count_limit_both_sides() {
    assert!(FiltersConfig::from_json(&is_not_null_filters(25)).is_ok());
    assert_eq!(
        error(&is_not_null_filters(26)),
        (
            "filters".to_owned(),
            FilterErrorKind::TooManyFilters { count: 26 }
        )
    );
}

#[test]
fn value_count_limit_both_sides() {
    let values = |count: usize| -> Value {
        let strings: Vec<String> = (0..count).map(|index| index.to_string()).collect();
        json!({"filters": [
            {"operatorType": "StringIn", "key": "subject", "values": strings},
            {"operatorType": "NumberGreaterThan", "key": "data.a", "value": 1},
            {"operatorType": "NumberInRange", "key": "data.b", "values": [[1, 2], [3, 4]]},
            {"operatorType": "IsNotNull", "key": "data.c"}
        ]})
    };
    // 22 strings + 1 single value + 2 ranges + 0 = 25.
    assert!(FiltersConfig::from_json(&values(22)).is_ok());
    assert_eq!(
        error(&values(23)),
        (
            "filters".to_owned(),
            FilterErrorKind::TooManyValues { count: 26 }
        )
    );
}

#[test]
fn string_length_limit_both_sides() {
    let at_limit = "é".repeat(512);
    assert!(FiltersConfig::from_json(&string_in("subject", &at_limit)).is_ok());
    let over = "é".repeat(513);
    assert_eq!(
        error(&string_in("subject", &over)),
        (
            "filters[0].values[0]".to_owned(),
            FilterErrorKind::StringTooLong { chars: 513 }
        )
    );
    assert!(FiltersConfig::from_json(&json!({"includedEventTypes": [at_limit]})).is_ok());
    assert_eq!(
        error(&json!({"includedEventTypes": ["a", over]})),
        (
            "includedEventTypes[1]".to_owned(),
            FilterErrorKind::StringTooLong { chars: 513 }
        )
    );
}

#[test]
fn included_event_types_count_limit_both_sides() {
    let types = |count: usize| {
        let names: Vec<String> = (0..count).map(|index| format!("T{index}")).collect();
        json!({ "includedEventTypes": names })
    };
    assert!(FiltersConfig::from_json(&types(100)).is_ok());
    assert_eq!(
        error(&types(101)),
        (
            "includedEventTypes".to_owned(),
            FilterErrorKind::TooManyEventTypes { count: 101 }
        )
    );
}

#[test]
fn json_round_trip_uses_azure_spelling() {
    let input = json!({
        "includedEventTypes": ["Contoso.Order.Created"],
        "filters": [
            {"operatorType": "stringbeginswith", "key": "subject", "values": ["/orders/"]},
            {"operatorType": "NumberGreaterThan", "key": "data.total", "value": 100},
            {"operatorType": "NumberInRange", "key": "data.qty", "values": [[1, 10], [100.5, 200]]},
            {"operatorType": "BoolEquals", "key": "data.isVip", "value": true},
            {"operatorType": "NumberIn", "key": "data.n", "values": [1, -2.25]},
            {"operatorType": "IsNotNull", "key": "myext"}
        ]
    });
    let parsed = FiltersConfig::from_json(&input).expect("valid");
    let output = parsed.to_json();
    let expected = json!({
        "includedEventTypes": ["Contoso.Order.Created"],
        "filters": [
            {"operatorType": "StringBeginsWith", "key": "subject", "values": ["/orders/"]},
            {"operatorType": "NumberGreaterThan", "key": "data.total", "value": 100},
            {"operatorType": "NumberInRange", "key": "data.qty", "values": [[1, 10], [100.5, 200]]},
            {"operatorType": "BoolEquals", "key": "data.isVip", "value": true},
            {"operatorType": "NumberIn", "key": "data.n", "values": [1, -2.25]},
            {"operatorType": "IsNotNull", "key": "myext"}
        ]
    });
    assert_eq!(output, expected);
    assert_eq!(FiltersConfig::from_json(&output).expect("valid"), parsed);
}
