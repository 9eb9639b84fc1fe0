//! Topic templates ([`TopicTemplate`]): an MQTT topic filter whose segments may hold the variables
//! `${client.authenticationName}` and `${client.attributes.<key>}` (reference
//! `eventgrid-mqtt.md` §2.5), parsed once at configuration time and substituted per client into
//! plain filters ([`FilterSegment`]s) that the broker matches topics against.

use super::{ClientAttribute, MqttClient};
use crate::limits::{
    MQTT_TEMPLATE_SUBSTITUTIONS_MAX, MQTT_TOPIC_BYTES_MAX, MQTT_TOPIC_SEGMENTS_MAX,
};

/// The variable for the client's authentication name.
const AUTHENTICATION_NAME: &str = "client.authenticationName";
/// The prefix of the variable for one of the client's attributes.
const ATTRIBUTE_PREFIX: &str = "client.attributes.";

/// A parsed topic template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicTemplate {
    text: String,
    segments: Vec<TemplateSegment>,
}

/// One `/`-separated segment of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplateSegment {
    /// `+`: exactly one segment.
    SingleLevel,
    /// `#`: zero or more trailing segments (always the last).
    MultiLevel,
    /// Text, literal or with variables (never spanning segments, never a wildcard).
    Text(Vec<TemplatePart>),
}

/// A piece of a text segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TemplatePart {
    /// Literal text.
    Literal(String),
    /// `${client.authenticationName}`.
    AuthenticationName,
    /// `${client.attributes.<key>}`.
    Attribute(String),
}

/// A segment of a substituted template: the filter a topic is matched against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FilterSegment {
    /// Matches exactly this segment (a substituted value is always literal, even `+` or `#`).
    Literal(String),
    /// `+`.
    SingleLevel,
    /// `#`.
    MultiLevel,
}

impl TopicTemplate {
    /// Parses a template; the error says which rule it breaks.
    pub fn parse(text: &str) -> Result<Self, &'static str> {
        if text.is_empty() {
            return Err("a topic template cannot be empty");
        }
        if text.len() > MQTT_TOPIC_BYTES_MAX {
            return Err("a topic template is at most 256 bytes");
        }
        if text.starts_with('$') {
            return Err("topics beginning with '$' are reserved");
        }
        let pieces: Vec<&str> = text.split('/').collect();
        if pieces.len() > MQTT_TOPIC_SEGMENTS_MAX {
            return Err("a topic template has at most 8 segments");
        }
        let last = pieces.len() - 1;
        let segments = pieces
            .iter()
            .enumerate()
            .map(|(index, piece)| match *piece {
                "#" if index == last => Ok(TemplateSegment::MultiLevel),
                "#" => Err("'#' must be the last segment"),
                "+" => Ok(TemplateSegment::SingleLevel),
                piece if piece.contains(['+', '#']) => {
                    Err("'+' and '#' must each be a whole segment")
                }
                piece => text_segment(piece).map(TemplateSegment::Text),
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            text: text.to_owned(),
            segments,
        })
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Its segments.
    pub fn segments(&self) -> &[TemplateSegment] {
        &self.segments
    }

    /// The filters this template stands for when `client` uses it: one, or none when it names an
    /// attribute the client does not have, or one per combination of the elements of
    /// array-valued attributes (at most [`MQTT_TEMPLATE_SUBSTITUTIONS_MAX`]; beyond that the
    /// rest grant nothing).
    pub fn substitute(&self, client: &MqttClient) -> Vec<Vec<FilterSegment>> {
        let mut filters: Vec<Vec<FilterSegment>> = vec![Vec::new()];
        for segment in &self.segments {
            let choices: Vec<FilterSegment> = match segment {
                TemplateSegment::SingleLevel => vec![FilterSegment::SingleLevel],
                TemplateSegment::MultiLevel => vec![FilterSegment::MultiLevel],
                TemplateSegment::Text(parts) => expand(parts, client)
                    .into_iter()
                    .map(FilterSegment::Literal)
                    .collect(),
            };
            if choices.is_empty() {
                return Vec::new();
            }
            let mut next = Vec::new();
            'outer: for filter in &filters {
                for choice in &choices {
                    if next.len() == MQTT_TEMPLATE_SUBSTITUTIONS_MAX {
                        break 'outer;
                    }
                    let mut longer = filter.clone();
                    longer.push(choice.clone());
                    next.push(longer);
                }
            }
            filters = next;
        }
        filters
    }
}

/// The literal texts a text segment becomes for `client`.
fn expand(parts: &[TemplatePart], client: &MqttClient) -> Vec<String> {
    let mut texts = vec![String::new()];
    for part in parts {
        let values: Vec<String> = match part {
            TemplatePart::Literal(text) => vec![text.clone()],
            TemplatePart::AuthenticationName => vec![client.authentication_name.clone()],
            TemplatePart::Attribute(key) => match client.attributes.get(key) {
                None => return Vec::new(),
                Some(ClientAttribute::Strings(values)) => values.clone(),
                Some(value) => vec![value.to_text()],
            },
        };
        let mut next = Vec::new();
        for text in &texts {
            for value in &values {
                if next.len() == MQTT_TEMPLATE_SUBSTITUTIONS_MAX {
                    break;
                }
                next.push(format!("{text}{value}"));
            }
        }
        texts = next;
    }
    texts
}

/// A segment's literal text and variables.
fn text_segment(piece: &str) -> Result<Vec<TemplatePart>, &'static str> {
    let mut parts = Vec::new();
    let mut rest = piece;
    while let Some(start) = rest.find("${") {
        if start > 0 {
            parts.push(TemplatePart::Literal(rest[..start].to_owned()));
        }
        let after = &rest[start + 2..];
        let end = after
            .find('}')
            .ok_or("a '${' variable is not closed by '}' within its segment")?;
        parts.push(variable(&after[..end])?);
        rest = &after[end + 1..];
    }
    if !rest.is_empty() {
        parts.push(TemplatePart::Literal(rest.to_owned()));
    }
    Ok(parts)
}

fn variable(name: &str) -> Result<TemplatePart, &'static str> {
    if name == AUTHENTICATION_NAME {
        return Ok(TemplatePart::AuthenticationName);
    }
    match name.strip_prefix(ATTRIBUTE_PREFIX) {
        Some(key) if super::attribute_key_valid(key) => Ok(TemplatePart::Attribute(key.to_owned())),
        Some(_) => Err("an attribute key holds only A-Z, a-z, 0-9 and '_'"),
        None => Err(
            "the variables are ${client.authenticationName} and ${client.attributes.<key>}",
        ),
    }
}
