//! `Variant` (any AMQP value, described ones included), `Option`, descriptors and constructors.

use chrono::{DateTime, Utc};
use ntex_bytes::{Buf, ByteString, Bytes};
use ntex_util::HashMap as HashMapUtil;
use ordered_float::OrderedFloat;
use uuid::Uuid;

use super::read::read_fixed_bytes;
use crate::codec::{self, Decode, DecodeFormatted};
use crate::error::AmqpParseError;
use crate::types::{
    Array, Constructor, DescribedCompound, Descriptor, List, Symbol, Variant, VariantMap,
};

impl DecodeFormatted for Variant {
    fn decode_with_format(input: &mut Bytes, fmt: u8) -> Result<Self, AmqpParseError> {
        match fmt {
            codec::FORMATCODE_NULL => Ok(Variant::Null),
            codec::FORMATCODE_BOOLEAN => bool::decode_with_format(input, fmt).map(Variant::Boolean),
            codec::FORMATCODE_BOOLEAN_FALSE => Ok(Variant::Boolean(false)),
            codec::FORMATCODE_BOOLEAN_TRUE => Ok(Variant::Boolean(true)),
            codec::FORMATCODE_UINT_0 => Ok(Variant::Uint(0)),
            codec::FORMATCODE_ULONG_0 => Ok(Variant::Ulong(0)),
            codec::FORMATCODE_UBYTE => u8::decode_with_format(input, fmt).map(Variant::Ubyte),
            codec::FORMATCODE_USHORT => u16::decode_with_format(input, fmt).map(Variant::Ushort),
            codec::FORMATCODE_UINT => u32::decode_with_format(input, fmt).map(Variant::Uint),
            codec::FORMATCODE_ULONG => u64::decode_with_format(input, fmt).map(Variant::Ulong),
            codec::FORMATCODE_BYTE => i8::decode_with_format(input, fmt).map(Variant::Byte),
            codec::FORMATCODE_SHORT => i16::decode_with_format(input, fmt).map(Variant::Short),
            codec::FORMATCODE_INT => i32::decode_with_format(input, fmt).map(Variant::Int),
            codec::FORMATCODE_LONG => i64::decode_with_format(input, fmt).map(Variant::Long),
            codec::FORMATCODE_SMALLUINT => u32::decode_with_format(input, fmt).map(Variant::Uint),
            codec::FORMATCODE_SMALLULONG => u64::decode_with_format(input, fmt).map(Variant::Ulong),
            codec::FORMATCODE_SMALLINT => i32::decode_with_format(input, fmt).map(Variant::Int),
            codec::FORMATCODE_SMALLLONG => i64::decode_with_format(input, fmt).map(Variant::Long),
            codec::FORMATCODE_FLOAT => {
                f32::decode_with_format(input, fmt).map(|o| Variant::Float(OrderedFloat(o)))
            }
            codec::FORMATCODE_DOUBLE => {
                f64::decode_with_format(input, fmt).map(|o| Variant::Double(OrderedFloat(o)))
            }
            codec::FORMATCODE_DECIMAL32 => read_fixed_bytes(input).map(Variant::Decimal32),
            codec::FORMATCODE_DECIMAL64 => read_fixed_bytes(input).map(Variant::Decimal64),
            codec::FORMATCODE_DECIMAL128 => read_fixed_bytes(input).map(Variant::Decimal128),
            codec::FORMATCODE_CHAR => char::decode_with_format(input, fmt).map(Variant::Char),
            codec::FORMATCODE_TIMESTAMP => {
                DateTime::<Utc>::decode_with_format(input, fmt).map(Variant::Timestamp)
            }
            codec::FORMATCODE_UUID => Uuid::decode_with_format(input, fmt).map(Variant::Uuid),
            codec::FORMATCODE_BINARY8 | codec::FORMATCODE_BINARY32 => {
                Bytes::decode_with_format(input, fmt).map(Variant::Binary)
            }
            codec::FORMATCODE_STRING8 | codec::FORMATCODE_STRING32 => {
                ByteString::decode_with_format(input, fmt).map(|o| Variant::String(o.into()))
            }
            codec::FORMATCODE_SYMBOL8 | codec::FORMATCODE_SYMBOL32 => {
                Symbol::decode_with_format(input, fmt).map(Variant::Symbol)
            }
            codec::FORMATCODE_LIST0 => Ok(Variant::List(List(vec![]))),
            codec::FORMATCODE_LIST8 | codec::FORMATCODE_LIST32 => {
                List::decode_with_format(input, fmt).map(Variant::List)
            }
            codec::FORMATCODE_ARRAY8 | codec::FORMATCODE_ARRAY32 => {
                Array::decode_with_format(input, fmt).map(Variant::Array)
            }
            codec::FORMATCODE_MAP8 | codec::FORMATCODE_MAP32 => {
                HashMapUtil::<Variant, Variant>::decode_with_format(input, fmt)
                    .map(|o| Variant::Map(VariantMap::new(o)))
            }
            codec::FORMATCODE_DESCRIBED => {
                let descriptor = Descriptor::decode(input)?;
                let format_code = {
                    decode_check_len!(input, 1);
                    let code = input[0];
                    Ok(code)
                }?;
                match format_code {
                    codec::FORMATCODE_LIST0 => {
                        input.advance(1); // advance past format code
                        Ok(Variant::DescribedCompound(DescribedCompound::new(
                            descriptor,
                            Bytes::from_static(&[codec::FORMATCODE_LIST0]),
                        )))
                    }
                    codec::FORMATCODE_LIST8 | codec::FORMATCODE_MAP8 | codec::FORMATCODE_ARRAY8 => {
                        decode_check_len!(input, 2);
                        let size = input[1] as usize;
                        decode_check_len!(input, 2 + size);
                        let data = input.split_to(2 + size);
                        Ok(Variant::DescribedCompound(DescribedCompound::new(
                            descriptor, data,
                        )))
                    }
                    codec::FORMATCODE_LIST32
                    | codec::FORMATCODE_MAP32
                    | codec::FORMATCODE_ARRAY32 => {
                        decode_check_len!(input, 5);
                        let size = u32::from_be_bytes(input[1..5].try_into().unwrap()) as usize;
                        decode_check_len!(input, 5 + size);
                        let data = input.split_to(5 + size);
                        Ok(Variant::DescribedCompound(DescribedCompound::new(
                            descriptor, data,
                        )))
                    }
                    _ => {
                        input.advance(1); // advance past format code
                        let value = Variant::decode_with_format(input, format_code)?;
                        Ok(Variant::Described((descriptor, Box::new(value))))
                    }
                }
            }
            _ => Err(AmqpParseError::InvalidFormatCode(fmt)),
        }
    }
}

