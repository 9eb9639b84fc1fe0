//! ISO 8601 durations as ARM writes `eventTimeToLive`: `P[nD][T[nH][nM][nS]]` or `PnW`, whole
//! seconds only.
//!
//! Accepted: `P7D`, `PT1M`, `P1DT12H`, `PT90S`, `P1W` (= `P7D`), `PT0S`. Refused, with a reason:
//! years and months (`P1Y`, `P1M`: not a fixed length), weeks combined with other units
//! (`P1W2D`), fractions (`PT1.5S`), signs (`-P1D`, `P+1D`), lower-case designators, units out of
//! order or repeated, a `T` with nothing after it, a bare `P`, numbers that overflow, and text
//! longer than [`DURATION_TEXT_BYTES_MAX`] bytes. Numbers may exceed their unit's carry-over
//! point (`PT90S`, `PT36H`), as ISO 8601 allows.
//!
//! [`format()`] writes the canonical form: the largest units first, zero units omitted (`PT0S` for
//! zero), so `PT90S` is written back as `PT1M30S`.

use std::fmt::Write as _;
use std::time::Duration;

use crate::limits::DURATION_TEXT_BYTES_MAX;

/// Why a text is not a supported ISO 8601 duration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid ISO 8601 duration: {reason}")]
pub struct DurationError {
    /// What is wrong.
    pub reason: &'static str,
}

const fn refuse(reason: &'static str) -> DurationError {
    DurationError { reason }
}

/// Parses an ISO 8601 duration (see the module docs for the accepted subset).
pub fn parse(text: &str) -> Result<Duration, DurationError> {
    if text.len() > DURATION_TEXT_BYTES_MAX {
        return Err(refuse("longer than 64 bytes"));
    }
    let Some(body) = text.strip_prefix('P') else {
        return Err(refuse(
            "must start with 'P' (signs and lower case are not allowed)",
        ));
    };
    if body.is_empty() {
        return Err(refuse("no units after 'P'"));
    }
    let (date, time) = match body.split_once('T') {
        Some((_, "")) => return Err(refuse("no units after 'T'")),
        Some((date, time)) => (date, Some(time)),
        None => (body, None),
    };
    let mut seconds: u64 = 0;
    let mut add = |count: u64, unit_secs: u64| -> Result<(), DurationError> {
        seconds = count
            .checked_mul(unit_secs)
            .and_then(|unit_total| seconds.checked_add(unit_total))
            .ok_or(refuse("too long"))?;
        Ok(())
    };
    for (count, unit) in components(date)? {
        match unit {
            'W' if date.len() == digits_len(date) + 1 && time.is_none() => add(count, 7 * 86_400)?,
            'W' => return Err(refuse("weeks cannot be combined with other units")),
            'D' => add(count, 86_400)?,
            'Y' | 'M' => {
                return Err(refuse(
                    "years and months are not supported (no fixed length)",
                ));
            }
            _ => return Err(refuse("unknown date unit (expected D or W)")),
        }
    }
    if let Some(time) = time {
        let mut last_rank = 0;
        for (count, unit) in components(time)? {
            let (rank, unit_secs) = match unit {
                'H' => (1, 3_600),
                'M' => (2, 60),
                'S' => (3, 1),
                _ => return Err(refuse("unknown time unit (expected H, M or S)")),
            };
            if rank <= last_rank {
                return Err(refuse("time units out of order or repeated"));
            }
            last_rank = rank;
            add(count, unit_secs)?;
        }
    }
    Ok(Duration::from_secs(seconds))
}

/// Splits `12D` / `1H30M` into `(number, unit)` pairs; every number must be plain digits.
fn components(text: &str) -> Result<Vec<(u64, char)>, DurationError> {
    let mut parts = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let digits = digits_len(rest);
        let Some(unit) = rest[digits..].chars().next() else {
            return Err(refuse("number without a unit"));
        };
        if digits == 0 {
            return Err(match unit {
                '.' | ',' => refuse("fractions are not supported"),
                '-' | '+' => refuse("signs are not allowed"),
                _ => refuse("unit without a number"),
            });
        }
        if matches!(unit, '.' | ',') {
            return Err(refuse("fractions are not supported"));
        }
        let count = rest[..digits]
            .parse::<u64>()
            .map_err(|_| refuse("too long"))?;
        parts.push((count, unit));
        rest = &rest[digits + unit.len_utf8()..];
    }
    Ok(parts)
}

fn digits_len(text: &str) -> usize {
    text.bytes().take_while(u8::is_ascii_digit).count()
}

