//! Parsing the raw request path and query of the data-plane operations (reference §1.1).
//!
//! The path is taken raw (still percent-encoded). The action is split off at the **last
//! literal** `:` first, then the rest is split into `/`-segments and each is percent-decoded, so
//! a `%3A` or `%2F` inside a name is part of the name. An endpoint path prefix (`/ns1/topics/…`)
//! is allowed: the operation is recognised by its last `topics` (and `eventsubscriptions`)
//! segments, and the prefix may hold neither (nor an encoded `/`), so what a SAS scope is
//! checked against is what the operation acts on.

use percent_encoding::percent_decode_str;

use gridlog::ReleaseDelay;

use crate::auth::{Resource, Target, is_reserved_segment};

/// A data-plane operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// `:publish` (on a topic).
    Publish,
    /// `:receive`.
    Receive,
    /// `:acknowledge`.
    Acknowledge,
    /// `:release`.
    Release,
    /// `:reject`.
    Reject,
    /// `:renewLock`.
    RenewLock,
    /// `:peek` (gridlog's, `GET`, on a topic or a subscription): read-only.
    Peek,
    /// `:republishDeadLetters` (gridlog's, on a dead-letter topic; namespace credentials).
    RepublishDeadLetters,
}

/// A parsed data-plane path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// The endpoint's path prefix (decoded), e.g. `""` or `/ns1`.
    pub prefix: String,
    /// Topic name (decoded).
    pub topic: String,
    /// Subscription name (decoded); `None` for publish.
    pub subscription: Option<String>,
    /// The operation.
    pub action: Action,
}

impl Route {
    /// What the request acts on, for the credentials check. Re-publishing dead letters writes
    /// into other topics than the one named, so it acts on the namespace.
    pub fn resource(&self) -> Resource<'_> {
        Resource {
            prefix: &self.prefix,
            target: match (&self.subscription, self.action) {
                (_, Action::RepublishDeadLetters) => Target::Namespace,
                (None, _) => Target::Topic(&self.topic),
                (Some(sub), _) => Target::Subscription(&self.topic, sub),
            },
        }
    }
}

fn decode_segment(segment: &str) -> Option<String> {
    let decoded = percent_decode_str(segment).decode_utf8().ok()?;
    (!decoded.is_empty()).then(|| decoded.into_owned())
}

/// Parses a raw path (no query). `None`: not a data-plane path (404).
pub fn parse_path(raw: &str) -> Option<Route> {
    let colon = raw.rfind(':')?;
    let (resource, action) = (&raw[..colon], &raw[colon + 1..]);
    let segments: Vec<&str> = resource.split('/').collect();
    // segments[0] is "" (the path starts with '/').
    if segments.first() != Some(&"") || segments.len() < 3 {
        return None;
    }
    let n = segments.len();
    let on_topic = matches!(action, "publish" | "republishDeadLetters")
        || (action == "peek" && segments.get(n - 2) == Some(&"topics"));
    let (topic_index, subscription) = if on_topic {
        (n - 2, None)
    } else {
        if n < 5 || segments[n - 2] != "eventsubscriptions" {
            return None;
        }
        (n - 4, Some(decode_segment(segments[n - 1])?))
    };
    if segments[topic_index] != "topics" {
        return None;
    }
    let topic = decode_segment(segments[topic_index + 1])?;
    let action = match (action, subscription.is_some()) {
        ("publish", false) => Action::Publish,
        ("receive", true) => Action::Receive,
        ("acknowledge", true) => Action::Acknowledge,
        ("release", true) => Action::Release,
        ("reject", true) => Action::Reject,
        ("renewLock", true) => Action::RenewLock,
        ("peek", _) => Action::Peek,
        ("republishDeadLetters", false) => Action::RepublishDeadLetters,
        _ => return None,
    };
    // The prefix only names the endpoint: a segment that selects a resource (`topics`,
    // `eventsubscriptions`, however spelled or encoded) or hides a `/` would let the path say
    // one thing to a SAS scope and another to the router (issue #17), so such paths are refused.
    let mut prefix = String::new();
    for segment in &segments[1..topic_index] {
        if segment.is_empty() {
            continue; // a collapsed or doubled '/'
        }
        let decoded = percent_decode_str(segment).decode_utf8().ok()?;
        if decoded.contains('/') || is_reserved_segment(&decoded) {
            return None;
        }
        prefix.push('/');
        prefix.push_str(&decoded);
    }
    Some(Route {
        prefix,
        topic,
        subscription,
        action,
    })
}