impl<T: DecodeFormatted> DecodeFormatted for Option<T> {
    fn decode_with_format(input: &mut Bytes, fmt: u8) -> Result<Self, AmqpParseError> {
        match fmt {
            codec::FORMATCODE_NULL => Ok(None),
            _ => T::decode_with_format(input, fmt).map(Some),
        }
    }
}

impl DecodeFormatted for Descriptor {
    fn decode_with_format(input: &mut Bytes, fmt: u8) -> Result<Self, AmqpParseError> {
        match fmt {
            codec::FORMATCODE_SMALLULONG => {
                u64::decode_with_format(input, fmt).map(Descriptor::Ulong)
            }
            codec::FORMATCODE_ULONG => u64::decode_with_format(input, fmt).map(Descriptor::Ulong),
            codec::FORMATCODE_SYMBOL8 => {
                Symbol::decode_with_format(input, fmt).map(Descriptor::Symbol)
            }
            codec::FORMATCODE_SYMBOL32 => {
                Symbol::decode_with_format(input, fmt).map(Descriptor::Symbol)
            }
            _ => Err(AmqpParseError::InvalidFormatCode(fmt)),
        }
    }
}

impl DecodeFormatted for Constructor {
    fn decode_with_format(input: &mut Bytes, fmt: u8) -> Result<Self, AmqpParseError> {
        match fmt {
            codec::FORMATCODE_DESCRIBED => {
                let descriptor = Descriptor::decode(input)?;
                let format_code = codec::decode_format_code(input)?;
                Ok(Constructor::Described {
                    descriptor,
                    format_code,
                })
            }
            _ => Ok(Constructor::FormatCode(fmt)),
        }
    }
}
