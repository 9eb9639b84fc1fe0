//! Table-driven semantics of every advanced-filter operator: match, no match, missing key, JSON
//! null, arrays (any element for positive operators, none for negative ones), type mismatch.

use gridlog::FiltersConfig;
use gridlog::filter::Filter;
use serde_json::{Value, json};

/// Marker for "the key is absent".
const MISSING: Option<Value> = None;

fn filter(operator_json: &Value) -> Filter {
    let mut object = operator_json.clone();
    object["key"] = json!("data.k");
    let config = FiltersConfig::from_json(&json!({ "filters": [object] }))
        .unwrap_or_else(|error| panic!("{operator_json}: {error}"));
    Filter::new(&config)
}

fn event(value: Option<Value>) -> Value {
    let data = match value {
        Some(value) => json!({ "k": value }),
        None => json!({ "other": 1 }),
    };
    json!({"specversion": "1.0", "id": "1", "source": "/s", "type": "T", "data": data})
}

/// Runs `cases` (label, value of `data.k`, expected) against `operator_json`.
fn check(operator_json: &Value, cases: &[(&str, Option<Value>, bool)]) {
    let compiled = filter(operator_json);
    for (label, value, expected) in cases {
        assert_eq!(
            compiled.is_match(&event(value.clone())),
            *expected,
            "{operator_json} / {label}: {value:?}"
        );
    }
}

#[test]
fn number_in() {
    check(
        &json!({"operatorType": "NumberIn", "values": [1, 2.5]}),
        &[
            ("match", Some(json!(2.5)), true),
            ("integer equals float", Some(json!(1.0)), true),
            ("no match", Some(json!(3)), false),
            ("missing", MISSING, false),
            ("null", Some(Value::Null), false),
            ("array any", Some(json!([7, 1])), true),
            ("array none", Some(json!([7, 8])), false),
            (
                "array wrong types ignored",
                Some(json!(["1", true, 2.5])),
                true,
            ),
            ("empty array", Some(json!([])), false),
            ("wrong type", Some(json!("1")), false),
            ("object", Some(json!({"a": 1})), false),
        ],
    );
}

#[test]
fn number_not_in() {
    check(
        &json!({"operatorType": "NumberNotIn", "values": [1, 2]}),
        &[
            ("no value equal", Some(json!(3)), true),
            ("equal", Some(json!(2)), false),
            ("missing", MISSING, true),
            ("null", Some(Value::Null), true),
            ("array none equal", Some(json!([3, 4])), true),
            ("array one equal fails", Some(json!([3, 1])), false),
            ("array wrong types ignored", Some(json!(["1", 4])), true),
            ("wrong type", Some(json!("2")), true),
        ],
    );
}

#[test]
fn number_less_than() {
    check(
        &json!({"operatorType": "NumberLessThan", "value": 10}),
        &[
            ("below", Some(json!(9.99)), true),
            ("equal", Some(json!(10)), false),
            ("above", Some(json!(11)), false),
            ("negative", Some(json!(-1e300)), true),
            ("missing", MISSING, false),
            ("null", Some(Value::Null), false),
            ("array any", Some(json!([20, 5])), true),
            ("array none", Some(json!([20, 30])), false),
            ("wrong type", Some(json!("5")), false),
            ("bool", Some(json!(true)), false),
        ],
    );
}

#[test]
fn number_greater_than() {
    check(
        &json!({"operatorType": "NumberGreaterThan", "value": 10}),
        &[
            ("above", Some(json!(10.5)), true),
            ("equal", Some(json!(10)), false),
            ("below", Some(json!(3)), false),
            ("missing", MISSING, false),
            ("null", Some(Value::Null), false),
            ("array any", Some(json!([1, 11])), true),
            ("array none", Some(json!([1, 2])), false),
            ("wrong type", Some(json!("11")), false),
        ],
    );
}

#[test]
fn number_less_than_or_equals() {
    check(
        &json!({"operatorType": "NumberLessThanOrEquals", "value": 10}),
        &[
            ("equal", Some(json!(10)), true),
            ("below", Some(json!(-3)), true),
            ("above", Some(json!(10.001)), false),
            ("missing", MISSING, false),
            ("null", Some(Value::Null), false),
            ("array any", Some(json!([11, 10])), true),
            ("array none", Some(json!([11, 12])), false),
            ("wrong type", Some(json!("1")), false),
        ],
    );
}

