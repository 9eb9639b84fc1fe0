//! Helpers shared by the integration tests (each test file includes this module).
#![allow(dead_code, reason = "each test file uses a different subset")]

use gridlog_format::{Event, FormatError, parse_batch, parse_binary, parse_structured};

pub const BATCH: &[u8] = b"application/cloudevents-batch+json; charset=utf-8";
pub const STRUCTURED: &[u8] = b"application/cloudevents+json; charset=utf-8";

/// The error of a result that must have failed.
pub fn err<T: std::fmt::Debug>(result: Result<T, FormatError>) -> FormatError {
    match result {
        Ok(value) => panic!("expected an error, got {value:?}"),
        Err(error) => error,
    }
}

/// Asserts `result` failed with `code`, about `attribute`, at batch position `index`.
#[track_caller]
pub fn assert_error<T: std::fmt::Debug>(
    result: Result<T, FormatError>,
    code: &str,
    attribute: Option<&str>,
    index: Option<usize>,
) -> FormatError {
    let error = err(result);
    assert_eq!(error.code(), code, "{error}");
    assert_eq!(error.attribute(), attribute, "{error}");
    assert_eq!(error.index(), index, "{error}");
    error
}

/// Parses one structured event.
pub fn structured(json: &str) -> Result<Event, FormatError> {
    parse_structured(json.as_bytes())
}

/// Parses a batch.
pub fn batch(json: &str) -> Result<Vec<Event>, FormatError> {
    parse_batch(json.as_bytes())
}

/// A minimal valid event object with `extra` members (a JSON fragment starting with `,`, or
/// empty) appended.
pub fn event_with(extra: &str) -> String {
    format!(r#"{{"specversion":"1.0","id":"1","source":"/s","type":"t"{extra}}}"#)
}

/// Parses binary mode from string headers.
pub fn binary(headers: &[(&str, &str)], body: &[u8]) -> Result<Event, FormatError> {
    parse_binary(headers.iter().map(|(n, v)| (*n, v.as_bytes())), body)
}

/// The required binary-mode headers plus `extra`.
pub fn binary_headers<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut headers = vec![
        ("ce-specversion", "1.0"),
        ("ce-id", "1"),
        ("ce-source", "/s"),
        ("ce-type", "t"),
    ];
    headers.extend_from_slice(extra);
    headers
}

/// A minimal valid event object with members replaced, removed (`None`) or appended, in order.
pub fn object(changes: &[(&str, Option<&str>)]) -> String {
    let mut members: Vec<(String, String)> = [
        ("specversion", "\"1.0\""),
        ("id", "\"1\""),
        ("source", "\"/s\""),
        ("type", "\"t\""),
    ]
    .iter()
    .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
    .collect();
    for (name, value) in changes {
        let position = members.iter().position(|(n, _)| n == name);
        match (position, value) {
            (Some(i), Some(value)) => (*value).clone_into(&mut members[i].1),
            (Some(i), None) => {
                members.remove(i);
            }
            (None, Some(value)) => members.push(((*name).to_owned(), (*value).to_owned())),
            (None, None) => {}
        }
    }
    let body: Vec<String> = members
        .iter()
        .map(|(n, v)| format!("{}:{v}", serde_json::to_string(n).unwrap()))
        .collect();
    format!("{{{}}}", body.join(","))
}
