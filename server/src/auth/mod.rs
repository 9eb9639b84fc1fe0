//! Request authentication: access keys and SAS tokens, as Event Grid namespaces accept them
//! (reference §2.1, §2.2).
//!
//! Accepted credentials, checked in this order (the first one present decides):
//!
//! 1. `Authorization: SharedAccessKey <key>` (what the Azure SDKs send with `AzureKeyCredential`);
//! 2. `Authorization: SharedAccessSignature r=…&e=…&s=…`;
//! 3. `aeg-sas-key: <key>` header;
//! 4. `aeg-sas-token: r=…&e=…&s=…` header;
//! 5. `?aeg-sas-key=<key>` query parameter.
//!
//! Keys are compared in constant time (`subtle`) against every configured key. A SAS token's
//! signature is `base64(HMAC-SHA256(K, "r=" + urlencode(r) + "&e=" + urlencode(e)))` where the
//! unsigned part is taken **as received** (before percent-decoding), so any encoder's choice of
//! safe characters works. `K` is tried as both: the base64-decoded access key (what Azure and
//! the SDKs' `generate_sas` use; trailing bits are not checked, like Python's `b64decode`) and the
//! key's raw bytes (for keys that are not base64); either match is accepted.
//!
//! The expiry `e` may be unix seconds, RFC 3339 / ISO 8601 (`2025-01-01T00:00:00Z`, offset or
//! none = UTC), Python's `str(datetime)` (`2025-01-01 00:00:00+00:00`) or .NET's en-US
//! (`6/15/2017 6:20:15 PM`, UTC). A token is valid until its expiry (exclusive).
//!
//! The resource `r` may be a URL (`https://host[/prefix]/topics/t[/eventsubscriptions/s]`, any
//! query string ignored) or a bare path. It is parsed into what it grants — the whole namespace,
//! one topic (publish and all its subscriptions) or one subscription — and a token authorizes
//! exactly that ([`scope`]): never a string-prefix comparison. Its endpoint prefix, if any, must
//! be the request's. The management API and `/metrics` need a namespace-wide token.
//!
//! Failures never say which check failed, and no key or token is ever logged.

use base64::Engine as _;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use percent_encoding::percent_decode_str;
use subtle::ConstantTimeEq;

mod scope;

pub use scope::{Resource, Target, is_reserved_segment};

/// Lenient standard base64 (padding optional, trailing bits ignored), for HMAC keys.
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
);

/// The configured keys.
#[derive(Clone, Default)]
pub struct Authenticator {
    keys: Vec<Key>,
}

#[derive(Clone)]
struct Key {
    raw: Vec<u8>,
    decoded: Option<Vec<u8>>,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Authenticator({} key(s))", self.keys.len())
    }
}

/// The credentials a request carries (borrowed from its headers and query).
#[derive(Clone, Copy, Debug, Default)]
pub struct Credentials<'a> {
    /// `Authorization` header value.
    pub authorization: Option<&'a str>,
    /// `aeg-sas-key` header value.
    pub sas_key_header: Option<&'a str>,
    /// `aeg-sas-token` header value.
    pub sas_token_header: Option<&'a str>,
    /// `aeg-sas-key` query parameter (already percent-decoded).
    pub sas_key_query: Option<&'a str>,
}

impl Credentials<'_> {
    /// Which credential decided (the one [`Authenticator::check`] reads), for an audit log:
    /// its form, and for a SAS token the resource it was issued for. Never a key, a signature
    /// or anything derived from them.
    pub fn describe(&self) -> String {
        if let Some(value) = self.authorization {
            let value = value.trim();
            if strip_scheme(value, "SharedAccessKey").is_some() {
                return "access key (Authorization: SharedAccessKey)".to_owned();
            }
            if let Some(token) = strip_scheme(value, "SharedAccessSignature") {
                return format!("SAS token for {} (Authorization)", sas_resource(token));
            }
        }
        if self.sas_key_header.is_some() {
            return "access key (aeg-sas-key header)".to_owned();
        }
        if let Some(token) = self.sas_token_header {
            return format!(
                "SAS token for {} (aeg-sas-token)",
                sas_resource(token.trim())
            );
        }
        if self.sas_key_query.is_some() {
            return "access key (aeg-sas-key query parameter)".to_owned();
        }
        "no credentials (authentication off)".to_owned()
    }
}

/// The (decoded) resource of a SAS token, quoted as JSON so no control character reaches a log.
fn sas_resource(token: &str) -> String {
    let resource = parse_sas(token)
        .and_then(|sas| decode(sas.r, true))
        .unwrap_or_default();
    serde_json::Value::from(resource).to_string()
}

