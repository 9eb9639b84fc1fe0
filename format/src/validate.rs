//! The CloudEvents 1.0.2 and Event Grid rules that do not depend on how an event arrived.
//!
//! The parsers check what only they can see (JSON types, missing members, duplicates, header
//! encoding) and then call [`validate`] on the model, as does [`Event::new`](crate::Event::new);
//! every path into an [`Event`](crate::Event) therefore passes the same checks.

use serde_json::value::RawValue;

use crate::error::{ErrorKind, FormatError};
use crate::event::{CloudEvent, Data, ExtensionValue};
use crate::limits::{ATTRIBUTE_NAME_CHARS_MAX, DATA_DEPTH_MAX, EVENT_BYTES_MAX, REQUEST_BYTES_MAX};

/// Context attribute names defined by the core specification; an extension may not use them.
pub(crate) const CORE_ATTRIBUTES: [&str; 8] = [
    "specversion",
    "id",
    "source",
    "type",
    "datacontenttype",
    "dataschema",
    "subject",
    "time",
];

/// Checks every model-level rule: required attributes non-empty, CloudEvents String rules, URIs,
/// media type, extension names and uniqueness, and the `data` rules.
pub(crate) fn validate(event: &CloudEvent) -> Result<(), FormatError> {
    required_string("id", &event.id)?;
    required_string("source", &event.source)?;
    uri_reference("source", &event.source)?;
    required_string("type", &event.event_type)?;
    if let Some(content_type) = &event.datacontenttype {
        required_string("datacontenttype", content_type)?;
        if media_type_essence(content_type).is_none() {
            return Err(FormatError::attr(
                ErrorKind::InvalidAttributeValue,
                "datacontenttype",
                format!(
                    "attribute 'datacontenttype' is not a media type (type/subtype): {content_type:?}"
                ),
            ));
        }
    }
    if let Some(schema) = &event.dataschema {
        required_string("dataschema", schema)?;
        absolute_uri("dataschema", schema)?;
    }
    if let Some(subject) = &event.subject {
        required_string("subject", subject)?;
    }
    for (name, value) in &event.extensions {
        extension_name(name)?;
        if let ExtensionValue::String(text) = value {
            ce_string(name, text)?;
        }
    }
    if let Some(name) = first_duplicate(event.extensions.iter().map(|(name, _)| name.as_str())) {
        return Err(duplicate(name));
    }
    data(event)
}

/// `[a-z0-9]{1,20}`: the CloudEvents naming rule with Event Grid's length limit.
pub(crate) fn attribute_name(name: &str) -> Result<(), FormatError> {
    let valid_chars = name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if name.is_empty() || !valid_chars {
        return Err(FormatError::attr(
            ErrorKind::InvalidAttributeName,
            name,
            format!(
                "attribute name {name:?} must consist of lower-case letters a-z and digits 0-9"
            ),
        ));
    }
    if name.len() > ATTRIBUTE_NAME_CHARS_MAX {
        return Err(FormatError::attr(
            ErrorKind::InvalidAttributeName,
            name,
            format!(
                "attribute name {name:?} is {} characters long; the maximum is {ATTRIBUTE_NAME_CHARS_MAX}",
                name.len()
            ),
        ));
    }
    Ok(())
}

/// A valid attribute name that is not a core attribute or `data`.
fn extension_name(name: &str) -> Result<(), FormatError> {
    attribute_name(name)?;
    if CORE_ATTRIBUTES.contains(&name) || name == "data" {
        return Err(FormatError::attr(
            ErrorKind::InvalidAttributeName,
            name,
            format!("{name:?} is reserved and cannot be an extension attribute"),
        ));
    }
    Ok(())
}

/// Non-empty and a valid CloudEvents String.
fn required_string(name: &str, value: &str) -> Result<(), FormatError> {
    if value.is_empty() {
        return Err(FormatError::attr(
            ErrorKind::EmptyAttribute,
            name,
            format!("attribute '{name}' must not be empty"),
        ));
    }
    ce_string(name, value)
}

/// The CloudEvents String type: no control characters (U+0000–U+001F, U+007F–U+009F) and no
/// Unicode noncharacters. (Rust strings cannot hold unpaired surrogates.)
pub(crate) fn ce_string(name: &str, value: &str) -> Result<(), FormatError> {
    // Fast path: printable ASCII, the common case, holds none of the forbidden characters.
    if value.bytes().all(|b| matches!(b, 0x20..=0x7e)) {
        return Ok(());
    }
    match value.chars().find(|&c| is_control(c) || is_noncharacter(c)) {
        None => Ok(()),
        Some(c) => Err(FormatError::attr(
            ErrorKind::InvalidAttributeValue,
            name,
            format!(
                "attribute '{name}' contains U+{:04X}, which a CloudEvents String may not contain",
                u32::from(c)
            ),
        )),
    }
}

fn is_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

fn is_noncharacter(c: char) -> bool {
    let code = u32::from(c);
    (0xFDD0..=0xFDEF).contains(&code) || code & 0xFFFE == 0xFFFE
}

