//! The compiled [`Filter`] and its evaluation against an event's structured JSON object.

use std::borrow::Cow;

use serde_json::Value;

use super::key::FilterKey;
use super::operator::{Condition, Operator};
use super::{AdvancedFilter, FiltersConfig};

/// A subscription's filters, ready to evaluate: string operands and included event types
/// lower-cased once, so evaluation folds only the event's side.
#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    /// Lower-cased included event types; `None` admits every type.
    included_event_types: Option<Vec<String>>,
    conditions: Vec<Compiled>,
    needs_data: bool,
}

#[derive(Clone, Debug, PartialEq)]
struct Compiled {
    key: FilterKey,
    test: Test,
}

/// An operator's test, with the negation factored out: a negative operator is the positive test
/// `matches` with `negated` set.
#[derive(Clone, Debug, PartialEq)]
struct Test {
    operator: Operator,
    negated: bool,
    matches: Positive,
}

#[derive(Clone, Debug, PartialEq)]
enum Positive {
    NumberIn(Vec<f64>),
    LessThan(f64),
    GreaterThan(f64),
    LessThanOrEquals(f64),
    GreaterThanOrEquals(f64),
    InRange(Vec<[f64; 2]>),
    BoolEquals(bool),
    StringIn(Vec<String>),
    BeginsWith(Vec<String>),
    EndsWith(Vec<String>),
    Contains(Vec<String>),
    /// `IsNullOrUndefined` / `IsNotNull`: decided before any value is looked at.
    Null,
}

impl Filter {
    /// A filter that admits every event.
    pub fn match_all() -> Self {
        Self {
            included_event_types: None,
            conditions: Vec::new(),
            needs_data: false,
        }
    }

    /// Compiles a validated configuration.
    pub fn new(config: &FiltersConfig) -> Self {
        let conditions: Vec<Compiled> = config.filters.iter().map(compile).collect();
        let needs_data = conditions.iter().any(|compiled| compiled.key.needs_data());
        Self {
            included_event_types: config
                .included_event_types
                .as_ref()
                .map(|types| types.iter().map(|name| fold(name).into_owned()).collect()),
            conditions,
            needs_data,
        }
    }

    /// Whether every event matches (no included event types, no advanced filters): the engine
    /// can skip evaluation altogether.
    pub fn is_match_all(&self) -> bool {
        self.included_event_types.is_none() && self.conditions.is_empty()
    }

    /// Whether some filter reads `data` or an extension attribute. When `false`, the filter reads
    /// only `type` and the [context attributes](super::CONTEXT_ATTRIBUTES), so the engine may
    /// evaluate it against an object holding just those, without parsing the event's JSON.
    pub fn needs_data(&self) -> bool {
        self.needs_data
    }

    /// Whether the event whose structured JSON is `json` passes, parsing only what the filter
    /// reads: nothing for a match-all filter, the context attributes unless
    /// [`needs_data`](Self::needs_data), else the whole event. An error: `json` is not a JSON
    /// object.
    pub fn passes_json(&self, json: &[u8]) -> Result<bool, serde_json::Error> {
        if self.is_match_all() {
            return Ok(true);
        }
        if self.needs_data {
            return Ok(self.is_match(&serde_json::from_slice(json)?));
        }
        let members: std::collections::HashMap<String, &serde_json::value::RawValue> =
            serde_json::from_slice(json)?;
        let mut object = serde_json::Map::new();
        for name in super::CONTEXT_ATTRIBUTES {
            if let Some(raw) = members.get(name) {
                object.insert(name.to_owned(), serde_json::from_str(raw.get())?);
            }
        }
        Ok(self.is_match(&Value::Object(object)))
    }

    /// Whether `event`, a structured-mode event JSON object, passes: its `type` is one of
    /// the included event types (if any are given) and every advanced filter matches.
    pub fn is_match(&self, event: &Value) -> bool {
        if let Some(types) = &self.included_event_types {
            let Some(event_type) = event.get("type").and_then(Value::as_str) else {
                return false;
            };
            let event_type = fold(event_type);
            if !types.iter().any(|included| *included == *event_type) {
                return false;
            }
        }
        self.conditions
            .iter()
            .all(|compiled| compiled.test.evaluate(compiled.key.lookup(event)))
    }
}

impl Default for Filter {
    fn default() -> Self {
        Self::match_all()
    }
}

