//! Partition keys to partitions, as Azure Event Hubs assigns them: Bob Jenkins' lookup3
//! `hashlittle2` of the key (initial values 0, 0), the two 32-bit results combined by XOR and cut to a
//! signed 16-bit value, then `abs(hash % partition_count)` with Python's modulo (never
//! negative). This is `generate_hash_code` and `get_partition_id_by_partition_key` of the
//! Python SDK's buffered producer (`azure/eventhub/_buffered_producer/_partition_resolver.py`,
//! azure-eventhub 5.15), which reads a key's characters as their Unicode code points; so does
//! this function. For ASCII keys that is the key's bytes, as the .NET and Java SDKs hash them.

/// The 16-bit hash of a partition key (0 for the empty key).
pub fn partition_key_hash(key: &str) -> i16 {
    if key.is_empty() {
        return 0;
    }
    let (c, b) = hashlittle2(key);
    // The low 16 bits, read as a signed number.
    (((c ^ b) & 0xffff) as u16).cast_signed()
}

/// The partition (`0..partition_count`) a key goes to; partition 0 when `partition_count` is 0.
pub fn partition_for_key(key: &str, partition_count: u32) -> u32 {
    if partition_count == 0 {
        return 0;
    }
    let hash = i64::from(partition_key_hash(key));
    u32::try_from(hash.rem_euclid(i64::from(partition_count))).unwrap_or(0)
}

/// lookup3's `hashlittle2` over the key's code points (each one a "byte", wrapped to 32 bits
/// as Python's masking does), returning (c, b).
fn hashlittle2(key: &str) -> (u32, u32) {
    let data: Vec<u32> = key.chars().map(u32::from).collect();
    let length = u32::try_from(data.len()).unwrap_or(u32::MAX);
    let init = 0xdead_beef_u32.wrapping_add(length);
    let (mut a, mut b, mut c) = (init, init, init);
    let word = |chunk: &[u32]| {
        chunk
            .iter()
            .zip([0_u32, 8, 16, 24])
            .fold(0_u32, |acc, (&v, shift)| acc.wrapping_add(v.wrapping_shl(shift)))
    };
    let mut rest = data.as_slice();
    while rest.len() > 12 {
        a = a.wrapping_add(word(&rest[0..4]));
        b = b.wrapping_add(word(&rest[4..8]));
        c = c.wrapping_add(word(&rest[8..12]));
        (a, b, c) = mix(a, b, c);
        rest = &rest[12..];
    }
    // The tail (1 to 12 values): a takes values 0–3, b 4–7, c 8–11.
    a = a.wrapping_add(word(&rest[..rest.len().min(4)]));
    if rest.len() > 4 {
        b = b.wrapping_add(word(&rest[4..rest.len().min(8)]));
    }
    if rest.len() > 8 {
        c = c.wrapping_add(word(&rest[8..]));
    }
    let (_, b, c) = finalize(a, b, c);
    (c, b)
}

fn mix(mut a: u32, mut b: u32, mut c: u32) -> (u32, u32, u32) {
    a = a.wrapping_sub(c);
    a ^= c.rotate_left(4);
    c = c.wrapping_add(b);
    b = b.wrapping_sub(a);
    b ^= a.rotate_left(6);
    a = a.wrapping_add(c);
    c = c.wrapping_sub(b);
    c ^= b.rotate_left(8);
    b = b.wrapping_add(a);
    a = a.wrapping_sub(c);
    a ^= c.rotate_left(16);
    c = c.wrapping_add(b);
    b = b.wrapping_sub(a);
    b ^= a.rotate_left(19);
    a = a.wrapping_add(c);
    c = c.wrapping_sub(b);
    c ^= b.rotate_left(4);
    b = b.wrapping_add(a);
    (a, b, c)
}

fn finalize(mut a: u32, mut b: u32, mut c: u32) -> (u32, u32, u32) {
    c ^= b;
    c = c.wrapping_sub(b.rotate_left(14));
    a ^= c;
    a = a.wrapping_sub(c.rotate_left(11));
    b ^= a;
    b = b.wrapping_sub(a.rotate_left(25));
    c ^= b;
    c = c.wrapping_sub(b.rotate_left(16));
    a ^= c;
    a = a.wrapping_sub(c.rotate_left(4));
    b ^= a;
    b = b.wrapping_sub(a.rotate_left(14));
    c ^= b;
    c = c.wrapping_sub(b.rotate_left(24));
    (a, b, c)
}
