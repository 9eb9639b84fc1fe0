//! Compound values: maps, arrays, lists.

use std::{collections::HashMap, hash::BuildHasher, hash::Hash};

use ntex_bytes::{BufMut, BytePages};
use ntex_util::hash_map::HashMap as HashMapBase;

use crate::codec::{self, ArrayEncode, Composite, Encode};
use crate::types::{Constructor, List, ListDescribed, Multiple, VecStringMap, VecSymbolMap};

macro_rules! hashmap {
    ($ty:ident) => {
        impl<K: Eq + Hash + Encode, V: Encode, S: BuildHasher> Encode for $ty<K, V, S> {
            fn encoded_size(&self) -> usize {
                let size = self
                    .iter()
                    .fold(0, |r, (k, v)| r + k.encoded_size() + v.encoded_size());
                // f:1 + s:4 + c:4 vs f:1 + s:1 + c:1
                let preamble = if size + 1 > u8::MAX as usize { 9 } else { 3 };
                preamble + size
            }

            fn encode(&self, buf: &mut BytePages) {
                let count = self.len() * 2; // key-value pair accounts for two items in count
                let size = self
                    .iter()
                    .fold(0, |r, (k, v)| r + k.encoded_size() + v.encoded_size());
                if size + 1 > u8::MAX as usize {
                    buf.put_u8(codec::FORMATCODE_MAP32);
                    buf.put_u32((size + 4) as u32); // +4 for 4 byte count that follows
                    buf.put_u32(count as u32);
                } else {
                    buf.put_u8(codec::FORMATCODE_MAP8);
                    buf.put_u8((size + 1) as u8); // +1 for 1 byte count that follows
                    buf.put_u8(count as u8);
                }

                for (k, v) in self {
                    k.encode(buf);
                    v.encode(buf);
                }
            }
        }

        impl<K: Eq + Hash + Encode, V: Encode> ArrayEncode for $ty<K, V> {
            const ARRAY_CONSTRUCTOR: Constructor = Constructor::FormatCode(codec::FORMATCODE_MAP32);
            fn array_encoded_size(&self) -> usize {
                8 + self
                    .iter()
                    .fold(0, |r, (k, v)| r + k.encoded_size() + v.encoded_size())
            }

            fn array_encode(&self, buf: &mut BytePages) {
                let count = self.len() * 2;
                let size = 4 + self
                    .iter()
                    .fold(0, |r, (k, v)| r + k.encoded_size() + v.encoded_size());
                buf.put_u32(size as u32);
                buf.put_u32(count as u32);

                for (k, v) in self {
                    k.encode(buf);
                    v.encode(buf);
                }
            }
        }
    };
}
hashmap!(HashMap);
hashmap!(HashMapBase);

impl Encode for VecSymbolMap {
    fn encoded_size(&self) -> usize {
        let size = self
            .0
            .iter()
            .fold(0, |r, (k, v)| r + k.encoded_size() + v.encoded_size());

        // f:1 + s:4 + c:4 vs f:1 + s:1 + c:1
        let preamble = if size + 1 > u8::MAX as usize { 9 } else { 3 };
        preamble + size
    }

    fn encode(&self, buf: &mut BytePages) {
        let count = self.len() * 2; // key-value pair accounts for two items in count
        let size = self
            .0
            .iter()
            .fold(0, |r, (k, v)| r + k.encoded_size() + v.encoded_size());

        if size + 1 > u8::MAX as usize {
            buf.put_u8(codec::FORMATCODE_MAP32);
            buf.put_u32((size + 4) as u32); // +4 for 4 byte count that follows
            buf.put_u32(count as u32);
        } else {
            buf.put_u8(codec::FORMATCODE_MAP8);
            buf.put_u8((size + 1) as u8); // +1 for 1 byte count that follows
            buf.put_u8(count as u8);
        }

        for (k, v) in self.iter() {
            k.encode(buf);
            v.encode(buf);
        }
    }
}

impl Encode for VecStringMap {
    fn encoded_size(&self) -> usize {
        let size = self
            .0
            .iter()
            .fold(0, |r, (k, v)| r + k.encoded_size() + v.encoded_size());

        // f:1 + s:4 + c:4 vs f:1 + s:1 + c:1
        let preamble = if size + 1 > u8::MAX as usize { 9 } else { 3 };
        preamble + size
    }

