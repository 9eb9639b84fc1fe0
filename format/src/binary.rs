//! HTTP binary mode: attributes in `ce-*` headers, `Content-Type` as `datacontenttype`, the
//! body as data.
//!
//! Header values are decoded as the CloudEvents HTTP binding says: an RFC 7230 quoted-string is
//! unescaped first, then exactly one round of percent-decoding is applied (lower-case hex and
//! needless escapes accepted, malformed escapes rejected), and the result must be valid UTF-8,
//! so an overlong `%C0%A0` is rejected. Every extension becomes a string attribute, because
//! headers carry no type. The event is then stored in the canonical structured encoding.

use crate::error::{ErrorKind, FormatError};
use crate::event::{CloudEvent, Data, Event, ExtensionValue, Timestamp};
use crate::limits::SPEC_VERSION;
use crate::validate;

/// Parses a binary-mode request from its headers (name, raw value) and body.
///
/// Header names are case-insensitive; headers other than `Content-Type` and `ce-*` are ignored.
/// A JSON `Content-Type` (`*/json`, `*/*+json`) makes the body `data` (it must be valid JSON);
/// any other makes it `data_base64`. An empty body means no data.
pub fn parse_binary<'h, I>(headers: I, body: &[u8]) -> Result<Event, FormatError>
where
    I: IntoIterator<Item = (&'h str, &'h [u8])>,
{
    validate::check_request_size(body.len())?;
    let mut content_type = None;
    let mut attributes: Vec<(String, String)> = Vec::new();
    for (name, value) in headers {
        if name.eq_ignore_ascii_case("content-type") {
            if content_type.is_some() {
                return Err(FormatError::new(
                    ErrorKind::InvalidContentType,
                    "more than one Content-Type header",
                ));
            }
            content_type = Some(content_type_value(value)?);
            continue;
        }
        let Some(attribute) = ce_attribute_name(name) else {
            continue;
        };
        match attribute.as_str() {
            "datacontenttype" => {
                return Err(FormatError::attr(
                    ErrorKind::InvalidHeader,
                    "datacontenttype",
                    "header 'ce-datacontenttype' is not allowed in binary mode; use Content-Type",
                ));
            }
            "data" => {
                return Err(FormatError::attr(
                    ErrorKind::InvalidHeader,
                    "data",
                    "header 'ce-data' is not allowed in binary mode; the body is the data",
                ));
            }
            _ => validate::attribute_name(&attribute)?,
        }
        let value = decode_header_value(&attribute, value)?;
        attributes.push((attribute, value));
    }
    if let Some(name) = validate::first_duplicate(attributes.iter().map(|(name, _)| name.as_str()))
    {
        return Err(validate::duplicate(name));
    }

    let mut specversion = None;
    let mut required = [None, None, None];
    let mut event = CloudEvent::new("", "", "");
    for (name, value) in attributes {
        match name.as_str() {
            "specversion" => specversion = Some(value),
            "id" => required[0] = Some(value),
            "source" => required[1] = Some(value),
            "type" => required[2] = Some(value),
            "dataschema" => event.dataschema = Some(value),
            "subject" => event.subject = Some(value),
            "time" => event.time = Some(Timestamp::parse(&value)?),
            _ => event.extensions.push((name, ExtensionValue::String(value))),
        }
    }
    match specversion.as_deref() {
        Some(SPEC_VERSION) => {}
        None => return Err(missing("specversion")),
        Some(other) => {
            return Err(FormatError::attr(
                ErrorKind::InvalidSpecVersion,
                "specversion",
                format!(
                    "header 'ce-specversion' is {other:?}; only \"{SPEC_VERSION}\" is supported"
                ),
            ));
        }
    }
    let [id, source, event_type] = required;
    event.id = id.ok_or_else(|| missing("id"))?;
    event.source = source.ok_or_else(|| missing("source"))?;
    event.event_type = event_type.ok_or_else(|| missing("type"))?;

    event.data = if body.is_empty() {
        Data::Absent
    } else if content_type
        .as_deref()
        .is_some_and(validate::is_json_media_type)
    {
        let text = std::str::from_utf8(body).map_err(|_| {
            FormatError::attr(
                ErrorKind::InvalidJson,
                "data",
                "the body has a JSON Content-Type but is not UTF-8",
            )
        })?;
        Data::Json(validate::parse_json_value(text, "data")?)
    } else {
        Data::Binary(body.to_vec())
    };
    event.datacontenttype = content_type;
    Event::new(event)
}

