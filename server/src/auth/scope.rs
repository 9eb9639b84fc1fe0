//! What a SAS token's resource `r` grants, and what a request acts on.
//!
//! A token authorizes exactly one of: the whole namespace, one topic (its publish and all its
//! subscriptions), or one subscription. The scope is parsed into that shape **before** it is
//! compared, never compared as a string prefix: a path prefix can then never smuggle in a
//! `topics/…` or `eventsubscriptions/…` segment that changes what the token covers (the bypass
//! of issue #17: a topic-scoped token reaching `/topics/tpc/topics/other:publish`).
//!
//! Shapes of the scope's path (after the scheme and authority, query and fragment dropped, empty
//! segments ignored, names compared case-insensitively as Azure names are):
//!
//! | path | grants |
//! |---|---|
//! | `[/prefix]` (no `topics` segment) | the namespace |
//! | `[/prefix]/topics/{t}` | topic `t` |
//! | `[/prefix]/topics/{t}/eventsubscriptions/{s}` | subscription `s` of `t` |
//!
//! Any other shape (e.g. `…/topics/t/x`, an `eventsubscriptions` segment in the prefix) grants
//! nothing. The scope's prefix must be empty or equal the request's endpoint prefix.

/// What a request acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target<'a> {
    /// The namespace as a whole (the management API, `/metrics`).
    Namespace,
    /// A topic (publish).
    Topic(&'a str),
    /// A subscription of a topic (receive and settlements).
    Subscription(&'a str, &'a str),
}

/// What a request wants to reach: the endpoint's path prefix and the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Resource<'a> {
    /// The endpoint path prefix (decoded), `""` or e.g. `/ns1`; it never holds a `topics` or
    /// `eventsubscriptions` segment (the router refuses such paths).
    pub prefix: &'a str,
    /// What the request acts on.
    pub target: Target<'a>,
}

/// The parsed scope of a SAS token.
#[derive(Debug, PartialEq, Eq)]
struct Scope<'a> {
    prefix: Vec<&'a str>,
    target: Target<'a>,
}

/// Is `segment` one of the segments that select a resource (`topics`, `eventsubscriptions`)?
pub fn is_reserved_segment(segment: &str) -> bool {
    segment.eq_ignore_ascii_case("topics") || segment.eq_ignore_ascii_case("eventsubscriptions")
}

/// Parses a (decoded) SAS resource: a URL or a bare path. `None`: a shape that grants nothing.
fn parse(scope: &str) -> Option<Scope<'_>> {
    let mut path = scope;
    if let Some(index) = path.find("://") {
        let after = &path[index + 3..];
        path = after.find('/').map_or("", |slash| &after[slash..]);
    }
    let path = path.split(['?', '#']).next().unwrap_or("");
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let first_topics = segments
        .iter()
        .position(|s| s.eq_ignore_ascii_case("topics"));
    let (prefix, rest) = segments.split_at(first_topics.unwrap_or(segments.len()));
    if prefix.iter().any(|s| is_reserved_segment(s)) {
        return None;
    }
    let subscriptions = |s: &str| s.eq_ignore_ascii_case("eventsubscriptions");
    let target = match rest {
        [] => Target::Namespace,
        [_, topic] if !is_reserved_segment(topic) => Target::Topic(topic),
        [_, topic, subs, sub]
            if subscriptions(subs) && !is_reserved_segment(topic) && !is_reserved_segment(sub) =>
        {
            Target::Subscription(topic, sub)
        }
        _ => return None,
    };
    Some(Scope {
        prefix: prefix.to_vec(),
        target,
    })
}

fn prefix_matches(scope: &[&str], request: &str) -> bool {
    if scope.is_empty() {
        return true;
    }
    let request: Vec<&str> = request.split('/').filter(|s| !s.is_empty()).collect();
    scope.len() == request.len()
        && scope
            .iter()
            .zip(&request)
            .all(|(a, b)| a.eq_ignore_ascii_case(b))
}

