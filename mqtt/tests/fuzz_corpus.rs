//! Replays the committed `mqtt` fuzz corpus (`fuzz/corpus/mqtt/`) through the fuzz target's
//! body (`gridlog_mqtt::fuzzing::mqtt`), the seeds it started from, and random mutations of
//! those seeds (the seed of the mutations is printed; `GRIDLOG_FUZZ_RNG=<seed>` replays it).
//! `GRIDLOG_FUZZ_SEEDS=<fuzz/corpus>` writes the seeds into `<dir>/mqtt/`.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use gridlog_mqtt::fuzzing::mqtt;
use gridlog_testkit::corpus::{replay, run_seeds, write_seeds};
use gridlog_testkit::rng::Rng;

const MUTATIONS_PER_SEED: usize = 2_000;

fn with_mode(mode: u8, bytes: &[u8]) -> Vec<u8> {
    let mut out = vec![mode];
    out.extend_from_slice(bytes);
    out
}

fn routed(flags: u8, content_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![3, flags, u8::try_from(content_type.len()).unwrap()];
    out.extend_from_slice(content_type.as_bytes());
    out.extend_from_slice(payload);
    out
}

fn seeds() -> Vec<(String, Vec<u8>)> {
    vec![
        (
            "query-docs.txt".to_owned(),
            with_mode(
                0,
                b"(attributes.sensors = \"motion\" or attributes.sensors = \"humidity\") or attributes.type = \"home-sensors\"",
            ),
        ),
        (
            "query-in.txt".to_owned(),
            with_mode(0, b"attributes.sensors IN ['motion', 'humidity'] and attributes.floor <= 5"),
        ),
        (
            "query-name.txt".to_owned(),
            with_mode(0, b"authenticationName IN ['client1', 'client2'] OR attributes.x <> -3"),
        ),
        (
            "template-vars.txt".to_owned(),
            with_mode(1, b"machines/${client.authenticationName}.f1/${client.attributes.rooms}/+/#"),
        ),
        ("template-bad.txt".to_owned(), with_mode(1, b"a/${client.attributes.x/#")),
        ("topics-hash.txt".to_owned(), with_mode(2, b"a/+/#\0a/b/c")),
        ("topics-root.txt".to_owned(), with_mode(2, b"#\0x")),
        ("topics-share.txt".to_owned(), with_mode(2, b"$share/g/a\0a")),
        (
            "routed-json.bin".to_owned(),
            routed(1, "application/json; charset=utf-8", br#"{"t": 21.5}"#),
        ),
        ("routed-text.bin".to_owned(), routed(3, "text/plain", b"{\"a\":1}")),
        ("routed-odd-type.bin".to_owned(), routed(3, "no media type", b"[1]")),
        ("routed-v311.bin".to_owned(), routed(0, "", b"\x00\x9f\xff")),
        ("routed-bad-utf8.bin".to_owned(), routed(3, "", b"\xff\xfe")),
    ]
}

/// A few edits after the mode byte, drawn from the bytes the grammars care about.
fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    const ALPHABET: &[u8] = b"/+#$ {}()[]'\",=<>!.0-9aAnNdDoOrRiI\0\xff";
    let mut out = input.to_vec();
    for _ in 0..=rng.below(4) {
        if out.len() < 2 {
            break;
        }
        let at = 1 + rng.below(out.len() - 1);
        let byte = ALPHABET[rng.below(ALPHABET.len())];
        match rng.below(4) {
            0 => out[at] = byte,
            1 => out.truncate(at),
            2 => out.insert(at, byte),
            _ => {
                out.remove(at);
            }
        }
    }
    out
}

#[test]
fn the_mqtt_corpus_and_its_seeds_replay_without_a_broken_invariant() {
    let seeds = seeds();
    write_seeds("mqtt", &seeds);
    run_seeds(&seeds, mqtt);
    assert!(replay(env!("CARGO_MANIFEST_DIR"), "mqtt", mqtt) >= seeds.len());
}

#[test]
fn random_mutations_of_the_seeds_never_break_an_invariant() {
    let seed = std::env::var("GRIDLOG_FUZZ_RNG")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| u64::from(d.subsec_nanos()) | 1)
        });
    println!("GRIDLOG_FUZZ_RNG={seed}");
    let mut rng = Rng::new(seed);
    for (_, input) in seeds() {
        for _ in 0..MUTATIONS_PER_SEED {
            mqtt(&mutate(&mut rng, &input));
        }
    }
}