/// The API versions accepted (reference §1.1).
pub const API_VERSIONS: [&str; 4] = [
    "2023-11-01",
    "2024-06-01",
    "2023-10-01-preview",
    "2023-06-01-preview",
];

/// Query parameters of a data-plane request, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    /// `api-version`.
    pub api_version: String,
    /// `maxEvents` (receive; default 1, 1–100).
    pub max_events: u32,
    /// `maxWaitTime` in seconds (receive; default 60, 10–120).
    pub max_wait_secs: u32,
    /// `releaseDelayInSeconds` (release; default 0).
    pub release_delay: ReleaseDelay,
    /// `aeg-sas-key` (decoded), if given.
    pub sas_key: Option<String>,
    /// `from` (peek; default 0): the log position to start at.
    pub from: u64,
    /// `type` (peek): only events of this type.
    pub event_type: Option<String>,
    /// `subject` (peek): only events whose subject begins with this.
    pub subject: Option<String>,
}

/// Events a peek returns when `maxEvents` is not given.
pub const PEEK_EVENTS_DEFAULT: u32 = 10;

/// A query that is not acceptable: (code, message) for a 400.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryError {
    /// Stable code.
    pub code: &'static str,
    /// Message.
    pub message: String,
}

fn bad(code: &'static str, message: String) -> QueryError {
    QueryError { code, message }
}

/// Splits a raw query into decoded (name, value) pairs (`+` is a space, as in forms).
pub fn pairs(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (name, value) = part.split_once('=').unwrap_or((part, ""));
            let decode = |s: &str| {
                percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (decode(name), decode(value))
        })
        .collect()
}

fn int_in(
    name: &str,
    value: &str,
    range: std::ops::RangeInclusive<u32>,
) -> Result<u32, QueryError> {
    value
        .parse::<u32>()
        .ok()
        .filter(|n| range.contains(n))
        .ok_or_else(|| {
            bad(
                "InvalidQueryParameter",
                format!(
                    "query parameter '{name}' must be an integer from {} to {}, got '{value}'",
                    range.start(),
                    range.end()
                ),
            )
        })
}

