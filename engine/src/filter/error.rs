//! Why a `filtersConfiguration` is invalid: [`FilterError`] (a field path plus a typed
//! [`FilterErrorKind`]).

use crate::path_error::{ErrorCode, PathError};
use crate::limits::{
    FILTER_STRING_VALUE_CHARS_MAX, FILTER_VALUES_TOTAL_MAX, FILTERS_MAX, INCLUDED_EVENT_TYPES_MAX,
};

/// An invalid `filtersConfiguration`: where (a path relative to the `filtersConfiguration` object,
/// e.g. `filters[2].values[0]`; empty for the object itself) and what.
pub type FilterError = PathError<FilterErrorKind>;

/// What is wrong with a filter configuration.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FilterErrorKind {
    /// A JSON value of the wrong shape where an object, array or string was expected.
    #[error("expected {expected}")]
    WrongType {
        /// What was expected.
        expected: &'static str,
    },
    /// A member this object does not have.
    #[error("unknown field '{field}'")]
    UnknownField {
        /// The member's name.
        field: String,
    },
    /// A required member is absent.
    #[error("missing field '{field}'")]
    MissingField {
        /// The member's name.
        field: &'static str,
    },
    /// `value` given where the operator takes `values`, or the reverse, or an operand given to
    /// `IsNullOrUndefined`/`IsNotNull`.
    #[error("'{field}' is not allowed for operator {operator}")]
    UnexpectedField {
        /// The member's name.
        field: &'static str,
        /// The operator.
        operator: &'static str,
    },
    /// `operatorType` is not one of the 19 operators.
    #[error("unknown operatorType '{operator}'")]
    UnknownOperator {
        /// The operator as given (truncated to 64 characters).
        operator: String,
    },
    /// An operand of the wrong type for the operator.
    #[error("operator {operator} takes {expected}")]
    WrongValueType {
        /// The operator.
        operator: &'static str,
        /// What it takes.
        expected: &'static str,
    },
    /// `values` is an empty array.
    #[error("'values' must hold at least one value")]
    EmptyValues,
    /// A range whose low bound is above its high bound.
    #[error("range must be [low, high] with low <= high, got [{low}, {high}]")]
    InvalidRange {
        /// The low bound given.
        low: f64,
        /// The high bound given.
        high: f64,
    },
    /// More than [`FILTERS_MAX`] advanced filters.
    #[error("at most {FILTERS_MAX} filters are allowed, got {count}")]
    TooManyFilters {
        /// Filters given.
        count: usize,
    },
    /// More than [`FILTER_VALUES_TOTAL_MAX`] values across all filters.
    #[error("at most {FILTER_VALUES_TOTAL_MAX} filter values in total are allowed, got {count}")]
    TooManyValues {
        /// Values counted.
        count: usize,
    },
    /// A string value (or an included event type) longer than
    /// [`FILTER_STRING_VALUE_CHARS_MAX`] characters.
    #[error("strings are at most {FILTER_STRING_VALUE_CHARS_MAX} characters, got {chars}")]
    StringTooLong {
        /// Characters (Unicode scalar values) given.
        chars: usize,
    },
    /// An empty `key`.
    #[error("key must not be empty")]
    EmptyKey,
    /// A key that is not an attribute name or a `data.` path.
    #[error("invalid key '{key}': {reason}")]
    InvalidKey {
        /// The key as given (truncated).
        key: String,
        /// Why.
        reason: &'static str,
    },
    /// More than [`INCLUDED_EVENT_TYPES_MAX`] entries in `includedEventTypes`.
    #[error("at most {INCLUDED_EVENT_TYPES_MAX} included event types are allowed, got {count}")]
    TooManyEventTypes {
        /// Entries given.
        count: usize,
    },
    /// An empty string in `includedEventTypes`.
    #[error("event type must not be empty")]
    EmptyEventType,
}

impl ErrorCode for FilterErrorKind {
    fn code(&self) -> &'static str {
        match self {
            Self::WrongType { .. } => "FilterWrongType",
            Self::UnknownField { .. } => "FilterUnknownField",
            Self::MissingField { .. } => "FilterMissingField",
            Self::UnexpectedField { .. } => "FilterUnexpectedField",
            Self::UnknownOperator { .. } => "FilterUnknownOperator",
            Self::WrongValueType { .. } => "FilterWrongValueType",
            Self::EmptyValues => "FilterEmptyValues",
            Self::InvalidRange { .. } => "FilterInvalidRange",
            Self::TooManyFilters { .. } => "FilterTooManyFilters",
            Self::TooManyValues { .. } => "FilterTooManyValues",
            Self::StringTooLong { .. } => "FilterStringTooLong",
            Self::EmptyKey => "FilterEmptyKey",
            Self::InvalidKey { .. } => "FilterInvalidKey",
            Self::TooManyEventTypes { .. } => "FilterTooManyEventTypes",
            Self::EmptyEventType => "FilterEmptyEventType",
        }
    }
}
