use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use ntex_bytes::{BufMut, BytePages, ByteString, Bytes};
use ntex_util::HashMap as HashMapUtil;
use ordered_float::OrderedFloat;
use test_case::test_case;
use uuid::Uuid;

use crate::codec::{self, Decode, Encode};
use crate::error::AmqpParseError;
use crate::types::{Array, Constructor, Descriptor, List, Variant};

const LOREM: &str = include_str!("../lorem.txt");

macro_rules! decode_tests {
    ($($name:ident: $kind:ident, $test:expr, $expected:expr,)*) => {
    $(
        #[test]
        fn $name() {
            let mut b1 = BytePages::default();
            ($test).encode(&mut b1);
            assert_eq!($expected, <$kind as Decode>::decode(&mut b1.freeze()).unwrap());
        }
    )*
    }
}

decode_tests! {
    ubyte: u8, 255_u8, 255_u8,
    ushort: u16, 350_u16, 350_u16,

    uint_zero: u32, 0_u32, 0_u32,
    uint_small: u32, 128_u32, 128_u32,
    uint_big: u32, 2147483647_u32, 2147483647_u32,

    ulong_zero: u64, 0_u64, 0_u64,
    ulong_small: u64, 128_u64, 128_u64,
    uulong_big: u64, 2147483649_u64, 2147483649_u64,

    byte: i8, -128_i8, -128_i8,
    short: i16, -255_i16, -255_i16,

    int_zero: i32, 0_i32, 0_i32,
    int_small: i32, -50000_i32, -50000_i32,
    int_neg: i32, -128_i32, -128_i32,

    long_zero: i64, 0_i64, 0_i64,
    long_big: i64, -2147483647_i64, -2147483647_i64,
    long_small: i64, -128_i64, -128_i64,

    float: f32, 1.234_f32, 1.234_f32,
    double: f64, 1.234_f64, 1.234_f64,

    test_char: char, '💯', '💯',

    uuid: Uuid, Uuid::from_slice(&[4, 54, 67, 12, 43, 2, 98, 76, 32, 50, 87, 5, 1, 33, 43, 87]).expect("parse error"),
    Uuid::parse_str("0436430c2b02624c2032570501212b57").expect("parse error"),

    binary_short: Bytes, Bytes::from(&[4u8, 5u8][..]), Bytes::from(&[4u8, 5u8][..]),
    binary_long: Bytes, Bytes::from(&[4u8; 500][..]), Bytes::from(&[4u8; 500][..]),

    string_short: ByteString, ByteString::from("Hello there"), ByteString::from("Hello there"),
    string_long: ByteString, ByteString::from(LOREM), ByteString::from(LOREM),

    // symbol_short: Symbol, Symbol::from("Hello there"), Symbol::from("Hello there"),
    // symbol_long: Symbol, Symbol::from(LOREM), Symbol::from(LOREM),

    variant_ubyte: Variant, Variant::Ubyte(255_u8), Variant::Ubyte(255_u8),
    variant_ushort: Variant, Variant::Ushort(350_u16), Variant::Ushort(350_u16),

    variant_uint_zero: Variant, Variant::Uint(0_u32), Variant::Uint(0_u32),
    variant_uint_small: Variant, Variant::Uint(128_u32), Variant::Uint(128_u32),
    variant_uint_big: Variant, Variant::Uint(2147483647_u32), Variant::Uint(2147483647_u32),

    variant_ulong_zero: Variant, Variant::Ulong(0_u64), Variant::Ulong(0_u64),
    variant_ulong_small: Variant, Variant::Ulong(128_u64), Variant::Ulong(128_u64),
    variant_ulong_big: Variant, Variant::Ulong(2147483649_u64), Variant::Ulong(2147483649_u64),

    variant_byte: Variant, Variant::Byte(-128_i8), Variant::Byte(-128_i8),
    variant_short: Variant, Variant::Short(-255_i16), Variant::Short(-255_i16),

    variant_int_zero: Variant, Variant::Int(0_i32), Variant::Int(0_i32),
    variant_int_small: Variant, Variant::Int(-50000_i32), Variant::Int(-50000_i32),
    variant_int_neg: Variant, Variant::Int(-128_i32), Variant::Int(-128_i32),

    variant_long_zero: Variant, Variant::Long(0_i64), Variant::Long(0_i64),
    variant_long_big: Variant, Variant::Long(-2147483647_i64), Variant::Long(-2147483647_i64),
    variant_long_small: Variant, Variant::Long(-128_i64), Variant::Long(-128_i64),

    variant_float: Variant, Variant::Float(OrderedFloat(1.234_f32)), Variant::Float(OrderedFloat(1.234_f32)),
    variant_double: Variant, Variant::Double(OrderedFloat(1.234_f64)), Variant::Double(OrderedFloat(1.234_f64)),

    variant_char: Variant, Variant::Char('💯'), Variant::Char('💯'),

    variant_uuid: Variant, Variant::Uuid(Uuid::from_slice(&[4, 54, 67, 12, 43, 2, 98, 76, 32, 50, 87, 5, 1, 33, 43, 87]).expect("parse error")),
    Variant::Uuid(Uuid::parse_str("0436430c2b02624c2032570501212b57").expect("parse error")),

    variant_binary_short: Variant, Variant::Binary(Bytes::from(&[4u8, 5u8][..])), Variant::Binary(Bytes::from(&[4u8, 5u8][..])),
    variant_binary_long: Variant, Variant::Binary(Bytes::from(&[4u8; 500][..])), Variant::Binary(Bytes::from(&[4u8; 500][..])),

    variant_string_short: Variant, Variant::String(ByteString::from("Hello there").into()), Variant::String(ByteString::from("Hello there").into()),
    variant_string_long: Variant, Variant::String(ByteString::from(LOREM).into()), Variant::String(ByteString::from(LOREM).into()),

    // variant_symbol_short: Variant, Variant::Symbol(Symbol::from("Hello there")), Variant::Symbol(Symbol::from("Hello there")),
    // variant_symbol_long: Variant, Variant::Symbol(Symbol::from(LOREM)), Variant::Symbol(Symbol::from(LOREM)),
}

