//! Compound values: maps, arrays, lists and their headers.

use std::{collections::HashMap, hash::BuildHasher, hash::Hash};

use byteorder::{BigEndian, ByteOrder};
use ntex_bytes::{Buf, Bytes};
use ntex_util::hash_map::HashMap as HashMapBase;

use crate::codec::{self, ArrayHeader, Composite, Decode, DecodeFormatted, ListHeader, MapHeader};
use crate::error::AmqpParseError;
use crate::types::{
    Constructor, Descriptor, List, ListDescribed, Multiple, Str, Symbol, Variant, VecStringMap,
    VecSymbolMap,
};

macro_rules! hashmap {
    ($ty:ident) => {
        impl<K: Decode + Eq + Hash, V: Decode, S: BuildHasher + Default> DecodeFormatted
            for $ty<K, V, S>
        {
            fn decode_with_format(input: &mut Bytes, fmt: u8) -> Result<Self, AmqpParseError> {
                let header = MapHeader::decode_with_format(input, fmt)?;
                decode_check_len!(input, header.size as usize);
                let mut map_input = input.split_to(header.size as usize);
                let count = header.count / 2;
                let mut map: $ty<K, V, S> =
                    $ty::with_capacity_and_hasher(count as usize, Default::default());
                for _ in 0..count {
                    let key = K::decode(&mut map_input)?;
                    let value = V::decode(&mut map_input)?;
                    map.insert(key, value); // todo: ensure None returned?
                }
                // todo: validate map_input is empty
                Ok(map)
            }
        }
    };
}
hashmap!(HashMap);
hashmap!(HashMapBase);

impl<T: DecodeFormatted> DecodeFormatted for Vec<T> {
    fn decode_with_format(input: &mut Bytes, fmt: u8) -> Result<Self, AmqpParseError> {
        let header = ArrayHeader::decode_with_format(input, fmt)?;
        decode_check_len!(input, header.size as usize);
        let elem_ctor = Constructor::decode(input)?;
        let elem_fmt = match elem_ctor {
            Constructor::FormatCode(code) => code,
            Constructor::Described { descriptor, .. } => {
                // todo: mg: described types are not supported OOTB at this point
                return Err(AmqpParseError::InvalidDescriptor(Box::new(descriptor)));
            }
        };
        let mut result: Vec<T> = Vec::with_capacity(header.count as usize);
        for _ in 0..header.count {
            let decoded = T::decode_with_format(input, elem_fmt)?;
            result.push(decoded);
        }
        // todo: ensure header.size bytes were read out from input
        Ok(result)
    }
}

impl DecodeFormatted for VecSymbolMap {
    fn decode_with_format(input: &mut Bytes, fmt: u8) -> Result<Self, AmqpParseError> {
        let header = MapHeader::decode_with_format(input, fmt)?;
        decode_check_len!(input, header.size as usize);
        let mut map_input = input.split_to(header.size as usize);
        let count = header.count / 2;
        let mut map = Vec::with_capacity(count as usize);
        for _ in 0..count {
            let key = Symbol::decode(&mut map_input)?;
            let value = Variant::decode(&mut map_input)?;
            map.push((key, value)); // todo: mg: ensure None is returned
        }
        // todo: ensure header.size bytes were read out from input after header
        Ok(VecSymbolMap(map))
    }
}

impl DecodeFormatted for VecStringMap {
    fn decode_with_format(input: &mut Bytes, fmt: u8) -> Result<Self, AmqpParseError> {
        let header = MapHeader::decode_with_format(input, fmt)?;
        decode_check_len!(input, header.size as usize);
        let mut map_input = input.split_to(header.size as usize);
        let count = header.count / 2;
        let mut map = Vec::with_capacity(count as usize);
        for _ in 0..count {
            let key = Str::decode(&mut map_input)?;
            let value = Variant::decode(&mut map_input)?;
            map.push((key, value)); // todo: ensure None returned?
        }
        // todo: validate map_input is empty
        Ok(VecStringMap(map))
    }
}