fn compile(filter: &AdvancedFilter) -> Compiled {
    let operator = filter.condition.operator();
    let strings = |strings: &[String]| strings.iter().map(|s| fold(s).into_owned()).collect();
    let matches = match &filter.condition {
        Condition::NumberIn(numbers) | Condition::NumberNotIn(numbers) => {
            Positive::NumberIn(numbers.clone())
        }
        Condition::NumberLessThan(bound) => Positive::LessThan(*bound),
        Condition::NumberGreaterThan(bound) => Positive::GreaterThan(*bound),
        Condition::NumberLessThanOrEquals(bound) => Positive::LessThanOrEquals(*bound),
        Condition::NumberGreaterThanOrEquals(bound) => Positive::GreaterThanOrEquals(*bound),
        Condition::NumberInRange(ranges) | Condition::NumberNotInRange(ranges) => {
            Positive::InRange(ranges.clone())
        }
        Condition::BoolEquals(value) => Positive::BoolEquals(*value),
        Condition::StringIn(values) | Condition::StringNotIn(values) => {
            Positive::StringIn(strings(values))
        }
        Condition::StringBeginsWith(values) | Condition::StringNotBeginsWith(values) => {
            Positive::BeginsWith(strings(values))
        }
        Condition::StringEndsWith(values) | Condition::StringNotEndsWith(values) => {
            Positive::EndsWith(strings(values))
        }
        Condition::StringContains(values) | Condition::StringNotContains(values) => {
            Positive::Contains(strings(values))
        }
        Condition::IsNullOrUndefined | Condition::IsNotNull => Positive::Null,
    };
    Compiled {
        key: filter.key.clone(),
        test: Test {
            operator,
            negated: operator.is_negative(),
            matches,
        },
    }
}

impl Test {
    fn evaluate(&self, value: Option<&Value>) -> bool {
        let value = match value {
            None | Some(Value::Null) => return self.operator.matches_missing(),
            Some(value) => value,
        };
        if self.matches == Positive::Null {
            // Present and not null.
            return self.operator == Operator::IsNotNull;
        }
        // Arrays: every element is a candidate; a scalar is a one-element array. Elements of
        // the wrong type (nested arrays and objects included) are skipped, so they neither match
        // a positive operator nor fail a negative one.
        let any_element_matches = match value {
            Value::Array(elements) => elements.iter().any(|element| self.matches.scalar(element)),
            scalar => self.matches.scalar(scalar),
        };
        any_element_matches != self.negated
    }
}

impl Positive {
    /// Whether one scalar matches any of the values; `false` if it is of the wrong type.
    fn scalar(&self, value: &Value) -> bool {
        match self {
            Self::BoolEquals(expected) => value.as_bool() == Some(*expected),
            Self::StringIn(values) => string(value, |s| values.iter().any(|v| *v == s)),
            Self::BeginsWith(values) => string(value, |s| values.iter().any(|v| s.starts_with(v))),
            Self::EndsWith(values) => string(value, |s| values.iter().any(|v| s.ends_with(v))),
            Self::Contains(values) => {
                string(value, |s| values.iter().any(|v| s.contains(v.as_str())))
            }
            Self::Null => false,
            numeric => value.as_f64().is_some_and(|number| numeric.number(number)),
        }
    }

    fn number(&self, number: f64) -> bool {
        match self {
            Self::NumberIn(values) => values.contains(&number),
            Self::LessThan(bound) => number < *bound,
            Self::GreaterThan(bound) => number > *bound,
            Self::LessThanOrEquals(bound) => number <= *bound,
            Self::GreaterThanOrEquals(bound) => number >= *bound,
            Self::InRange(ranges) => ranges
                .iter()
                .any(|[low, high]| *low <= number && number <= *high),
            _ => false,
        }
    }
}

fn string(value: &Value, test: impl FnOnce(&str) -> bool) -> bool {
    value.as_str().is_some_and(|text| test(&fold(text)))
}

/// Case folding for comparisons: Unicode lower-casing (`str::to_lowercase`), borrowed when the
/// text is ASCII with no upper-case letter.
pub(super) fn fold(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        if text.bytes().any(|byte| byte.is_ascii_uppercase()) {
            Cow::Owned(text.to_ascii_lowercase())
        } else {
            Cow::Borrowed(text)
        }
    } else {
        Cow::Owned(text.to_lowercase())
    }
}
