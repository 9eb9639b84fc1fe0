//! Lock tokens: unforgeable, self-describing proofs that a consumer holds one delivery of one event
//! in one subscription.
//!
//! # Layout
//!
//! A token is the URL-safe base64 (RFC 4648 §5, no padding, canonical) of 37 bytes:
//!
//! | offset | bytes | field |
//! |---|---|---|
//! | 0 | 1 | version, [`TOKEN_VERSION`] (1) |
//! | 1 | 8 | subscription id, `u64` little-endian |
//! | 9 | 8 | event seq, `u64` little-endian |
//! | 17 | 4 | delivery (lock) generation, `u32` little-endian |
//! | 21 | 16 | MAC: HMAC-SHA256 truncated to its first 16 bytes |
//!
//! so every token is exactly [`TOKEN_CHARS`] (50) characters. The MAC is computed under the
//! namespace's 32-byte [`TokenSecret`] over the domain-separation label `b"gridlog lock token\0"`
//! followed by bytes 0..21 (version and fields). It is compared in constant time.
//!
//! (Internal API: the example runs as the unit test `module_example`.)
//!
//! ```ignore
//! use gridlog::{LockToken, TokenFields, TokenSecret};
//!
//! let secret = TokenSecret::from_bytes([9; 32]);
//! let fields = TokenFields { subscription_id: 7, seq: 1_000, generation: 1 };
//! let token = LockToken::mint(&secret, fields);
//! assert_eq!(LockToken::verify(&secret, &token), Ok(fields));
//! ```
//!
//! # What verification proves, and what it does not
//!
//! [`LockToken::verify`] proves that this namespace minted the token for exactly these fields.
//! The caller must still check that [`TokenFields::subscription_id`] is the subscription the
//! request names (a token from another subscription verifies but must be refused), and that the
//! generation is the event's current delivery (an older one is a lost lock).
//!
//! Decoding never panics and looks at no more than [`TOKEN_CHARS`] characters; longer input is
//! refused before any work ([`fuzz_decode`] is the fuzz target's body).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::limits::TOKEN_SECRET_BYTES;

/// The token layout version this code mints and accepts.
pub const TOKEN_VERSION: u8 = 1;
/// Bytes of version and fields, the part the MAC covers.
const FIELDS_BYTES: usize = 1 + 8 + 8 + 4;
/// Bytes of the truncated MAC.
pub const TOKEN_MAC_BYTES: usize = 16;
/// Bytes of a decoded token.
pub const TOKEN_BYTES: usize = FIELDS_BYTES + TOKEN_MAC_BYTES;
/// Characters of an encoded token (unpadded base64 of [`TOKEN_BYTES`]).
pub const TOKEN_CHARS: usize = (TOKEN_BYTES * 8).div_ceil(6);
/// Domain-separation label prefixed to the MAC input, so the secret's MACs over other data can
/// never be mistaken for tokens.
const MAC_LABEL: &[u8] = b"gridlog lock token\0";

const _: () = assert!(TOKEN_BYTES == 37);
const _: () = assert!(TOKEN_CHARS == 50);

type HmacSha256 = Hmac<Sha256>;

/// The per-namespace secret that lock tokens are authenticated with.
///
/// `Debug` does not print it. The storage core persists it with the namespace; losing it
/// invalidates every outstanding token (consumers then see `TokenLost` and redelivery follows).
///
/// Holds, next to the bytes, the HMAC state already keyed with them and fed the domain label,
/// so each mint or verify costs two SHA-256 compressions instead of four.
#[derive(Clone)]
pub struct TokenSecret {
    bytes: [u8; TOKEN_SECRET_BYTES],
    keyed: HmacSha256,
}

impl TokenSecret {
    /// A secret with the given bytes (e.g. read back from storage).
    pub fn from_bytes(bytes: [u8; TOKEN_SECRET_BYTES]) -> Self {
        #[expect(clippy::expect_used, reason = "HMAC accepts keys of any length")]
        let mut keyed =
            HmacSha256::new_from_slice(&bytes).expect("HMAC accepts keys of any length");
        keyed.update(MAC_LABEL);
        Self { bytes, keyed }
    }

    /// A fresh secret from the operating system's random number generator.
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut bytes = [0_u8; TOKEN_SECRET_BYTES];
        getrandom::fill(&mut bytes)?;
        Ok(Self::from_bytes(bytes))
    }

    /// The secret's bytes, to persist them.
    pub const fn as_bytes(&self) -> &[u8; TOKEN_SECRET_BYTES] {
        &self.bytes
    }
}

impl PartialEq for TokenSecret {
    fn eq(&self, other: &Self) -> bool {
        bool::from(self.bytes.ct_eq(&other.bytes))
    }
}

impl Eq for TokenSecret {}

impl std::fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenSecret(..)")
    }
}

/// What a lock token binds: one delivery of one event in one subscription.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TokenFields {
    /// The engine's id of the event subscription.
    pub subscription_id: u64,
    /// The event's sequence number in its topic's log.
    pub seq: u64,
    /// The delivery (lock) generation: changes with every new lock of the event, so tokens from
    /// earlier deliveries are distinguishable.
    pub generation: u32,
}

