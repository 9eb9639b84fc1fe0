//! Property tests: every valid event survives structured JSON, batch JSON, the on-disk record,
//! and binary mode unchanged.
//!
//! Case count: `PROPTEST_CASES` (default 256 here). A failure prints the seed and is persisted
//! to `format/tests/roundtrip_props.proptest-regressions`, which proptest replays first on the
//! next run; commit that file with the fix.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly by design"
)]

use gridlog_format::{
    CloudEvent, Data, Event, EventRecord, ExtensionValue, Timestamp, decode_record, encode_record,
    parse_batch, parse_binary, parse_structured,
};
use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    ProptestConfig::with_cases(cases)
}

/// Printable text that needs JSON escaping (`"`, `\`) and multi-byte UTF-8.
fn text(min: usize, max: usize) -> impl Strategy<Value = String> {
    proptest::string::string_regex(&format!("[ -~éß€😀\u{a0}]{{{min},{max}}}")).unwrap()
}

fn source() -> impl Strategy<Value = String> {
    prop_oneof![
        "/[a-z0-9/._-]{0,12}",
        "https://example\\.com/[a-z0-9/]{0,8}(\\?[a-z]=[0-9])?",
        "urn:[a-z]{1,5}:[a-z0-9]{1,5}",
        "[a-z]{1,8}",
    ]
}

fn timestamp() -> impl Strategy<Value = Timestamp> {
    (
        0_u32..=9999,
        1_u32..=12,
        1_u32..=28,
        0_u32..24,
        0_u32..60,
        0_u32..60,
        proptest::option::of("[0-9]{1,9}"),
        prop_oneof![
            Just("Z".to_owned()),
            Just("z".to_owned()),
            (0_u32..24, 0_u32..60, any::<bool>())
                .prop_map(|(h, m, neg)| format!("{}{h:02}:{m:02}", if neg { '-' } else { '+' })),
        ],
    )
        .prop_map(|(y, mo, d, h, mi, s, frac, offset)| {
            let frac = frac.map(|f| format!(".{f}")).unwrap_or_default();
            Timestamp::parse(&format!(
                "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{frac}{offset}"
            ))
            .unwrap()
        })
}

fn extension_name() -> impl Strategy<Value = String> {
    "[a-z0-9]{1,20}".prop_filter("not a reserved name", |name| {
        ![
            "specversion",
            "id",
            "source",
            "type",
            "datacontenttype",
            "dataschema",
            "subject",
            "time",
            "data",
        ]
        .contains(&name.as_str())
    })
}

fn extension_value() -> impl Strategy<Value = ExtensionValue> {
    prop_oneof![
        text(0, 12).prop_map(ExtensionValue::String),
        any::<i32>().prop_map(ExtensionValue::Integer),
        any::<bool>().prop_map(ExtensionValue::Boolean),
    ]
}

fn extensions(
    value: impl Strategy<Value = ExtensionValue>,
) -> impl Strategy<Value = Vec<(String, ExtensionValue)>> {
    proptest::collection::vec((extension_name(), value), 0..5).prop_map(|mut list| {
        let mut seen = std::collections::HashSet::new();
        list.retain(|(name, _)| seen.insert(name.clone()));
        list
    })
}

/// JSON text in varied formatting: number spellings, whitespace, nesting.
fn json_text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("false".to_owned()),
        "-?(0|[1-9][0-9]{0,5})(\\.[0-9]{1,3})?([eE][+-]?[0-9]{1,2})?",
        text(0, 8).prop_map(|s| serde_json::to_string(&s).unwrap()),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        let space = prop_oneof![Just(""), Just(" "), Just("\n  ")];
        prop_oneof![
            (
                proptest::collection::vec(inner.clone(), 0..4),
                space.clone()
            )
                .prop_map(|(items, sp)| format!("[{sp}{}{sp}]", items.join(&format!(",{sp}")))),
            (
                proptest::collection::vec(("[a-z]{1,4}", inner), 0..4),
                space
            )
                .prop_map(|(members, sp)| {
                    let members: Vec<String> = members
                        .iter()
                        .map(|(k, v)| format!("\"{k}\":{sp}{v}"))
                        .collect();
                    format!("{{{sp}{}{sp}}}", members.join(","))
                }),
        ]
    })
}

const JSON_TYPES: [&str; 3] = [
    "application/json",
    "application/cloudevents+json; charset=utf-8",
    "text/json",
];
const OTHER_TYPES: [&str; 3] = ["application/octet-stream", "text/plain", "image/png"];

/// `(datacontenttype, data)` pairs that are valid together.
fn content() -> impl Strategy<Value = (Option<String>, Data)> {
    let json_type = proptest::sample::select(&JSON_TYPES[..]).prop_map(|t| Some(t.to_owned()));
    let other_type = proptest::sample::select(&OTHER_TYPES[..]).prop_map(|t| Some(t.to_owned()));
    let json = json_text().prop_map(|t| Data::json(&t).unwrap());
    let binary = proptest::collection::vec(any::<u8>(), 0..48).prop_map(Data::Binary);
    prop_oneof![
        (prop_oneof![Just(None), json_type.clone()], json),
        (
            prop_oneof![Just(None), json_type, other_type.clone()],
            binary
        ),
        (
            other_type,
            text(0, 16).prop_map(|t| Data::json(&serde_json::to_string(&t).unwrap()).unwrap())
        ),
        (
            proptest::option::of(Just("text/plain".to_owned())),
            Just(Data::Absent)
        ),
    ]
}

