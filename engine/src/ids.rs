//! Identifiers gridlog makes up: event ids for messages without one, request ids.

use std::cell::Cell;

/// The golden ratio's odd 64-bit constant: a Weyl sequence stepped by it visits every value
/// once in 2^64 steps.
const WEYL_STEP: u64 = 0x9e37_79b9_7f4a_7c15;

thread_local! {
    /// Per thread: a random 64-bit prefix and a position in the Weyl sequence (both seeded from
    /// the OS's randomness once, not per identifier: a `getrandom` call per event was a system
    /// call on every routed MQTT message).
    static SEED: Cell<Option<(u64, u64)>> = const { Cell::new(None) };
}

/// A random UUID in the version 4 layout, as text (`8-4-4-4-12` lower-case hex).
///
/// Unique, not secret: the first half is random per thread, the second half walks a
/// permutation of the 64-bit values from a random start (so one thread never repeats an
/// identifier within 2^64 of them, and two threads share one only if their random prefixes
/// collide). Without the OS's randomness it is still unique within the process (the thread's
/// seed then comes from a process counter and the time).
pub fn random_uuid() -> String {
    let (prefix, position) = SEED.with(|seed| {
        let (prefix, position) = seed.get().unwrap_or_else(fresh_seed);
        let next = position.wrapping_add(WEYL_STEP);
        seed.set(Some((prefix, next)));
        (prefix, next)
    });
    let mut bytes = [0_u8; 16];
    bytes[..8].copy_from_slice(&prefix.to_le_bytes());
    bytes[8..].copy_from_slice(&mix(position).to_le_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut text = String::with_capacity(36);
    for (index, byte) in bytes.iter().enumerate() {
        if matches!(index, 4 | 6 | 8 | 10) {
            text.push('-');
        }
        text.push(char::from(HEX[usize::from(byte >> 4)]));
        text.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    text
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// A thread's seed: from the OS, else from a process counter and the time.
fn fresh_seed() -> (u64, u64) {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut bytes = [0_u8; 16];
    if getrandom::fill(&mut bytes).is_ok() {
        let (prefix, position) = bytes.split_at(8);
        let word = |half: &[u8]| half.iter().fold(0_u64, |w, b| (w << 8) | u64::from(*b));
        return (word(prefix), word(position));
    }
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let time = since.as_secs().rotate_left(32) ^ u64::from(since.subsec_nanos());
    (mix(time ^ n), mix(n))
}

/// The finalizer of `SplitMix64`: a bijection of the 64-bit values, so distinct positions give
/// distinct identifiers, spread over the whole range.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::random_uuid;

    #[test]
    fn uuids_are_v4_shaped_and_distinct() {
        let ids: Vec<String> = (0..10_000).map(|_| random_uuid()).collect();
        let distinct: HashSet<&String> = ids.iter().collect();
        assert_eq!(distinct.len(), ids.len());
        for id in &ids {
            assert_eq!(id.len(), 36);
            let groups: Vec<&str> = id.split('-').collect();
            assert_eq!(
                groups.iter().map(|g| g.len()).collect::<Vec<_>>(),
                [8, 4, 4, 4, 12]
            );
            assert!(groups[2].starts_with('4'), "{id}");
            assert!(matches!(&groups[3][..1], "8" | "9" | "a" | "b"), "{id}");
            assert!(
                id.bytes()
                    .all(|b| b == b'-' || b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
            );
        }
    }

    #[test]
    fn threads_get_distinct_identifiers() {
        let a = std::thread::spawn(|| (0..1_000).map(|_| random_uuid()).collect::<Vec<_>>());
        let b = std::thread::spawn(|| (0..1_000).map(|_| random_uuid()).collect::<Vec<_>>());
        let mut all = a.join().unwrap();
        all.extend(b.join().unwrap());
        let distinct: HashSet<&String> = all.iter().collect();
        assert_eq!(distinct.len(), 2_000);
    }
}
