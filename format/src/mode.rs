//! Content-mode dispatch per the CloudEvents HTTP binding: the `Content-Type` decides between
//! batch, structured and binary mode.
//!
//! Media types compare case-insensitively. The batch prefix is checked before the structured
//! one, because `application/cloudevents` is a prefix of `application/cloudevents-batch`. For
//! the two JSON event formats a `charset` parameter, if present, must be `utf-8`.

use crate::binary::parse_binary;
use crate::error::{ErrorKind, FormatError};
use crate::event::Event;
use crate::structured::{parse_batch, parse_structured};

/// How a publish request carries its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// `application/cloudevents+json`: the body is one event object.
    Structured,
    /// `application/cloudevents-batch+json`: the body is an array of event objects.
    Batch,
    /// Any other media type (or none): attributes in `ce-*` headers, the body is the data.
    Binary,
}

impl Mode {
    /// The mode selected by a `Content-Type` header value (`None` if the header is absent).
    ///
    /// ```
    /// use gridlog_format::Mode;
    /// assert_eq!(Mode::of(Some("application/cloudevents-batch+json; charset=utf-8")), Ok(Mode::Batch));
    /// assert_eq!(Mode::of(Some("Application/CloudEvents+JSON")), Ok(Mode::Structured));
    /// assert_eq!(Mode::of(Some("application/octet-stream")), Ok(Mode::Binary));
    /// assert_eq!(Mode::of(None), Ok(Mode::Binary));
    /// ```
    pub fn of(content_type: Option<&str>) -> Result<Self, FormatError> {
        let Some(content_type) = content_type else {
            return Ok(Self::Binary);
        };
        let essence = content_type.split(';').next().unwrap_or_default().trim();
        let lower = essence.to_ascii_lowercase();
        let mode = if lower.starts_with("application/cloudevents-batch") {
            Self::Batch
        } else if lower.starts_with("application/cloudevents") {
            Self::Structured
        } else {
            return Ok(Self::Binary);
        };
        let supported = match mode {
            Self::Batch => "application/cloudevents-batch+json",
            _ => "application/cloudevents+json",
        };
        if lower != supported {
            return Err(FormatError::new(
                ErrorKind::InvalidContentType,
                format!("unsupported event format {essence:?}; expected {supported:?}"),
            ));
        }
        for parameter in content_type.split(';').skip(1) {
            let (name, value) = parameter.split_once('=').unwrap_or((parameter, ""));
            if name.trim().eq_ignore_ascii_case("charset")
                && !value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
            {
                return Err(FormatError::new(
                    ErrorKind::InvalidContentType,
                    format!(
                        "unsupported charset {:?}; events must be UTF-8",
                        value.trim()
                    ),
                ));
            }
        }
        Ok(mode)
    }
}

/// Parses a publish request in whichever mode its `Content-Type` header selects, returning its
/// events in order (structured and binary mode give exactly one).
///
/// `headers` are (name, raw value) pairs; names are matched case-insensitively. This is the one
/// entry point the server needs.
///
/// ```
/// use gridlog_format::parse_request;
/// let headers = [("Content-Type", &b"application/cloudevents-batch+json; charset=utf-8"[..])];
/// let events = parse_request(headers, br#"[{"specversion":"1.0","id":"1","source":"/s","type":"t"}]"#)?;
/// assert_eq!(events[0].id(), "1");
/// # Ok::<(), gridlog_format::FormatError>(())
/// ```
pub fn parse_request<'h, I>(headers: I, body: &[u8]) -> Result<Vec<Event>, FormatError>
where
    I: IntoIterator<Item = (&'h str, &'h [u8])>,
{
    let headers: Vec<(&str, &[u8])> = headers.into_iter().collect();
    let mut content_types = headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("content-type"))
        .map(|(_, value)| *value);
    let content_type = content_types.next();
    if content_types.next().is_some() {
        return Err(FormatError::new(
            ErrorKind::InvalidContentType,
            "more than one Content-Type header",
        ));
    }
    let content_type = content_type
        .map(|value| {
            std::str::from_utf8(value).map_err(|_| {
                FormatError::new(ErrorKind::InvalidContentType, "Content-Type is not UTF-8")
            })
        })
        .transpose()?;
    match Mode::of(content_type)? {
        Mode::Batch => parse_batch(body),
        Mode::Structured => parse_structured(body).map(|event| vec![event]),
        Mode::Binary => parse_binary(headers, body).map(|event| vec![event]),
    }
}
