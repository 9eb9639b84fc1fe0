//! HTTP binary mode: `ce-*` headers, `Content-Type`, header value decoding, and the canonical
//! JSON the event is stored as.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::doc_markdown,
    reason = "a test fails loudly by design; its docs name the CloudEvents spec"
)]

mod common;

use common::{assert_error, binary, binary_headers};
use gridlog_format::{Data, ExtensionValue, parse_binary, parse_request, parse_structured};

#[test]
fn json_body_becomes_data_and_is_stored_canonically() {
    let headers = binary_headers(&[
        ("Content-Type", "application/json; charset=utf-8"),
        ("ce-subject", "sub/1"),
        ("ce-time", "2024-01-02T03:04:05Z"),
        ("ce-dataschema", "https://example.com/schema"),
        ("ce-myext", "extval"),
        ("ce-count", "5"),
        ("X-Other", "ignored"),
    ]);
    let event = binary(&headers, b" {\"n\": 1.50}\n").unwrap();
    assert_eq!(
        event.json_str(),
        r#"{"specversion":"1.0","id":"1","source":"/s","type":"t","datacontenttype":"application/json; charset=utf-8","dataschema":"https://example.com/schema","subject":"sub/1","time":"2024-01-02T03:04:05Z","myext":"extval","count":"5","data":{"n": 1.50}}"#
    );
    // Headers carry no types: every extension is a string.
    assert_eq!(
        event.attributes().extension("count"),
        Some(&ExtensionValue::String("5".into()))
    );
    assert_eq!(parse_structured(event.json()).unwrap(), event);
}

#[test]
fn non_json_body_becomes_data_base64() {
    let headers = binary_headers(&[("content-type", "application/octet-stream")]);
    let event = binary(&headers, b"\x00\x01binary").unwrap();
    assert_eq!(event.data(), &Data::Binary(b"\x00\x01binary".to_vec()));
    assert!(
        event.json_str().ends_with(
            r#""datacontenttype":"application/octet-stream","data_base64":"AAFiaW5hcnk="}"#
        ),
        "{}",
        event.json_str()
    );
    // `text/plain` is not JSON either, and no Content-Type at all means binary too.
    let event = binary(&binary_headers(&[("content-type", "text/plain")]), b"hi").unwrap();
    assert_eq!(event.data(), &Data::Binary(b"hi".to_vec()));
    let event = binary(&binary_headers(&[]), b"hi").unwrap();
    assert_eq!(event.data(), &Data::Binary(b"hi".to_vec()));
    assert_eq!(event.datacontenttype(), None);
}

#[test]
fn empty_body_means_no_data() {
    let event = binary(
        &binary_headers(&[("content-type", "application/json")]),
        b"",
    )
    .unwrap();
    assert_eq!(event.data(), &Data::Absent);
    assert_eq!(event.datacontenttype(), Some("application/json"));
}

#[test]
fn json_content_type_requires_a_json_body() {
    for body in [&b"{"[..], b"not json", b"\xff", b"1 2"] {
        assert_error(
            binary(
                &binary_headers(&[("content-type", "application/cloudevents+json")]),
                body,
            ),
            "InvalidJson",
            Some("data"),
            None,
        );
    }
}

#[test]
fn header_names_are_case_insensitive() {
    let headers = [
        ("CE-SpecVersion", "1.0"),
        ("Ce-Id", "1"),
        ("ce-SOURCE", "/s"),
        ("cE-type", "t"),
        ("CE-MyExt", "v"),
        ("CONTENT-TYPE", "text/plain"),
    ];
    let event = binary(&headers, b"x").unwrap();
    assert_eq!(event.id(), "1");
    assert_eq!(event.datacontenttype(), Some("text/plain"));
    assert_eq!(event.extensions()[0].0, "myext");
}