/// Does the (decoded) SAS resource `scope` authorize a request on `resource`?
pub fn covers(scope: &str, resource: Resource<'_>) -> bool {
    let Some(scope) = parse(scope) else {
        return false;
    };
    if !prefix_matches(&scope.prefix, resource.prefix) {
        return false;
    }
    let same = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
    match (scope.target, resource.target) {
        (Target::Namespace, _) => true,
        (Target::Topic(t), Target::Topic(rt) | Target::Subscription(rt, _)) => same(t, rt),
        (Target::Subscription(t, s), Target::Subscription(rt, rs)) => same(t, rt) && same(s, rs),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at<'a>(prefix: &'a str, target: Target<'static>) -> Resource<'a> {
        Resource { prefix, target }
    }

    #[test]
    fn scope_shapes() {
        assert_eq!(
            parse("https://ns.example/").map(|s| s.target),
            Some(Target::Namespace)
        );
        assert_eq!(
            parse("https://ns.example/ns1/Topics/t?x=1").map(|s| (s.prefix, s.target)),
            Some((vec!["ns1"], Target::Topic("t")))
        );
        assert_eq!(
            parse("/topics/t/EventSubscriptions/s/").map(|s| s.target),
            Some(Target::Subscription("t", "s"))
        );
        for nothing in [
            "https://ns.example/topics",
            "https://ns.example/topics/t/x",
            "https://ns.example/topics/t/eventsubscriptions",
            "https://ns.example/topics/t/eventsubscriptions/s/x",
            "https://ns.example/topics/t/topics/u",
            "https://ns.example/topics/topics",
            "https://ns.example/eventsubscriptions/s",
            "https://ns.example/a/eventsubscriptions/s/topics/t",
            "https://ns.example/topics/t/eventsubscriptions/topics",
        ] {
            assert_eq!(parse(nothing), None, "{nothing}");
        }
    }

    #[test]
    fn a_scope_covers_exactly_its_resource() {
        let topic = "https://ns.example/topics/tpc";
        assert!(covers(topic, at("", Target::Topic("tpc"))));
        assert!(covers(topic, at("", Target::Topic("TPC"))));
        assert!(covers(topic, at("/ns1", Target::Subscription("tpc", "s"))));
        assert!(!covers(topic, at("", Target::Topic("other"))));
        assert!(!covers(topic, at("", Target::Topic("tpc2"))));
        assert!(!covers(topic, at("", Target::Namespace)));
        let sub = "https://ns.example/topics/tpc/eventsubscriptions/s01";
        assert!(covers(sub, at("", Target::Subscription("tpc", "s01"))));
        assert!(!covers(sub, at("", Target::Subscription("tpc", "s02"))));
        assert!(!covers(sub, at("", Target::Topic("tpc"))));
        let namespace = "https://ns.example";
        assert!(covers(namespace, at("", Target::Namespace)));
        assert!(covers(namespace, at("/ns1", Target::Topic("t"))));
    }

    #[test]
    fn a_scope_prefix_must_be_the_request_prefix() {
        let scoped = "http://127.0.0.1:1/ns1/topics/t";
        assert!(covers(scoped, at("/ns1", Target::Topic("t"))));
        assert!(covers(scoped, at("/NS1/", Target::Topic("t"))));
        assert!(!covers(scoped, at("", Target::Topic("t"))));
        assert!(!covers(scoped, at("/ns2", Target::Topic("t"))));
        assert!(!covers(scoped, at("/ns1/x", Target::Topic("t"))));
        // A namespace scope under a prefix is that prefix's namespace only.
        let ns1 = "https://host/ns1";
        assert!(covers(ns1, at("/ns1", Target::Namespace)));
        assert!(!covers(ns1, at("", Target::Namespace)));
        // `…/_gridlog` is not the whole namespace (management needs the namespace).
        assert!(!covers("https://host/_gridlog", at("", Target::Namespace)));
    }
}
