//! Decoding of AMQP 1.0 values (`DecodeFormatted`/`Decode` impls), split by concern from
//! upstream's single `codec/decode.rs`; see vendor/README.md.

macro_rules! be_read {
    ($input:ident, $fn:ident, $size:expr) => {{
        decode_check_len!($input, $size);
        let result = BigEndian::$fn(&$input);
        $input.advance($size);
        Ok(result)
    }};
}

#[macro_export]
macro_rules! validate_code {
    ($fmt:ident, $code:expr) => {
        if $fmt != $code {
            return Err(AmqpParseError::InvalidFormatCode($fmt));
        }
    };
}

mod compound;
mod frame;
mod primitives;
mod read;
mod variable;
mod variant;

#[cfg(test)]
mod tests;
