//! Properties of filter evaluation: positive and negative operators are complements on every
//! present, non-null value; the ordering operators split the number line; case never matters.
//!
//! Case count: `PROPTEST_CASES` (proptest's default, 256). A failure is persisted to
//! `engine/tests/filter_props.proptest-regressions`, replayed first on the next run; commit it with the
//! fix.

use gridlog::FiltersConfig;
use gridlog::filter::Filter;
use proptest::prelude::*;
use serde_json::{Value, json};

fn compile(filter: &Value) -> Filter {
    let mut filter = filter.clone();
    filter["key"] = json!("data.k");
    Filter::new(
        &FiltersConfig::from_json(&json!({ "filters": [filter] }))
            .unwrap_or_else(|error| panic!("{error}")),
    )
}

fn event(value: &Value) -> Value {
    json!({"specversion": "1.0", "id": "1", "source": "/s", "type": "T", "data": {"k": value}})
}

fn missing_event() -> Value {
    json!({"specversion": "1.0", "id": "1", "source": "/s", "type": "T", "data": {}})
}

/// Short strings over a small alphabet with both cases, so equality, prefixes and substrings
/// happen often.
fn word() -> impl Strategy<Value = String> {
    "[abAB]{0,4}"
}

fn number() -> impl Strategy<Value = f64> {
    prop_oneof![(-5_i32..5).prop_map(f64::from), -1e6_f64..1e6_f64]
}

/// A present, non-null value: a scalar of any type, or an array of scalars of mixed types.
fn present_value() -> impl Strategy<Value = Value> {
    let scalar = prop_oneof![
        word().prop_map(Value::from),
        number().prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
    ];
    prop_oneof![
        scalar.clone(),
        proptest::collection::vec(scalar, 0..4).prop_map(Value::from),
        Just(json!({"nested": 1})),
    ]
}

const STRING_PAIRS: [(&str, &str); 4] = [
    ("StringIn", "StringNotIn"),
    ("StringContains", "StringNotContains"),
    ("StringBeginsWith", "StringNotBeginsWith"),
    ("StringEndsWith", "StringNotEndsWith"),
];

proptest! {
    #[test]
    fn string_operators_complement_on_present_values(
        values in proptest::collection::vec(word(), 1..4),
        value in present_value(),
    ) {
        for (positive, negative) in STRING_PAIRS {
            let positive = compile(&json!({"operatorType": positive, "values": values}));
            let negative = compile(&json!({"operatorType": negative, "values": values}));
            prop_assert_eq!(
                positive.is_match(&event(&value)),
                !negative.is_match(&event(&value))
            );
        }
    }

    #[test]
    fn number_sets_and_ranges_complement_on_present_values(
        numbers in proptest::collection::vec(number(), 1..4),
        bounds in proptest::collection::vec((number(), number()), 1..3),
        value in present_value(),
    ) {
        let ranges: Vec<[f64; 2]> = bounds
            .into_iter()
            .map(|(a, b)| [a.min(b), a.max(b)])
            .collect();
        for (positive, negative) in [
            (json!({"operatorType": "NumberIn", "values": numbers}),
             json!({"operatorType": "NumberNotIn", "values": numbers})),
            (json!({"operatorType": "NumberInRange", "values": ranges}),
             json!({"operatorType": "NumberNotInRange", "values": ranges})),
        ] {
            prop_assert_eq!(
                compile(&positive).is_match(&event(&value)),
                !compile(&negative).is_match(&event(&value))
            );
        }
    }

    #[test]
    fn ordering_operators_split_present_numbers(bound in number(), x in number()) {
        let test = |operator: &str| {
            compile(&json!({"operatorType": operator, "value": bound})).is_match(&event(&json!(x)))
        };
        prop_assert_eq!(test("NumberLessThan"), !test("NumberGreaterThanOrEquals"));
        prop_assert_eq!(test("NumberGreaterThan"), !test("NumberLessThanOrEquals"));
        prop_assert_eq!(test("NumberLessThan"), x < bound);
        prop_assert_eq!(test("NumberGreaterThanOrEquals"), x >= bound);
    }

    #[test]
    fn ranges_are_inclusive(a in number(), b in number()) {
        let (low, high) = (a.min(b), a.max(b));
        let filter = compile(&json!({"operatorType": "NumberInRange", "values": [[low, high]]}));
        prop_assert!(filter.is_match(&event(&json!(low))));
        prop_assert!(filter.is_match(&event(&json!(high))));
        prop_assert!(filter.is_match(&event(&json!(f64::midpoint(low, high)))));
    }

    #[test]
    fn null_checks_are_complements(value in prop_oneof![present_value(), Just(Value::Null)]) {
        let is_null = compile(&json!({"operatorType": "IsNullOrUndefined"}));
        let not_null = compile(&json!({"operatorType": "IsNotNull"}));
        prop_assert_eq!(is_null.is_match(&event(&value)), !not_null.is_match(&event(&value)));
        prop_assert_eq!(is_null.is_match(&event(&value)), value.is_null());
    }

    #[test]
    fn string_case_never_matters(values in proptest::collection::vec(word(), 1..4), x in word()) {
        for (positive, negative) in STRING_PAIRS {
            for operator in [positive, negative] {
                let filter = compile(&json!({"operatorType": operator, "values": values}));
                prop_assert_eq!(
                    filter.is_match(&event(&json!(x.to_uppercase()))),
                    filter.is_match(&event(&json!(x.to_lowercase())))
                );
            }
        }
    }

    #[test]
    fn string_in_matches_its_own_values(values in proptest::collection::vec(word(), 1..4)) {
        let filter = compile(&json!({"operatorType": "StringIn", "values": values}));
        for value in &values {
            prop_assert!(filter.is_match(&event(&json!(value.to_uppercase()))));
        }
    }
}