fn unwrap_value<T>(res: Result<T, AmqpParseError>) -> T {
    assert!(res.is_ok());
    res.unwrap()
}

#[test]
fn test_bool_true() {
    let mut b1 = BytePages::default();
    b1.put_u8(0x41);
    assert!(unwrap_value(bool::decode(&mut b1.freeze())));

    let mut b2 = BytePages::default();
    b2.put_u8(0x56);
    b2.put_u8(0x01);
    assert!(unwrap_value(bool::decode(&mut b2.freeze())));
}

#[test]
fn test_bool_false() {
    let mut b1 = BytePages::default();
    b1.put_u8(0x42u8);
    assert!(!unwrap_value(bool::decode(&mut b1.freeze())));

    let mut b2 = BytePages::default();
    b2.put_u8(0x56);
    b2.put_u8(0x00);
    assert!(!unwrap_value(bool::decode(&mut b2.freeze())));
}

/// UTC with a precision of milliseconds. For example, 1311704463521
/// represents the moment 2011-07-26T18:21:03.521Z.
#[test]
fn test_timestamp() {
    let mut b1 = BytePages::default();
    let datetime =
        Utc.with_ymd_and_hms(2011, 7, 26, 18, 21, 3).unwrap() + TimeDelta::milliseconds(521);
    datetime.encode(&mut b1);

    let expected =
        Utc.with_ymd_and_hms(2011, 7, 26, 18, 21, 3).unwrap() + TimeDelta::milliseconds(521);
    assert_eq!(
        expected,
        unwrap_value(DateTime::<Utc>::decode(&mut b1.freeze()))
    );
}

#[test]
fn test_timestamp_pre_unix() {
    let mut b1 = BytePages::default();
    let datetime =
        Utc.with_ymd_and_hms(1968, 7, 26, 18, 21, 3).unwrap() + TimeDelta::milliseconds(521);
    datetime.encode(&mut b1);

    let expected =
        Utc.with_ymd_and_hms(1968, 7, 26, 18, 21, 3).unwrap() + TimeDelta::milliseconds(521);
    assert_eq!(
        expected,
        unwrap_value(DateTime::<Utc>::decode(&mut b1.freeze()))
    );
}