/// `Some(attribute)` for a `ce-` header (case-insensitive), the name lower-cased.
fn ce_attribute_name(header: &str) -> Option<String> {
    let prefix = header.as_bytes().get(..3)?;
    if !prefix.eq_ignore_ascii_case(b"ce-") {
        return None;
    }
    header.get(3..).map(str::to_ascii_lowercase)
}

fn content_type_value(value: &[u8]) -> Result<String, FormatError> {
    let text = std::str::from_utf8(value)
        .ok()
        .map(|text| text.trim_matches([' ', '\t']))
        .filter(|text| validate::media_type_essence(text).is_some())
        .ok_or_else(|| {
            FormatError::new(
                ErrorKind::InvalidContentType,
                format!(
                    "Content-Type {:?} is not a media type (type/subtype)",
                    String::from_utf8_lossy(value)
                ),
            )
        })?;
    Ok(text.to_owned())
}

/// Decodes one `ce-*` header value: optional quoted-string, then one round of
/// percent-decoding, then strict UTF-8.
pub(crate) fn decode_header_value(attribute: &str, raw: &[u8]) -> Result<String, FormatError> {
    let invalid = |what: &str| {
        FormatError::attr(
            ErrorKind::InvalidHeader,
            attribute,
            format!("header 'ce-{attribute}' {what}"),
        )
    };
    let raw = raw.trim_ascii();
    let unquoted: Vec<u8> = match raw {
        [b'"', inner @ .., b'"'] => {
            let mut out = Vec::with_capacity(inner.len());
            let mut bytes = inner.iter();
            while let Some(&b) = bytes.next() {
                match b {
                    b'\\' => out.push(
                        *bytes
                            .next()
                            .ok_or_else(|| invalid("ends its quoted-string with a lone '\\'"))?,
                    ),
                    b'"' => return Err(invalid("has an unescaped '\"' in its quoted-string")),
                    _ => out.push(b),
                }
            }
            out
        }
        [b'"', ..] => return Err(invalid("has an unterminated quoted-string")),
        _ => raw.to_vec(),
    };
    let mut decoded = Vec::with_capacity(unquoted.len());
    let mut bytes = unquoted.iter();
    while let Some(&b) = bytes.next() {
        if b == b'%' {
            let high = bytes.next().and_then(|&h| hex_digit(h));
            let low = bytes.next().and_then(|&l| hex_digit(l));
            match (high, low) {
                (Some(high), Some(low)) => decoded.push(high << 4 | low),
                _ => return Err(invalid("has a '%' not followed by two hex digits")),
            }
        } else {
            decoded.push(b);
        }
    }
    String::from_utf8(decoded).map_err(|_| invalid("is not valid UTF-8 after percent-decoding"))
}

fn hex_digit(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

fn missing(name: &str) -> FormatError {
    FormatError::attr(
        ErrorKind::MissingAttribute,
        name,
        format!("required attribute '{name}' is missing (header 'ce-{name}')"),
    )
}

#[cfg(test)]
mod tests {
    use super::decode_header_value;

    fn decode(raw: &str) -> Result<String, String> {
        decode_header_value("x", raw.as_bytes()).map_err(|e| e.code().to_owned())
    }

    #[test]
    fn header_values() {
        assert_eq!(
            decode("Euro%20%E2%82%AC%20%F0%9F%98%80").as_deref(),
            Ok("Euro € 😀")
        );
        assert_eq!(decode("%e2%82%ac").as_deref(), Ok("€"));
        assert_eq!(decode("%41bc").as_deref(), Ok("Abc"));
        assert_eq!(decode(r#""a\"b%20c""#).as_deref(), Ok("a\"b c"));
        assert_eq!(decode("\"\"").as_deref(), Ok(""));
        assert_eq!(decode("%2541").as_deref(), Ok("%41"), "one round only");
        for bad in [
            "%C0%A0", "%ff", "%", "%4", "%zz", "\"open", "\"a\"b\"", "\"a\\\"",
        ] {
            assert_eq!(decode(bad), Err("InvalidHeader".to_owned()), "{bad}");
        }
    }
}
