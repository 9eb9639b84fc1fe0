//! Service Bus shared access signatures, as Event Hubs accepts them (shared by the front ends:
//! the REST ingest path in gridlog-server and the AMQP `$cbs` node in gridlog-amqp):
//!
//! ```text
//! Authorization: SharedAccessSignature sr=<url-encoded resource>&sig=<url-encoded signature>&se=<expiry>&skn=<key name>
//! signature = base64(HMAC-SHA256(key, <url-encoded resource> + "\n" + <expiry>))
//! ```
//!
//! - The members may come in any order; each must appear exactly once.
//! - The HMAC key is the policy key's UTF-8 bytes (as Azure's samples and SDKs use it, not
//!   base64-decoded).
//! - The string to sign uses `sr` **as received** (still URL-encoded), so any encoder's choice
//!   of escapes and hex case verifies.
//! - `skn` picks the policy (exact, case-sensitive name); an unknown name fails.
//! - `se` is unix seconds; the token is valid while `now < se`.
//! - Scope: `sr` decoded is a URL (`https://ns.servicebus.windows.net/hub`) or `host/path`
//!   without a scheme; its host is **not** checked (a server cannot know every name it is
//!   reached by), its path, without a trailing `/` and compared case-insensitively, must be empty
//!   (the whole namespace) or a `/`-segment prefix of the request path (`/hub` covers
//!   `/hub/messages` and `/hub/publishers/p/messages`).
//! - The signature is compared in constant time; failures never say which check failed, and no
//!   key or token is logged.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use percent_encoding::percent_decode_str;
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// A token was refused (deliberately without detail).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unauthorized;

/// `HMAC-SHA256(key, message)`.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    #[expect(clippy::expect_used, reason = "HMAC accepts keys of any length")]
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("any key length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// The configured policies: `(key name, key)`.
#[derive(Clone, Default)]
pub struct ServiceBusSas {
    policies: Vec<(String, Vec<u8>)>,
}

impl std::fmt::Debug for ServiceBusSas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ServiceBusSas({} polic(ies))", self.policies.len())
    }
}

/// The members of a token (raw, as received).
struct Token<'a> {
    sr: &'a str,
    sig: &'a str,
    se: &'a str,
    skn: &'a str,
}

fn parse(token: &str) -> Option<Token<'_>> {
    let (mut sr, mut sig, mut se, mut skn) = (None, None, None, None);
    for pair in token.split('&') {
        let (name, value) = pair.split_once('=')?;
        let slot = match name {
            "sr" => &mut sr,
            "sig" => &mut sig,
            "se" => &mut se,
            "skn" => &mut skn,
            _ => return None,
        };
        if slot.replace(value).is_some() {
            return None;
        }
    }
    Some(Token {
        sr: sr?,
        sig: sig?,
        se: se?,
        skn: skn?,
    })
}

/// The path of a decoded `sr`: after `scheme://host` or `host`, without query or trailing `/`.
fn scope_path(resource: &str) -> &str {
    let without_scheme = resource
        .split_once("://")
        .map_or(resource, |(_, rest)| rest);
    let path = without_scheme
        .find('/')
        .map_or("", |slash| &without_scheme[slash..]);
    let path = path.split(['?', '#']).next().unwrap_or_default();
    path.trim_end_matches('/')
}

/// Does a token for path `scope` cover `request_path`? A `/`-segment prefix, compared
/// case-insensitively; an empty scope is the whole namespace.
pub fn covers(scope: &str, request_path: &str) -> bool {
    if scope.is_empty() {
        return true;
    }
    let (scope, request) = (scope.as_bytes(), request_path.as_bytes());
    request.len() >= scope.len()
        && request[..scope.len()].eq_ignore_ascii_case(scope)
        && (request.len() == scope.len() || request[scope.len()] == b'/')
}

