//! `Variant` (any AMQP value), `Option` (null when absent), descriptors and constructors.

use ntex_bytes::{BufMut, BytePages};

use crate::codec::{self, Encode};
use crate::types::{Constructor, Descriptor, Variant};

fn encode_null(buf: &mut BytePages) {
    buf.put_u8(codec::FORMATCODE_NULL);
}

impl Encode for Variant {
    fn encoded_size(&self) -> usize {
        match *self {
            Variant::Null => 1,
            Variant::Boolean(b) => b.encoded_size(),
            Variant::Ubyte(b) => b.encoded_size(),
            Variant::Ushort(s) => s.encoded_size(),
            Variant::Uint(i) => i.encoded_size(),
            Variant::Ulong(l) => l.encoded_size(),
            Variant::Byte(b) => b.encoded_size(),
            Variant::Short(s) => s.encoded_size(),
            Variant::Int(i) => i.encoded_size(),
            Variant::Long(l) => l.encoded_size(),
            Variant::Float(f) => f.encoded_size(),
            Variant::Double(d) => d.encoded_size(),
            Variant::Decimal32(_) => 1 + 4,
            Variant::Decimal64(_) => 1 + 8,
            Variant::Decimal128(_) => 1 + 16,
            Variant::Char(c) => c.encoded_size(),
            Variant::Timestamp(ref t) => t.encoded_size(),
            Variant::Uuid(ref u) => u.encoded_size(),
            Variant::Binary(ref b) => b.encoded_size(),
            Variant::String(ref s) => s.encoded_size(),
            Variant::Symbol(ref s) => s.encoded_size(),
            Variant::List(ref l) => l.encoded_size(),
            Variant::Array(ref a) => a.encoded_size(),
            Variant::Map(ref m) => m.map.encoded_size(),
            Variant::Described(ref dv) => dv.0.encoded_size() + dv.1.encoded_size(),
            Variant::DescribedCompound(ref described) => described.encoded_size(),
        }
    }

    /// Encodes `Variant` into provided `BytesMut`
    fn encode(&self, buf: &mut BytePages) {
        match *self {
            Variant::Null => encode_null(buf),
            Variant::Boolean(b) => b.encode(buf),
            Variant::Ubyte(b) => b.encode(buf),
            Variant::Ushort(s) => s.encode(buf),
            Variant::Uint(i) => i.encode(buf),
            Variant::Ulong(l) => l.encode(buf),
            Variant::Byte(b) => b.encode(buf),
            Variant::Short(s) => s.encode(buf),
            Variant::Int(i) => i.encode(buf),
            Variant::Long(l) => l.encode(buf),
            Variant::Float(f) => f.encode(buf),
            Variant::Double(d) => d.encode(buf),
            Variant::Decimal32(ref data) => {
                buf.put_u8(codec::FORMATCODE_DECIMAL32);
                buf.extend_from_slice(data.as_ref());
            }
            Variant::Decimal64(ref data) => {
                buf.put_u8(codec::FORMATCODE_DECIMAL64);
                buf.extend_from_slice(data.as_ref());
            }
            Variant::Decimal128(ref data) => {
                buf.put_u8(codec::FORMATCODE_DECIMAL128);
                buf.extend_from_slice(data.as_ref());
            }
            Variant::Char(c) => c.encode(buf),
            Variant::Timestamp(ref t) => t.encode(buf),
            Variant::Uuid(ref u) => u.encode(buf),
            Variant::Binary(ref b) => b.encode(buf),
            Variant::String(ref s) => s.encode(buf),
            Variant::Symbol(ref s) => s.encode(buf),
            Variant::List(ref l) => l.encode(buf),
            Variant::Map(ref m) => m.map.encode(buf),
            Variant::Array(ref a) => a.encode(buf),
            Variant::Described(ref dv) => {
                dv.0.encode(buf);
                dv.1.encode(buf);
            }
            Variant::DescribedCompound(ref described) => described.encode(buf),
        }
    }
}

impl<T: Encode> Encode for Option<T> {
    fn encoded_size(&self) -> usize {
        self.as_ref().map_or(1, |v| v.encoded_size())
    }

    fn encode(&self, buf: &mut BytePages) {
        match *self {
            Some(ref e) => e.encode(buf),
            None => encode_null(buf),
        }
    }
}

impl Encode for Descriptor {
    fn encoded_size(&self) -> usize {
        // 1 for described type's format code (0x00) + size of the descriptor value itself
        1 + match *self {
            Descriptor::Ulong(v) => v.encoded_size(),
            Descriptor::Symbol(ref v) => v.encoded_size(),
        }
    }

    fn encode(&self, buf: &mut BytePages) {
        buf.put_u8(codec::FORMATCODE_DESCRIBED);
        match *self {
            Descriptor::Ulong(v) => v.encode(buf),
            Descriptor::Symbol(ref v) => v.encode(buf),
        }
    }
}

impl Encode for Constructor {
    fn encoded_size(&self) -> usize {
        match self {
            Constructor::FormatCode(_) => 1,
            Constructor::Described {
                descriptor,
                format_code: _,
            } => 1 + descriptor.encoded_size(),
        }
    }

    fn encode(&self, buf: &mut BytePages) {
        match self {
            Constructor::FormatCode(format_code) => buf.put_u8(*format_code),
            Constructor::Described {
                descriptor,
                format_code,
            } => {
                descriptor.encode(buf);
                buf.put_u8(*format_code);
            }
        }
    }
}
