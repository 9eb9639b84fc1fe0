//! Argument parsers shared by several commands (clap `value_parser`s): one syntax each, so
//! `serve` and `bench` read `--durability` alike, and every address takes a host name.

use std::net::{SocketAddr, ToSocketAddrs as _};
use std::time::Duration;

use gridlog::{Durability, ReleaseDelay};

use super::events::parse_duration;

/// The prefix of a periodic-sync durability: `interval:DURATION`.
const INTERVAL_PREFIX: &str = "interval:";

/// Why an argument value is refused (clap prints it after the flag's name, exit code 2).
#[derive(Debug)]
pub enum ArgError {
    /// `--durability` is not `always`, `never` or `interval:DURATION`.
    Durability(String),
    /// `--data` that is not JSON.
    Json {
        /// serde's description.
        reason: String,
    },
    /// `--delay` that is not one of the API's release delays.
    ReleaseDelay(String),
    /// An address that does not resolve.
    Address {
        /// The address as given.
        text: String,
        /// Why it does not resolve.
        reason: String,
    },
}

impl std::fmt::Display for ArgError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Durability(text) => write!(
                f,
                "expected always, never or interval:DURATION (e.g. interval:50ms or interval:1s; a bare number is milliseconds), not {text:?}"
            ),
            Self::Json { reason } => write!(
                f,
                "not valid JSON ({reason}); use --data-string to send text as a string"
            ),
            Self::ReleaseDelay(text) => write!(
                f,
                "expected a delay in seconds of 0, 10, 60, 600 or 3600, not {text:?}"
            ),
            Self::Address { text, reason } => write!(
                f,
                "{text:?} is not an address HOST:PORT that resolves (e.g. 127.0.0.1:8765 or localhost:8765): {reason}"
            ),
        }
    }
}

impl std::error::Error for ArgError {}

/// `always`, `never`, or `interval:DURATION` (a bare number of milliseconds, or a duration with
/// its unit: `interval:50`, `interval:50ms`, `interval:1s`), for `serve` and `bench` alike.
pub fn parse_durability(text: &str) -> Result<Durability, ArgError> {
    let refuse = || ArgError::Durability(text.to_owned());
    match text {
        "always" => Ok(Durability::Always),
        "never" => Ok(Durability::Never),
        other => {
            let every = other.strip_prefix(INTERVAL_PREFIX).ok_or_else(refuse)?;
            let every = if every.bytes().all(|b| b.is_ascii_digit()) {
                every
                    .parse::<u64>()
                    .map(Duration::from_millis)
                    .map_err(|_| refuse())?
            } else {
                parse_duration(every).map_err(|_| refuse())?
            };
            if every.is_zero() {
                return Err(refuse());
            }
            Ok(Durability::Interval(every))
        }
    }
}

/// A JSON value (`--data`): refused, not taken as a string, when it is not JSON.
pub fn parse_json(text: &str) -> Result<serde_json::Value, ArgError> {
    serde_json::from_str(text).map_err(|e| ArgError::Json {
        reason: e.to_string(),
    })
}

/// A release delay in seconds: 0, 10, 60, 600 or 3600.
pub fn parse_release_delay(text: &str) -> Result<ReleaseDelay, ArgError> {
    text.trim()
        .parse::<u64>()
        .ok()
        .and_then(ReleaseDelay::from_secs)
        .ok_or_else(|| ArgError::ReleaseDelay(text.to_owned()))
}

/// A durability as [`parse_durability`] reads it.
pub fn durability_text(durability: Durability) -> String {
    match durability {
        Durability::Always => "always".to_owned(),
        Durability::Never => "never".to_owned(),
        Durability::Interval(every) => format!("{INTERVAL_PREFIX}{}ms", every.as_millis()),
    }
}

/// `HOST:PORT`, the host an IP address or a name (`localhost:8765`); a name resolves to its first
/// IPv4 address when it has one (`localhost` is `127.0.0.1`, the loopback the default uses).
pub fn parse_listen(text: &str) -> Result<SocketAddr, ArgError> {
    let refuse = |reason: String| ArgError::Address {
        text: text.to_owned(),
        reason,
    };
    let addrs: Vec<SocketAddr> = text
        .to_socket_addrs()
        .map_err(|e| refuse(e.to_string()))?
        .collect();
    addrs
        .iter()
        .find(|addr| addr.is_ipv4())
        .or_else(|| addrs.first())
        .copied()
        .ok_or_else(|| refuse("no address".to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durability_reads_one_syntax() {
        assert_eq!(parse_durability("always").ok(), Some(Durability::Always));
        assert_eq!(parse_durability("never").ok(), Some(Durability::Never));
        for (text, ms) in [
            ("interval:50", 50),
            ("interval:50ms", 50),
            ("interval:2s", 2000),
        ] {
            assert_eq!(
                parse_durability(text).ok(),
                Some(Durability::Interval(Duration::from_millis(ms))),
                "{text}"
            );
            let parsed = parse_durability(text).ok();
            assert_eq!(
                parsed.map(durability_text).as_deref(),
                Some(format!("interval:{ms}ms").as_str())
            );
        }
        for bad in [
            "interval=10ms",
            "interval:0",
            "interval:",
            "interval:x",
            "sometimes",
        ] {
            assert!(parse_durability(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn listen_resolves_names() {
        assert_eq!(
            parse_listen("localhost:0")
                .ok()
                .map(|a| a.ip().is_loopback()),
            Some(true)
        );
        assert_eq!(
            parse_listen("127.0.0.1:8765").ok(),
            Some(SocketAddr::from(([127, 0, 0, 1], 8765)))
        );
        assert!(parse_listen("localhost").is_err());
    }
}
