//! Variable-width values: binary, string, symbol.

use std::convert::TryFrom;

use ntex_bytes::{ByteString, Bytes};

use super::read::{read_bytes_u8, read_bytes_u32};
use crate::codec::{self, DecodeFormatted};
use crate::error::AmqpParseError;
use crate::types::{Str, Symbol};

impl DecodeFormatted for Bytes {
    fn decode_with_format(input: &mut Bytes, fmt: u8) -> Result<Self, AmqpParseError> {
        match fmt {
            codec::FORMATCODE_BINARY8 => read_bytes_u8(input),
            codec::FORMATCODE_BINARY32 => read_bytes_u32(input),
            _ => Err(AmqpParseError::InvalidFormatCode(fmt)),
        }
    }
}

impl DecodeFormatted for ByteString {
    fn decode_with_format(input: &mut Bytes, fmt: u8) -> Result<Self, AmqpParseError> {
        match fmt {
            codec::FORMATCODE_STRING8 => {
                let bytes = read_bytes_u8(input)?;
                Ok(ByteString::try_from(bytes).map_err(|_| AmqpParseError::Utf8Error)?)
            }
            codec::FORMATCODE_STRING32 => {
                let bytes = read_bytes_u32(input)?;
                Ok(ByteString::try_from(bytes).map_err(|_| AmqpParseError::Utf8Error)?)
            }
            _ => Err(AmqpParseError::InvalidFormatCode(fmt)),
        }
    }
}

impl DecodeFormatted for Str {
    fn decode_with_format(input: &mut Bytes, fmt: u8) -> Result<Self, AmqpParseError> {
        Ok(Str::from(ByteString::decode_with_format(input, fmt)?))
    }
}

impl DecodeFormatted for Symbol {
    fn decode_with_format(input: &mut Bytes, fmt: u8) -> Result<Self, AmqpParseError> {
        match fmt {
            codec::FORMATCODE_SYMBOL8 => {
                let bytes = read_bytes_u8(input)?;
                Ok(Symbol(Str::from(
                    ByteString::try_from(bytes).map_err(|_| AmqpParseError::Utf8Error)?,
                )))
            }
            codec::FORMATCODE_SYMBOL32 => {
                let bytes = read_bytes_u32(input)?;
                Ok(Symbol(Str::from(
                    ByteString::try_from(bytes).map_err(|_| AmqpParseError::Utf8Error)?,
                )))
            }
            _ => Err(AmqpParseError::InvalidFormatCode(fmt)),
        }
    }
}
