//! Event-subscription filters: `includedEventTypes` plus Azure's 19 advanced operators, parsed
//! from the ARM `filtersConfiguration` JSON ([`FiltersConfig`]) and compiled into a [`Filter`]
//! that is evaluated against the structured JSON object of an event.
//!
//! Semantics follow reference `eventgrid-api.md` §4.2; every choice where Azure's behaviour is
//! undocumented (UNVERIFIED there) is marked **(choice)**.
//!
//! (The example is internal API: it runs as the unit test `module_example`.)
//!
//! ```ignore
//! use gridlog::{Filter, FiltersConfig};
//! use serde_json::json;
//!
//! let config = FiltersConfig::from_json(&json!({
//!     "includedEventTypes": ["Contoso.Order.Created"],
//!     "filters": [{"operatorType": "NumberGreaterThan", "key": "data.total", "value": 100}]
//! }))?;
//! let filter = Filter::new(&config);
//! let event = json!({"specversion": "1.0", "id": "1", "source": "/shop",
//!                    "type": "contoso.order.created", "data": {"total": 120}});
//! assert!(filter.is_match(&event));
//! assert!(filter.needs_data());
//! # Ok::<(), gridlog::FilterError>(())
//! ```
//!
//! # Combining
//!
//! - The event passes if its `type` is in `includedEventTypes` (when given) **and** every advanced
//!   filter matches. The values of one filter are OR'ed. The same key may appear in several
//!   filters.
//! - `includedEventTypes`: exact string equality, **case-insensitive (choice)**, as the Event Grid
//!   basic tier is. `null`, absent or `[]` admits every type (`[]` is normalised to `null`).
//!
//! # Keys
//!
//! | key | reads |
//! |---|---|
//! | `id`, `source`, `type`, `subject`, `time`, `specversion`, `datacontenttype`, `dataschema` | that context attribute |
//! | any other name of 1–20 ASCII letters/digits, e.g. `myext` | the extension attribute of that name |
//! | `eventid` (alias) | `id` |
//! | `eventtype` (alias) | `type` |
//! | `eventtypeversion` (alias) | the `dataversion` extension attribute (Event Grid's name for the data's schema version) |
//! | `data` | the event's JSON `data` itself |
//! | `data.a.b` | member `b` of member `a` of JSON `data` |
//!
//! - Attribute names are matched **case-insensitively (choice)**: they are lower-cased, as
//!   event attribute names are lower-case. Aliases take precedence over an extension
//!   attribute of the same name.
//! - The `data` prefix is case-insensitive; member names after it are matched **exactly
//!   (choice)**, as JSON member names are. A `data.` path is **missing** when the event has no
//!   `data` (e.g. it carries `data_base64` instead), or a member on the path is absent, or a
//!   parent on the path is not a JSON object. There is no escape for `.` in a member name.
//! - Invalid keys are refused at configuration time: empty, longer than 256 characters, a dotted
//!   key not starting with `data.`, an empty segment, more than 16 segments, or characters other
//!   than ASCII letters/digits in an attribute name and other than Unicode letters/digits, `_`,
//!   `-`, `$`, `@` in a data member name.
//!
//! # Values and comparisons
//!
//! - Strings compare **case-insensitively** after Unicode lower-casing (`str::to_lowercase`) of
//!   both sides (not full case folding: `ß` does not equal `ss`). `StringIn` is equality;
//!   `BeginsWith`/`EndsWith`/`Contains` are prefix/suffix/substring tests.
//! - Numbers compare as `f64`. `NumberInRange` and `NumberNotInRange` bounds are inclusive:
//!   `low <= x && x <= high`.
//! - **No coercion (choice)**: the string `"5"` is not a number, `"true"` is not a boolean, and
//!   a number is not a string. A value of the wrong type is a *type mismatch*.
//!
//! # Arrays
//!
//! If the key's value is an array, each element is a candidate (a scalar is treated as a
//! one-element array). Elements of the wrong type — nested arrays and objects included — are
//! ignored. A **positive** operator matches if **any** candidate matches **any** value. A
//! **negative** operator (`NumberNotIn`, `NumberNotInRange`, `StringNotIn`, `StringNotContains`,
//! `StringNotBeginsWith`, `StringNotEndsWith`) **fails if any** candidate matches any value, and
//! matches otherwise. Always on: namespace subscriptions have no
//! `enableAdvancedFilteringOnArrays` flag (choice).
//!
//! # Operators
//!
//! "Missing" = the key is absent or its value is JSON `null` (**choice**: `null` is treated as
//! missing by every operator except the two null checks). "Mismatch" = the value (or every
//! element of an array, or an empty array) is of the wrong type.
//!
//! | operatorType | operand | matches when | missing | mismatch |
//! |---|---|---|---|---|
//! | `NumberIn` | `values: [number]` | x equals some value | no | no |
//! | `NumberNotIn` | `values: [number]` | x equals no value | **yes** | yes |
//! | `NumberLessThan` | `value: number` | x < value | no | no |
//! | `NumberGreaterThan` | `value: number` | x > value | no | no |
//! | `NumberLessThanOrEquals` | `value: number` | x <= value | no | no |
//! | `NumberGreaterThanOrEquals` | `value: number` | x >= value | no | no |
//! | `NumberInRange` | `values: [[low, high]]` | low <= x <= high for some range | no (choice) | no |
//! | `NumberNotInRange` | `values: [[low, high]]` | x is in no range | **yes** (choice) | yes |
//! | `BoolEquals` | `value: bool` | x == value | no | no |
//! | `StringIn` | `values: [string]` | x equals some value | no | no |
//! | `StringNotIn` | `values: [string]` | x equals no value | **yes** | yes |
//! | `StringBeginsWith` | `values: [string]` | x starts with some value | no | no |
//! | `StringEndsWith` | `values: [string]` | x ends with some value | no | no |
//! | `StringContains` | `values: [string]` | x contains some value | no | no |
//! | `StringNotContains` | `values: [string]` | x contains no value | no | yes |
//! | `StringNotBeginsWith` | `values: [string]` | x starts with no value | no | yes |
//! | `StringNotEndsWith` | `values: [string]` | x ends with no value | no | yes |
//! | `IsNullOrUndefined` | — | key absent or `null` | **yes** | no (a value is present) |
//! | `IsNotNull` | — | key present and not `null` | no | yes (a value is present) |
//!
//! - The missing column is Azure's documented table; the three `StringNot{Contains,BeginsWith,
//!   EndsWith}` operators really are "not matched" on a missing key, unlike `StringNotIn`.
//! - Mismatch for negative operators is "matched" **(choice)**, consistent with the array rule:
//!   ignored elements cannot make a negative operator fail. Positive operators never match on a
//!   mismatch.
//!
//! # Limits (validated at configuration time)
//!
//! - At most 25 advanced filters and 25 filter values in total per subscription. Counting: each
//!   element of `values` is one value (a `[low, high]` pair is one), a single `value` is one, the
//!   null checks count none.
//! - String values at most 512 characters (Unicode scalar values); `values` may not be empty;
//!   ranges must be `[low, high]` with `low <= high`.
//! - `includedEventTypes`: at most 100 entries (gridlog's bound), each 1–512 characters.
//! - `operatorType` is matched ASCII case-insensitively (ARM enum values are) and serialised in
//!   Azure's spelling. Unknown members in `filtersConfiguration` or a filter are errors.