/// Authentication failed (deliberately without detail): the one type both checkers return.
pub use gridlog::sas::Unauthorized;
/// `HMAC-SHA256(key, message)`, shared with the Service Bus SAS checker.
pub use gridlog::sas::hmac_sha256;

impl Authenticator {
    /// An authenticator accepting `keys`. With no keys every request is accepted (loopback
    /// only; `serve` refuses a non-loopback address without keys).
    pub fn new<'a>(keys: impl IntoIterator<Item = &'a str>) -> Self {
        Self {
            keys: keys
                .into_iter()
                .map(|key| Key {
                    raw: key.as_bytes().to_vec(),
                    decoded: LENIENT_BASE64.decode(key.trim_end_matches('=')).ok(),
                })
                .collect(),
        }
    }

    /// Is authentication off (no keys configured)?
    pub fn is_open(&self) -> bool {
        self.keys.is_empty()
    }

    /// Checks `credentials` for `resource` at unix time `now_secs`.
    pub fn check(
        &self,
        credentials: &Credentials<'_>,
        resource: Resource<'_>,
        now_secs: i64,
    ) -> Result<(), Unauthorized> {
        if self.is_open() {
            return Ok(());
        }
        if let Some(value) = credentials.authorization {
            let value = value.trim();
            if let Some(key) = strip_scheme(value, "SharedAccessKey") {
                return self.check_key(key);
            }
            if let Some(token) = strip_scheme(value, "SharedAccessSignature") {
                return self.check_sas(token, resource, now_secs);
            }
            // Another scheme (e.g. Bearer): fall through to the other credentials.
        }
        if let Some(key) = credentials.sas_key_header {
            return self.check_key(key.trim());
        }
        if let Some(token) = credentials.sas_token_header {
            return self.check_sas(token.trim(), resource, now_secs);
        }
        if let Some(key) = credentials.sas_key_query {
            return self.check_key(key);
        }
        Err(Unauthorized)
    }

    fn check_key(&self, given: &str) -> Result<(), Unauthorized> {
        let given = given.as_bytes();
        let mut ok = subtle::Choice::from(0);
        for key in &self.keys {
            // ct_eq on slices of different lengths is false (length is not secret).
            ok |= key.raw.as_slice().ct_eq(given);
        }
        if bool::from(ok) {
            Ok(())
        } else {
            Err(Unauthorized)
        }
    }

    fn check_sas(
        &self,
        token: &str,
        resource: Resource<'_>,
        now_secs: i64,
    ) -> Result<(), Unauthorized> {
        let sas = parse_sas(token).ok_or(Unauthorized)?;
        let expiry = parse_expiry(&decode(sas.e, true).ok_or(Unauthorized)?).ok_or(Unauthorized)?;
        if expiry <= now_secs {
            return Err(Unauthorized);
        }
        let scope = decode(sas.r, true).ok_or(Unauthorized)?;
        if !scope::covers(&scope, resource) {
            return Err(Unauthorized);
        }
        let signature = decode(sas.s, false).ok_or(Unauthorized)?;
        let signature = base64::engine::general_purpose::STANDARD
            .decode(signature.trim())
            .map_err(|_| Unauthorized)?;
        let unsigned = &token[..sas.unsigned_len];
        let mut ok = subtle::Choice::from(0);
        for key in &self.keys {
            for secret in [Some(key.raw.as_slice()), key.decoded.as_deref()]
                .into_iter()
                .flatten()
            {
                let expected = hmac_sha256(secret, unsigned.as_bytes());
                ok |= expected.as_slice().ct_eq(&signature);
            }
        }
        if bool::from(ok) {
            Ok(())
        } else {
            Err(Unauthorized)
        }
    }
}

fn strip_scheme<'a>(value: &'a str, scheme: &str) -> Option<&'a str> {
    let (head, rest) = value.split_once(' ')?;
    head.eq_ignore_ascii_case(scheme).then(|| rest.trim())
}

/// Percent-decodes a SAS parameter; with `plus_is_space`, a literal `+` is a space (form
/// encoding, as .NET's `HttpUtility.UrlEncode` writes `r` and `e`).
fn decode(value: &str, plus_is_space: bool) -> Option<String> {
    let value = if plus_is_space {
        value.replace('+', "%20")
    } else {
        value.to_owned()
    };
    percent_decode_str(&value)
        .decode_utf8()
        .ok()
        .map(std::borrow::Cow::into_owned)
}

