//! Shared readers: fixed-size and length-prefixed byte runs.

use byteorder::{BigEndian, ByteOrder};
use ntex_bytes::{Buf, Bytes};

use crate::error::AmqpParseError;

pub(super) fn read_u8(input: &mut Bytes) -> Result<u8, AmqpParseError> {
    decode_check_len!(input, 1);
    let code = input[0];
    input.advance(1);
    Ok(code)
}

pub(super) fn read_i8(input: &mut Bytes) -> Result<i8, AmqpParseError> {
    decode_check_len!(input, 1);
    let code = input[0] as i8;
    input.advance(1);
    Ok(code)
}

pub(super) fn read_bytes_u8(input: &mut Bytes) -> Result<Bytes, AmqpParseError> {
    let len = read_u8(input)?;
    let len = len as usize;
    decode_check_len!(input, len);
    Ok(input.split_to(len))
}

pub(super) fn read_bytes_u32(input: &mut Bytes) -> Result<Bytes, AmqpParseError> {
    let result: Result<u32, AmqpParseError> = be_read!(input, read_u32, 4);
    let len = result?;
    let len = len as usize;
    decode_check_len!(input, len);
    Ok(input.split_to(len))
}

pub(super) fn read_fixed_bytes<const N: usize>(
    input: &mut Bytes,
) -> Result<[u8; N], AmqpParseError> {
    decode_check_len!(input, N);
    let mut data = [0u8; N];
    data.copy_from_slice(&input[..N]);
    input.advance(N);
    Ok(data)
}