mod error;
mod eval;
mod json;
mod key;
mod operator;

pub use error::{FilterError, FilterErrorKind};
pub use eval::Filter;
pub use key::{CONTEXT_ATTRIBUTES, FilterKey, KEY_ALIASES, KeyTarget};
pub use operator::{Condition, Operand, Operator};

use serde_json::Value;

use crate::limits::{
    FILTER_STRING_VALUE_CHARS_MAX, FILTER_VALUES_TOTAL_MAX, FILTERS_MAX,
    INCLUDED_EVENT_TYPE_CHARS_MAX, INCLUDED_EVENT_TYPES_MAX,
};

/// A subscription's `filtersConfiguration`, validated. The default admits every event.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FiltersConfig {
    /// `includedEventTypes`: `None` admits every type; otherwise non-empty.
    pub included_event_types: Option<Vec<String>>,
    /// The advanced filters, AND'ed.
    pub filters: Vec<AdvancedFilter>,
}

/// One advanced filter: a key and a condition on its value.
#[derive(Clone, Debug, PartialEq)]
pub struct AdvancedFilter {
    /// What the filter reads.
    pub key: FilterKey,
    /// The operator and its operand.
    pub condition: Condition,
}

impl FiltersConfig {
    /// Parses and validates the ARM `filtersConfiguration` object.
    pub fn from_json(json: &Value) -> Result<Self, FilterError> {
        json::parse(json)
    }

