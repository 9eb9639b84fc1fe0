//! The event-position filter of a receiver link (reference §5.2): the source's filter-set
//! entry `apache.org:selector-filter:string`, a described string (descriptor: that symbol, or
//! the ulong 0x0000468C00000004) such as `amqp.annotation.x-opt-offset > '-1'`.
//!
//! | expression                                           | position                       |
//! |------------------------------------------------------|--------------------------------|
//! | `x-opt-offset > '-1'` (or `>=`)                      | earliest                       |
//! | `x-opt-offset > '@latest'`                           | latest (resolved at attach)    |
//! | `x-opt-offset > 'N'` / `>= 'N'`                      | offset N, exclusive/inclusive  |
//! | `x-opt-sequence-number > 'N'` / `>=` (N < 0: earliest)| sequence number N             |
//! | `x-opt-enqueued-time > 'MS'` / `>=`                  | enqueued time (ms since epoch) |
//!
//! Keys are prefixed `amqp.annotation.`; whitespace around the operator is free.

use gridlog::EventPosition;
use ntex_amqp::codec::protocol::FilterSet;
use ntex_amqp::codec::types::{Descriptor, Variant};

use crate::error::SelectorError;
use crate::limits::MAX_SELECTOR_LEN;

/// The filter-set key (and symbol descriptor) of the selector.
pub const SELECTOR_FILTER: &str = "apache.org:selector-filter:string";
/// The ulong descriptor of the selector (JS).
pub const SELECTOR_FILTER_CODE: u64 = 0x0000_468C_0000_0004;

/// The selector expression of a filter-set, if it has one.
pub fn expression(filters: &FilterSet) -> Result<Option<&str>, SelectorError> {
    let Some(value) = filters
        .iter()
        .find_map(|(k, v)| (k.as_str() == SELECTOR_FILTER).then_some(v))
    else {
        return Ok(None);
    };
    match value {
        Variant::Described((descriptor, inner)) => {
            let known = match descriptor {
                Descriptor::Symbol(s) => s.as_str() == SELECTOR_FILTER,
                Descriptor::Ulong(code) => *code == SELECTOR_FILTER_CODE,
            };
            match (known, inner.as_ref()) {
                (true, Variant::String(s)) => Ok(Some(s.as_str())),
                _ => Err(SelectorError::Malformed),
            }
        }
        Variant::String(s) => Ok(Some(s.as_str())),
        _ => Err(SelectorError::Malformed),
    }
}

