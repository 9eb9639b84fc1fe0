//! Filter keys: which value of an event a filter looks at, and how it is found in the structured
//! event JSON object.

use serde_json::Value;

use super::error::FilterErrorKind;
use crate::limits::{
    FILTER_ATTRIBUTE_NAME_CHARS_MAX, FILTER_KEY_CHARS_MAX, FILTER_KEY_SEGMENTS_MAX,
};

/// The context attributes every event may carry in its envelope. Reading these needs
/// no parse of `data` or of the extensions (see [`Filter::needs_data`](super::Filter::needs_data)).
pub const CONTEXT_ATTRIBUTES: [&str; 8] = [
    "id",
    "source",
    "type",
    "subject",
    "time",
    "specversion",
    "datacontenttype",
    "dataschema",
];

/// Legacy (Event Grid basic tier) key names and the attribute each one reads. They take
/// precedence over an extension attribute of the same name.
pub const KEY_ALIASES: [(&str, &str); 3] = [
    ("eventid", "id"),
    ("eventtype", "type"),
    ("eventtypeversion", "dataversion"),
];

/// A validated filter key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterKey {
    text: String,
    target: KeyTarget,
}

/// What a filter key reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyTarget {
    /// A context or extension attribute, by its lower-case name (aliases already resolved).
    Attribute(String),
    /// A path into JSON `data`: the member names after `data.`, compared exactly. Empty for the
    /// key `data` itself.
    Data(Vec<String>),
}

impl FilterKey {
    /// Validates `text` as a filter key:
    ///
    /// - an attribute name, 1–20 ASCII letters or digits, matched case-insensitively (it is
    ///   lower-cased, as event attribute names are lower-case), or a legacy alias;
    /// - `data`, or `data.` followed by up to 15 dot-separated, non-empty member names of
    ///   Unicode letters, digits, `_`, `-`, `$` and `@`, matched exactly. The `data` prefix itself
    ///   is case-insensitive. There is no escape for a `.` inside a member name, as in Azure.
    pub fn parse(text: &str) -> Result<Self, FilterErrorKind> {
        if text.is_empty() {
            return Err(FilterErrorKind::EmptyKey);
        }
        let invalid = |reason| FilterErrorKind::InvalidKey {
            key: text.chars().take(FILTER_KEY_CHARS_MAX).collect(),
            reason,
        };
        if text.chars().count() > FILTER_KEY_CHARS_MAX {
            return Err(invalid("longer than 256 characters"));
        }
        let mut segments = text.split('.');
        let first = segments.next().unwrap_or_default();
        let rest: Vec<&str> = segments.collect();
        if first.eq_ignore_ascii_case("data") {
            if rest.len() + 1 > FILTER_KEY_SEGMENTS_MAX {
                return Err(invalid("more than 16 dot-separated segments"));
            }
            for segment in &rest {
                if segment.is_empty() {
                    return Err(invalid("empty segment between dots"));
                }
                if !segment.chars().all(is_member_char) {
                    return Err(invalid(
                        "data member names may hold only letters, digits, '_', '-', '$' and '@'",
                    ));
                }
            }
            let path = rest.into_iter().map(str::to_owned).collect();
            return Ok(Self {
                text: text.to_owned(),
                target: KeyTarget::Data(path),
            });
        }
        if !rest.is_empty() {
            return Err(invalid("a dotted key must start with 'data.'"));
        }
        if first.len() > FILTER_ATTRIBUTE_NAME_CHARS_MAX {
            return Err(invalid("attribute names are at most 20 characters"));
        }
        if !first.bytes().all(|byte| byte.is_ascii_alphanumeric()) {
            return Err(invalid(
                "attribute names hold only ASCII letters and digits",
            ));
        }
        let lower = first.to_ascii_lowercase();
        let name = KEY_ALIASES
            .iter()
            .find(|(alias, _)| *alias == lower)
            .map_or(lower, |(_, attribute)| (*attribute).to_owned());
        Ok(Self {
            text: text.to_owned(),
            target: KeyTarget::Attribute(name),
        })
    }

    /// The key as written in the configuration.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// What the key reads.
    pub fn target(&self) -> &KeyTarget {
        &self.target
    }

    /// Whether reading this key needs more than the envelope's context attributes: a `data` path
    /// or an extension attribute.
    pub fn needs_data(&self) -> bool {
        match &self.target {
            KeyTarget::Attribute(name) => !CONTEXT_ATTRIBUTES.contains(&name.as_str()),
            KeyTarget::Data(_) => true,
        }
    }

    /// The value this key reads in a structured event JSON object, or `None` if it is missing
    /// (the event is not an object, the attribute is absent, the event has no JSON `data` — e.g.
    /// it has `data_base64` — or a member on the path is absent or its parent is not an object).
    pub fn lookup<'e>(&self, event: &'e Value) -> Option<&'e Value> {
        match &self.target {
            KeyTarget::Attribute(name) => event.get(name),
            KeyTarget::Data(path) => path.iter().try_fold(event.get("data")?, |value, member| {
                value.as_object()?.get(member)
            }),
        }
    }
}

impl std::fmt::Display for FilterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

fn is_member_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '$' | '@')
}