#[test]
fn number_greater_than_or_equals() {
    check(
        &json!({"operatorType": "NumberGreaterThanOrEquals", "value": 10}),
        &[
            ("equal", Some(json!(10)), true),
            ("above", Some(json!(1e9)), true),
            ("below", Some(json!(9)), false),
            ("missing", MISSING, false),
            ("null", Some(Value::Null), false),
            ("array any", Some(json!([1, 10])), true),
            ("array none", Some(json!([1, 9])), false),
            ("wrong type", Some(json!(false)), false),
        ],
    );
}

#[test]
fn number_in_range() {
    check(
        &json!({"operatorType": "NumberInRange", "values": [[1, 10], [100, 200]]}),
        &[
            ("inside", Some(json!(5)), true),
            ("low bound inclusive", Some(json!(1)), true),
            ("high bound inclusive", Some(json!(200)), true),
            ("between ranges", Some(json!(50)), false),
            ("below", Some(json!(0.999)), false),
            ("missing", MISSING, false),
            ("null", Some(Value::Null), false),
            ("array any", Some(json!([50, 150])), true),
            ("array none", Some(json!([50, 250])), false),
            ("wrong type", Some(json!("5")), false),
        ],
    );
}

#[test]
fn number_not_in_range() {
    check(
        &json!({"operatorType": "NumberNotInRange", "values": [[1, 10]]}),
        &[
            ("outside", Some(json!(11)), true),
            ("low bound inclusive", Some(json!(1)), false),
            ("high bound inclusive", Some(json!(10)), false),
            ("missing", MISSING, true),
            ("null", Some(Value::Null), true),
            ("array none inside", Some(json!([0, 11])), true),
            ("array one inside fails", Some(json!([0, 5])), false),
            ("wrong type", Some(json!("5")), true),
        ],
    );
}

#[test]
fn bool_equals() {
    check(
        &json!({"operatorType": "BoolEquals", "value": true}),
        &[
            ("equal", Some(json!(true)), true),
            ("not equal", Some(json!(false)), false),
            ("missing", MISSING, false),
            ("null", Some(Value::Null), false),
            ("array any", Some(json!([false, true])), true),
            ("array none", Some(json!([false])), false),
            ("string is not coerced", Some(json!("true")), false),
            ("number is not coerced", Some(json!(1)), false),
        ],
    );
}

#[test]
fn string_in() {
    check(
        &json!({"operatorType": "StringIn", "values": ["Red", "blue"]}),
        &[
            ("equal", Some(json!("Red")), true),
            ("case-insensitive", Some(json!("BLUE")), true),
            ("unicode case-insensitive", Some(json!("red")), true),
            ("prefix is not equal", Some(json!("Reddish")), false),
            ("no match", Some(json!("green")), false),
            ("missing", MISSING, false),
            ("null", Some(Value::Null), false),
            ("array any", Some(json!(["green", "RED"])), true),
            ("array none", Some(json!(["green"])), false),
            ("wrong type", Some(json!(1)), false),
        ],
    );
    check(
        &json!({"operatorType": "StringIn", "values": ["ÉTÉ"]}),
        &[("unicode case-insensitive", Some(json!("été")), true)],
    );
}

#[test]
fn string_not_in() {
    check(
        &json!({"operatorType": "StringNotIn", "values": ["red", "blue"]}),
        &[
            ("no value equal", Some(json!("green")), true),
            ("equal, any case", Some(json!("Blue")), false),
            ("missing", MISSING, true),
            ("null", Some(Value::Null), true),
            ("array none equal", Some(json!(["green", "pink"])), true),
            (
                "array one equal fails",
                Some(json!(["green", "RED"])),
                false,
            ),
            ("array wrong types ignored", Some(json!([1, "green"])), true),
            ("wrong type", Some(json!(5)), true),
        ],
    );
}

#[test]
fn string_begins_with() {
    check(
        &json!({"operatorType": "StringBeginsWith", "values": ["/orders/", "/carts/"]}),
        &[
            ("prefix", Some(json!("/orders/42")), true),
            ("case-insensitive", Some(json!("/CARTS/1")), true),
            ("equal", Some(json!("/orders/")), true),
            ("no match", Some(json!("/users/1")), false),
            ("missing", MISSING, false),
            ("null", Some(Value::Null), false),
            ("array any", Some(json!(["/x", "/orders/1"])), true),
            ("array none", Some(json!(["/x"])), false),
            ("wrong type", Some(json!(42)), false),
        ],
    );
}