/// Writes `duration` (whole seconds; any fraction is dropped) in canonical ISO 8601 form.
pub fn format(duration: Duration) -> String {
    let total = duration.as_secs();
    let (days, within_day) = (total / 86_400, total % 86_400);
    let (hours, within_hour) = (within_day / 3_600, within_day % 3_600);
    let (minutes, seconds) = (within_hour / 60, within_hour % 60);
    let mut text = String::from("P");
    if days > 0 {
        let _ = write!(text, "{days}D");
    }
    if within_day > 0 || total == 0 {
        text.push('T');
        if hours > 0 {
            let _ = write!(text, "{hours}H");
        }
        if minutes > 0 {
            let _ = write!(text, "{minutes}M");
        }
        if seconds > 0 || total == 0 {
            let _ = write!(text, "{seconds}S");
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(text: &str) -> u64 {
        match parse(text) {
            Ok(duration) => duration.as_secs(),
            Err(error) => panic!("{text}: {error}"),
        }
    }

    #[test]
    fn accepts_the_supported_forms() {
        assert_eq!(secs("P7D"), 7 * 86_400);
        assert_eq!(secs("PT1M"), 60);
        assert_eq!(secs("P1DT12H"), 86_400 + 12 * 3_600);
        assert_eq!(secs("PT90S"), 90);
        assert_eq!(secs("PT1H30M15S"), 5_415);
        assert_eq!(secs("PT36H"), 36 * 3_600);
        assert_eq!(secs("P1W"), 7 * 86_400);
        assert_eq!(secs("PT0S"), 0);
        assert_eq!(secs("P0D"), 0);
        assert_eq!(secs("P001D"), 86_400);
        assert_eq!(secs("P2DT3M"), 2 * 86_400 + 180);
    }

    #[test]
    fn refuses_everything_else() {
        for (text, reason) in [
            (
                "",
                "must start with 'P' (signs and lower case are not allowed)",
            ),
            (
                "7D",
                "must start with 'P' (signs and lower case are not allowed)",
            ),
            (
                "-P1D",
                "must start with 'P' (signs and lower case are not allowed)",
            ),
            (
                "p1d",
                "must start with 'P' (signs and lower case are not allowed)",
            ),
            ("P", "no units after 'P'"),
            ("PT", "no units after 'T'"),
            ("P1DT", "no units after 'T'"),
            (
                "P1Y",
                "years and months are not supported (no fixed length)",
            ),
            (
                "P1M",
                "years and months are not supported (no fixed length)",
            ),
            ("P1W2D", "weeks cannot be combined with other units"),
            ("P2D1W", "weeks cannot be combined with other units"),
            ("P1WT1H", "weeks cannot be combined with other units"),
            ("PT1.5S", "fractions are not supported"),
            ("PT1,5S", "fractions are not supported"),
            ("PT.5S", "fractions are not supported"),
            ("P+1D", "signs are not allowed"),
            ("P-1D", "signs are not allowed"),
            ("PD", "unit without a number"),
            ("P1", "number without a unit"),
            ("PT1h", "unknown time unit (expected H, M or S)"),
            ("P1d", "unknown date unit (expected D or W)"),
            ("PT1S1M", "time units out of order or repeated"),
            ("PT1M1M", "time units out of order or repeated"),
            ("P1H", "unknown date unit (expected D or W)"),
            ("PT1D", "unknown time unit (expected H, M or S)"),
            ("P99999999999999999999D", "too long"),
            ("P999999999999999999D", "too long"),
            ("P1DT2", "number without a unit"),
            ("P1D ", "unit without a number"),
            ("P1Dé", "unit without a number"),
        ] {
            assert_eq!(parse(text), Err(refuse(reason)), "{text:?}");
        }
        let long = format!("PT{}S", "0".repeat(64));
        assert_eq!(parse(&long), Err(refuse("longer than 64 bytes")));
    }

    #[test]
    fn formats_canonically() {
        for (secs, text) in [
            (0, "PT0S"),
            (60, "PT1M"),
            (90, "PT1M30S"),
            (3_600, "PT1H"),
            (86_400, "P1D"),
            (7 * 86_400, "P7D"),
            (86_400 + 12 * 3_600, "P1DT12H"),
            (86_400 + 1, "P1DT1S"),
        ] {
            assert_eq!(format(Duration::from_secs(secs)), text);
            assert_eq!(parse(text), Ok(Duration::from_secs(secs)));
        }
    }

    proptest::proptest! {
        #[test]
        fn format_then_parse_round_trips(secs in 0_u64..=10 * 365 * 86_400) {
            let text = format(Duration::from_secs(secs));
            proptest::prop_assert_eq!(parse(&text), Ok(Duration::from_secs(secs)));
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,80}") {
            let _outcome = parse(&text);
        }
    }
}
