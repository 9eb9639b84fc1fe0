//! Dead-letter events (docs/delivery.md §6): the original structured event plus the five
//! extension attributes, validated by the format crate and encoded as an event record.

use gridlog_format::{EventRecord, encode_record, parse_structured};
use serde_json::Value;

use crate::record::DeadLetterReason;

/// The five attribute names.
pub const DEAD_LETTER_ATTRIBUTES: [&str; 5] = [
    "deadletterreason",
    "deliveryattempts",
    "deliveryresult",
    "publishutc",
    "deliveryattemptutc",
];

/// RFC 3339 (UTC, milliseconds) for a Unix-ms instant.
pub fn rfc3339_ms(unix_ms: i64) -> String {
    let nanos = i128::from(unix_ms) * 1_000_000;
    time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned())
}

/// The dead-letter event record for the stored event JSON `json`, or `None` when it cannot be
/// built (the original plus the attributes exceeds the event size limit): the event is then
/// dropped and counted. `result` replaces the reason's standard `deliveryresult` text.
pub fn dead_letter_record(
    json: &[u8],
    reason: DeadLetterReason,
    result: Option<&str>,
    attempts: u32,
    published_at_ms: i64,
    attempt_at_ms: i64,
) -> Option<Vec<u8>> {
    let attributes = [
        (DEAD_LETTER_ATTRIBUTES[0], Value::from(reason.reason_text())),
        (DEAD_LETTER_ATTRIBUTES[1], Value::from(attempts)),
        (
            DEAD_LETTER_ATTRIBUTES[2],
            Value::from(result.unwrap_or(reason.result_text())),
        ),
        (
            DEAD_LETTER_ATTRIBUTES[3],
            Value::from(rfc3339_ms(published_at_ms)),
        ),
        (
            DEAD_LETTER_ATTRIBUTES[4],
            Value::from(rfc3339_ms(attempt_at_ms)),
        ),
    ];
    let text = std::str::from_utf8(json).ok()?;
    let object: serde_json::Map<String, Value> = serde_json::from_str(text).ok()?;
    let bytes = if DEAD_LETTER_ATTRIBUTES
        .iter()
        .any(|name| object.contains_key(*name))
    {
        // Rare: the event already carries one of the names. Rebuild the object (member order
        // changes) with ours replacing theirs.
        let mut object = object;
        for (name, value) in attributes {
            object.insert(name.to_owned(), value);
        }
        serde_json::to_vec(&object).ok()?
    } else {
        // Common: splice the attributes before the closing brace, keeping the original bytes.
        let trimmed = text.trim_end();
        let body = trimmed.strip_suffix('}')?;
        let mut out = String::with_capacity(text.len() + 256);
        out.push_str(body.trim_end());
        for (name, value) in attributes {
            out.push(',');
            out.push_str(&Value::from(name).to_string());
            out.push(':');
            out.push_str(&value.to_string());
        }
        out.push('}');
        out.into_bytes()
    };
    let event = parse_structured(&bytes).ok()?;
    Some(encode_record(&EventRecord::from_event(&event)))
}