    /// The ARM `filtersConfiguration` object.
    pub fn to_json(&self) -> Value {
        json::to_json(self)
    }

    /// Checks the limits and operand rules, for a configuration built in code (parsing already
    /// does this).
    pub fn validate(&self) -> Result<(), FilterError> {
        if let Some(types) = &self.included_event_types {
            if types.len() > INCLUDED_EVENT_TYPES_MAX {
                return Err(FilterError::new(
                    "includedEventTypes",
                    FilterErrorKind::TooManyEventTypes { count: types.len() },
                ));
            }
            for (index, name) in types.iter().enumerate() {
                let path = || format!("includedEventTypes[{index}]");
                if name.is_empty() {
                    return Err(FilterError::new(path(), FilterErrorKind::EmptyEventType));
                }
                let chars = name.chars().count();
                if chars > INCLUDED_EVENT_TYPE_CHARS_MAX {
                    return Err(FilterError::new(
                        path(),
                        FilterErrorKind::StringTooLong { chars },
                    ));
                }
            }
        }
        if self.filters.len() > FILTERS_MAX {
            return Err(FilterError::new(
                "filters",
                FilterErrorKind::TooManyFilters {
                    count: self.filters.len(),
                },
            ));
        }
        let values: usize = self
            .filters
            .iter()
            .map(|filter| filter.condition.value_count())
            .sum();
        if values > FILTER_VALUES_TOTAL_MAX {
            return Err(FilterError::new(
                "filters",
                FilterErrorKind::TooManyValues { count: values },
            ));
        }
        for (index, filter) in self.filters.iter().enumerate() {
            filter.validate(&format!("filters[{index}]"))?;
        }
        Ok(())
    }
}

impl AdvancedFilter {
    fn validate(&self, path: &str) -> Result<(), FilterError> {
        let (values_empty, field) = match &self.condition {
            Condition::NumberIn(values) | Condition::NumberNotIn(values) => {
                (values.is_empty(), "values")
            }
            Condition::NumberInRange(ranges) | Condition::NumberNotInRange(ranges) => {
                for (index, &[low, high]) in ranges.iter().enumerate() {
                    if low.is_nan() || high.is_nan() || low > high {
                        return Err(FilterError::new(
                            format!("{path}.values[{index}]"),
                            FilterErrorKind::InvalidRange { low, high },
                        ));
                    }
                }
                (ranges.is_empty(), "values")
            }
            condition => match condition.strings() {
                Some(strings) => {
                    for (index, value) in strings.iter().enumerate() {
                        let chars = value.chars().count();
                        if chars > FILTER_STRING_VALUE_CHARS_MAX {
                            return Err(FilterError::new(
                                format!("{path}.values[{index}]"),
                                FilterErrorKind::StringTooLong { chars },
                            ));
                        }
                    }
                    (strings.is_empty(), "values")
                }
                None => (false, "value"),
            },
        };
        if values_empty {
            return Err(FilterError::new(
                format!("{path}.{field}"),
                FilterErrorKind::EmptyValues,
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod module_example {
    use serde_json::json;

    use super::{Filter, FiltersConfig};

    /// The module docs' example.
    #[test]
    fn module_example() -> Result<(), super::FilterError> {
        let config = FiltersConfig::from_json(&json!({
            "includedEventTypes": ["Contoso.Order.Created"],
            "filters": [{"operatorType": "NumberGreaterThan", "key": "data.total", "value": 100}]
        }))?;
        let filter = Filter::new(&config);
        let event = json!({"specversion": "1.0", "id": "1", "source": "/shop",
                           "type": "contoso.order.created", "data": {"total": 120}});
        assert!(filter.is_match(&event));
        assert!(filter.needs_data());
        Ok(())
    }
}