impl<T: DecodeFormatted> DecodeFormatted for Multiple<T> {
    fn decode_with_format(input: &mut Bytes, fmt: u8) -> Result<Self, AmqpParseError> {
        match fmt {
            codec::FORMATCODE_ARRAY8 | codec::FORMATCODE_ARRAY32 => {
                let items = Vec::<T>::decode_with_format(input, fmt)?;
                Ok(Multiple(items))
            }
            codec::FORMATCODE_DESCRIBED => {
                let descriptor = Descriptor::decode_with_format(input, fmt)?;
                // todo: mg: described types are not supported OOTB at this point
                Err(AmqpParseError::InvalidDescriptor(Box::new(descriptor)))
            }
            _ => {
                let item = T::decode_with_format(input, fmt)?;
                Ok(Multiple(vec![item]))
            }
        }
    }
}

impl DecodeFormatted for List {
    fn decode_with_format(input: &mut Bytes, fmt: u8) -> Result<Self, AmqpParseError> {
        let header = ListHeader::decode_with_format(input, fmt)?;
        let mut result: Vec<Variant> = Vec::with_capacity(header.count as usize);
        for _ in 0..header.count {
            let decoded = Variant::decode(input)?;
            result.push(decoded);
        }
        Ok(List(result))
    }
}

impl<T: Composite> DecodeFormatted for ListDescribed<T> {
    fn decode_with_format(input: &mut Bytes, fmt: u8) -> Result<Self, AmqpParseError> {
        let header = ListHeader::decode_with_format(input, fmt)?;

        let descr = T::descriptor();
        let mut result: Vec<T> = Vec::with_capacity(header.count as usize);
        for _ in 0..header.count {
            if let Variant::DescribedCompound(decoded) = Variant::decode(input)? {
                if &descr != decoded.descriptor() {
                    return Err(AmqpParseError::UnexpectedType("Unexpected descriptor"));
                }
                result.push(decoded.decode()?);
            } else {
                return Err(AmqpParseError::UnexpectedType("Expected compound type"));
            }
        }

        Ok(ListDescribed(result))
    }
}

impl DecodeFormatted for ListHeader {
    fn decode_with_format(input: &mut Bytes, fmt: u8) -> Result<Self, AmqpParseError> {
        match fmt {
            codec::FORMATCODE_LIST0 => Ok(ListHeader { count: 0, size: 0 }),
            codec::FORMATCODE_LIST8 => {
                decode_compound8(input).map(|(size, count)| ListHeader { count, size })
            }
            codec::FORMATCODE_LIST32 => {
                decode_compound32(input).map(|(size, count)| ListHeader { count, size })
            }
            _ => Err(AmqpParseError::InvalidFormatCode(fmt)),
        }
    }
}

impl DecodeFormatted for MapHeader {
    fn decode_with_format(input: &mut Bytes, fmt: u8) -> Result<Self, AmqpParseError> {
        match fmt {
            codec::FORMATCODE_MAP8 => {
                decode_compound8(input).map(|(size, count)| MapHeader { count, size })
            }
            codec::FORMATCODE_MAP32 => {
                decode_compound32(input).map(|(size, count)| MapHeader { count, size })
            }
            _ => Err(AmqpParseError::InvalidFormatCode(fmt)),
        }
    }
}

impl DecodeFormatted for ArrayHeader {
    fn decode_with_format(input: &mut Bytes, fmt: u8) -> Result<Self, AmqpParseError> {
        match fmt {
            codec::FORMATCODE_ARRAY8 => {
                decode_compound8(input).map(|(size, count)| ArrayHeader { count, size })
            }
            codec::FORMATCODE_ARRAY32 => {
                decode_compound32(input).map(|(size, count)| ArrayHeader { count, size })
            }
            _ => Err(AmqpParseError::InvalidFormatCode(fmt)),
        }
    }
}

fn decode_compound8(input: &mut Bytes) -> Result<(u32, u32), AmqpParseError> {
    decode_check_len!(input, 2);
    // gridlog patch (vendor/README.md): a size below the count's own width is an error, not an
    // underflow (a panic with overflow checks).
    let size = input[0].checked_sub(1).ok_or(AmqpParseError::InvalidSize)?; // -1 for 1 byte count
    let count = input[1];
    input.advance(2);
    Ok((u32::from(size), u32::from(count)))
}

fn decode_compound32(input: &mut Bytes) -> Result<(u32, u32), AmqpParseError> {
    decode_check_len!(input, 8);
    let size = BigEndian::read_u32(input)
        .checked_sub(4)
        .ok_or(AmqpParseError::InvalidSize)?; // -4 for 4 byte count
    let count = BigEndian::read_u32(&input[4..]);
    input.advance(8);
    Ok((size, count))
}
