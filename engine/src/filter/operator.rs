//! The 19 advanced-filter operators (`operatorType`) and their typed operands (`Condition`).

/// An advanced filter's `operatorType`, exactly Azure's 19.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[expect(
    missing_docs,
    reason = "each variant is the operatorType of the same name"
)]
pub enum Operator {
    NumberIn,
    NumberNotIn,
    NumberLessThan,
    NumberGreaterThan,
    NumberLessThanOrEquals,
    NumberGreaterThanOrEquals,
    NumberInRange,
    NumberNotInRange,
    BoolEquals,
    StringIn,
    StringNotIn,
    StringBeginsWith,
    StringEndsWith,
    StringContains,
    StringNotContains,
    StringNotBeginsWith,
    StringNotEndsWith,
    IsNullOrUndefined,
    IsNotNull,
}

/// Which JSON member carries an operator's operand, and its shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand {
    /// `values`: an array of numbers.
    Numbers,
    /// `value`: one number.
    Number,
    /// `values`: an array of `[low, high]` number pairs.
    Ranges,
    /// `value`: one boolean.
    Bool,
    /// `values`: an array of strings.
    Strings,
    /// No operand: only `key` is given.
    None,
}

impl Operator {
    /// All 19 operators, in Azure's documentation order.
    pub const ALL: [Self; 19] = [
        Self::NumberIn,
        Self::NumberNotIn,
        Self::NumberLessThan,
        Self::NumberGreaterThan,
        Self::NumberLessThanOrEquals,
        Self::NumberGreaterThanOrEquals,
        Self::NumberInRange,
        Self::NumberNotInRange,
        Self::BoolEquals,
        Self::StringIn,
        Self::StringNotIn,
        Self::StringBeginsWith,
        Self::StringEndsWith,
        Self::StringContains,
        Self::StringNotContains,
        Self::StringNotBeginsWith,
        Self::StringNotEndsWith,
        Self::IsNullOrUndefined,
        Self::IsNotNull,
    ];

    /// The `operatorType` string, as Azure spells it.
    pub const fn name(self) -> &'static str {
        match self {
            Self::NumberIn => "NumberIn",
            Self::NumberNotIn => "NumberNotIn",
            Self::NumberLessThan => "NumberLessThan",
            Self::NumberGreaterThan => "NumberGreaterThan",
            Self::NumberLessThanOrEquals => "NumberLessThanOrEquals",
            Self::NumberGreaterThanOrEquals => "NumberGreaterThanOrEquals",
            Self::NumberInRange => "NumberInRange",
            Self::NumberNotInRange => "NumberNotInRange",
            Self::BoolEquals => "BoolEquals",
            Self::StringIn => "StringIn",
            Self::StringNotIn => "StringNotIn",
            Self::StringBeginsWith => "StringBeginsWith",
            Self::StringEndsWith => "StringEndsWith",
            Self::StringContains => "StringContains",
            Self::StringNotContains => "StringNotContains",
            Self::StringNotBeginsWith => "StringNotBeginsWith",
            Self::StringNotEndsWith => "StringNotEndsWith",
            Self::IsNullOrUndefined => "IsNullOrUndefined",
            Self::IsNotNull => "IsNotNull",
        }
    }

    /// The operator named `name`, compared ASCII case-insensitively (ARM enum values are
    /// case-insensitive).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|operator| operator.name().eq_ignore_ascii_case(name))
    }

    /// The operand this operator takes.
    pub const fn operand(self) -> Operand {
        match self {
            Self::NumberIn | Self::NumberNotIn => Operand::Numbers,
            Self::NumberLessThan
            | Self::NumberGreaterThan
            | Self::NumberLessThanOrEquals
            | Self::NumberGreaterThanOrEquals => Operand::Number,
            Self::NumberInRange | Self::NumberNotInRange => Operand::Ranges,
            Self::BoolEquals => Operand::Bool,
            Self::StringIn
            | Self::StringNotIn
            | Self::StringBeginsWith
            | Self::StringEndsWith
            | Self::StringContains
            | Self::StringNotContains
            | Self::StringNotBeginsWith
            | Self::StringNotEndsWith => Operand::Strings,
            Self::IsNullOrUndefined | Self::IsNotNull => Operand::None,
        }
    }

    /// Whether this is one of the six negative operators, which fail if any array element
    /// matches any value.
    pub const fn is_negative(self) -> bool {
        matches!(
            self,
            Self::NumberNotIn
                | Self::NumberNotInRange
                | Self::StringNotIn
                | Self::StringNotContains
                | Self::StringNotBeginsWith
                | Self::StringNotEndsWith
        )
    }

    /// What the filter evaluates to when its key is missing or JSON `null` (see the module docs'
    /// table; `IsNullOrUndefined` and `IsNotNull` are the only operators that tell null from a
    /// value).
    pub const fn matches_missing(self) -> bool {
        matches!(
            self,
            Self::NumberNotIn
                | Self::StringNotIn
                | Self::NumberNotInRange
                | Self::IsNullOrUndefined
        )
    }
}

