//! Encoding of AMQP 1.0 values (`Encode`/`ArrayEncode` impls), split by concern from
//! upstream's single `codec/encode.rs`; see vendor/README.md.

use ntex_bytes::BytePages;

use crate::codec::{ArrayEncode, Encode};

mod compound;
mod frame;
mod primitives;
mod variable;
mod variant;

trait FixedEncode {}

impl<T: FixedEncode + ArrayEncode> Encode for T {
    fn encoded_size(&self) -> usize {
        self.array_encoded_size() + 1
    }
    fn encode(&self, buf: &mut BytePages) {
        T::ARRAY_CONSTRUCTOR.encode(buf);
        self.array_encode(buf);
    }
}
