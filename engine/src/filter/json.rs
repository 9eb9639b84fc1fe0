//! The ARM JSON shape of `filtersConfiguration`, both ways: parsing into [`FiltersConfig`] with
//! typed, located errors, and serialising back.
//!
//! Every object is closed: unknown members are errors (`includedEventTypes` and `filters` in
//! `filtersConfiguration`; `operatorType`, `key`, `value` and `values` in a filter).

use serde_json::{Map, Number, Value, json};

use super::error::{FilterError, FilterErrorKind};
use super::key::FilterKey;
use super::operator::{Condition, Operand, Operator};
use super::{AdvancedFilter, FiltersConfig};

/// Characters of an unknown `operatorType` repeated in the error.
const ECHO_CHARS_MAX: usize = 64;

pub(super) fn parse(json: &Value) -> Result<FiltersConfig, FilterError> {
    let object = json.as_object().ok_or_else(|| {
        FilterError::new(
            "",
            FilterErrorKind::WrongType {
                expected: "an object",
            },
        )
    })?;
    reject_unknown(object, &["includedEventTypes", "filters"], "")?;
    let included_event_types = match object.get("includedEventTypes") {
        None | Some(Value::Null) => None,
        Some(Value::Array(types)) => {
            let types = types
                .iter()
                .enumerate()
                .map(|(index, value)| {
                    value.as_str().map(str::to_owned).ok_or_else(|| {
                        FilterError::new(
                            format!("includedEventTypes[{index}]"),
                            FilterErrorKind::WrongType {
                                expected: "a string",
                            },
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            // `[]` means the same as `null`: every type. Normalised so there is one spelling.
            (!types.is_empty()).then_some(types)
        }
        Some(_) => {
            return Err(FilterError::new(
                "includedEventTypes",
                FilterErrorKind::WrongType {
                    expected: "an array of strings or null",
                },
            ));
        }
    };
    let filters = match object.get("filters") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(filters)) => filters
            .iter()
            .enumerate()
            .map(|(index, filter)| parse_filter(filter, &format!("filters[{index}]")))
            .collect::<Result<Vec<_>, _>>()?,
        Some(_) => {
            return Err(FilterError::new(
                "filters",
                FilterErrorKind::WrongType {
                    expected: "an array of filters",
                },
            ));
        }
    };
    let config = FiltersConfig {
        included_event_types,
        filters,
    };
    config.validate()?;
    Ok(config)
}

fn parse_filter(json: &Value, path: &str) -> Result<AdvancedFilter, FilterError> {
    let object = json.as_object().ok_or_else(|| {
        FilterError::new(
            path,
            FilterErrorKind::WrongType {
                expected: "a filter object",
            },
        )
    })?;
    reject_unknown(object, &["operatorType", "key", "value", "values"], path)?;
    let operator_name = required_str(object, "operatorType", path)?;
    let operator = Operator::from_name(operator_name).ok_or_else(|| {
        FilterError::new(
            format!("{path}.operatorType"),
            FilterErrorKind::UnknownOperator {
                operator: operator_name.chars().take(ECHO_CHARS_MAX).collect(),
            },
        )
    })?;
    let key = FilterKey::parse(required_str(object, "key", path)?)
        .map_err(|kind| FilterError::new(format!("{path}.key"), kind))?;
    let condition = parse_condition(operator, object, path)?;
    Ok(AdvancedFilter { key, condition })
}

fn parse_condition(
    operator: Operator,
    object: &Map<String, Value>,
    path: &str,
) -> Result<Condition, FilterError> {
    let (takes, refused): (&'static str, &[&'static str]) = match operator.operand() {
        Operand::Numbers | Operand::Ranges | Operand::Strings => ("values", &["value"]),
        Operand::Number | Operand::Bool => ("value", &["values"]),
        Operand::None => ("", &["value", "values"]),
    };
    for &field in refused {
        if object.get(field).is_some_and(|value| !value.is_null()) {
            return Err(FilterError::new(
                format!("{path}.{field}"),
                FilterErrorKind::UnexpectedField {
                    field,
                    operator: operator.name(),
                },
            ));
        }
    }
    if takes.is_empty() {
        return Ok(match operator {
            Operator::IsNotNull => Condition::IsNotNull,
            _ => Condition::IsNullOrUndefined,
        });
    }
    let operand = match object.get(takes) {
        None | Some(Value::Null) => {
            return Err(FilterError::new(
                path,
                FilterErrorKind::MissingField { field: takes },
            ));
        }
        Some(value) => value,
    };
    let reader = OperandReader {
        operator,
        operand,
        path: format!("{path}.{takes}"),
    };
    Ok(match operator.operand() {
        Operand::Number => {
            let number = reader.number()?;
            match operator {
                Operator::NumberLessThan => Condition::NumberLessThan(number),
                Operator::NumberGreaterThan => Condition::NumberGreaterThan(number),
                Operator::NumberLessThanOrEquals => Condition::NumberLessThanOrEquals(number),
                _ => Condition::NumberGreaterThanOrEquals(number),
            }
        }
        Operand::Bool => Condition::BoolEquals(reader.bool()?),
        Operand::Numbers if operator == Operator::NumberIn => {
            Condition::NumberIn(reader.numbers()?)
        }
        Operand::Numbers => Condition::NumberNotIn(reader.numbers()?),
        Operand::Ranges if operator == Operator::NumberInRange => {
            Condition::NumberInRange(reader.ranges()?)
        }
        Operand::Ranges => Condition::NumberNotInRange(reader.ranges()?),
        Operand::Strings => string_condition(operator, reader.strings()?),
        Operand::None => unreachable_operand(operator),
    })
}

/// Reads one filter's operand (`value` or `values`), with errors located at `path`.
struct OperandReader<'j> {
    operator: Operator,
    operand: &'j Value,
    path: String,
}

impl<'j> OperandReader<'j> {
    fn wrong(&self, path: String, expected: &'static str) -> FilterError {
        FilterError::new(
            path,
            FilterErrorKind::WrongValueType {
                operator: self.operator.name(),
                expected,
            },
        )
    }

    fn number(&self) -> Result<f64, FilterError> {
        self.operand
            .as_f64()
            .ok_or_else(|| self.wrong(self.path.clone(), "a number 'value'"))
    }

    fn bool(&self) -> Result<bool, FilterError> {
        self.operand
            .as_bool()
            .ok_or_else(|| self.wrong(self.path.clone(), "a boolean 'value'"))
    }

    /// The non-empty `values` array, each element converted by `item` (errors at `values[i]`).
    fn list<T>(
        &self,
        expected: &'static str,
        item: impl Fn(&'j Value, String) -> Result<T, FilterError>,
    ) -> Result<Vec<T>, FilterError> {
        let items = self
            .operand
            .as_array()
            .ok_or_else(|| self.wrong(self.path.clone(), expected))?;
        if items.is_empty() {
            return Err(FilterError::new(
                self.path.clone(),
                FilterErrorKind::EmptyValues,
            ));
        }
        items
            .iter()
            .enumerate()
            .map(|(index, value)| item(value, format!("{}[{index}]", self.path)))
            .collect()
    }

    fn numbers(&self) -> Result<Vec<f64>, FilterError> {
        const EXPECTED: &str = "an array of numbers in 'values'";
        self.list(EXPECTED, |value, at| {
            value.as_f64().ok_or_else(|| self.wrong(at, EXPECTED))
        })
    }

    fn strings(&self) -> Result<Vec<String>, FilterError> {
        const EXPECTED: &str = "an array of strings in 'values'";
        self.list(EXPECTED, |value, at| {
            value
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| self.wrong(at, EXPECTED))
        })
    }

    fn ranges(&self) -> Result<Vec<[f64; 2]>, FilterError> {
        const EXPECTED: &str = "an array of [low, high] number pairs in 'values'";
        self.list(EXPECTED, |value, at| {
            let bounds = match value.as_array().map(Vec::as_slice) {
                Some([low, high]) => (low.as_f64(), high.as_f64()),
                _ => (None, None),
            };
            let (Some(low), Some(high)) = bounds else {
                return Err(self.wrong(at, EXPECTED));
            };
            if low > high {
                return Err(FilterError::new(
                    at,
                    FilterErrorKind::InvalidRange { low, high },
                ));
            }
            Ok([low, high])
        })
    }
}

/// Handled before the operand is read; kept total rather than panicking.
fn unreachable_operand(operator: Operator) -> Condition {
    debug_assert!(false, "{operator} takes no operand");
    Condition::IsNullOrUndefined
}

fn string_condition(operator: Operator, strings: Vec<String>) -> Condition {
    match operator {
        Operator::StringIn => Condition::StringIn(strings),
        Operator::StringNotIn => Condition::StringNotIn(strings),
        Operator::StringBeginsWith => Condition::StringBeginsWith(strings),
        Operator::StringEndsWith => Condition::StringEndsWith(strings),
        Operator::StringContains => Condition::StringContains(strings),
        Operator::StringNotContains => Condition::StringNotContains(strings),
        Operator::StringNotBeginsWith => Condition::StringNotBeginsWith(strings),
        _ => Condition::StringNotEndsWith(strings),
    }
}

fn required_str<'j>(
    object: &'j Map<String, Value>,
    field: &'static str,
    path: &str,
) -> Result<&'j str, FilterError> {
    match object.get(field) {
        None | Some(Value::Null) => Err(FilterError::new(
            path,
            FilterErrorKind::MissingField { field },
        )),
        Some(Value::String(text)) => Ok(text),
        Some(_) => Err(FilterError::new(
            format!("{path}.{field}"),
            FilterErrorKind::WrongType {
                expected: "a string",
            },
        )),
    }
}

