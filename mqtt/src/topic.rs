//! Topic names and filters: their rules (length, depth, reserved `$`, wildcards), matching a
//! topic against a filter, and whether a granted filter covers a requested one (every topic the
//! requested filter matches, the granted one matches too).

use gridlog::FilterSegment;

use crate::error::TopicError;
use crate::limits::{MQTT_TOPIC_BYTES_MAX, MQTT_TOPIC_SEGMENTS_MAX};

/// The prefix of a shared subscription's filter.
const SHARED_PREFIX: &str = "$share/";

/// Checks a PUBLISH topic name; returns its segments.
pub fn topic_name(topic: &str) -> Result<Vec<&str>, TopicError> {
    common(topic)?;
    if topic.contains(['+', '#']) {
        return Err(TopicError::Wildcard);
    }
    Ok(topic.split('/').collect())
}

/// Checks a SUBSCRIBE topic filter; returns it parsed.
pub fn topic_filter(filter: &str) -> Result<Vec<FilterSegment>, TopicError> {
    if filter.starts_with(SHARED_PREFIX) {
        return Err(TopicError::Shared);
    }
    common(filter)?;
    let pieces: Vec<&str> = filter.split('/').collect();
    let last = pieces.len() - 1;
    pieces
        .iter()
        .enumerate()
        .map(|(index, piece)| match *piece {
            "#" if index == last => Ok(FilterSegment::MultiLevel),
            "+" => Ok(FilterSegment::SingleLevel),
            piece if piece.contains(['+', '#']) => Err(TopicError::Wildcard),
            piece => Ok(FilterSegment::Literal(piece.to_owned())),
        })
        .collect()
}

fn common(text: &str) -> Result<(), TopicError> {
    if text.is_empty() {
        return Err(TopicError::Empty);
    }
    if text.len() > MQTT_TOPIC_BYTES_MAX {
        return Err(TopicError::TooLong);
    }
    if text.starts_with('$') {
        return Err(TopicError::Reserved);
    }
    if text.split('/').count() > MQTT_TOPIC_SEGMENTS_MAX {
        return Err(TopicError::TooDeep);
    }
    Ok(())
}

/// Whether `topic` (its segments) matches `filter` (the engine's rule, which also decides
/// which stored sessions a message is queued in).
pub fn matches(filter: &[FilterSegment], topic: &[&str]) -> bool {
    gridlog::topic_matches(filter, topic)
}

/// Whether every topic `requested` matches is matched by `granted`.
pub fn covers(granted: &[FilterSegment], requested: &[FilterSegment]) -> bool {
    // A topic has at least one segment, so at the root `#` is `+/#`.
    if let [FilterSegment::MultiLevel] = requested {
        return covers_from(
            granted,
            &[FilterSegment::SingleLevel, FilterSegment::MultiLevel],
        );
    }
    covers_from(granted, requested)
}

fn covers_from(granted: &[FilterSegment], requested: &[FilterSegment]) -> bool {
    match (granted.split_first(), requested.split_first()) {
        (Some((FilterSegment::MultiLevel, _)), _) | (None, None) => true,
        (Some((granted_first, granted_rest)), Some((requested_first, requested_rest))) => {
            let segment = match (granted_first, requested_first) {
                (
                    FilterSegment::SingleLevel,
                    FilterSegment::SingleLevel | FilterSegment::Literal(_),
                ) => true,
                (FilterSegment::Literal(a), FilterSegment::Literal(b)) => a == b,
                _ => false,
            };
            segment && covers_from(granted_rest, requested_rest)
        }
        _ => false,
    }
}