#[test]
fn variant_null() {
    let mut b = BytePages::default();
    Variant::Null.encode(&mut b);
    let t = unwrap_value(Variant::decode(&mut b.freeze()));
    assert_eq!(Variant::Null, t);
}

#[test]
fn variant_bool_true() {
    let mut b1 = BytePages::default();
    b1.put_u8(0x41);
    assert_eq!(
        Variant::Boolean(true),
        unwrap_value(Variant::decode(&mut b1.freeze()))
    );

    let mut b2 = BytePages::default();
    b2.put_u8(0x56);
    b2.put_u8(0x01);
    assert_eq!(
        Variant::Boolean(true),
        unwrap_value(Variant::decode(&mut b2.freeze()))
    );
}

#[test]
fn variant_bool_false() {
    let mut b1 = BytePages::default();
    b1.put_u8(0x42u8);
    assert_eq!(
        Variant::Boolean(false),
        unwrap_value(Variant::decode(&mut b1.freeze()))
    );

    let mut b2 = BytePages::default();
    b2.put_u8(0x56);
    b2.put_u8(0x00);
    assert_eq!(
        Variant::Boolean(false),
        unwrap_value(Variant::decode(&mut b2.freeze()))
    );
}

/// UTC with a precision of milliseconds. For example, 1311704463521
/// represents the moment 2011-07-26T18:21:03.521Z.
#[test]
fn variant_timestamp() {
    let mut b1 = BytePages::default();
    let datetime =
        Utc.with_ymd_and_hms(2011, 7, 26, 18, 21, 3).unwrap() + TimeDelta::milliseconds(521);
    Variant::Timestamp(datetime).encode(&mut b1);

    let expected =
        Utc.with_ymd_and_hms(2011, 7, 26, 18, 21, 3).unwrap() + TimeDelta::milliseconds(521);
    assert_eq!(
        Variant::Timestamp(expected),
        unwrap_value(Variant::decode(&mut b1.freeze()))
    );
}

#[test]
fn variant_timestamp_pre_unix() {
    let mut b1 = BytePages::default();
    let datetime =
        Utc.with_ymd_and_hms(1968, 7, 26, 18, 21, 3).unwrap() + TimeDelta::milliseconds(521);
    Variant::Timestamp(datetime).encode(&mut b1);

    let expected =
        Utc.with_ymd_and_hms(1968, 7, 26, 18, 21, 3).unwrap() + TimeDelta::milliseconds(521);
    assert_eq!(
        Variant::Timestamp(expected),
        unwrap_value(Variant::decode(&mut b1.freeze()))
    );
}

#[test_case(
    b"\x00\xa3\x07foo:bar\xc0\x03\x01\x50\x03",
    Descriptor::Symbol("foo:bar".into()),
    List(vec![Variant::Ubyte(3)]);
    "described 'foo:bar', list8 w/one u8 field with value 3")]
#[test_case(
    b"\x00\x80\x00\x00\x01\x37\x00\x00\x03\xe9\x45",
    Descriptor::Ulong((311 << 32) + 1001), List(vec![]); "described 311:1001, list0")]
#[test_case(
    b"\x00\x80\x00\x01\xd4\xc0\x00\x03\x82\x70\xd0\x00\x00\x00\x0c\x00\x00\x00\x03\x53\x6f\xa1\x03abc\x42",
    Descriptor::Ulong((120_000 << 32) + 230_000),
    List(vec![Variant::Ulong(111), Variant::String("abc".into()), Variant::Boolean(false)]);
    "described 120000:230000, list32 w/3 fields: smallulong: 111, string8: 'abc', booleanfalse")]
fn decode_described_list(
    input: &'static [u8],
    expected_descriptor: Descriptor,
    expected_list: List,
) {
    let mut buf = Bytes::from(input);
    let variant = Variant::decode(&mut buf).unwrap();
    assert!(buf.is_empty(), "Expected no remaining bytes after decoding");
    let dc = match variant {
        Variant::DescribedCompound(dc) => dc,
        _ => panic!("Expected a DescribedCompound variant"),
    };
    assert_eq!(dc.descriptor(), &expected_descriptor);
    println!("{:02x?}", dc.data.as_ref());
    let decoded_list: List = dc.decode().expect("Failed to decode List");
    assert_eq!(decoded_list, expected_list);
}

