//! Replays the committed `lock_token` and `crash_state` fuzz corpora (`fuzz/corpus/<target>/`)
//! through the fuzz targets' bodies (`gridlog::fuzzing`), and the generated seeds they started
//! from. `GRIDLOG_FUZZ_SEEDS=<fuzz/corpus>` writes the seeds into `<dir>/<target>/`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test fails loudly by design"
)]

use gridlog::fuzzing;
use gridlog::token::{LockToken, TokenFields, TokenSecret};

use gridlog_testkit::corpus::{run_seeds, write_seeds};

fn replay(target: &str, body: fn(&[u8])) -> usize {
    gridlog_testkit::corpus::replay(env!("CARGO_MANIFEST_DIR"), target, body)
}

fn token_seeds() -> Vec<(String, Vec<u8>)> {
    // The fuzz body's secret is [7; 32]: a token minted with it verifies in the raw-text half.
    let secret = TokenSecret::from_bytes([7; 32]);
    let fields = TokenFields {
        subscription_id: 3,
        seq: 42,
        generation: 1,
    };
    let valid = LockToken::mint(&secret, fields);
    let mut seeds: Vec<(String, Vec<u8>)> = vec![
        ("valid.txt".into(), valid.clone().into_bytes()),
        (
            "other-secret.txt".into(),
            LockToken::mint(&TokenSecret::from_bytes([8; 32]), fields).into_bytes(),
        ),
        ("truncated.txt".into(), valid.as_bytes()[..49].to_vec()),
        ("padded.txt".into(), format!("{valid}==").into_bytes()),
        (
            "standard-alphabet.txt".into(),
            valid.replace('-', "+").replace('_', "/").into_bytes(),
        ),
        ("empty.txt".into(), Vec::new()),
        ("fifty-a.txt".into(), vec![b'A'; 50]),
        ("non-canonical-tail.txt".into(), {
            let mut t = valid.clone().into_bytes();
            t[49] = if t[49] == b'B' { b'C' } else { b'B' };
            t
        }),
        ("version-2.txt".into(), {
            let mut t = valid.clone().into_bytes();
            t[0] = b'A';
            t[1] = b'g';
            t
        }),
        ("utf8.txt".into(), "é".repeat(25).into_bytes()),
        ("invalid-utf8.bin".into(), vec![0xff; 50]),
    ];
    // Structured half: 20 bytes of fields, then (position, byte) edits.
    let mut head = Vec::new();
    head.extend_from_slice(&7_u64.to_le_bytes());
    head.extend_from_slice(&1_000_u64.to_le_bytes());
    head.extend_from_slice(&2_u32.to_le_bytes());
    seeds.push(("fields-no-edit.bin".into(), head.clone()));
    for (name, edits) in [
        ("fields-edit-first.bin", vec![0_u8, b'B']),
        ("fields-edit-last.bin", vec![49, b'A']),
        ("fields-edit-same.bin", vec![10, b'x', 10, b'x']),
        ("fields-truncate.bin", vec![0xff, 30]),
        ("fields-append.bin", vec![60, b'A']),
        ("fields-many.bin", (0..40).flat_map(|i| [i, b'Q']).collect()),
    ] {
        let mut seed = head.clone();
        seed.extend_from_slice(&edits);
        seeds.push((name.into(), seed));
    }
    let mut max = vec![0xff_u8; 20];
    max.extend_from_slice(&[25, b'-']);
    seeds.push(("fields-max.bin".into(), max));
    seeds
}

/// Crash-state input: outcome, crash point (u16 LE fraction), seed (u64 LE), then ops.
fn crash_seed(outcome: u8, point: u16, ops: &[(u8, u8)]) -> Vec<u8> {
    let mut seed = vec![outcome];
    seed.extend_from_slice(&point.to_le_bytes());
    seed.extend_from_slice(&0x5eed_u64.to_le_bytes());
    for (op, arg) in ops {
        seed.extend_from_slice(&[*op, *arg]);
    }
    seed
}

fn crash_seeds() -> Vec<(String, Vec<u8>)> {
    // Ops: 0 publish, 1 receive, 2 ack, 3 release, 4 reject, 5 renew, 6 clock, 7 maintenance,
    // 8 restart (even arg: clean close), 9 forged tokens.
    let workloads: [(&str, Vec<(u8, u8)>); 6] = [
        ("publish-only", vec![(0, 2), (0, 0), (0, 1)]),
        (
            "publish-receive-ack",
            vec![(0, 2), (1, 3), (2, 0), (2, 0), (0, 0), (1, 1)],
        ),
        (
            "release-reject-renew",
            vec![(0, 2), (1, 3), (3, 0), (4, 0), (5, 0), (6, 1), (1, 3)],
        ),
        (
            "expiry-and-redelivery",
            vec![(0, 1), (1, 2), (6, 3), (6, 3), (1, 2), (2, 1)],
        ),
        (
            "maintenance-and-restarts",
            vec![
                (0, 2),
                (1, 1),
                (7, 0),
                (8, 0),
                (2, 0),
                (0, 2),
                (8, 1),
                (1, 3),
            ],
        ),
        (
            "forged-and-rolls",
            vec![
                (0, 2),
                (0, 2),
                (0, 2),
                (9, 5),
                (1, 3),
                (2, 2),
                (0, 2),
                (7, 0),
                (0, 2),
            ],
        ),
    ];
    let mut seeds = Vec::new();
    for (w, (name, ops)) in workloads.iter().enumerate() {
        for (i, point) in [0_u16, 16_000, 40_000, 58_000, u16::MAX].iter().enumerate() {
            let outcome = u8::try_from((w + i) % 6).unwrap();
            seeds.push((
                format!("{name}-at-{point}-o{outcome}.bin"),
                crash_seed(outcome, *point, ops),
            ));
        }
    }
    seeds
}

#[test]
fn lock_token_corpus_and_seeds() {
    let seeds = token_seeds();
    run_seeds(&seeds, fuzzing::lock_token);
    write_seeds("lock_token", &seeds);
    assert!(replay("lock_token", fuzzing::lock_token) >= 15);
}

#[test]
fn crash_state_corpus_and_seeds() {
    let seeds = crash_seeds();
    let (mut checked, mut events) = (0, 0);
    for delivered in run_seeds(&seeds, fuzzing::crash_state_checked)
        .into_iter()
        .flatten()
    {
        checked += 1;
        events += delivered;
    }
    println!(
        "crash_state seeds: {} inputs, {checked} crash states with completed operations, \
         {events} events drained and checked",
        seeds.len()
    );
    // Not vacuous: most crash points come after some completed operation.
    assert!(
        checked >= seeds.len() / 2 && events >= seeds.len(),
        "{checked} {events}"
    );
    write_seeds("crash_state", &seeds);
    assert!(replay("crash_state", fuzzing::crash_state) >= 20);
}
