//! Replays the committed `amqp` fuzz corpus (`fuzz/corpus/amqp/`) through the fuzz target's
//! body (`gridlog_amqp::fuzzing::amqp`), the generated seeds it started from, and random
//! mutations of those seeds (the seed of the mutations is printed; `GRIDLOG_FUZZ_RNG=<seed>`
//! replays it). `GRIDLOG_FUZZ_SEEDS=<fuzz/corpus>` writes the seeds into `<dir>/amqp/`.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use gridlog_amqp::batch::PARTITION_KEY;
use gridlog_amqp::fuzzing::amqp;
use gridlog_testkit::corpus::{replay, run_seeds, write_seeds};
use gridlog_testkit::rng::Rng;
use ntex_amqp::codec::protocol::Header;
use ntex_amqp::codec::types::Variant;
use ntex_amqp::codec::{Encode, Message};
use ntex_bytes::{BytePages, Bytes};

const MUTATIONS_PER_SEED: usize = 300;

fn encode(message: &Message) -> Vec<u8> {
    let mut pages = BytePages::default();
    message.encode(&mut pages);
    pages.freeze().to_vec()
}

fn event(body: &[u8], key: Option<&str>) -> Vec<u8> {
    let mut m = Message::with_body(Bytes::copy_from_slice(body));
    m.set_header(Header::default());
    m.set_properties(|p| {
        p.message_id = Some(ntex_amqp::codec::protocol::MessageId::Ulong(9));
        p.content_type = Some("application/json".into());
    });
    m.set_app_property("job", Variant::from("nightly"));
    m.set_app_property("attempt", Variant::Long(3));
    if let Some(key) = key {
        m.add_message_annotation(PARTITION_KEY, Variant::from(key.to_owned()));
    }
    encode(&m)
}

fn with_mode(mode: u8, bytes: &[u8]) -> Vec<u8> {
    let mut out = vec![mode];
    out.extend_from_slice(bytes);
    out
}

fn seeds() -> Vec<(String, Vec<u8>)> {
    let mut envelope = Message::default();
    for (body, key) in [
        (&b"{\"a\":1}"[..], Some("job-1")),
        (b"", None),
        (b"\x00\xff", None),
    ] {
        envelope.body_mut().data.push(Bytes::from(event(body, key)));
    }
    envelope.add_message_annotation(PARTITION_KEY, Variant::from("outer"));
    let mut value = Message::default();
    value.set_value(Variant::from("an amqp-value body"));
    vec![
        ("batch.bin".to_owned(), with_mode(0, &encode(&envelope))),
        (
            "single.bin".to_owned(),
            with_mode(1, &event(b"{\"job\":7}", Some("k"))),
        ),
        ("single-value.bin".to_owned(), with_mode(1, &encode(&value))),
        (
            "selector-offset.txt".to_owned(),
            with_mode(2, b"amqp.annotation.x-opt-offset > '-1'"),
        ),
        (
            "selector-sequence.txt".to_owned(),
            with_mode(2, b"amqp.annotation.x-opt-sequence-number >= '42'"),
        ),
        (
            "selector-time.txt".to_owned(),
            with_mode(2, b"amqp.annotation.x-opt-enqueued-time > '1717000000000'"),
        ),
        (
            "stored.bin".to_owned(),
            with_mode(3, &event(b"stored", None)),
        ),
        (
            "garbage.bin".to_owned(),
            with_mode(0, b"\x00\x53\x75\xa0\x03ab"),
        ),
    ]
}

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..=rng.below(4) {
        if out.len() < 2 {
            break;
        }
        let at = 1 + rng.below(out.len() - 1);
        match rng.below(4) {
            0 => out[at] = u8::try_from(rng.next_u64() & 0xff).unwrap(),
            1 => out.truncate(at),
            2 => out.insert(at, u8::try_from(rng.next_u64() & 0xff).unwrap()),
            _ => {
                out.remove(at);
            }
        }
    }
    out
}

#[test]
fn the_amqp_corpus_and_its_seeds_replay_without_a_broken_invariant() {
    let seeds = seeds();
    write_seeds("amqp", &seeds);
    run_seeds(&seeds, amqp);
    assert!(replay(env!("CARGO_MANIFEST_DIR"), "amqp", amqp) >= seeds.len());
}

#[test]
fn random_mutations_of_the_seeds_never_panic() {
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
    for (name, input) in seeds() {
        for round in 0..MUTATIONS_PER_SEED {
            let mutated = mutate(&mut rng, &input);
            let outcome = std::panic::catch_unwind(|| amqp(&mutated));
            assert!(
                outcome.is_ok(),
                "seed {name}, round {round}: panicked on {mutated:02x?} (GRIDLOG_FUZZ_RNG={seed})"
            );
        }
    }
}