impl ServiceBusSas {
    /// A checker for `policies` (`(key name, key)`).
    pub fn new<'a>(policies: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Self {
            policies: policies
                .into_iter()
                .map(|(name, key)| (name.to_owned(), key.as_bytes().to_vec()))
                .collect(),
        }
    }

    /// No policy configured?
    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }

    /// Is `key` the key of the policy named `key_name` (SASL PLAIN)? Constant-time in the key.
    pub fn has_key(&self, key_name: &str, key: &str) -> bool {
        self.policies
            .iter()
            .find(|(name, _)| name == key_name)
            .is_some_and(|(_, expected)| bool::from(expected.as_slice().ct_eq(key.as_bytes())))
    }

    /// Checks an `Authorization` header value for a request on `request_path` (decoded, e.g.
    /// `/batch-status/messages`) at unix time `now_secs`.
    pub fn check(
        &self,
        authorization: Option<&str>,
        request_path: &str,
        now_secs: i64,
    ) -> Result<(), Unauthorized> {
        self.check_token(authorization.ok_or(Unauthorized)?, request_path, now_secs)
            .map(|_| ())
    }

    /// Checks a token (`SharedAccessSignature sr=…`) for `request_path` at unix time
    /// `now_secs`; on success, its expiry (unix seconds).
    pub fn check_token(
        &self,
        token: &str,
        request_path: &str,
        now_secs: i64,
    ) -> Result<i64, Unauthorized> {
        let value = token.trim();
        let (scheme, token) = value.split_once(' ').ok_or(Unauthorized)?;
        if !scheme.eq_ignore_ascii_case("SharedAccessSignature") {
            return Err(Unauthorized);
        }
        let token = parse(token.trim()).ok_or(Unauthorized)?;
        let expiry: i64 = percent_decode_str(token.se)
            .decode_utf8()
            .map_err(|_| Unauthorized)?
            .parse()
            .map_err(|_| Unauthorized)?;
        if expiry <= now_secs {
            return Err(Unauthorized);
        }
        let resource = percent_decode_str(token.sr)
            .decode_utf8()
            .map_err(|_| Unauthorized)?;
        if !covers(scope_path(&resource), request_path) {
            return Err(Unauthorized);
        }
        let signature = percent_decode_str(token.sig)
            .decode_utf8()
            .map_err(|_| Unauthorized)?;
        let signature = base64::engine::general_purpose::STANDARD
            .decode(signature.trim())
            .map_err(|_| Unauthorized)?;
        let key_name = percent_decode_str(token.skn)
            .decode_utf8()
            .map_err(|_| Unauthorized)?;
        let (_, key) = self
            .policies
            .iter()
            .find(|(name, _)| *name == key_name)
            .ok_or(Unauthorized)?;
        let string_to_sign = format!("{}\n{}", token.sr, token.se);
        let expected = hmac_sha256(key, string_to_sign.as_bytes());
        if bool::from(expected.as_slice().ct_eq(&signature)) {
            Ok(expiry)
        } else {
            Err(Unauthorized)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000;

    /// A token as Azure's documented samples build it (upper-case escapes).
    fn token(resource: &str, key_name: &str, key: &str, expiry: i64) -> String {
        let encode = |s: &str| {
            percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
        };
        let sr = encode(resource);
        let sig = base64::engine::general_purpose::STANDARD.encode(hmac_sha256(
            key.as_bytes(),
            format!("{sr}\n{expiry}").as_bytes(),
        ));
        format!(
            "SharedAccessSignature sr={sr}&sig={}&se={expiry}&skn={key_name}",
            encode(&sig)
        )
    }

    fn sas() -> ServiceBusSas {
        ServiceBusSas::new([("send", "c2VjcmV0"), ("RootManageSharedAccessKey", "root")])
    }

    #[test]
    fn accepts_scoped_tokens() {
        let sas = sas();
        for resource in [
            "https://ns.servicebus.windows.net/batch-status",
            "https://ns.servicebus.windows.net/Batch-Status/",
            "http://127.0.0.1:8765/batch-status/messages",
            "ns.servicebus.windows.net/batch-status",
            "https://ns.servicebus.windows.net/",
            "https://ns.servicebus.windows.net",
        ] {
            let t = token(resource, "send", "c2VjcmV0", NOW + 60);
            assert_eq!(
                sas.check(Some(&t), "/batch-status/messages", NOW),
                Ok(()),
                "{resource}"
            );
        }
        let t = token(
            "sb://ns/batch-status",
            "RootManageSharedAccessKey",
            "root",
            NOW + 1,
        );
        assert_eq!(sas.check(Some(&t), "/batch-status/messages", NOW), Ok(()));
    }

    #[test]
    fn refuses_bad_tokens() {
        let sas = sas();
        let path = "/batch-status/messages";
        let cases = [
            token("https://ns/batch-status", "send", "c2VjcmV0", NOW),
            token("https://ns/batch-status", "send", "wrong", NOW + 60),
            token("https://ns/batch-status", "Send", "c2VjcmV0", NOW + 60),
            token("https://ns/batch-statu", "send", "c2VjcmV0", NOW + 60),
            token("https://ns/batch-status-2", "send", "c2VjcmV0", NOW + 60),
            token("https://ns/other", "send", "c2VjcmV0", NOW + 60),
            token("https://ns/batch-status", "nobody", "c2VjcmV0", NOW + 60),
        ];
        for case in &cases {
            assert_eq!(
                sas.check(Some(case), path, NOW),
                Err(Unauthorized),
                "{case}"
            );
        }
        let good = token("https://ns/batch-status", "send", "c2VjcmV0", NOW + 60);
        for bad in [
            good.replace("SharedAccessSignature", "Bearer"),
            good.replace("&skn=send", ""),
            format!("{good}&skn=send"),
            format!("{good}&x=1"),
            good.replace("se=", "se=x"),
            String::new(),
        ] {
            assert_eq!(sas.check(Some(&bad), path, NOW), Err(Unauthorized), "{bad}");
        }
        assert_eq!(sas.check(None, path, NOW), Err(Unauthorized));
        assert_eq!(
            ServiceBusSas::default().check(Some(&good), path, NOW),
            Err(Unauthorized)
        );
    }
}