fn uri_reference(name: &str, value: &str) -> Result<(), FormatError> {
    fluent_uri::UriRef::parse(value)
        .map(drop)
        .map_err(|error| invalid_uri(name, "a URI-reference", &error))
}

fn absolute_uri(name: &str, value: &str) -> Result<(), FormatError> {
    fluent_uri::Uri::parse(value)
        .map(drop)
        .map_err(|error| invalid_uri(name, "an absolute URI", &error))
}

fn invalid_uri(name: &str, what: &str, error: &dyn std::fmt::Display) -> FormatError {
    FormatError::attr(
        ErrorKind::InvalidUri,
        name,
        format!("attribute '{name}' is not {what} (RFC 3986): {error}"),
    )
}

/// `data` nests at most [`DATA_DEPTH_MAX`] deep and, under a non-JSON `datacontenttype`, is a
/// JSON string.
fn data(event: &CloudEvent) -> Result<(), FormatError> {
    let Data::Json(raw) = &event.data else {
        return Ok(());
    };
    check_data_depth(raw.get())?;
    check_unicode_escapes(raw.get())?;
    let json_content = event
        .datacontenttype
        .as_deref()
        .is_none_or(is_json_media_type);
    if !json_content && !raw.get().starts_with('"') {
        return Err(FormatError::attr(
            ErrorKind::InvalidAttributeValue,
            "data",
            "member 'data' must be a JSON string when 'datacontenttype' is not a JSON media type \
             (use 'data_base64' for binary data)",
        ));
    }
    Ok(())
}

fn check_data_depth(text: &str) -> Result<(), FormatError> {
    // Depth never exceeds the number of openers, and counting bytes vectorizes: most data has
    // far fewer brackets than the limit and skips the (slower) string-aware scan.
    let openers = text.bytes().filter(|&b| b == b'[' || b == b'{').count();
    if openers <= DATA_DEPTH_MAX {
        return Ok(());
    }
    let depth = json_depth(text.as_bytes());
    if depth > DATA_DEPTH_MAX {
        return Err(FormatError::attr(
            ErrorKind::InvalidJson,
            "data",
            format!("member 'data' nests {depth} levels deep; the maximum is {DATA_DEPTH_MAX}"),
        ));
    }
    Ok(())
}

/// Refuses a `\u` escape that encodes no Unicode scalar value: a lone surrogate (`"\ud800"`,
/// `"\udc00"`, a high surrogate not followed by a low one). `serde_json` skips the strings of a
/// kept-raw value without decoding them, so `data` needs this check; strict JSON parsers (and
/// gridlog's own `lockTokens` body) refuse such strings, and an event must not be stored that
/// its receivers cannot parse. Linear; strings without a `\u` cost one substring search.
pub(crate) fn check_unicode_escapes(text: &str) -> Result<(), FormatError> {
    if !text.contains("\\u") {
        return Ok(());
    }
    let bytes = text.as_bytes();
    let hex = |at: usize| -> Option<u16> {
        let digits = bytes.get(at..at + 4)?;
        u16::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
    };
    let escape_at = |at: usize| -> Option<u16> {
        (bytes.get(at..at + 2) == Some(b"\\u"))
            .then(|| hex(at + 2))
            .flatten()
    };
    let (mut at, mut in_string) = (0, false);
    while at < bytes.len() {
        match bytes[at] {
            b'"' => in_string = !in_string,
            b'\\' if in_string => {
                if bytes.get(at + 1) == Some(&b'u') {
                    let unit = hex(at + 2).unwrap_or(0);
                    let paired = match unit {
                        0xD800..=0xDBFF => {
                            let low = escape_at(at + 6);
                            at += 6; // the low surrogate's escape, if any, is consumed too
                            matches!(low, Some(0xDC00..=0xDFFF))
                        }
                        0xDC00..=0xDFFF => false,
                        _ => true,
                    };
                    if !paired {
                        return Err(FormatError::attr(
                            ErrorKind::InvalidJson,
                            "data",
                            "member 'data' holds a \\u escape of a lone UTF-16 surrogate, which \
                             is not a Unicode character",
                        ));
                    }
                }
                at += 2;
                continue;
            }
            _ => {}
        }
        at += 1;
    }
    Ok(())
}

/// Parses one JSON value (surrounding whitespace allowed) for `data`, including the depth check.
pub(crate) fn parse_json_value(text: &str, name: &str) -> Result<Box<RawValue>, FormatError> {
    // Depth first: serde_json skips nested values iteratively, so this is the only depth limit.
    check_data_depth(text)?;
    serde_json::from_str::<Box<RawValue>>(text).map_err(|error| {
        FormatError::attr(
            ErrorKind::InvalidJson,
            name,
            format!("'{name}' is not valid JSON: {error}"),
        )
    })
}