/// Parses a selector expression.
pub fn parse(expression: &str) -> Result<EventPosition, SelectorError> {
    if expression.len() > MAX_SELECTOR_LEN {
        return Err(SelectorError::Malformed);
    }
    let text = expression.trim();
    let rest = text
        .strip_prefix("amqp.annotation.")
        .ok_or(SelectorError::Malformed)?;
    let key_end = rest
        .find(|c: char| c.is_whitespace() || c == '>' || c == '=' || c == '<')
        .ok_or(SelectorError::Malformed)?;
    let (key, rest) = rest.split_at(key_end);
    let rest = rest.trim_start();
    let (inclusive, rest) = if let Some(rest) = rest.strip_prefix(">=") {
        (true, rest)
    } else if let Some(rest) = rest.strip_prefix('>') {
        (false, rest)
    } else {
        return Err(SelectorError::Malformed);
    };
    let value = rest
        .trim()
        .strip_prefix('\'')
        .and_then(|v| v.strip_suffix('\''))
        .ok_or(SelectorError::Malformed)?;
    let number = || value.parse::<i64>().map_err(|_| SelectorError::Malformed);
    match key {
        "x-opt-offset" if value == "@latest" => Ok(EventPosition::Latest),
        "x-opt-offset" => match number()? {
            -1 => Ok(EventPosition::Earliest),
            offset if offset < 0 => Err(SelectorError::Malformed),
            offset => Ok(EventPosition::Offset { offset, inclusive }),
        },
        "x-opt-sequence-number" => match number()? {
            n if n < 0 => Ok(EventPosition::Earliest),
            n => Ok(EventPosition::SequenceNumber { n, inclusive }),
        },
        "x-opt-enqueued-time" => Ok(EventPosition::EnqueuedTime {
            ms: number()?,
            inclusive,
        }),
        _ => Err(SelectorError::UnknownKey),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_position_the_sdks_send() {
        let cases = [
            (
                "amqp.annotation.x-opt-offset > '-1'",
                EventPosition::Earliest,
            ),
            (
                "amqp.annotation.x-opt-offset >= '-1'",
                EventPosition::Earliest,
            ),
            (
                "amqp.annotation.x-opt-offset > '@latest'",
                EventPosition::Latest,
            ),
            (
                "amqp.annotation.x-opt-offset > '8400'",
                EventPosition::Offset {
                    offset: 8400,
                    inclusive: false,
                },
            ),
            (
                "  amqp.annotation.x-opt-offset>='12' ",
                EventPosition::Offset {
                    offset: 12,
                    inclusive: true,
                },
            ),
            (
                "amqp.annotation.x-opt-sequence-number >= '42'",
                EventPosition::SequenceNumber {
                    n: 42,
                    inclusive: true,
                },
            ),
            (
                "amqp.annotation.x-opt-sequence-number > '42'",
                EventPosition::SequenceNumber {
                    n: 42,
                    inclusive: false,
                },
            ),
            (
                "amqp.annotation.x-opt-sequence-number > '-1'",
                EventPosition::Earliest,
            ),
            (
                "amqp.annotation.x-opt-enqueued-time > '1717000000000'",
                EventPosition::EnqueuedTime {
                    ms: 1_717_000_000_000,
                    inclusive: false,
                },
            ),
        ];
        for (text, want) in cases {
            assert_eq!(parse(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn refuses_malformed_expressions() {
        for (text, want) in [
            ("", SelectorError::Malformed),
            ("x-opt-offset > '1'", SelectorError::Malformed),
            ("amqp.annotation.x-opt-offset", SelectorError::Malformed),
            (
                "amqp.annotation.x-opt-offset < '1'",
                SelectorError::Malformed,
            ),
            (
                "amqp.annotation.x-opt-offset = '1'",
                SelectorError::Malformed,
            ),
            ("amqp.annotation.x-opt-offset > 1", SelectorError::Malformed),
            (
                "amqp.annotation.x-opt-offset > 'x'",
                SelectorError::Malformed,
            ),
            (
                "amqp.annotation.x-opt-offset > '-7'",
                SelectorError::Malformed,
            ),
            (
                "amqp.annotation.x-opt-offset > '99999999999999999999'",
                SelectorError::Malformed,
            ),
            (
                "amqp.annotation.x-opt-other > '1'",
                SelectorError::UnknownKey,
            ),
        ] {
            assert_eq!(parse(text), Err(want), "{text}");
        }
        let long = format!(
            "amqp.annotation.x-opt-offset > '{}'",
            "1".repeat(MAX_SELECTOR_LEN)
        );
        assert_eq!(parse(&long), Err(SelectorError::Malformed));
    }

    #[test]
    fn finds_the_expression_under_either_descriptor() {
        let expr = "amqp.annotation.x-opt-offset > '-1'";
        let described =
            |d: Descriptor| Variant::Described((d, Box::new(Variant::from(expr.to_owned()))));
        for value in [
            described(Descriptor::Symbol(SELECTOR_FILTER.into())),
            described(Descriptor::Ulong(SELECTOR_FILTER_CODE)),
        ] {
            let mut set = FilterSet::default();
            set.insert(SELECTOR_FILTER.into(), value);
            assert_eq!(expression(&set), Ok(Some(expr)));
        }
        let mut wrong = FilterSet::default();
        wrong.insert(SELECTOR_FILTER.into(), described(Descriptor::Ulong(7)));
        assert_eq!(expression(&wrong), Err(SelectorError::Malformed));
        assert_eq!(expression(&FilterSet::default()), Ok(None));
    }
}