#[test_case(
    b"\x00\xa3\x05a:b:c\xc1\x08\x04\x50\x03\x41\x50\xc8\x56\x00",
    Descriptor::Symbol("a:b:c".into()),
    vec![(Variant::Ubyte(3), Variant::Boolean(true)), (Variant::Ubyte(200), Variant::Boolean(false))];
    "described 'a:b:c', map8 with 2 pairs: (ubyte(3), true), (ubyte(200), false)")]
#[test_case(
    b"\x00\x80\x00\x01\xd4\xc0\x00\x03\x82\x70\xd1\x00\x00\x00\x0a\x00\x00\x00\x02\x73\x00\x00\x00z\x40",
    Descriptor::Ulong((120_000 << 32) + 230_000),
    vec![(Variant::Char('z'), Variant::Null)];
    "described 120000:230000, map32 with 1 pair: char: 'z', null")]
fn decode_described_map(
    input: &'static [u8],
    expected_descriptor: Descriptor,
    expected_map: Vec<(Variant, Variant)>,
) {
    let mut buf = Bytes::from(input);
    let variant = Variant::decode(&mut buf).unwrap();
    assert!(buf.is_empty(), "Expected no remaining bytes after decoding");
    let dc = match variant {
        Variant::DescribedCompound(dc) => dc,
        _ => panic!("Expected a DescribedCompound variant"),
    };
    assert_eq!(dc.descriptor(), &expected_descriptor);
    println!("{:02x?}", dc.data.as_ref());
    let decoded_map: HashMapUtil<Variant, Variant> = dc.decode().expect("Failed to decode List");
    let expected_map: HashMapUtil<Variant, Variant> = expected_map.into_iter().collect();
    assert_eq!(decoded_map, expected_map);
}

#[test_case(
    b"\x00\xa3\x07foo:bar\xe0\x05\x03\x50\x01\x02\x03",
    Descriptor::Symbol("foo:bar".into()),
    Constructor::FormatCode(codec::FORMATCODE_UBYTE),
    vec![Variant::Ubyte(1), Variant::Ubyte(2), Variant::Ubyte(3)];
    "described 'foo:bar', array8 w/3 u8 elements: 1, 2, 3")]
fn decode_described_array(
    input: &'static [u8],
    expected_descriptor: Descriptor,
    expected_el_ctor: Constructor,
    expected_array: Vec<Variant>,
) {
    // todo: mg: array decoding: add check that all bytes are read out according to size when done decoding array elements /
    // list fields / map key-value pairs according to count
    let mut buf = Bytes::from(input);
    let variant = Variant::decode(&mut buf).unwrap();
    assert!(buf.is_empty(), "Expected no remaining bytes after decoding");
    let dc = match variant {
        Variant::DescribedCompound(dc) => dc,
        _ => panic!("Expected a DescribedCompound variant"),
    };
    assert_eq!(dc.descriptor(), &expected_descriptor);
    println!("{:02x?}", dc.data.as_ref());
    let decoded_array: Array = dc.decode().expect("Failed to decode Array");
    assert_eq!(decoded_array.element_constructor(), &expected_el_ctor);
    let array_items: Vec<Variant> = decoded_array
        .decode()
        .expect("Failed to decode Array items using Variant type");
    assert_eq!(array_items, expected_array);
}

#[test]
fn option_i8() {
    let mut b1 = BytePages::default();
    Some(42i8).encode(&mut b1);

    assert_eq!(
        Some(42),
        unwrap_value(Option::<i8>::decode(&mut b1.freeze()))
    );

    let mut b2 = BytePages::default();
    let o1: Option<i8> = None;
    o1.encode(&mut b2);

    assert_eq!(None, unwrap_value(Option::<i8>::decode(&mut b2.freeze())));
}

#[test]
fn option_string() {
    let mut b1 = BytePages::default();
    Some(ByteString::from("hello")).encode(&mut b1);

    assert_eq!(
        Some(ByteString::from("hello")),
        unwrap_value(Option::<ByteString>::decode(&mut b1.freeze()))
    );

    let mut b2 = BytePages::default();
    let o1: Option<ByteString> = None;
    o1.encode(&mut b2);

    assert_eq!(
        None,
        unwrap_value(Option::<ByteString>::decode(&mut b2.freeze()))
    );
}