/// Maximum nesting depth of arrays and objects in `json`, which may be malformed (then the
/// result is meaningless but bounded). Linear, no recursion.
pub(crate) fn json_depth(json: &[u8]) -> usize {
    let (mut depth, mut max) = (0_usize, 0_usize);
    let (mut in_string, mut escaped) = (false, false);
    for &byte in json {
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

/// The `type/subtype` of a media type, parameters and surrounding whitespace stripped, if it
/// has that shape.
pub(crate) fn media_type_essence(media_type: &str) -> Option<(&str, &str)> {
    let essence = media_type.split(';').next().unwrap_or_default().trim();
    let (kind, subtype) = essence.split_once('/')?;
    let is_token = |s: &str| !s.is_empty() && s.bytes().all(is_token_byte);
    (is_token(kind) && is_token(subtype)).then_some((kind, subtype))
}

/// RFC 7230 `tchar`.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Whether `media_type` is JSON per the CloudEvents JSON format: `*/json` or `*/*+json`, after
/// stripping parameters, case-insensitively.
///
/// ```
/// use gridlog_format::is_json_media_type;
/// assert!(is_json_media_type("application/json"));
/// assert!(is_json_media_type("Application/CloudEvents+JSON; charset=utf-8"));
/// assert!(is_json_media_type("text/json"));
/// assert!(!is_json_media_type("application/octet-stream"));
/// assert!(!is_json_media_type("application/jsonl"));
/// ```
pub fn is_json_media_type(media_type: &str) -> bool {
    media_type_essence(media_type).is_some_and(|(_, subtype)| {
        let subtype = subtype.as_bytes();
        subtype.eq_ignore_ascii_case(b"json")
            || (subtype.len() > 5 && subtype[subtype.len() - 5..].eq_ignore_ascii_case(b"+json"))
    })
}

/// A name that occurs more than once, if any. `O(n log n)`, so a body with many members cannot
/// make it quadratic.
pub(crate) fn first_duplicate<'a>(names: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let mut names: Vec<&str> = names.collect();
    names.sort_unstable();
    names
        .windows(2)
        .find(|pair| pair[0] == pair[1])
        .map(|pair| pair[0])
}

pub(crate) fn duplicate(name: &str) -> FormatError {
    FormatError::attr(
        ErrorKind::DuplicateAttribute,
        name,
        format!("attribute '{name}' appears more than once"),
    )
}

pub(crate) fn check_event_size(bytes: usize) -> Result<(), FormatError> {
    check_size(
        bytes,
        EVENT_BYTES_MAX,
        ErrorKind::EventTooLarge,
        "event is",
        " as structured JSON",
    )
}

pub(crate) fn check_request_size(bytes: usize) -> Result<(), FormatError> {
    check_size(
        bytes,
        REQUEST_BYTES_MAX,
        ErrorKind::RequestTooLarge,
        "request body is",
        "",
    )
}

/// `kind` when `bytes` is over `max`; the message reads "{what} {bytes} bytes{how}; the maximum
/// is {max}".
fn check_size(
    bytes: usize,
    max: usize,
    kind: ErrorKind,
    what: &str,
    how: &str,
) -> Result<(), FormatError> {
    if bytes > max {
        return Err(FormatError::new(
            kind,
            format!("{what} {bytes} bytes{how}; the maximum is {max}"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{attribute_name, ce_string, json_depth, media_type_essence};

    #[test]
    fn attribute_names() {
        assert!(attribute_name("a").is_ok());
        assert!(attribute_name("abcdefghij0123456789").is_ok());
        for name in [
            "",
            "myExt",
            "my-ext",
            "my_ext",
            "é",
            "abcdefghij0123456789x",
        ] {
            let error = attribute_name(name).expect_err(name);
            assert_eq!(error.code(), "InvalidAttributeName");
            assert_eq!(error.attribute(), Some(name));
        }
    }

    #[test]
    fn ce_string_boundaries() {
        for ok in [
            "",
            " ",
            "~",
            "\u{a0}",
            "é€😀",
            "\u{fdcf}",
            "\u{fdf0}",
            "\u{fffd}",
        ] {
            assert!(ce_string("x", ok).is_ok(), "{ok:?}");
        }
        for bad in [
            "\u{0}",
            "\u{1f}",
            "\u{7f}",
            "\u{9f}",
            "\u{fdd0}",
            "\u{fdef}",
            "\u{fffe}",
            "\u{ffff}",
            "\u{1fffe}",
            "\u{10ffff}",
        ] {
            let error = ce_string("x", bad).expect_err(bad);
            assert_eq!(error.code(), "InvalidAttributeValue");
        }
    }

    #[test]
    fn depth_ignores_brackets_in_strings() {
        assert_eq!(json_depth(b"1"), 0);
        assert_eq!(json_depth(b"[]"), 1);
        assert_eq!(json_depth(br#"{"a":[{}]}"#), 3);
        assert_eq!(json_depth(br#"["[[[\"[[", {"k]": "}}"}]"#), 2);
    }

    #[test]
    fn media_type_shape() {
        assert_eq!(
            media_type_essence(" text/plain ; x=y"),
            Some(("text", "plain"))
        );
        assert_eq!(media_type_essence("text"), None);
        assert_eq!(media_type_essence("text/"), None);
        assert_eq!(media_type_essence("te xt/plain"), None);
    }
}