struct Sas<'a> {
    r: &'a str,
    e: &'a str,
    s: &'a str,
    /// Length of `r=…&e=…` (the signed part), as received.
    unsigned_len: usize,
}

/// Splits `r=…&e=…&s=…` (in that order, each exactly once; `skn=` tolerated after `s`).
fn parse_sas(token: &str) -> Option<Sas<'_>> {
    let r_rest = token.strip_prefix("r=")?;
    let (r, rest) = r_rest.split_once("&e=")?;
    let (e, rest) = rest.split_once("&s=")?;
    let s = rest.split('&').next()?;
    if r.is_empty() || e.is_empty() || s.is_empty() || r.contains('&') {
        return None;
    }
    if rest[s.len()..]
        .split('&')
        .any(|part| part.starts_with("r=") || part.starts_with("e=") || part.starts_with("s="))
    {
        return None; // duplicate parameters
    }
    Some(Sas {
        r,
        e,
        s,
        unsigned_len: "r=".len() + r.len() + "&e=".len() + e.len(),
    })
}

/// Parses a SAS expiry into unix seconds (formats in the module docs).
pub fn parse_expiry(text: &str) -> Option<i64> {
    let text = text.trim();
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return text.parse().ok();
    }
    if text.contains('/') {
        return parse_us_datetime(text);
    }
    parse_iso(text)
}