#[test]
fn string_ends_with() {
    check(
        &json!({"operatorType": "StringEndsWith", "values": [".jpg"]}),
        &[
            ("suffix", Some(json!("a.jpg")), true),
            ("case-insensitive", Some(json!("A.JPG")), true),
            ("no match", Some(json!("a.png")), false),
            ("missing", MISSING, false),
            ("null", Some(Value::Null), false),
            ("array any", Some(json!(["a.png", "b.jpg"])), true),
            ("array none", Some(json!(["a.png"])), false),
            ("wrong type", Some(json!(true)), false),
        ],
    );
}

#[test]
fn string_contains() {
    check(
        &json!({"operatorType": "StringContains", "values": ["error", "fail"]}),
        &[
            ("substring", Some(json!("an ERROR occurred")), true),
            ("other value", Some(json!("it failed")), true),
            ("no match", Some(json!("all good")), false),
            ("missing", MISSING, false),
            ("null", Some(Value::Null), false),
            ("array any", Some(json!(["ok", "fatal error"])), true),
            ("array none", Some(json!(["ok"])), false),
            ("wrong type", Some(json!(1)), false),
        ],
    );
}

#[test]
fn string_not_contains() {
    check(
        &json!({"operatorType": "StringNotContains", "values": ["error"]}),
        &[
            ("absent substring", Some(json!("all good")), true),
            ("contains, any case", Some(json!("ERRORS")), false),
            ("missing", MISSING, false),
            ("null", Some(Value::Null), false),
            ("array none contains", Some(json!(["ok", "fine"])), true),
            (
                "array one contains fails",
                Some(json!(["ok", "error!"])),
                false,
            ),
            ("wrong type", Some(json!(1)), true),
        ],
    );
}

#[test]
fn string_not_begins_with() {
    check(
        &json!({"operatorType": "StringNotBeginsWith", "values": ["/internal"]}),
        &[
            ("other prefix", Some(json!("/public/x")), true),
            ("prefix, any case", Some(json!("/INTERNAL/x")), false),
            ("missing", MISSING, false),
            ("null", Some(Value::Null), false),
            ("array none", Some(json!(["/a", "/b"])), true),
            ("array one fails", Some(json!(["/a", "/internal"])), false),
            ("wrong type", Some(json!(false)), true),
        ],
    );
}

#[test]
fn string_not_ends_with() {
    check(
        &json!({"operatorType": "StringNotEndsWith", "values": [".tmp"]}),
        &[
            ("other suffix", Some(json!("a.txt")), true),
            ("suffix, any case", Some(json!("A.TMP")), false),
            ("missing", MISSING, false),
            ("null", Some(Value::Null), false),
            ("array none", Some(json!(["a.txt"])), true),
            ("array one fails", Some(json!(["a.txt", "b.tmp"])), false),
            ("wrong type", Some(json!(2)), true),
        ],
    );
}

#[test]
fn is_null_or_undefined() {
    check(
        &json!({"operatorType": "IsNullOrUndefined"}),
        &[
            ("missing", MISSING, true),
            ("null", Some(Value::Null), true),
            ("string", Some(json!("x")), false),
            ("empty string", Some(json!("")), false),
            ("zero", Some(json!(0)), false),
            ("false", Some(json!(false)), false),
            ("array", Some(json!([null])), false),
            ("object", Some(json!({})), false),
        ],
    );
}

#[test]
fn is_not_null() {
    check(
        &json!({"operatorType": "IsNotNull"}),
        &[
            ("missing", MISSING, false),
            ("null", Some(Value::Null), false),
            ("string", Some(json!("x")), true),
            ("zero", Some(json!(0)), true),
            ("false", Some(json!(false)), true),
            ("array", Some(json!([])), true),
            ("object", Some(json!({"a": null})), true),
        ],
    );
}

#[test]
fn operator_names_are_case_insensitive_on_input() {
    check(
        &json!({"operatorType": "stringin", "values": ["a"]}),
        &[("match", Some(json!("A")), true)],
    );
}
