//! The crate's one error type: a machine code ([`ErrorKind`]), the attribute it concerns, the
//! position of the offending event in a batch, and a human-readable message.
//!
//! The server maps [`FormatError::is_limit`] errors to `413 Payload Too Large` and every other
//! error to `400 Bad Request`, using [`FormatError::code`] as the `error.code` of the body.

use std::fmt;

/// What went wrong. Each variant has a stable machine code, [`ErrorKind::code`], equal to its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A required attribute (`specversion`, `id`, `source`, `type`) is absent or `null`.
    MissingAttribute,
    /// An attribute that must be non-empty is the empty string.
    EmptyAttribute,
    /// `specversion` is not `"1.0"`.
    InvalidSpecVersion,
    /// A member or header name is not `[a-z0-9]{1,20}`, or is reserved.
    InvalidAttributeName,
    /// An attribute value has the wrong JSON type or breaks the CloudEvents type rules.
    InvalidAttributeValue,
    /// `time` is not an RFC 3339 timestamp.
    InvalidTime,
    /// `source` is not a URI-reference or `dataschema` is not an absolute URI.
    InvalidUri,
    /// `data` and `data_base64` are both present.
    DataConflict,
    /// `data_base64` is not valid standard base64.
    InvalidBase64,
    /// The body (or JSON `data`) is not well-formed JSON, is not the expected shape, or nests
    /// deeper than the limit.
    InvalidJson,
    /// The same member or header appears twice.
    DuplicateAttribute,
    /// The `Content-Type` is missing where required, malformed, or names an unsupported format.
    InvalidContentType,
    /// A binary-mode header value cannot be decoded, or a forbidden header is present.
    InvalidHeader,
    /// One event's structured JSON is larger than [`EVENT_BYTES_MAX`](crate::EVENT_BYTES_MAX).
    EventTooLarge,
    /// The request body is larger than [`REQUEST_BYTES_MAX`](crate::REQUEST_BYTES_MAX).
    RequestTooLarge,
    /// A batch has more than [`EVENTS_PER_REQUEST_MAX`](crate::EVENTS_PER_REQUEST_MAX) events.
    TooManyEvents,
    /// A stored record has a format version this build does not know.
    UnsupportedRecordVersion,
    /// A stored record has a kind byte this build does not know.
    UnknownRecordKind,
    /// A stored record is truncated, has trailing bytes or inconsistent fields, or is of another
    /// kind than the decoder reads.
    CorruptRecord,
}

impl ErrorKind {
    /// The stable machine code, e.g. `"MissingAttribute"`.
    pub fn code(self) -> &'static str {
        match self {
            Self::MissingAttribute => "MissingAttribute",
            Self::EmptyAttribute => "EmptyAttribute",
            Self::InvalidSpecVersion => "InvalidSpecVersion",
            Self::InvalidAttributeName => "InvalidAttributeName",
            Self::InvalidAttributeValue => "InvalidAttributeValue",
            Self::InvalidTime => "InvalidTime",
            Self::InvalidUri => "InvalidUri",
            Self::DataConflict => "DataConflict",
            Self::InvalidBase64 => "InvalidBase64",
            Self::InvalidJson => "InvalidJson",
            Self::DuplicateAttribute => "DuplicateAttribute",
            Self::InvalidContentType => "InvalidContentType",
            Self::InvalidHeader => "InvalidHeader",
            Self::EventTooLarge => "EventTooLarge",
            Self::RequestTooLarge => "RequestTooLarge",
            Self::TooManyEvents => "TooManyEvents",
            Self::UnsupportedRecordVersion => "UnsupportedRecordVersion",
            Self::UnknownRecordKind => "UnknownRecordKind",
            Self::CorruptRecord => "CorruptRecord",
        }
    }

    /// Whether this kind reports an exceeded size or count limit (HTTP 413).
    pub fn is_limit(self) -> bool {
        matches!(
            self,
            Self::EventTooLarge | Self::RequestTooLarge | Self::TooManyEvents
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Why an input was rejected.
///
/// `Display` renders the message, prefixed with the event's position in a batch, e.g.
/// `event 3: attribute 'source' is missing`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    kind: ErrorKind,
    attribute: Option<String>,
    index: Option<usize>,
    message: String,
}

impl FormatError {
    /// An error of `kind` with a message and no attribute.
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            attribute: None,
            index: None,
            message: message.into(),
        }
    }

    /// An error of `kind` about `attribute`.
    pub(crate) fn attr(kind: ErrorKind, attribute: &str, message: impl Into<String>) -> Self {
        Self {
            kind,
            attribute: Some(attribute.to_owned()),
            index: None,
            message: message.into(),
        }
    }

    /// The same error, located at position `index` of a batch.
    pub(crate) fn at(mut self, index: usize) -> Self {
        self.index = Some(index);
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The stable machine code of [`Self::kind`], e.g. `"InvalidTime"`.
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// Whether a size or count limit was exceeded (HTTP 413 rather than 400).
    pub fn is_limit(&self) -> bool {
        self.kind.is_limit()
    }

    /// The attribute (or member, or header-derived attribute) the error is about, if any.
    pub fn attribute(&self) -> Option<&str> {
        self.attribute.as_deref()
    }

    /// Zero-based position of the offending event in a batch; `None` outside batches.
    pub fn index(&self) -> Option<usize> {
        self.index
    }

    /// The message without the batch position prefix.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(index) = self.index {
            write!(f, "event {index}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for FormatError {}

#[cfg(test)]
mod tests {
    use super::{ErrorKind, FormatError};

    #[test]
    fn display_is_the_message_with_the_batch_position() {
        let error = FormatError::attr(
            ErrorKind::MissingAttribute,
            "source",
            "attribute 'source' is missing",
        );
        assert_eq!(error.to_string(), "attribute 'source' is missing");
        assert_eq!(
            error.at(3).to_string(),
            "event 3: attribute 'source' is missing"
        );
    }

    const ALL: [ErrorKind; 19] = [
        ErrorKind::MissingAttribute,
        ErrorKind::EmptyAttribute,
        ErrorKind::InvalidSpecVersion,
        ErrorKind::InvalidAttributeName,
        ErrorKind::InvalidAttributeValue,
        ErrorKind::InvalidTime,
        ErrorKind::InvalidUri,
        ErrorKind::DataConflict,
        ErrorKind::InvalidBase64,
        ErrorKind::InvalidJson,
        ErrorKind::DuplicateAttribute,
        ErrorKind::InvalidContentType,
        ErrorKind::InvalidHeader,
        ErrorKind::EventTooLarge,
        ErrorKind::RequestTooLarge,
        ErrorKind::TooManyEvents,
        ErrorKind::UnsupportedRecordVersion,
        ErrorKind::UnknownRecordKind,
        ErrorKind::CorruptRecord,
    ];

    #[test]
    fn codes_are_the_variant_names_and_are_documented_in_the_crate_docs() {
        let crate_docs = include_str!("lib.rs");
        for kind in ALL {
            assert_eq!(kind.code(), format!("{kind:?}"));
            assert_eq!(kind.to_string(), kind.code());
            assert!(
                crate_docs.contains(&format!("//! | `{}` |", kind.code())),
                "the error-code table in lib.rs lacks {}",
                kind.code()
            );
        }
    }

    #[test]
    fn only_size_and_count_errors_are_limits() {
        let limits: Vec<ErrorKind> = ALL.into_iter().filter(|kind| kind.is_limit()).collect();
        assert_eq!(
            limits,
            [
                ErrorKind::EventTooLarge,
                ErrorKind::RequestTooLarge,
                ErrorKind::TooManyEvents
            ]
        );
    }
}