fn reject_unknown(
    object: &Map<String, Value>,
    known: &[&str],
    path: &str,
) -> Result<(), FilterError> {
    match object.keys().find(|field| !known.contains(&field.as_str())) {
        None => Ok(()),
        Some(field) => Err(FilterError::new(
            path,
            FilterErrorKind::UnknownField {
                field: field.chars().take(ECHO_CHARS_MAX).collect(),
            },
        )),
    }
}

pub(super) fn to_json(config: &FiltersConfig) -> Value {
    let filters: Vec<Value> = config.filters.iter().map(filter_to_json).collect();
    json!({
        "includedEventTypes": config.included_event_types,
        "filters": filters,
    })
}

fn filter_to_json(filter: &AdvancedFilter) -> Value {
    let mut object = Map::new();
    object.insert(
        "operatorType".to_owned(),
        Value::from(filter.condition.operator().name()),
    );
    object.insert("key".to_owned(), Value::from(filter.key.as_str()));
    let numbers = |numbers: &[f64]| Value::Array(numbers.iter().copied().map(number).collect());
    let ranges = |ranges: &[[f64; 2]]| {
        Value::Array(
            ranges
                .iter()
                .map(|range| Value::Array(range.iter().copied().map(number).collect()))
                .collect(),
        )
    };
    let (field, operand) = match &filter.condition {
        Condition::NumberIn(values) | Condition::NumberNotIn(values) => ("values", numbers(values)),
        Condition::NumberLessThan(value)
        | Condition::NumberGreaterThan(value)
        | Condition::NumberLessThanOrEquals(value)
        | Condition::NumberGreaterThanOrEquals(value) => ("value", number(*value)),
        Condition::NumberInRange(values) | Condition::NumberNotInRange(values) => {
            ("values", ranges(values))
        }
        Condition::BoolEquals(value) => ("value", Value::Bool(*value)),
        Condition::IsNullOrUndefined | Condition::IsNotNull => return Value::Object(object),
        strings => ("values", json!(strings.strings().unwrap_or_default())),
    };
    object.insert(field.to_owned(), operand);
    Value::Object(object)
}

/// A number as JSON: integral values within ±2^53 as integers (so `10` round-trips as `10`, not
/// `10.0`), others as floats.
fn number(value: f64) -> Value {
    const EXACT_INTEGER_MAX: f64 = 9_007_199_254_740_992.0;
    if value.fract() == 0.0 && value.abs() <= EXACT_INTEGER_MAX {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "integral and within ±2^53, so exactly representable"
        )]
        return Value::from(value as i64);
    }
    Number::from_f64(value).map_or(Value::Null, Value::Number)
}
