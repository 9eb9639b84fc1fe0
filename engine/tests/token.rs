//! Lock tokens: round trip, tamper evidence, wrong secret, cross-subscription, garbage input.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use gridlog::token::{LockToken, TokenError, TokenFields, TokenSecret};
use gridlog::token::{TOKEN_BYTES, TOKEN_CHARS, fuzz_decode};
use proptest::prelude::*;

static SECRET: std::sync::LazyLock<TokenSecret> =
    std::sync::LazyLock::new(|| TokenSecret::from_bytes([0x5a; 32]));
static OTHER_SECRET: std::sync::LazyLock<TokenSecret> =
    std::sync::LazyLock::new(|| TokenSecret::from_bytes([0x5b; 32]));
const FIELDS: TokenFields = TokenFields {
    subscription_id: 0x0102_0304_0506_0708,
    seq: 42,
    generation: 3,
};

#[test]
fn round_trips_and_is_deterministic() {
    let token = LockToken::mint(&SECRET, FIELDS);
    assert_eq!(token.len(), TOKEN_CHARS);
    assert_eq!(LockToken::verify(&SECRET, &token), Ok(FIELDS));
    assert_eq!(LockToken::mint(&SECRET, FIELDS), token);
}

#[test]
fn layout_is_version_then_little_endian_fields_then_mac() {
    let token = LockToken::mint(&SECRET, FIELDS);
    let bytes = URL_SAFE_NO_PAD.decode(&token).expect("tokens are base64");
    assert_eq!(bytes.len(), TOKEN_BYTES);
    assert_eq!(bytes[0], 1);
    assert_eq!(bytes[1..9], FIELDS.subscription_id.to_le_bytes());
    assert_eq!(bytes[9..17], FIELDS.seq.to_le_bytes());
    assert_eq!(bytes[17..21], FIELDS.generation.to_le_bytes());
}

#[test]
fn every_single_bit_flip_of_the_bytes_is_rejected() {
    let token = LockToken::mint(&SECRET, FIELDS);
    let bytes = URL_SAFE_NO_PAD.decode(&token).expect("tokens are base64");
    let mut flips = 0;
    for byte in 0..bytes.len() {
        for bit in 0..8 {
            let mut tampered = bytes.clone();
            tampered[byte] ^= 1 << bit;
            let outcome = LockToken::verify(&SECRET, &URL_SAFE_NO_PAD.encode(&tampered));
            let expected = if byte == 0 {
                Err(TokenError::BadVersion {
                    version: tampered[0],
                })
            } else {
                Err(TokenError::BadMac)
            };
            assert_eq!(outcome, expected, "byte {byte} bit {bit}");
            flips += 1;
        }
    }
    assert_eq!(flips, TOKEN_BYTES * 8);
}

#[test]
fn every_single_bit_flip_of_the_text_is_rejected() {
    let token = LockToken::mint(&SECRET, FIELDS);
    for index in 0..token.len() {
        for bit in 0..8 {
            let mut text = token.clone().into_bytes();
            text[index] ^= 1 << bit;
            let outcome = match String::from_utf8(text) {
                Ok(text) => LockToken::verify(&SECRET, &text),
                // Not even UTF-8: cannot be passed as a token at all.
                Err(_) => continue,
            };
            assert!(outcome.is_err(), "char {index} bit {bit} accepted");
        }
    }
}

#[test]
fn wrong_secret_is_rejected() {
    let token = LockToken::mint(&SECRET, FIELDS);
    assert_eq!(
        LockToken::verify(&OTHER_SECRET, &token),
        Err(TokenError::BadMac)
    );
}

#[test]
fn a_token_of_another_subscription_verifies_to_that_subscription() {
    let other = TokenFields {
        subscription_id: FIELDS.subscription_id + 1,
        ..FIELDS
    };
    let token = LockToken::mint(&SECRET, other);
    let fields = LockToken::verify(&SECRET, &token).expect("genuine token");
    // The caller settling on subscription FIELDS.subscription_id sees the mismatch.
    assert_ne!(fields.subscription_id, FIELDS.subscription_id);
    assert_ne!(token, LockToken::mint(&SECRET, FIELDS));
}