/// Parses and validates the query of a data-plane request for `action`.
pub fn parse_query(raw: Option<&str>, action: Action) -> Result<Query, QueryError> {
    let mut api_version = None;
    let mut max_events = None;
    let mut max_wait = None;
    let mut delay = None;
    let mut sas_key = None;
    let (mut from, mut event_type, mut subject) = (None, None, None);
    for (name, value) in pairs(raw.unwrap_or("")) {
        let peek = action == Action::Peek;
        let slot = match name.as_str() {
            "api-version" => &mut api_version,
            "maxEvents" if action == Action::Receive || peek => &mut max_events,
            "from" if peek => &mut from,
            "type" if peek => &mut event_type,
            "subject" if peek => &mut subject,
            "maxWaitTime" if action == Action::Receive => &mut max_wait,
            "releaseDelayInSeconds" if action == Action::Release => &mut delay,
            "aeg-sas-key" => &mut sas_key,
            _ => continue, // unknown parameters are ignored, as Azure does
        };
        if slot.is_some() {
            return Err(bad(
                "InvalidQueryParameter",
                format!("query parameter '{name}' is given more than once"),
            ));
        }
        *slot = Some(value);
    }
    let api_version = api_version.ok_or_else(|| {
        bad(
            "MissingApiVersionParameter",
            "the 'api-version' query parameter is required".to_owned(),
        )
    })?;
    if !API_VERSIONS.contains(&api_version.as_str()) {
        return Err(bad(
            "InvalidApiVersionParameter",
            format!(
                "api-version '{api_version}' is not supported; use one of {}",
                API_VERSIONS.join(", ")
            ),
        ));
    }
    let default_events = if action == Action::Peek {
        PEEK_EVENTS_DEFAULT
    } else {
        1
    };
    let max_events = max_events.map_or(Ok(default_events), |v| int_in("maxEvents", &v, 1..=100))?;
    let from = match from {
        None => 0,
        Some(value) => value.parse::<u64>().map_err(|_| {
            bad(
                "InvalidQueryParameter",
                format!(
                    "query parameter 'from' must be a log position (an integer), got '{value}'"
                ),
            )
        })?,
    };
    let nonempty = |v: Option<String>| v.filter(|v| !v.is_empty());
    let max_wait_secs = max_wait.map_or(Ok(60), |v| int_in("maxWaitTime", &v, 10..=120))?;
    let release_delay = match delay {
        None => ReleaseDelay::Zero,
        Some(value) => value
            .parse::<u64>()
            .ok()
            .and_then(ReleaseDelay::from_secs)
            .ok_or_else(|| {
                bad(
                    "InvalidQueryParameter",
                    format!(
                        "query parameter 'releaseDelayInSeconds' must be one of 0, 10, 60, 600, 3600, got '{value}'"
                    ),
                )
            })?,
    };
    Ok(Query {
        api_version,
        max_events,
        max_wait_secs,
        release_delay,
        sas_key,
        from,
        event_type: nonempty(event_type),
        subject: nonempty(subject),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[expect(
        clippy::unnecessary_wraps,
        reason = "compared with parse_path's answer"
    )]
    fn route(prefix: &str, topic: &str, sub: Option<&str>, action: Action) -> Option<Route> {
        Some(Route {
            prefix: prefix.to_owned(),
            topic: topic.to_owned(),
            subscription: sub.map(str::to_owned),
            action,
        })
    }

    #[test]
    fn the_six_operations() {
        assert_eq!(
            parse_path("/topics/t1:publish"),
            route("", "t1", None, Action::Publish)
        );
        for (name, action) in [
            ("receive", Action::Receive),
            ("acknowledge", Action::Acknowledge),
            ("release", Action::Release),
            ("reject", Action::Reject),
            ("renewLock", Action::RenewLock),
        ] {
            assert_eq!(
                parse_path(&format!("/topics/t1/eventsubscriptions/s1:{name}")),
                route("", "t1", Some("s1"), action)
            );
        }
    }

    #[test]
    fn peek_and_republish() {
        assert_eq!(
            parse_path("/topics/t1:peek"),
            route("", "t1", None, Action::Peek)
        );
        assert_eq!(
            parse_path("/ns/topics/t1/eventsubscriptions/s1:peek"),
            route("/ns", "t1", Some("s1"), Action::Peek)
        );
        assert_eq!(
            parse_path("/topics/dlq:republishDeadLetters"),
            route("", "dlq", None, Action::RepublishDeadLetters)
        );
        for path in [
            "/topics/t/eventsubscriptions/s:republishDeadLetters",
            "/topics/t/x:peek",
            "/topics/t/eventsubscriptions:peek",
            "/topics/tpc/topics/other:peek",
            "/topics/tpc/topics/other/eventsubscriptions/s:peek",
            "/topics/tpc/topics/other:republishDeadLetters",
            "/topics/t:Peek",
        ] {
            assert_eq!(parse_path(path), None, "{path}");
        }
        let q = parse_query(
            Some("api-version=2024-06-01&from=42&maxEvents=5&type=A.B&subject=s%2F1&maxWaitTime=1"),
            Action::Peek,
        )
        .expect("valid");
        assert_eq!((q.from, q.max_events), (42, 5));
        assert_eq!(q.event_type.as_deref(), Some("A.B"));
        assert_eq!(q.subject.as_deref(), Some("s/1"));
        let q = parse_query(Some("api-version=2024-06-01&type="), Action::Peek).expect("valid");
        assert_eq!((q.from, q.max_events, q.event_type), (0, 10, None));
        for bad in [
            "from=-1",
            "from=x",
            "maxEvents=0",
            "maxEvents=101",
            "from=1&from=2",
        ] {
            let raw = format!("api-version=2024-06-01&{bad}");
            assert!(parse_query(Some(&raw), Action::Peek).is_err(), "{bad}");
        }
    }

    #[test]
    fn percent_encoded_names_and_prefixes() {
        assert_eq!(
            parse_path("/topics/my%20topic%2F%C3%A9/eventsubscriptions/s%3A1:receive"),
            route("", "my topic/é", Some("s:1"), Action::Receive)
        );
        assert_eq!(
            parse_path("/ns1/topics/t:publish"),
            route("/ns1", "t", None, Action::Publish)
        );
        assert_eq!(
            parse_path("/a/b/topics/t/eventsubscriptions/s:renewLock"),
            route("/a/b", "t", Some("s"), Action::RenewLock)
        );
    }

    #[test]
    fn not_data_plane_paths() {
        for path in [
            "/",
            "/topics/t",
            "/topics/t:receive",
            "/topics/t:Publish",
            "/topics/t/eventSubscriptions/s:receive",
            "/topics/t/eventsubscriptions/s:renewlock",
            "/topics/t/eventsubscriptions/s:publish",
            "/topics//eventsubscriptions/s:receive",
            "/topics/t/eventsubscriptions/:receive",
            "/topics/:publish",
            "topics/t:publish",
            "/topics/t/x:publish",
            "/topics/t/eventsubscriptions/s/x:receive",
            "/topics/%FF:publish",
            // A prefix may not select a resource (issue #17's scope bypass).
            "/topics/tpc/topics/other:publish",
            "/topics/tpc/topics/other/eventsubscriptions/s:receive",
            "/topics/tpc/eventsubscriptions/s01/topics/tpc:publish",
            "/topics/tpc/eventsubscriptions/s01/topics/tpc/eventsubscriptions/s02:receive",
            "/ns/Topics/tpc/topics/other:publish",
            "/ns/EVENTSUBSCRIPTIONS/topics/t:publish",
            "/%74opics/tpc/topics/other:publish",
            "/a%2Ftopics/topics/t:publish",
            "/%FF/topics/t:publish",
        ] {
            assert_eq!(parse_path(path), None, "{path}");
        }
    }

    #[test]
    fn query_defaults_ranges_and_order() {
        let q = parse_query(Some("api-version=2024-06-01"), Action::Receive).expect("valid");
        assert_eq!((q.max_events, q.max_wait_secs), (1, 60));
        let q = parse_query(
            Some("maxEvents=100&maxWaitTime=10&api-version=2023-11-01"),
            Action::Receive,
        )
        .expect("valid");
        assert_eq!((q.max_events, q.max_wait_secs), (100, 10));
        let q = parse_query(
            Some("api-version=2024-06-01&releaseDelayInSeconds=3600"),
            Action::Release,
        )
        .expect("valid");
        assert_eq!(q.release_delay, ReleaseDelay::OneHour);
        for v in API_VERSIONS {
            assert!(parse_query(Some(&format!("api-version={v}")), Action::Publish).is_ok());
        }
        for bad in [
            None,
            Some(""),
            Some("api-version=2018-01-01"),
            Some("api-version=2024-06-01&api-version=2024-06-01"),
        ] {
            assert!(parse_query(bad, Action::Publish).is_err(), "{bad:?}");
        }
        for bad in [
            "maxEvents=0",
            "maxEvents=101",
            "maxEvents=-1",
            "maxEvents=abc",
            "maxWaitTime=9",
            "maxWaitTime=121",
            "maxWaitTime=1000000000",
        ] {
            let raw = format!("api-version=2024-06-01&{bad}");
            assert!(parse_query(Some(&raw), Action::Receive).is_err(), "{bad}");
        }
        for bad in ["1", "30", "-10", "x", ""] {
            let raw = format!("api-version=2024-06-01&releaseDelayInSeconds={bad}");
            assert!(parse_query(Some(&raw), Action::Release).is_err(), "{bad}");
        }
    }
}
