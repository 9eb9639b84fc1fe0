//! The canonical structured-JSON encoding, used for events that did not arrive as JSON (binary
//! mode) or were built in code ([`Event::new`](crate::Event::new)).
//!
//! Compact, no whitespace, members in this order: `specversion`, `id`, `source`, `type`,
//! `datacontenttype`, `dataschema`, `subject`, `time`, the extensions in their order, then
//! `data` (its JSON text verbatim) or `data_base64` (standard base64 with padding). Strings are
//! escaped as `serde_json` escapes them.

use base64::Engine as _;

use crate::event::{CloudEvent, Data, ExtensionValue};
use crate::limits::SPEC_VERSION;

/// Encodes `event` as compact structured JSON. Does not validate.
pub(crate) fn to_structured_json(event: &CloudEvent) -> String {
    let mut out = String::with_capacity(128);
    out.push('{');
    member(&mut out, "specversion", SPEC_VERSION);
    out.push(',');
    member(&mut out, "id", &event.id);
    out.push(',');
    member(&mut out, "source", &event.source);
    out.push(',');
    member(&mut out, "type", &event.event_type);
    let optional = [
        ("datacontenttype", event.datacontenttype.as_deref()),
        ("dataschema", event.dataschema.as_deref()),
        ("subject", event.subject.as_deref()),
        (
            "time",
            event.time.as_ref().map(crate::event::Timestamp::as_str),
        ),
    ];
    for (name, value) in optional {
        if let Some(value) = value {
            out.push(',');
            member(&mut out, name, value);
        }
    }
    for (name, value) in &event.extensions {
        out.push(',');
        match value {
            ExtensionValue::String(text) => member(&mut out, name, text),
            ExtensionValue::Integer(n) => {
                name_colon(&mut out, name);
                out.push_str(&n.to_string());
            }
            ExtensionValue::Boolean(b) => {
                name_colon(&mut out, name);
                out.push_str(if *b { "true" } else { "false" });
            }
        }
    }
    match &event.data {
        Data::Absent => {}
        Data::Json(raw) => {
            out.push(',');
            name_colon(&mut out, "data");
            out.push_str(raw.get());
        }
        Data::Binary(bytes) => {
            out.push(',');
            name_colon(&mut out, "data_base64");
            out.push('"');
            base64::engine::general_purpose::STANDARD.encode_string(bytes, &mut out);
            out.push('"');
        }
    }
    out.push('}');
    out
}

fn member(out: &mut String, name: &str, value: &str) {
    name_colon(out, name);
    string(out, value);
}

fn name_colon(out: &mut String, name: &str) {
    string(out, name);
    out.push(':');
}

/// A JSON string literal, escaped exactly as `serde_json` does.
fn string(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{0}'..='\u{1f}' => {
                let code = c as usize;
                out.push_str("\\u00");
                out.push(char::from(HEX[code >> 4]));
                out.push(char::from(HEX[code & 0xf]));
            }
            _ => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::string;

    #[test]
    fn escapes_like_serde_json() {
        for text in [
            "plain",
            "q\"b\\s",
            "\n\r\t\u{8}\u{c}\u{0}\u{1f}\u{7f}",
            "é€😀/",
        ] {
            let mut ours = String::new();
            string(&mut ours, text);
            assert_eq!(ours, serde_json::to_string(text).unwrap(), "{text:?}");
        }
    }
}