/// Why a string is not a valid lock token. Every case answers `TokenLost` at the API; a malformed
/// token or an unknown version says so in the message (`TokenFailure::Malformed`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// Not a token at all: wrong length, not canonical URL-safe base64.
    #[error("malformed lock token: {reason}")]
    Malformed {
        /// What is wrong, for logs.
        reason: &'static str,
    },
    /// A well-formed token of a layout version this build does not know.
    #[error("lock token has unsupported version {version} (expected {TOKEN_VERSION})")]
    BadVersion {
        /// The version byte found.
        version: u8,
    },
    /// The MAC does not match: forged, corrupted, or minted under another namespace's secret.
    #[error("lock token failed authentication")]
    BadMac,
}

impl TokenError {
    /// Stable machine code.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Malformed { .. } => "TokenMalformed",
            Self::BadVersion { .. } => "TokenBadVersion",
            Self::BadMac => "TokenBadMac",
        }
    }
}

/// The lock-token codec. Not instantiable: its functions are the API.
#[derive(Debug)]
pub enum LockToken {}

impl LockToken {
    /// Mints the token for `fields` under `secret`. Deterministic: the same inputs give the same
    /// token, so a token re-minted after a restart (same secret) equals the original.
    pub fn mint(secret: &TokenSecret, fields: TokenFields) -> String {
        let mut bytes = [0_u8; TOKEN_BYTES];
        let (head, mac_out) = bytes.split_at_mut(FIELDS_BYTES);
        head[0] = TOKEN_VERSION;
        head[1..9].copy_from_slice(&fields.subscription_id.to_le_bytes());
        head[9..17].copy_from_slice(&fields.seq.to_le_bytes());
        head[17..21].copy_from_slice(&fields.generation.to_le_bytes());
        mac_out.copy_from_slice(&mac(secret, head));
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// Checks `token` against `secret` and returns the fields it binds.
    pub fn verify(secret: &TokenSecret, token: &str) -> Result<TokenFields, TokenError> {
        let bytes = decode(token)?;
        let (head, mac_in) = bytes.split_at(FIELDS_BYTES);
        if head[0] != TOKEN_VERSION {
            return Err(TokenError::BadVersion { version: head[0] });
        }
        let expected = mac(secret, head);
        if !bool::from(expected.ct_eq(mac_in)) {
            return Err(TokenError::BadMac);
        }
        Ok(TokenFields {
            subscription_id: u64::from_le_bytes(le_array(&head[1..9])),
            seq: u64::from_le_bytes(le_array(&head[9..17])),
            generation: u32::from_le_bytes(le_array(&head[17..21])),
        })
    }
}

/// The fuzz target's body: decodes arbitrary bytes as a token and checks that an accepted token
/// re-mints to itself. Never panics unless that property fails.
#[doc(hidden)]
pub fn fuzz_decode(data: &[u8]) {
    static FUZZ_SECRET: std::sync::LazyLock<TokenSecret> =
        std::sync::LazyLock::new(|| TokenSecret::from_bytes([7; TOKEN_SECRET_BYTES]));
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(fields) = LockToken::verify(&FUZZ_SECRET, text) {
        assert_eq!(LockToken::mint(&FUZZ_SECRET, fields), text);
    }
}

fn decode(token: &str) -> Result<[u8; TOKEN_BYTES], TokenError> {
    if token.len() != TOKEN_CHARS {
        return Err(TokenError::Malformed {
            reason: "wrong length",
        });
    }
    // Room to spare: the decoder may want a conservatively sized output buffer.
    let mut buffer = [0_u8; TOKEN_BYTES + 8];
    // The engine's default configuration rejects non-canonical trailing bits, so each token has
    // exactly one encoding and any change to the text changes the bytes.
    match URL_SAFE_NO_PAD.decode_slice(token, &mut buffer) {
        Ok(TOKEN_BYTES) => Ok(le_array(&buffer[..TOKEN_BYTES])),
        Ok(_) | Err(_) => Err(TokenError::Malformed {
            reason: "not canonical URL-safe base64",
        }),
    }
}

fn mac(secret: &TokenSecret, head: &[u8]) -> [u8; TOKEN_MAC_BYTES] {
    let mut hmac = secret.keyed.clone();
    hmac.update(head);
    let full = hmac.finalize().into_bytes();
    let mut truncated = [0_u8; TOKEN_MAC_BYTES];
    truncated.copy_from_slice(&full[..TOKEN_MAC_BYTES]);
    truncated
}

fn le_array<const N: usize>(slice: &[u8]) -> [u8; N] {
    let mut array = [0_u8; N];
    array.copy_from_slice(slice);
    array
}

#[cfg(test)]
mod module_example {
    use super::{LockToken, TokenFields, TokenSecret};

    /// The module docs' example.
    #[test]
    fn module_example() {
        let secret = TokenSecret::from_bytes([9; 32]);
        let fields = TokenFields {
            subscription_id: 7,
            seq: 1_000,
            generation: 1,
        };
        let token = LockToken::mint(&secret, fields);
        assert_eq!(LockToken::verify(&secret, &token), Ok(fields));
    }
}
