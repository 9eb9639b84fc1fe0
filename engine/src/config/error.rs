//! Why a namespace configuration is invalid: [`ConfigError`] (the field path in the ARM JSON plus
//! a typed [`ConfigErrorKind`]).

use crate::filter::FilterErrorKind;
use crate::path_error::{ErrorCode, PathError};

/// An invalid namespace configuration: the path of the offending field in the ARM-shaped JSON
/// (e.g. `topics[0].eventSubscriptions[1].properties.deliveryConfiguration.queue.maxDeliveryCount`,
/// empty for the document itself) and what is wrong. Displays as `path: message`.
pub type ConfigError = PathError<ConfigErrorKind>;

/// What is wrong with a namespace configuration.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigErrorKind {
    /// Not JSON, or a JSON value of the wrong type, or an unknown or missing field (serde's
    /// message).
    #[error("{message}")]
    Syntax {
        /// serde's description.
        message: String,
    },
    /// The document is valid JSON but not an object (e.g. `[]`, which serde would otherwise read
    /// as a struct of all-default fields: a namespace with no topics).
    #[error("the configuration must be a JSON object such as {{\"topics\":[…]}}, not {found}")]
    NotAnObject {
        /// What the document is instead (`an array`, `a string`, …).
        found: &'static str,
    },
    /// A number outside its allowed range.
    #[error("must be {min}..={max}, got {got}")]
    OutOfRange {
        /// Smallest allowed.
        min: i64,
        /// Largest allowed.
        max: i64,
        /// Given.
        got: i64,
    },
    /// A topic or subscription name that is not 3–50 characters of `[A-Za-z0-9-]`, or another
    /// malformed name.
    #[error("invalid name '{name}': {rule}")]
    InvalidName {
        /// The name given (truncated to 64 characters).
        name: String,
        /// The rule it breaks.
        rule: &'static str,
    },
    /// A name used twice where names are unique (compared case-insensitively).
    #[error("duplicate name '{name}' (names are case-insensitive)")]
    DuplicateName {
        /// The second occurrence.
        name: String,
    },
    /// More entries than allowed.
    #[error("at most {max} entries are allowed, got {got}")]
    TooMany {
        /// Most allowed.
        max: usize,
        /// Given.
        got: usize,
    },
    /// An access key that is empty, too long or holds characters other than printable ASCII.
    #[error("invalid key: {rule}")]
    InvalidKey {
        /// The rule it breaks (the key itself is never echoed).
        rule: &'static str,
    },
    /// An `eventTimeToLive` that is not a supported ISO 8601 duration.
    #[error("invalid ISO 8601 duration '{text}': {reason}")]
    InvalidDuration {
        /// The text given (truncated to 64 characters).
        text: String,
        /// Why.
        reason: &'static str,
    },
    /// An `eventTimeToLive` outside its bounds.
    #[error("must be {rule}, got {got}")]
    DurationOutOfRange {
        /// The bound it breaks, e.g. "at least PT1M" or "at most the topic's retention (P3D)".
        rule: String,
        /// The duration given, in canonical ISO 8601.
        got: String,
    },
    /// A reference to a topic that is not in the namespace.
    #[error("topic '{name}' does not exist in the namespace")]
    UnknownTopic {
        /// The name given.
        name: String,
    },
    /// A subscription whose dead-letter topic is its own topic.
    #[error("a topic cannot be its own dead-letter topic")]
    DeadLetterToSelf,
    /// An enum-valued field with a value gridlog does not know or support.
    #[error("unsupported value '{got}', expected {expected}")]
    UnsupportedValue {
        /// The value given (truncated to 64 characters).
        got: String,
        /// What is accepted.
        expected: &'static str,
    },
    /// A member that contradicts another, e.g. a `push` block under `"deliveryMode": "Queue"`.
    #[error("not allowed: {reason}")]
    NotAllowed {
        /// Why.
        reason: &'static str,
    },
    /// A member that must be given is absent.
    #[error("a value is required")]
    Required,
    /// A client-group query that does not parse.
    #[error("invalid query at byte {at}: {reason}")]
    InvalidQuery {
        /// Byte offset into the query.
        at: usize,
        /// What is wrong there.
        reason: &'static str,
    },
    /// A topic template that breaks a rule.
    #[error("invalid topic template '{template}': {reason}")]
    InvalidTopicTemplate {
        /// The template (truncated to 64 characters).
        template: String,
        /// The rule it breaks.
        reason: &'static str,
    },
    /// A client attribute that breaks a rule.
    #[error("invalid attribute: {reason}")]
    InvalidAttribute {
        /// The rule it breaks.
        reason: &'static str,
    },
    /// A malformed ARM resource id.
    #[error("invalid resource id '{id}', expected {expected}")]
    InvalidResourceId {
        /// The id (truncated to 64 characters).
        id: String,
        /// The shape expected.
        expected: &'static str,
    },
    /// A reference to an MQTT resource (client group, topic space) that does not exist.
    #[error("{kind} '{name}' does not exist in the namespace")]
    UnknownResource {
        /// What kind of resource.
        kind: &'static str,
        /// The name given.
        name: String,
    },
    /// A routing enrichment that breaks a rule.
    #[error("invalid routing enrichment: {reason}")]
    InvalidEnrichment {
        /// The rule it breaks.
        reason: &'static str,
    },
    /// A `caCertificates` entry's `encodedCertificate` that is not one CA certificate.
    #[error("invalid CA certificate: {reason}")]
    InvalidCertificate {
        /// What is wrong with it.
        reason: String,
    },
    /// An invalid `filtersConfiguration` (the path points into it).
    #[error("{0}")]
    Filter(FilterErrorKind),
}

impl ErrorCode for ConfigErrorKind {
    fn code(&self) -> &'static str {
        match self {
            Self::Syntax { .. } | Self::NotAnObject { .. } => "ConfigSyntax",
            Self::OutOfRange { .. } => "ConfigOutOfRange",
            Self::InvalidName { .. } => "ConfigInvalidName",
            Self::DuplicateName { .. } => "ConfigDuplicateName",
            Self::TooMany { .. } => "ConfigTooMany",
            Self::InvalidKey { .. } => "ConfigInvalidKey",
            Self::InvalidDuration { .. } => "ConfigInvalidDuration",
            Self::DurationOutOfRange { .. } => "ConfigDurationOutOfRange",
            Self::UnknownTopic { .. } => "ConfigUnknownTopic",
            Self::DeadLetterToSelf => "ConfigDeadLetterToSelf",
            Self::UnsupportedValue { .. } => "ConfigUnsupportedValue",
            Self::NotAllowed { .. } => "ConfigNotAllowed",
            Self::Required => "ConfigRequired",
            Self::InvalidQuery { .. } => "ConfigInvalidQuery",
            Self::InvalidTopicTemplate { .. } => "ConfigInvalidTopicTemplate",
            Self::InvalidAttribute { .. } => "ConfigInvalidAttribute",
            Self::InvalidResourceId { .. } => "ConfigInvalidResourceId",
            Self::UnknownResource { .. } => "ConfigUnknownResource",
            Self::InvalidEnrichment { .. } => "ConfigInvalidEnrichment",
            Self::InvalidCertificate { .. } => "ConfigInvalidCertificate",
            Self::Filter(kind) => kind.code(),
        }
    }
}
