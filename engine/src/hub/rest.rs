//! [`RestMessage`]: the stored layout of a message ingested over the Event Hubs REST API
//! ([`MessageFormat::Rest`](super::MessageFormat::Rest)), so that a reader over another
//! protocol (AMQP) can present its body, content type and custom properties
//! (docs/format.md §6b.2): a state-record header (`01 02`), the layout version byte `01`, then
//! postcard fields `content_type: Option<str>`, `properties: Vec<(str, str)>`, `body: bytes`.

use serde::{Deserialize, Serialize};

use crate::record::Bytes;

/// The layout version this build writes and reads.
const REST_LAYOUT_VERSION: u8 = 1;

/// A REST-ingested message: its body, its `Content-Type`, and its custom properties (the
/// request's user headers, as the Event Hubs REST API turns them into application properties),
/// in the order received.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RestMessage {
    /// `Content-Type` of the message (a batch item's `ContentType`, or the request's).
    pub content_type: Option<String>,
    /// Custom properties, name and value as text.
    pub properties: Vec<(String, String)>,
    /// The body, as sent.
    pub body: Vec<u8>,
}

/// Bytes that are no [`RestMessage`] this build reads.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RestMessageError {
    /// A layout version this build does not know.
    #[error("REST message layout version {0} is unknown (this build reads 1)")]
    UnknownVersion(u8),
    /// Not a REST message at all (header, truncation, trailing bytes).
    #[error("{0}")]
    Corrupt(#[from] gridlog_format::FormatError),
}

#[derive(Serialize)]
struct Out<'a> {
    version: u8,
    content_type: Option<&'a str>,
    properties: Vec<(&'a str, &'a str)>,
    body: Bytes<'a>,
}

#[derive(Deserialize)]
struct In<'a> {
    version: u8,
    #[serde(borrow)]
    content_type: Option<&'a str>,
    #[serde(borrow)]
    properties: Vec<(&'a str, &'a str)>,
    #[serde(borrow)]
    body: Bytes<'a>,
}

impl RestMessage {
    /// The stored bytes.
    pub fn encode(&self) -> Vec<u8> {
        gridlog_format::encode_state_record(&Out {
            version: REST_LAYOUT_VERSION,
            content_type: self.content_type.as_deref(),
            properties: self
                .properties
                .iter()
                .map(|(name, value)| (name.as_str(), value.as_str()))
                .collect(),
            body: Bytes(&self.body),
        })
    }

    /// The message of stored bytes.
    pub fn decode(bytes: &[u8]) -> Result<Self, RestMessageError> {
        // The version byte follows the two-byte record header; checked before the fields, whose
        // layout it decides.
        if let Some(&version) = bytes.get(2)
            && version != REST_LAYOUT_VERSION
        {
            return Err(RestMessageError::UnknownVersion(version));
        }
        let got: In<'_> = gridlog_format::decode_state_record(bytes)?;
        if got.version != REST_LAYOUT_VERSION {
            return Err(RestMessageError::UnknownVersion(got.version));
        }
        Ok(Self {
            content_type: got.content_type.map(str::to_owned),
            properties: got
                .properties
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value.to_owned()))
                .collect(),
            body: got.body.0.to_vec(),
        })
    }
}