#[test]
fn header_values_are_unquoted_then_percent_decoded_once() {
    let headers = binary_headers(&[
        ("ce-subject", "Euro%20%E2%82%AC%20%F0%9F%98%80"),
        ("ce-lower", "%e2%82%ac"),
        ("ce-needless", "%41%42C"),
        ("ce-quoted", r#""a \"quoted\" %25 value""#),
        ("ce-once", "%2520"),
    ]);
    let event = binary(&headers, b"").unwrap();
    assert_eq!(event.subject(), Some("Euro € 😀"));
    let ext = |name: &str| event.attributes().extension(name).cloned();
    assert_eq!(ext("lower"), Some("€".into()));
    assert_eq!(ext("needless"), Some("ABC".into()));
    assert_eq!(ext("quoted"), Some(r#"a "quoted" % value"#.into()));
    assert_eq!(ext("once"), Some("%20".into()));
}

#[test]
fn invalid_utf8_after_percent_decoding_is_rejected() {
    for bad in ["%C0%A0", "%FF", "%E2%82", "%ED%A0%80"] {
        let error = assert_error(
            binary(&binary_headers(&[("ce-subject", bad)]), b""),
            "InvalidHeader",
            Some("subject"),
            None,
        );
        assert!(error.message().contains("UTF-8"), "{error}");
    }
    // Raw (not percent-encoded) bytes must be UTF-8 too.
    let headers = [
        ("ce-specversion", &b"1.0"[..]),
        ("ce-id", b"\xc0\xa0"),
        ("ce-source", b"/s"),
        ("ce-type", b"t"),
    ];
    assert_error(
        parse_binary(headers, b""),
        "InvalidHeader",
        Some("id"),
        None,
    );
}

#[test]
fn malformed_escapes_are_rejected() {
    for bad in ["%", "%4", "%G0", "100%", "\"unterminated", "\"a\"b\""] {
        assert_error(
            binary(&binary_headers(&[("ce-subject", bad)]), b""),
            "InvalidHeader",
            Some("subject"),
            None,
        );
    }
}

#[test]
fn ce_datacontenttype_and_ce_data_are_not_allowed() {
    assert_error(
        binary(
            &binary_headers(&[("ce-datacontenttype", "application/json")]),
            b"{}",
        ),
        "InvalidHeader",
        Some("datacontenttype"),
        None,
    );
    assert_error(
        binary(&binary_headers(&[("ce-data", "x")]), b""),
        "InvalidHeader",
        Some("data"),
        None,
    );
}

#[test]
fn required_headers_and_specversion() {
    for missing in ["specversion", "id", "source", "type"] {
        let header = format!("ce-{missing}");
        let headers: Vec<(&str, &str)> = binary_headers(&[])
            .into_iter()
            .filter(|(name, _)| *name != header)
            .collect();
        let error = assert_error(
            binary(&headers, b""),
            "MissingAttribute",
            Some(missing),
            None,
        );
        assert!(error.message().contains(&header), "{error}");
    }
    let headers = [
        ("ce-specversion", "0.3"),
        ("ce-id", "1"),
        ("ce-source", "/s"),
        ("ce-type", "t"),
    ];
    assert_error(
        binary(&headers, b""),
        "InvalidSpecVersion",
        Some("specversion"),
        None,
    );
    assert_error(
        binary(&binary_headers(&[("ce-subject", "")]), b""),
        "EmptyAttribute",
        Some("subject"),
        None,
    );
    assert_error(
        binary(&binary_headers(&[("ce-time", "yesterday")]), b""),
        "InvalidTime",
        Some("time"),
        None,
    );
    assert_error(
        binary(&binary_headers(&[("ce-source", "a%20b")]), b""),
        "DuplicateAttribute",
        Some("source"),
        None,
    );
}

#[test]
fn names_and_duplicates() {
    assert_error(
        binary(&binary_headers(&[("ce-my_ext", "v")]), b""),
        "InvalidAttributeName",
        Some("my_ext"),
        None,
    );
    assert_error(
        binary(&binary_headers(&[("ce-", "v")]), b""),
        "InvalidAttributeName",
        Some(""),
        None,
    );
    assert_error(
        binary(&binary_headers(&[("ce-x", "1"), ("CE-X", "2")]), b""),
        "DuplicateAttribute",
        Some("x"),
        None,
    );
    assert_error(
        binary(
            &binary_headers(&[
                ("content-type", "text/plain"),
                ("Content-Type", "text/plain"),
            ]),
            b"",
        ),
        "InvalidContentType",
        None,
        None,
    );
    assert_error(
        binary(&binary_headers(&[("content-type", "plain")]), b""),
        "InvalidContentType",
        None,
        None,
    );
}

#[test]
fn invalid_source_in_binary_mode() {
    let headers = [
        ("ce-specversion", "1.0"),
        ("ce-id", "1"),
        ("ce-source", "a%20b"),
        ("ce-type", "t"),
    ];
    assert_error(binary(&headers, b""), "InvalidUri", Some("source"), None);
}

#[test]
fn parse_request_dispatches_to_binary_mode() {
    let headers = [
        ("ce-specversion", &b"1.0"[..]),
        ("ce-id", b"1"),
        ("ce-source", b"/s"),
        ("ce-type", b"t"),
        ("content-type", b"application/xml"),
    ];
    let events = parse_request(headers, b"<a/>").unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].data(), &Data::Binary(b"<a/>".to_vec()));
}
