//! The sections of an encoded AMQP message, walked without re-encoding what passes through:
//! a stored event is delivered with the sender's sections byte for byte, only its
//! message-annotations section replaced by one that adds the `x-opt-*` annotations.

use ntex_amqp::codec::Decode;
use ntex_amqp::codec::protocol::Section;
use ntex_amqp::codec::types::{Variant, VecSymbolMap};
use ntex_bytes::Bytes;

use crate::error::MessageError;

/// One section: what it decoded to and its bytes as received.
pub struct RawSection {
    /// The decoded section.
    pub section: Section,
    /// The section's encoding (descriptor included).
    pub raw: Bytes,
}

/// Splits an encoded message into its sections (any order, body optional).
pub fn sections(message: &Bytes) -> Result<Vec<RawSection>, MessageError> {
    let mut rest = message.clone();
    let mut out = Vec::new();
    while !rest.is_empty() {
        let before = rest.len();
        let start = message.len() - before;
        let section = Section::decode(&mut rest).map_err(|_| MessageError::Malformed)?;
        let end = message.len() - rest.len();
        out.push(RawSection {
            section,
            raw: message.slice(start..end),
        });
    }
    Ok(out)
}

/// The text of a `string` or `symbol` value.
pub fn text(value: &Variant) -> Option<&str> {
    match value {
        Variant::String(s) => Some(s.as_str()),
        Variant::Symbol(s) => Some(s.as_str()),
        _ => None,
    }
}

/// The value of annotation `key` in a message-annotations map.
pub fn annotation<'a>(map: &'a VecSymbolMap, key: &str) -> Option<&'a Variant> {
    map.0
        .iter()
        .find_map(|(k, v)| (k.as_str() == key).then_some(v))
}