#[test]
fn missing_key_follows_the_documented_table() {
    let cases = [
        (json!({"operatorType": "NumberIn", "values": [1]}), false),
        (json!({"operatorType": "NumberNotIn", "values": [1]}), true),
        (json!({"operatorType": "NumberLessThan", "value": 1}), false),
        (
            json!({"operatorType": "NumberGreaterThan", "value": 1}),
            false,
        ),
        (
            json!({"operatorType": "NumberLessThanOrEquals", "value": 1}),
            false,
        ),
        (
            json!({"operatorType": "NumberGreaterThanOrEquals", "value": 1}),
            false,
        ),
        (
            json!({"operatorType": "NumberInRange", "values": [[1, 2]]}),
            false,
        ),
        (
            json!({"operatorType": "NumberNotInRange", "values": [[1, 2]]}),
            true,
        ),
        (json!({"operatorType": "BoolEquals", "value": false}), false),
        (json!({"operatorType": "StringIn", "values": ["a"]}), false),
        (
            json!({"operatorType": "StringNotIn", "values": ["a"]}),
            true,
        ),
        (
            json!({"operatorType": "StringBeginsWith", "values": ["a"]}),
            false,
        ),
        (
            json!({"operatorType": "StringEndsWith", "values": ["a"]}),
            false,
        ),
        (
            json!({"operatorType": "StringContains", "values": ["a"]}),
            false,
        ),
        (
            json!({"operatorType": "StringNotContains", "values": ["a"]}),
            false,
        ),
        (
            json!({"operatorType": "StringNotBeginsWith", "values": ["a"]}),
            false,
        ),
        (
            json!({"operatorType": "StringNotEndsWith", "values": ["a"]}),
            false,
        ),
        (json!({"operatorType": "IsNullOrUndefined"}), true),
        (json!({"operatorType": "IsNotNull"}), false),
    ];
    assert_eq!(cases.len(), 19);
    for (filter, expected) in cases {
        let compiled = compile(&filter);
        assert_eq!(
            compiled.is_match(&missing_event()),
            expected,
            "{filter} missing"
        );
        assert_eq!(
            compiled.is_match(&event(&Value::Null)),
            expected,
            "{filter} null"
        );
    }
}