fn cloud_event() -> impl Strategy<Value = CloudEvent> {
    (
        text(1, 16),
        source(),
        text(1, 16),
        proptest::option::of("https://schemas\\.example/[a-z]{1,8}"),
        proptest::option::of(text(1, 12)),
        proptest::option::of(timestamp()),
        extensions(extension_value()),
        content(),
    )
        .prop_map(
            |(id, source, event_type, dataschema, subject, time, extensions, (ct, data))| {
                let mut event = CloudEvent::new(id, source, event_type);
                event.dataschema = dataschema;
                event.subject = subject;
                event.time = time;
                event.extensions = extensions;
                event.datacontenttype = ct;
                event.data = data;
                event
            },
        )
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn event_to_structured_json_and_back(attributes in cloud_event()) {
        let event = Event::new(attributes.clone()).unwrap();
        prop_assert_eq!(event.attributes(), &attributes);
        let reparsed = parse_structured(event.json()).unwrap();
        prop_assert_eq!(&reparsed, &event);
        // The same bytes inside a batch, with whitespace around them.
        let batch = format!("[ {} ,\n{}]", event.json_str(), event.json_str());
        let events = parse_batch(batch.as_bytes()).unwrap();
        prop_assert_eq!(&events, &vec![event.clone(), event.clone()]);
        // And serde_json agrees the bytes are one JSON object.
        let value: serde_json::Value = serde_json::from_slice(event.json()).unwrap();
        prop_assert!(value.is_object());
    }

    #[test]
    fn event_to_record_and_back(attributes in cloud_event()) {
        let event = Event::new(attributes).unwrap();
        let record = EventRecord::from_event(&event);
        let bytes = encode_record(&record);
        let decoded = decode_record(&bytes).unwrap();
        prop_assert_eq!(decoded, record);
        prop_assert_eq!(decoded.json(), event.json());
        prop_assert_eq!(decoded.event_type(), event.event_type());
        prop_assert_eq!(decoded.subject(), event.subject());
        prop_assert_eq!(decoded.time_unix_micros(), event.time().map(Timestamp::unix_micros));
        let again = parse_structured(decoded.json()).unwrap();
        prop_assert_eq!(again, event);
    }

    #[test]
    fn binary_mode_to_structured_and_back(
        attributes in cloud_event(),
        lower_hex in any::<bool>(),
        quote in any::<bool>(),
        string_extensions in extensions(text(0, 12).prop_map(ExtensionValue::String)),
    ) {
        // Headers carry strings only, and a body needs a content type that says what it is.
        let mut expected = attributes;
        expected.extensions = string_extensions;
        match &expected.data {
            Data::Json(_) if !expected.datacontenttype.as_deref().is_some_and(gridlog_format::is_json_media_type) => {
                expected.datacontenttype = Some("application/json".into());
            }
            Data::Binary(bytes) if bytes.is_empty() => expected.data = Data::Absent,
            Data::Binary(_) if expected.datacontenttype.as_deref().is_some_and(gridlog_format::is_json_media_type) => {
                expected.datacontenttype = Some("application/octet-stream".into());
            }
            _ => {}
        }
        let body: Vec<u8> = match &expected.data {
            Data::Absent => Vec::new(),
            Data::Json(raw) => {
                if expected.datacontenttype.as_deref().is_some_and(gridlog_format::is_json_media_type) {
                    raw.get().as_bytes().to_vec()
                } else {
                    // A JSON string under a non-JSON type travels as its bytes.
                    let text: String = serde_json::from_str(raw.get()).unwrap();
                    expected.data = if text.is_empty() { Data::Absent } else { Data::Binary(text.clone().into_bytes()) };
                    text.into_bytes()
                }
            }
            Data::Binary(bytes) => bytes.clone(),
        };

        let mut headers: Vec<(String, String)> = vec![
            ("ce-specversion".into(), "1.0".into()),
            ("ce-id".into(), expected.id.clone()),
            ("ce-source".into(), expected.source.clone()),
            ("ce-type".into(), expected.event_type.clone()),
        ];
        let optional = [
            ("ce-dataschema", expected.dataschema.clone()),
            ("ce-subject", expected.subject.clone()),
            ("ce-time", expected.time.as_ref().map(|t| t.as_str().to_owned())),
        ];
        headers.extend(optional.into_iter().filter_map(|(n, v)| v.map(|v| (n.to_owned(), v))));
        for (name, value) in &expected.extensions {
            let ExtensionValue::String(value) = value else { unreachable!() };
            headers.push((format!("Ce-{name}"), value.clone()));
        }
        let mut headers: Vec<(String, String)> = headers
            .into_iter()
            .map(|(name, value)| (name, encode_header(&value, lower_hex, quote)))
            .collect();
        if let Some(ct) = &expected.datacontenttype {
            headers.push(("Content-Type".into(), ct.clone()));
        }

        let event = parse_binary(headers.iter().map(|(n, v)| (n.as_str(), v.as_bytes())), &body).unwrap();
        prop_assert_eq!(event.attributes(), &expected);
        let reparsed = parse_structured(event.json()).unwrap();
        prop_assert_eq!(reparsed, event);
    }
}

/// Percent-encodes as the HTTP binding says senders must (space, `"`, `%`, and everything
/// outside U+0021..U+007E), optionally with lower-case hex and inside a quoted-string.
fn encode_header(value: &str, lower_hex: bool, quote: bool) -> String {
    const SET: &AsciiSet = &CONTROLS.add(b' ').add(b'"').add(b'%');
    let mut encoded = utf8_percent_encode(value, SET).to_string();
    if lower_hex {
        let mut out = String::with_capacity(encoded.len());
        let mut chars = encoded.chars();
        while let Some(c) = chars.next() {
            out.push(c);
            if c == '%' {
                out.extend(chars.by_ref().take(2).map(|h| h.to_ascii_lowercase()));
            }
        }
        encoded = out;
    }
    if quote {
        encoded = format!("\"{}\"", encoded.replace('\\', "\\\\"));
    }
    encoded
}
