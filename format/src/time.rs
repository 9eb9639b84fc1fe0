//! RFC 3339 timestamps (the CloudEvents `Timestamp` type), parsed with the `time` crate.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::{ErrorKind, FormatError};

/// Parses `text` as RFC 3339 and returns microseconds since the Unix epoch, truncating any
/// sub-microsecond digits towards the past.
pub(crate) fn parse_rfc3339(text: &str) -> Result<i64, FormatError> {
    // The `time` crate also accepts a space between date and time, which RFC 3339 §5.6 allows
    // only "by mutual agreement"; the `date-time` production requires `T`.
    if !matches!(text.as_bytes().get(10), Some(b'T' | b't')) {
        return Err(FormatError::attr(
            ErrorKind::InvalidTime,
            "time",
            format!(
                "attribute 'time' is not an RFC 3339 timestamp (YYYY-MM-DDTHH:MM:SSZ): {text:?}"
            ),
        ));
    }
    let parsed = OffsetDateTime::parse(text, &Rfc3339).map_err(|error| {
        FormatError::attr(
            ErrorKind::InvalidTime,
            "time",
            format!("attribute 'time' is not an RFC 3339 timestamp: {error}"),
        )
    })?;
    let micros = parsed.unix_timestamp_nanos().div_euclid(1_000);
    // RFC 3339 years are 0000..=9999, about ±3e17 µs, far inside i64.
    i64::try_from(micros).map_err(|_| {
        FormatError::attr(
            ErrorKind::InvalidTime,
            "time",
            "attribute 'time' is out of range",
        )
    })
}

#[cfg(test)]
mod tests {
    use super::parse_rfc3339;

    #[test]
    fn parses_utc_offsets_and_fractions() {
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Ok(0));
        assert_eq!(parse_rfc3339("1970-01-01T01:00:00+01:00"), Ok(0));
        assert_eq!(
            parse_rfc3339("2024-01-02T03:04:05Z"),
            Ok(1_704_164_645_000_000)
        );
        assert_eq!(
            parse_rfc3339("2024-01-02T03:04:05.000Z"),
            Ok(1_704_164_645_000_000)
        );
        assert_eq!(
            parse_rfc3339("2026-11-23T17:46:50.272736Z"),
            Ok(1_795_456_010_272_736)
        );
        // Nanoseconds truncate towards the past, also before the epoch.
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00.0000019Z"), Ok(1));
        assert_eq!(parse_rfc3339("1969-12-31T23:59:59.9999991Z"), Ok(-1));
    }

    #[test]
    fn rejects_non_rfc3339() {
        for text in [
            "",
            "2024-01-02",
            "2024-01-02T03:04:05",
            "2024-01-02 03:04:05Z",
            "2024-13-02T03:04:05Z",
            "yesterday",
        ] {
            let error = parse_rfc3339(text).expect_err(text);
            assert_eq!(error.code(), "InvalidTime", "{text}");
            assert_eq!(error.attribute(), Some("time"));
        }
    }
}
