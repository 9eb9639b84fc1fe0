//! The few fields of an X.509 certificate gridlog reads (serial number, validity), taken from
//! its DER with a minimal reader: `Certificate ::= SEQUENCE { tbsCertificate SEQUENCE {
//! [0] version OPTIONAL, serialNumber INTEGER, signature AlgorithmIdentifier, issuer Name,
//! validity SEQUENCE { notBefore Time, notAfter Time }, … }, … }` (RFC 5280 §4.1). Anything
//! it cannot follow is `None`; rustls checks the rest of the certificate itself.

use sha2::{Digest, Sha256};
use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const VERSION: u8 = 0xa0;
const UTC_TIME: u8 = 0x17;
const GENERALIZED_TIME: u8 = 0x18;
/// Longest DER length field followed (4 bytes: up to 4 GiB).
const LENGTH_BYTES_MAX: usize = 4;

/// What gridlog reads from a certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertInfo {
    /// The serial number's bytes as encoded (big-endian, two's complement).
    pub serial: Vec<u8>,
    /// `notBefore`.
    pub not_before: OffsetDateTime,
    /// `notAfter`.
    pub not_after: OffsetDateTime,
    /// SHA-256 of the whole DER (what `openssl x509 -fingerprint -sha256` prints).
    pub sha256: [u8; 32],
}

impl CertInfo {
    /// Reads `der`, or `None` if it is not a certificate this reader follows.
    pub fn parse(der: &[u8]) -> Option<Self> {
        let (tag, certificate, _) = tlv(der)?;
        if tag != SEQUENCE {
            return None;
        }
        let (tag, mut tbs, _) = tlv(certificate)?;
        if tag != SEQUENCE {
            return None;
        }
        if tbs.first() == Some(&VERSION) {
            tbs = tlv(tbs)?.2;
        }
        let (tag, serial, rest) = tlv(tbs)?;
        if tag != INTEGER {
            return None;
        }
        let (_signature, _, rest) = tlv(rest)?;
        let (_issuer, _, rest) = tlv(rest)?;
        let (tag, validity, _) = tlv(rest)?;
        if tag != SEQUENCE {
            return None;
        }
        let (tag, not_before, rest) = tlv(validity)?;
        let not_before = time_value(tag, not_before)?;
        let (tag, not_after, _) = tlv(rest)?;
        let not_after = time_value(tag, not_after)?;
        Some(Self {
            serial: serial.to_vec(),
            not_before,
            not_after,
            sha256: Sha256::digest(der).into(),
        })
    }

    /// The serial number in lowercase hex (leading zero bytes dropped).
    pub fn serial_hex(&self) -> String {
        let start = self.serial.iter().position(|b| *b != 0).unwrap_or(0);
        hex(&self.serial[start..])
    }

    /// The SHA-256 fingerprint in lowercase hex.
    pub fn fingerprint_hex(&self) -> String {
        hex(&self.sha256)
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// One DER element: `(tag, contents, rest)`.
fn tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (length, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > LENGTH_BYTES_MAX || rest.len() < count {
            return None;
        }
        let length = rest[..count]
            .iter()
            .fold(0usize, |n, b| (n << 8) | usize::from(*b));
        (length, &rest[count..])
    };
    if rest.len() < length {
        return None;
    }
    Some((tag, &rest[..length], &rest[length..]))
}

/// A `UTCTime` (`YYMMDDHHMMSSZ`, years 1950–2049) or `GeneralizedTime` (`YYYYMMDDHHMMSSZ`).
fn time_value(tag: u8, bytes: &[u8]) -> Option<OffsetDateTime> {
    let text = std::str::from_utf8(bytes).ok()?.strip_suffix('Z')?;
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (year, rest) = match tag {
        UTC_TIME if text.len() == 12 => {
            let yy: i32 = text[..2].parse().ok()?;
            (if yy < 50 { 2000 + yy } else { 1900 + yy }, &text[2..])
        }
        GENERALIZED_TIME if text.len() == 14 => (text[..4].parse().ok()?, &text[4..]),
        _ => return None,
    };
    let field = |i: usize| rest[i..i + 2].parse::<u8>().ok();
    let date = Date::from_calendar_date(year, Month::try_from(field(0)?).ok()?, field(2)?).ok()?;
    let time = Time::from_hms(field(4)?, field(6)?, field(8)?).ok()?;
    Some(PrimitiveDateTime::new(date, time).assume_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        let t = time_value(UTC_TIME, b"240102030405Z").unwrap();
        assert_eq!(t.unix_timestamp(), 1_704_164_645);
        let t = time_value(UTC_TIME, b"991231235959Z").unwrap();
        assert_eq!(t.year(), 1999);
        let t = time_value(GENERALIZED_TIME, b"40960101000000Z").unwrap();
        assert_eq!(t.year(), 4096);
        assert!(time_value(UTC_TIME, b"2401020304Z").is_none());
        assert!(time_value(UTC_TIME, b"241302030405Z").is_none());
        assert!(time_value(GENERALIZED_TIME, b"240102030405Z").is_none());
    }

    #[test]
    fn garbage_is_none() {
        assert!(CertInfo::parse(&[]).is_none());
        assert!(CertInfo::parse(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]).is_none());
        assert!(CertInfo::parse(b"not a certificate").is_none());
    }
}