#[test]
fn garbage_is_malformed() {
    let token = LockToken::mint(&SECRET, FIELDS);
    let huge = "A".repeat(1 << 20);
    let padded = format!("{token}==");
    let standard_alphabet = token.replace('-', "+").replace('_', "/");
    let cases: Vec<&str> = vec![
        "",
        "x",
        &huge,
        &token[..TOKEN_CHARS - 1],
        &padded,
        "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
        "ééééééééééééééééééééééééé",
    ];
    for case in cases {
        assert!(
            matches!(
                LockToken::verify(&SECRET, case),
                Err(TokenError::Malformed { .. })
            ),
            "{case:.60}"
        );
    }
    if standard_alphabet != token {
        assert!(LockToken::verify(&SECRET, &standard_alphabet).is_err());
    }
}

#[test]
fn non_canonical_trailing_bits_are_malformed() {
    let token = LockToken::mint(&SECRET, FIELDS);
    // The last character carries 2 data bits and 4 padding bits; set a padding bit.
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let last = token.as_bytes()[TOKEN_CHARS - 1];
    let index = alphabet
        .iter()
        .position(|&c| c == last)
        .expect("base64 char");
    let tampered = format!(
        "{}{}",
        &token[..TOKEN_CHARS - 1],
        char::from(alphabet[index | 1])
    );
    assert!(matches!(
        LockToken::verify(&SECRET, &tampered),
        Err(TokenError::Malformed { .. })
    ));
}

#[test]
fn error_codes_are_stable() {
    assert_eq!(TokenError::BadMac.code(), "TokenBadMac");
    assert_eq!(
        TokenError::BadVersion { version: 2 }.code(),
        "TokenBadVersion"
    );
    assert_eq!(
        TokenError::Malformed { reason: "x" }.code(),
        "TokenMalformed"
    );
}

#[test]
fn generated_secrets_differ_and_debug_hides_them() {
    let first = TokenSecret::generate().expect("OS randomness");
    let second = TokenSecret::generate().expect("OS randomness");
    assert_ne!(first, second);
    assert_eq!(format!("{first:?}"), "TokenSecret(..)");
}

#[test]
fn fuzz_body_accepts_anything() {
    let token = LockToken::mint(&TokenSecret::from_bytes([7; 32]), FIELDS);
    for input in [
        &b""[..],
        b"\xff\xfe",
        token.as_bytes(),
        &[b'A'; TOKEN_CHARS],
        &[0; 4096],
    ] {
        fuzz_decode(input);
    }
}

proptest! {
    #[test]
    fn any_fields_round_trip(subscription_id: u64, seq: u64, generation: u32) {
        let fields = TokenFields { subscription_id, seq, generation };
        let token = LockToken::mint(&SECRET, fields);
        prop_assert_eq!(LockToken::verify(&SECRET, &token), Ok(fields));
        prop_assert_eq!(LockToken::verify(&OTHER_SECRET, &token), Err(TokenError::BadMac));
    }

    #[test]
    fn arbitrary_text_never_verifies_or_panics(text in "\\PC{0,64}") {
        prop_assert!(LockToken::verify(&SECRET, &text).is_err());
    }

    #[test]
    fn arbitrary_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..128)) {
        fuzz_decode(&data);
    }
}

/// The token layout and MAC are pinned against an independent computation (Python's `hmac`:
/// base64url(version ‖ sub ‖ seq ‖ generation ‖ HMAC-SHA256(secret, label ‖ head)[..16])), so a
/// change to how the MAC is computed (e.g. the precomputed keyed state) cannot silently
/// invalidate tokens handed out before an upgrade.
#[test]
fn token_bytes_match_an_independent_hmac() {
    let fields = TokenFields {
        subscription_id: 3,
        seq: 42,
        generation: 1,
    };
    assert_eq!(
        LockToken::mint(&SECRET, fields),
        "AQMAAAAAAAAAKgAAAAAAAAABAAAAV2Mot4VWCMlM0GOrb4IRBA"
    );
}