    fn encode(&self, buf: &mut BytePages) {
        let count = self.len() * 2; // key-value pair accounts for two items in count
        let size = self
            .0
            .iter()
            .fold(0, |r, (k, v)| r + k.encoded_size() + v.encoded_size());

        if size + 1 > u8::MAX as usize {
            buf.put_u8(codec::FORMATCODE_MAP32);
            buf.put_u32((size + 4) as u32); // +4 for 4 byte count that follows
            buf.put_u32(count as u32);
        } else {
            buf.put_u8(codec::FORMATCODE_MAP8);
            buf.put_u8((size + 1) as u8); // +1 for 1 byte count that follows
            buf.put_u8(count as u8);
        }

        for (k, v) in self.iter() {
            k.encode(buf);
            v.encode(buf);
        }
    }
}

fn array_encoded_size<T: ArrayEncode>(vec: &[T]) -> usize {
    vec.iter().fold(0, |r, i| r + i.array_encoded_size())
}

impl<T: ArrayEncode> Encode for Vec<T> {
    fn encoded_size(&self) -> usize {
        let ctor_size = T::ARRAY_CONSTRUCTOR.encoded_size();
        let content_size = array_encoded_size(self);
        (if content_size + 1 + ctor_size > u8::MAX as usize {
            9 // 1 for format code, 4 for size, 4 for count
        } else {
            3 // 1 for format code, 1 for size, 1 for count
        }) + ctor_size
            + content_size
    }

    fn encode(&self, buf: &mut BytePages) {
        let size = array_encoded_size(self);
        let ctor_size = T::ARRAY_CONSTRUCTOR.encoded_size();
        if size + 1 + ctor_size > u8::MAX as usize {
            buf.put_u8(codec::FORMATCODE_ARRAY32);
            buf.put_u32((size + 4 + ctor_size) as u32); // +4 for count
            buf.put_u32(self.len() as u32);
        } else {
            buf.put_u8(codec::FORMATCODE_ARRAY8);
            buf.put_u8((size + 1 + ctor_size) as u8); // +1 for count
            buf.put_u8(self.len() as u8);
        }
        T::ARRAY_CONSTRUCTOR.encode(buf);
        for i in self {
            i.array_encode(buf);
        }
    }
}

impl<T: Encode + ArrayEncode> Encode for Multiple<T> {
    fn encoded_size(&self) -> usize {
        let count = self.len();
        match count {
            1 => self.0[0].encoded_size(),
            _ => self.0.encoded_size(),
        }
    }

    fn encode(&self, buf: &mut BytePages) {
        let count = self.0.len();
        match count {
            1 => self.0[0].encode(buf),
            _ => self.0.encode(buf),
        }
    }
}

impl Encode for List {
    fn encoded_size(&self) -> usize {
        let content_size = self.iter().fold(0, |r, i| r + i.encoded_size());
        // format_code + size + count
        (if content_size + 1 > u8::MAX as usize {
            9
        } else {
            3
        }) + content_size
    }

    fn encode(&self, buf: &mut BytePages) {
        let size = self.iter().fold(0, |r, i| r + i.encoded_size());
        if size + 1 > u8::MAX as usize {
            buf.put_u8(codec::FORMATCODE_LIST32);
            buf.put_u32((size + 4) as u32); // +4 for 4 byte count that follow
            buf.put_u32(self.len() as u32);
        } else {
            buf.put_u8(codec::FORMATCODE_LIST8);
            buf.put_u8((size + 1) as u8); // +1 for 1 byte count that follow
            buf.put_u8(self.len() as u8);
        }
        for i in self.iter() {
            i.encode(buf);
        }
    }
}

impl<T: Composite> Encode for ListDescribed<T> {
    fn encoded_size(&self) -> usize {
        let descr_size = T::descriptor().encoded_size();
        let content_size = self
            .iter()
            .fold(0, |r, i| r + i.encoded_size() + descr_size);

        // format_code + size + count
        (if content_size + 1 > u8::MAX as usize {
            9
        } else {
            3
        }) + content_size
    }

    fn encode(&self, buf: &mut BytePages) {
        let descr = T::descriptor();
        let descr_size = descr.encoded_size();
        let content_size = self
            .iter()
            .fold(0, |r, i| r + i.encoded_size() + descr_size);

        if content_size + 1 > u8::MAX as usize {
            buf.put_u8(codec::FORMATCODE_LIST32);
            buf.put_u32((content_size + 4) as u32); // +4 for 4 byte count that follow
            buf.put_u32(self.len() as u32);
        } else {
            buf.put_u8(codec::FORMATCODE_LIST8);
            buf.put_u8((content_size + 1) as u8); // +1 for 1 byte count that follow
            buf.put_u8(self.len() as u8);
        }
        for i in self.iter() {
            descr.encode(buf);
            i.encode(buf);
        }
    }
}
