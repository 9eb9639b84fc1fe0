//! Matching an MQTT topic name against a topic filter: the one rule the broker (live delivery)
//! and the engine (which stored sessions a message is queued in) share.

use crate::config::mqtt::FilterSegment;

/// Whether `topic` (its segments, split at `/`) matches `filter`.
pub fn topic_matches(filter: &[FilterSegment], topic: &[&str]) -> bool {
    match (filter.split_first(), topic.split_first()) {
        (Some((FilterSegment::MultiLevel, _)), _) | (None, None) => true,
        (Some((FilterSegment::SingleLevel, rest)), Some((_, topic_rest))) => {
            topic_matches(rest, topic_rest)
        }
        (Some((FilterSegment::Literal(text), rest)), Some((segment, topic_rest))) => {
            text == segment && topic_matches(rest, topic_rest)
        }
        _ => false,
    }
}

/// The segments of a filter the broker accepted (its rules are the broker's, checked before a
/// subscription is stored): `+` and `#` segments are wildcards, anything else literal.
pub fn filter_segments(filter: &str) -> Vec<FilterSegment> {
    filter
        .split('/')
        .map(|piece| match piece {
            "#" => FilterSegment::MultiLevel,
            "+" => FilterSegment::SingleLevel,
            piece => FilterSegment::Literal(piece.to_owned()),
        })
        .collect()
}