fn unix(year: i32, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> Option<i64> {
    let month = time::Month::try_from(month).ok()?;
    let date = time::Date::from_calendar_date(year, month, day).ok()?;
    let time = time::Time::from_hms(hour, minute, second).ok()?;
    Some(
        time::PrimitiveDateTime::new(date, time)
            .assume_utc()
            .unix_timestamp(),
    )
}

fn num<T: std::str::FromStr>(text: &str, min_len: usize, max_len: usize) -> Option<T> {
    (text.len() >= min_len && text.len() <= max_len && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

/// The largest UTC offset accepted in a SAS expiry, in hours (real offsets span -12 to +14).
const OFFSET_HOURS_MAX: i64 = 23;

/// `YYYY-MM-DD[T| ]HH:MM:SS[.fraction][Z|±HH:MM|±HHMM]`; no offset means UTC.
fn parse_iso(text: &str) -> Option<i64> {
    let (date, rest) = text.split_at_checked(10)?;
    let mut parts = date.split('-');
    let year = num(parts.next()?, 4, 4)?;
    let month = num(parts.next()?, 2, 2)?;
    let day = num(parts.next()?, 2, 2)?;
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let (clock, mut zone) = rest.split_at_checked(8)?;
    let mut hms = clock.split(':');
    let hour = num(hms.next()?, 2, 2)?;
    let minute = num(hms.next()?, 2, 2)?;
    let second = num(hms.next()?, 2, 2)?;
    if let Some(fraction) = zone.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        zone = &fraction[digits..];
    }
    let offset_secs: i64 = match zone {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = match zone.as_bytes()[0] {
                // A space is a `+` that went through form decoding.
                b'+' | b' ' => 1,
                b'-' => -1,
                _ => return None,
            };
            // `HH:MM` or `HHMM`, a real offset: hours 0-23, minutes 0-59 (`+99:99` is refused).
            let body = &zone[1..];
            let (hours, minutes) = match body.len() {
                5 if body.as_bytes()[2] == b':' => (&body[..2], &body[3..]),
                4 => body.split_at_checked(2)?,
                _ => return None,
            };
            let hours: i64 = num(hours, 2, 2)?;
            let minutes: i64 = num(minutes, 2, 2)?;
            if hours > OFFSET_HOURS_MAX || minutes > 59 {
                return None;
            }
            sign * (hours * 3600 + minutes * 60)
        }
    };
    Some(unix(year, month, day, hour, minute, second)? - offset_secs)
}

/// `M/d/yyyy h:mm:ss AM|PM` (.NET en-US), UTC.
fn parse_us_datetime(text: &str) -> Option<i64> {
    let mut words = text.split_whitespace();
    let date = words.next()?;
    let clock = words.next()?;
    let meridiem = words.next();
    if words.next().is_some() {
        return None;
    }
    let mut parts = date.split('/');
    let month = num(parts.next()?, 1, 2)?;
    let day = num(parts.next()?, 1, 2)?;
    let year = num(parts.next()?, 4, 4)?;
    if parts.next().is_some() {
        return None;
    }
    let mut hms = clock.split(':');
    let mut hour: u8 = num(hms.next()?, 1, 2)?;
    let minute = num(hms.next()?, 2, 2)?;
    let second = num(hms.next()?, 2, 2)?;
    match meridiem.map(str::to_ascii_uppercase).as_deref() {
        None => {}
        Some("AM") if (1..=12).contains(&hour) => hour %= 12,
        Some("PM") if (1..=12).contains(&hour) => hour = hour % 12 + 12,
        Some(_) => return None,
    }
    unix(year, month, day, hour, minute, second)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "dGVzdGtleQ==";

    fn sas_for(key: &[u8], r: &str, e: &str) -> String {
        let enc = |s: &str| {
            percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
        };
        let unsigned = format!("r={}&e={}", enc(r), enc(e));
        let sig =
            base64::engine::general_purpose::STANDARD.encode(hmac_sha256(key, unsigned.as_bytes()));
        format!("{unsigned}&s={}", enc(&sig))
    }

    /// The audit description names the credential's form and a SAS token's resource, never the
    /// key or the signature.
    #[test]
    fn describe_never_shows_a_secret() {
        let token = sas_for(KEY.as_bytes(), "https://ns/topics/orders\n", "4102444800");
        let header = format!("SharedAccessSignature {token}");
        let key_header = format!("SharedAccessKey {KEY}");
        let cases = [
            (
                Credentials {
                    authorization: Some(&key_header),
                    ..Credentials::default()
                },
                "access key (Authorization: SharedAccessKey)",
            ),
            (
                Credentials {
                    authorization: Some(&header),
                    ..Credentials::default()
                },
                r#"SAS token for "https://ns/topics/orders\n" (Authorization)"#,
            ),
            (
                creds_token(&token),
                r#"SAS token for "https://ns/topics/orders\n" (aeg-sas-token)"#,
            ),
            (
                Credentials {
                    sas_key_query: Some(KEY),
                    ..Credentials::default()
                },
                "access key (aeg-sas-key query parameter)",
            ),
            (
                Credentials::default(),
                "no credentials (authentication off)",
            ),
        ];
        let signature = token.rsplit("&s=").next().unwrap_or_default();
        for (credentials, expected) in cases {
            let described = credentials.describe();
            assert_eq!(described, expected);
            assert!(!described.contains(KEY) && !described.contains(signature));
        }
    }

    fn topic_resource() -> Resource<'static> {
        Resource {
            prefix: "",
            target: Target::Topic("orders"),
        }
    }

    fn creds_token(token: &str) -> Credentials<'_> {
        Credentials {
            sas_token_header: Some(token),
            ..Credentials::default()
        }
    }

    #[test]
    fn reference_vector_from_the_python_sdk_verifies() {
        // Reference §2.2: generate_sas output for key dGVzdGtleQ== (resource with apiVersion).
        let token = "r=https%3A%2F%2Fns1.westus-1.eventgrid.azure.net%2Fapi%2Fevents%3FapiVersion%3D2018-01-01&e=2025-01-01%2000%3A00%3A00%2B00%3A00&s=WSWp4PmKF9UGH7k8xPyOrBnDfpB3M1JkalGL767liSw%3D";
        let auth = Authenticator::new([KEY]);
        // The reference vector's resource is a basic topic's `/api/events`: here, a namespace
        // scope under that endpoint prefix.
        let resource = Resource {
            prefix: "/api/events",
            target: Target::Namespace,
        };
        let before = parse_expiry("2024-12-31T23:59:59Z").expect("parses");
        assert_eq!(auth.check(&creds_token(token), resource, before), Ok(()));
        // Expired one second after.
        let at = parse_expiry("2025-01-01T00:00:00Z").expect("parses");
        assert_eq!(
            auth.check(&creds_token(token), resource, at),
            Err(Unauthorized)
        );
        // Wrong key.
        let other = Authenticator::new(["b3RoZXJrZXk="]);
        assert_eq!(
            other.check(&creds_token(token), resource, before),
            Err(Unauthorized)
        );
    }

    #[test]
    fn keys_in_every_accepted_place() {
        let auth = Authenticator::new(["k1", KEY]);
        let r = topic_resource();
        let ok = |c: Credentials<'_>| auth.check(&c, r, 0);
        assert!(
            ok(Credentials {
                authorization: Some("SharedAccessKey k1"),
                ..Default::default()
            })
            .is_ok()
        );
        assert!(
            ok(Credentials {
                authorization: Some("sharedaccesskey dGVzdGtleQ=="),
                ..Default::default()
            })
            .is_ok()
        );
        assert!(
            ok(Credentials {
                sas_key_header: Some("k1"),
                ..Default::default()
            })
            .is_ok()
        );
        assert!(
            ok(Credentials {
                sas_key_query: Some(KEY),
                ..Default::default()
            })
            .is_ok()
        );
        assert!(
            ok(Credentials {
                authorization: Some("SharedAccessKey k2"),
                ..Default::default()
            })
            .is_err()
        );
        assert!(
            ok(Credentials {
                authorization: Some("SharedAccessKey k"),
                ..Default::default()
            })
            .is_err()
        );
        assert!(
            ok(Credentials {
                authorization: Some("Bearer x"),
                ..Default::default()
            })
            .is_err()
        );
        assert!(ok(Credentials::default()).is_err());
        // With no keys configured, everything passes.
        assert!(
            Authenticator::new([])
                .check(&Credentials::default(), r, 0)
                .is_ok()
        );
    }

    #[test]
    fn sas_scopes_and_both_key_forms() {
        let auth = Authenticator::new([KEY, "not base64!"]);
        let e = "2100-01-01T00:00:00Z";
        let sub = Resource {
            prefix: "/ns1",
            target: Target::Subscription("orders", "all"),
        };
        for (key, r, resource, expected) in [
            (&b"testkey"[..], "https://ns.example/", sub, true),
            (b"testkey", "https://ns.example/topics/orders", sub, true),
            (
                b"testkey",
                "http://127.0.0.1:1/ns1/topics/ORDERS",
                sub,
                true,
            ),
            (
                b"testkey",
                "/topics/orders/eventsubscriptions/all",
                sub,
                true,
            ),
            (b"testkey", "https://ns.example/topics/order", sub, false),
            (
                b"testkey",
                "https://ns.example/topics/orders/eventsubscriptions/other",
                sub,
                false,
            ),
            (
                b"testkey",
                "https://ns.example/topics/orders/eventsubscriptions/all",
                topic_resource(),
                false,
            ),
            (
                b"not base64!",
                "https://ns.example/topics/orders",
                topic_resource(),
                true,
            ),
            (
                b"wrong",
                "https://ns.example/topics/orders",
                topic_resource(),
                false,
            ),
        ] {
            let token = sas_for(key, r, e);
            let header = format!("SharedAccessSignature {token}");
            let c = Credentials {
                authorization: Some(&header),
                ..Default::default()
            };
            assert_eq!(
                auth.check(&c, resource, 0).is_ok(),
                expected,
                "{r} {resource:?}"
            );
            assert_eq!(
                auth.check(&creds_token(&token), resource, 0).is_ok(),
                expected,
                "{r}"
            );
        }
    }

    #[test]
    fn malformed_sas_is_refused() {
        let auth = Authenticator::new([KEY]);
        let good = sas_for(b"testkey", "https://ns.example/", "4102444800");
        assert!(auth.check(&creds_token(&good), topic_resource(), 0).is_ok());
        for bad in [
            "",
            "r=x",
            "r=x&e=4102444800",
            "e=1&r=x&s=abc",
            &format!("{good}&s=AAAA"),
            &good.replace("4102444800", "4102444801"),
            &good.replace("4102444800", "soon"),
        ] {
            assert!(
                auth.check(&creds_token(bad), topic_resource(), 0).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn expiry_formats() {
        let t = 1_735_689_600; // 2025-01-01T00:00:00Z
        for text in [
            "1735689600",
            "2025-01-01T00:00:00Z",
            "2025-01-01T00:00:00.123456Z",
            "2025-01-01T01:00:00+01:00",
            "2024-12-31T19:00:00-0500",
            "2025-01-01 00:00:00+00:00",
            "2025-01-01 00:00:00",
            "2025-01-01T00:00:00",
            "1/1/2025 12:00:00 AM",
            "12/31/2024 11:00:00 PM",
        ] {
            let expected = if text.starts_with("12/31") {
                t - 3600
            } else {
                t
            };
            assert_eq!(parse_expiry(text), Some(expected), "{text}");
        }
        for bad in [
            "",
            "soon",
            "2025-13-01T00:00:00Z",
            "1/1/2025 13:00:00 PM",
            "2025-01-01",
            "-5",
            // Impossible UTC offsets (issue #17).
            "2025-01-01T00:00:00+99:99",
            "2025-01-01T00:00:00+24:00",
            "2025-01-01T00:00:00-01:60",
            "2025-01-01T00:00:00+0160",
            "2025-01-01T00:00:00+1:000",
            "2025-01-01T00:00:00+01:0",
            "2025-01-01T00:00:00+01-00",
        ] {
            assert_eq!(parse_expiry(bad), None, "{bad}");
        }
    }
}
