//! One test per validation rule of CloudEvents 1.0.2 + Event Grid (reference §6), with the
//! accepted side next to the rejected side, in structured mode. Binary mode and built events
//! share the model checks; their specific rules are in `binary_mode.rs` and below.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::doc_markdown,
    reason = "a test fails loudly by design; its docs name the CloudEvents spec"
)]

mod common;

use common::{assert_error, batch, binary, binary_headers, err, event_with, object, structured};
use gridlog_format::{CloudEvent, Data, Event, ExtensionValue, Timestamp, parse_structured};

#[test]
fn specversion_must_be_present_non_empty_and_exactly_1_0() {
    let base = r#""id":"1","source":"/s","type":"t""#;
    assert_error(
        structured(&format!("{{{base}}}")),
        "MissingAttribute",
        Some("specversion"),
        None,
    );
    assert_error(
        structured(&format!(r#"{{{base},"specversion":null}}"#)),
        "MissingAttribute",
        Some("specversion"),
        None,
    );
    assert_error(
        structured(&format!(r#"{{{base},"specversion":""}}"#)),
        "EmptyAttribute",
        Some("specversion"),
        None,
    );
    for version in ["0.3", "1.0.2", "1", "1.0 ", "2.0"] {
        let error = assert_error(
            structured(&format!(r#"{{{base},"specversion":"{version}"}}"#)),
            "InvalidSpecVersion",
            Some("specversion"),
            None,
        );
        assert!(error.message().contains(version), "{error}");
    }
    assert_error(
        structured(&format!(r#"{{{base},"specversion":1.0}}"#)),
        "InvalidAttributeValue",
        Some("specversion"),
        None,
    );
    assert!(structured(&format!(r#"{{{base},"specversion":"1.0"}}"#)).is_ok());
}

#[test]
fn id_source_and_type_are_required_non_empty_strings() {
    for name in ["id", "source", "type"] {
        let with = |value: Option<&str>| structured(&object(&[(name, value)]));
        assert_error(with(None), "MissingAttribute", Some(name), None);
        assert_error(with(Some("null")), "MissingAttribute", Some(name), None);
        assert_error(with(Some("\"\"")), "EmptyAttribute", Some(name), None);
        for wrong in ["1", "true", "{}", "[\"x\"]"] {
            assert_error(with(Some(wrong)), "InvalidAttributeValue", Some(name), None);
        }
        assert!(with(Some("\"x\"")).is_ok());
    }
}

#[test]
fn source_must_be_a_uri_reference() {
    for ok in [
        "/test/source",
        "https://example.com/path?q=1#f",
        "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66",
        "mailto:a@example.com",
        "relative/path",
        "#fragment",
        "%41",
    ] {
        let event = structured(&event_with("").replace("\"/s\"", &format!("{ok:?}"))).unwrap();
        assert_eq!(event.source(), ok);
    }
    for bad in ["a b", "http://[::1", "%zz", "é", "a\\b", "<x>"] {
        let json = format!(
            r#"{{"specversion":"1.0","id":"1","source":{},"type":"t"}}"#,
            serde_json::to_string(bad).unwrap()
        );
        assert_error(structured(&json), "InvalidUri", Some("source"), None);
    }
}

#[test]
fn dataschema_must_be_a_non_empty_absolute_uri() {
    assert!(
        structured(&event_with(
            r#","dataschema":"https://example.com/schema.json""#
        ))
        .is_ok()
    );
    assert!(structured(&event_with(r#","dataschema":"urn:schema:1""#)).is_ok());
    assert!(structured(&event_with(r#","dataschema":null"#)).is_ok());
    assert_error(
        structured(&event_with(r#","dataschema":"""#)),
        "EmptyAttribute",
        Some("dataschema"),
        None,
    );
    for relative in ["/schema.json", "schema", "//host/x"] {
        assert_error(
            structured(&event_with(&format!(r#","dataschema":"{relative}""#))),
            "InvalidUri",
            Some("dataschema"),
            None,
        );
    }
}

#[test]
fn subject_must_be_non_empty_if_present() {
    let event = structured(&event_with(r#","subject":"a""#)).unwrap();
    assert_eq!(event.subject(), Some("a"));
    let event = structured(&event_with(r#","subject":null"#)).unwrap();
    assert_eq!(event.subject(), None, "null means unset");
    assert_error(
        structured(&event_with(r#","subject":"""#)),
        "EmptyAttribute",
        Some("subject"),
        None,
    );
    assert_error(
        structured(&event_with(r#","subject":5"#)),
        "InvalidAttributeValue",
        Some("subject"),
        None,
    );
}

#[test]
fn time_must_be_rfc_3339() {
    for (ok, micros) in [
        ("2024-01-02T03:04:05Z", 1_704_164_645_000_000),
        ("2024-01-02T03:04:05.123456Z", 1_704_164_645_123_456),
        ("2024-01-02T04:04:05+01:00", 1_704_164_645_000_000),
        ("2024-01-02t03:04:05z", 1_704_164_645_000_000),
    ] {
        let event = structured(&event_with(&format!(r#","time":"{ok}""#))).unwrap();
        assert_eq!(event.time().unwrap().as_str(), ok);
        assert_eq!(event.time().unwrap().unix_micros(), micros);
    }
    for bad in [
        "2024-01-02",
        "2024-01-02T03:04:05",
        "2024-01-02 03:04:05Z",
        "2024-02-30T00:00:00Z",
        "24-01-02T03:04:05Z",
        "2024-01-02T25:04:05Z",
        "",
    ] {
        assert_error(
            structured(&event_with(&format!(r#","time":"{bad}""#))),
            "InvalidTime",
            Some("time"),
            None,
        );
    }
    assert_error(
        structured(&event_with(r#","time":1704164645"#)),
        "InvalidAttributeValue",
        Some("time"),
        None,
    );
}

#[test]
fn datacontenttype_must_be_a_media_type() {
    for ok in [
        "application/json",
        "text/plain; charset=utf-8",
        "application/vnd.a+json",
    ] {
        let event = structured(&event_with(&format!(r#","datacontenttype":"{ok}""#))).unwrap();
        assert_eq!(event.datacontenttype(), Some(ok));
    }
    assert_error(
        structured(&event_with(r#","datacontenttype":"""#)),
        "EmptyAttribute",
        Some("datacontenttype"),
        None,
    );
    for bad in ["json", "text/", "/plain", "text plain"] {
        assert_error(
            structured(&event_with(&format!(r#","datacontenttype":"{bad}""#))),
            "InvalidAttributeValue",
            Some("datacontenttype"),
            None,
        );
    }
}

#[test]
fn attribute_names_are_lower_case_letters_and_digits() {
    for ok in ["a", "x1", "2", "myext", "traceparent"] {
        assert!(
            structured(&event_with(&format!(r#","{ok}":"v""#))).is_ok(),
            "{ok}"
        );
    }
    for bad in [
        "myExt", "MYEXT", "my-ext", "my_ext", "my ext", "é", "data_x", "",
    ] {
        assert_error(
            structured(&event_with(&format!(r#","{bad}":"v""#))),
            "InvalidAttributeName",
            Some(bad),
            None,
        );
    }
}

#[test]
fn unknown_members_with_valid_names_are_extensions_in_received_order() {
    let event = structured(&event_with(
        r#","zeta":"z","alpha":true,"mid":-7,"off":false,"gone":null"#,
    ))
    .unwrap();
    assert_eq!(
        event.extensions(),
        [
            ("zeta".to_owned(), ExtensionValue::String("z".to_owned())),
            ("alpha".to_owned(), ExtensionValue::Boolean(true)),
            ("mid".to_owned(), ExtensionValue::Integer(-7)),
            ("off".to_owned(), ExtensionValue::Boolean(false)),
        ],
        "null means unset"
    );
}

#[test]
fn extension_values_must_be_string_integer_or_boolean() {
    for (value, what) in [
        (r#"{"a":1}"#, "object"),
        ("[1]", "array"),
        ("[]", "array"),
        ("1.5", "fraction"),
        ("1.0", "fraction"),
        ("1e3", "exponent"),
        ("-2E-1", "exponent"),
    ] {
        let error = assert_error(
            structured(&event_with(&format!(r#","ext":{value}"#))),
            "InvalidAttributeValue",
            Some("ext"),
            None,
        );
        assert!(error.message().contains(what), "{error}");
    }
}

#[test]
fn strings_may_not_hold_control_characters_or_noncharacters() {
    for bad in [
        r"\u0000",
        r"\u001f",
        r"\u007f",
        r"\u009f",
        r"\ufdd0",
        r"\uffff",
        "\u{fffe}",
        "\u{10ffff}",
    ] {
        for member in ["id", "type", "subject", "datacontenttype", "ext"] {
            let value = format!("\"text/a{bad}b\"");
            assert_error(
                structured(&object(&[(member, Some(&value))])),
                "InvalidAttributeValue",
                Some(member),
                None,
            );
        }
    }
    // Printable, non-ASCII and escaped characters are fine.
    let event = structured(&event_with(
        r#","subject":"tab-free \" \\ \u00e9 € 😀 \ufffd""#,
    ))
    .unwrap();
    assert_eq!(event.subject(), Some("tab-free \" \\ é € 😀 \u{fffd}"));
}

#[test]
fn lone_surrogate_escapes_are_rejected_in_attributes() {
    assert_error(
        structured(&event_with(r#","subject":"\ud800""#)),
        "InvalidAttributeValue",
        Some("subject"),
        None,
    );
}

/// Issue #17: `data` kept raw skipped its strings undecoded, so `"\ud800"` was stored and served
/// to strict parsers while the same escape in a `lockTokens` body was a 400.
#[test]
fn lone_surrogate_escapes_are_rejected_in_data() {
    for data in [
        r#""\ud800""#,
        r#""\uDBFF""#,
        r#""\udc00""#,
        r#""x\ud800y""#,
        r#""\ud800\u0041""#,
        r#""\ud800\ud800""#,
        r#""\udc00\ud800""#,
        r#"{"k":["ok","\ud83d"]}"#,
        r#"{"\ud800":1}"#,
        r#""\\\ud800""#,
    ] {
        let error = assert_error(
            structured(&event_with(&format!(r#","data":{data}"#))),
            "InvalidJson",
            Some("data"),
            None,
        );
        assert!(!error.is_limit(), "{data}");
        let error = err(binary(
            &binary_headers(&[("content-type", "application/json")]),
            data.as_bytes(),
        ));
        assert_eq!(error.code(), "InvalidJson", "binary {data}");
    }
    // Pairs, other escapes, and an escaped backslash before a `u` are fine.
    for data in [
        r#""\ud83d\ude00""#,
        r#""\uD83D\uDE00 \u00e9 \u0000""#,
        r#""\\ud800""#,
        r#""\\\\ud800""#,
        r#"{"k":"\ud800\udc00","\u0041":1}"#,
    ] {
        let event = structured(&event_with(&format!(r#","data":{data}"#)))
            .unwrap_or_else(|e| panic!("{data}: {e}"));
        let json = std::str::from_utf8(event.json()).expect("UTF-8");
        assert!(json.contains(data), "{data}");
    }
}

#[test]
fn data_and_data_base64_are_mutually_exclusive() {
    for both in [
        r#","data":1,"data_base64":"AA==""#,
        r#","data_base64":"AA==","data":null"#,
        r#","data":null,"data_base64":null"#,
    ] {
        let error = assert_error(
            structured(&event_with(both)),
            "DataConflict",
            Some("data_base64"),
            None,
        );
        assert!(!error.is_limit());
    }
}

#[test]
fn data_base64_must_be_standard_padded_base64() {
    let event = structured(&event_with(r#","data_base64":"AAFiaW5hcnk=""#)).unwrap();
    assert_eq!(event.data(), &Data::Binary(b"\x00\x01binary".to_vec()));
    let event = structured(&event_with(r#","data_base64":"""#)).unwrap();
    assert_eq!(event.data(), &Data::Binary(Vec::new()));
    let event = structured(&event_with(r#","data_base64":null"#)).unwrap();
    assert_eq!(event.data(), &Data::Absent);
    for bad in ["AAFiaW5hcnk", "AA=A", "@@@@", "AAF-", "AAF_", "A"] {
        assert_error(
            structured(&event_with(&format!(r#","data_base64":"{bad}""#))),
            "InvalidBase64",
            Some("data_base64"),
            None,
        );
    }
    assert_error(
        structured(&event_with(r#","data_base64":[0,1]"#)),
        "InvalidAttributeValue",
        Some("data_base64"),
        None,
    );
}

#[test]
fn data_keeps_its_exact_json_text() {
    let event = structured(&event_with(r#","data": {"n": 1.50, "e": 1E+2, "z": -0}"#)).unwrap();
    let Data::Json(data) = event.data() else {
        panic!("expected JSON data")
    };
    assert_eq!(data.get(), r#"{"n": 1.50, "e": 1E+2, "z": -0}"#);
    let event = structured(&event_with(r#","data":null"#)).unwrap();
    assert!(
        matches!(event.data(), Data::Json(raw) if raw.get() == "null"),
        "null is not absent"
    );
    let event = structured(&event_with("")).unwrap();
    assert_eq!(event.data(), &Data::Absent);
}

#[test]
fn data_under_a_non_json_content_type_must_be_a_string() {
    let text = |data: &str| {
        structured(&event_with(&format!(
            r#","datacontenttype":"text/plain","data":{data}"#
        )))
    };
    assert!(text(r#""hello""#).is_ok());
    for bad in ["{}", "1", "null", "[\"a\"]"] {
        assert_error(text(bad), "InvalidAttributeValue", Some("data"), None);
    }
    // JSON media types, with parameters and in any case, allow any JSON value.
    for content_type in [
        "application/json",
        "text/json",
        "application/cloudevents+json; charset=utf-8",
        "Application/JSON",
    ] {
        let json = event_with(&format!(
            r#","datacontenttype":"{content_type}","data":{{"a":1}}"#
        ));
        assert!(structured(&json).is_ok(), "{content_type}");
    }
}

#[test]
fn duplicate_members_are_rejected() {
    assert_error(
        structured(&event_with(r#","id":"2""#)),
        "DuplicateAttribute",
        Some("id"),
        None,
    );
    assert_error(
        structured(&event_with(r#","x":1,"x":1"#)),
        "DuplicateAttribute",
        Some("x"),
        None,
    );
    assert_error(
        structured(&event_with(r#","data":1,"data":1"#)),
        "DuplicateAttribute",
        Some("data"),
        None,
    );
    // An escaped name is the same name.
    assert_error(
        structured(&event_with(r#","\u0069d":"2""#)),
        "DuplicateAttribute",
        Some("id"),
        None,
    );
}

#[test]
fn bodies_that_are_not_a_json_object_are_rejected() {
    for body in [
        &b""[..],
        b"   ",
        b"{",
        b"[]",
        b"\"event\"",
        b"null",
        b"{} {}",
        b"{\"specversion\":\"1.0\",}",
        b"\xef\xbb\xbf{}",
        b"{\"id\":\"\xff\"}",
    ] {
        assert_error(parse_structured(body), "InvalidJson", None, None);
    }
}

#[test]
fn structured_json_is_the_body_without_surrounding_whitespace() {
    let json = event_with("");
    let event = structured(&format!(" \r\n\t{json}\n ")).unwrap();
    assert_eq!(event.json_str(), json);
}

#[test]
fn batch_elements_must_be_objects_and_errors_carry_the_index() {
    let ok = event_with("");
    assert_error(batch(&format!("[{ok},1]")), "InvalidJson", None, Some(1));
    assert_error(
        batch(&format!("[{ok},[{ok}]]")),
        "InvalidJson",
        None,
        Some(1),
    );
    let error = assert_error(
        batch(&format!("[{ok},{ok},{}]", event_with(r#","time":"now""#))),
        "InvalidTime",
        Some("time"),
        Some(2),
    );
    assert!(
        error.to_string().starts_with("event 2: attribute 'time'"),
        "{error}"
    );
    for not_array in [ok.as_str(), "", "{}", "1", "[", "[{}"] {
        assert_error(batch(not_array), "InvalidJson", None, None);
    }
}

#[test]
fn built_events_follow_the_same_rules() {
    let mut event = CloudEvent::new("1", "/s", "t");
    event.extensions.push(("myExt".into(), "v".into()));
    assert_error(
        Event::new(event),
        "InvalidAttributeName",
        Some("myExt"),
        None,
    );

    for reserved in ["id", "data", "time", "specversion"] {
        let mut event = CloudEvent::new("1", "/s", "t");
        event.extensions.push((reserved.into(), "v".into()));
        assert_error(
            Event::new(event),
            "InvalidAttributeName",
            Some(reserved),
            None,
        );
    }

    let mut event = CloudEvent::new("1", "/s", "t");
    event.extensions.push(("a".into(), 1.into()));
    event.extensions.push(("a".into(), true.into()));
    assert_error(Event::new(event), "DuplicateAttribute", Some("a"), None);

    assert_error(
        Event::new(CloudEvent::new("", "/s", "t")),
        "EmptyAttribute",
        Some("id"),
        None,
    );
    assert_error(
        Event::new(CloudEvent::new("1", "a b", "t")),
        "InvalidUri",
        Some("source"),
        None,
    );

    let mut event = CloudEvent::new("1", "/s", "t");
    event.datacontenttype = Some("text/plain".into());
    event.data = Data::json("{}").unwrap();
    assert_error(
        Event::new(event),
        "InvalidAttributeValue",
        Some("data"),
        None,
    );

    assert_error(Timestamp::parse("now"), "InvalidTime", Some("time"), None);
    assert_error(Data::json("{"), "InvalidJson", Some("data"), None);
}

#[test]
fn built_events_are_encoded_canonically() {
    let mut event = CloudEvent::new("id \"1\"", "/s", "t");
    event.subject = Some("sub/1".into());
    event.time = Some(Timestamp::parse("2024-01-02T03:04:05Z").unwrap());
    event.datacontenttype = Some("application/json".into());
    event.dataschema = Some("https://example.com/s".into());
    event.extensions = vec![
        ("zz".into(), "é".into()),
        ("n".into(), (-5).into()),
        ("b".into(), false.into()),
    ];
    event.data = Data::json(r#"{"n": 1.50}"#).unwrap();
    let built = Event::new(event.clone()).unwrap();
    assert_eq!(
        built.json_str(),
        r#"{"specversion":"1.0","id":"id \"1\"","source":"/s","type":"t","datacontenttype":"application/json","dataschema":"https://example.com/s","subject":"sub/1","time":"2024-01-02T03:04:05Z","zz":"é","n":-5,"b":false,"data":{"n": 1.50}}"#
    );
    assert_eq!(built.attributes(), &event);
    assert_eq!(parse_structured(built.json()).unwrap(), built);

    let mut binary = CloudEvent::new("1", "/s", "t");
    binary.data = Data::Binary(vec![0, 1, 98]);
    assert_eq!(
        Event::new(binary).unwrap().json_str(),
        r#"{"specversion":"1.0","id":"1","source":"/s","type":"t","data_base64":"AAFi"}"#
    );
}