impl std::fmt::Display for Operator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// An advanced filter's operator with its typed operand. String operands are kept as written;
/// the compiled filter lower-cases them.
#[derive(Clone, Debug, PartialEq)]
#[expect(
    missing_docs,
    reason = "each variant is the operatorType of the same name"
)]
pub enum Condition {
    NumberIn(Vec<f64>),
    NumberNotIn(Vec<f64>),
    NumberLessThan(f64),
    NumberGreaterThan(f64),
    NumberLessThanOrEquals(f64),
    NumberGreaterThanOrEquals(f64),
    /// Inclusive `[low, high]` ranges, `low <= high`.
    NumberInRange(Vec<[f64; 2]>),
    /// Inclusive `[low, high]` ranges, `low <= high`.
    NumberNotInRange(Vec<[f64; 2]>),
    BoolEquals(bool),
    StringIn(Vec<String>),
    StringNotIn(Vec<String>),
    StringBeginsWith(Vec<String>),
    StringEndsWith(Vec<String>),
    StringContains(Vec<String>),
    StringNotContains(Vec<String>),
    StringNotBeginsWith(Vec<String>),
    StringNotEndsWith(Vec<String>),
    IsNullOrUndefined,
    IsNotNull,
}

impl Condition {
    /// The operator.
    pub const fn operator(&self) -> Operator {
        match self {
            Self::NumberIn(_) => Operator::NumberIn,
            Self::NumberNotIn(_) => Operator::NumberNotIn,
            Self::NumberLessThan(_) => Operator::NumberLessThan,
            Self::NumberGreaterThan(_) => Operator::NumberGreaterThan,
            Self::NumberLessThanOrEquals(_) => Operator::NumberLessThanOrEquals,
            Self::NumberGreaterThanOrEquals(_) => Operator::NumberGreaterThanOrEquals,
            Self::NumberInRange(_) => Operator::NumberInRange,
            Self::NumberNotInRange(_) => Operator::NumberNotInRange,
            Self::BoolEquals(_) => Operator::BoolEquals,
            Self::StringIn(_) => Operator::StringIn,
            Self::StringNotIn(_) => Operator::StringNotIn,
            Self::StringBeginsWith(_) => Operator::StringBeginsWith,
            Self::StringEndsWith(_) => Operator::StringEndsWith,
            Self::StringContains(_) => Operator::StringContains,
            Self::StringNotContains(_) => Operator::StringNotContains,
            Self::StringNotBeginsWith(_) => Operator::StringNotBeginsWith,
            Self::StringNotEndsWith(_) => Operator::StringNotEndsWith,
            Self::IsNullOrUndefined => Operator::IsNullOrUndefined,
            Self::IsNotNull => Operator::IsNotNull,
        }
    }

    /// How many filter values this condition counts towards
    /// [`FILTER_VALUES_TOTAL_MAX`](crate::limits::FILTER_VALUES_TOTAL_MAX): one per element of
    /// `values` (a range pair is one value), one for a single `value`, none for the null checks.
    pub fn value_count(&self) -> usize {
        if let Some(strings) = self.strings() {
            return strings.len();
        }
        match self {
            Self::NumberIn(numbers) | Self::NumberNotIn(numbers) => numbers.len(),
            Self::NumberInRange(ranges) | Self::NumberNotInRange(ranges) => ranges.len(),
            Self::IsNullOrUndefined | Self::IsNotNull => 0,
            // The single-value operators (the string ones answered above).
            _ => 1,
        }
    }

    /// The string operands, if this is a string operator.
    pub fn strings(&self) -> Option<&[String]> {
        match self {
            Self::StringIn(strings)
            | Self::StringNotIn(strings)
            | Self::StringBeginsWith(strings)
            | Self::StringEndsWith(strings)
            | Self::StringContains(strings)
            | Self::StringNotContains(strings)
            | Self::StringNotBeginsWith(strings)
            | Self::StringNotEndsWith(strings) => Some(strings),
            _ => None,
        }
    }
}
