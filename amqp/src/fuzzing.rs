//! The body of the `amqp` fuzz target (`fuzz/fuzz_targets/amqp.rs`), which
//! `amqp/tests/fuzz_corpus.rs` also replays: the decode paths gridlog owns on top of the AMQP
//! codec. The first byte picks one:
//!
//! - `0`: a batch envelope (message-format 0x80013700) → [`crate::batch::split`];
//! - `1`: a single event (message-format 0) → [`crate::batch::split`];
//! - `2`: a selector filter expression → [`crate::selector::parse`];
//! - `3`: a stored event → [`crate::deliver::payload`].
//!
//! Besides "no panic": every event a transfer yields decodes, and goes out with the
//! `x-opt-*` annotations set from the stored numbers and every other section byte for byte.

use gridlog::{HubEvent, MessageFormat};
use ntex_amqp::codec::protocol::Section;
use ntex_amqp::codec::types::Variant;
use ntex_bytes::Bytes;

use crate::batch::{FORMAT_BATCH, FORMAT_SINGLE, split};
use crate::deliver::payload;
use crate::sections::{annotation, sections};
use crate::selector::parse;

fn stored(bytes: &Bytes, key: Option<String>) -> HubEvent {
    HubEvent {
        sequence_number: 7,
        offset: 4242,
        enqueued_time_ms: 1_700_000_000_000,
        partition_key: key,
        format: MessageFormat::Amqp,
        bytes: bytes.to_vec(),
    }
}

/// Delivers an accepted event and checks what goes out.
fn check_delivery(event: &Bytes, key: Option<String>) {
    let Ok(before) = sections(event) else {
        panic!("an accepted event does not decode");
    };
    let Ok(out) = payload(&stored(event, key.clone())) else {
        panic!("an accepted event is not deliverable");
    };
    let Ok(after) = sections(&out) else {
        panic!("a delivered event does not decode");
    };
    let kept = |parts: &[crate::sections::RawSection]| -> Vec<Bytes> {
        parts
            .iter()
            .filter(|s| !matches!(s.section, Section::MessageAnnotations(_)))
            .map(|s| s.raw.clone())
            .collect()
    };
    assert_eq!(
        kept(&before),
        kept(&after),
        "sections other than the annotations changed"
    );
    let Some(annotations) = after.iter().find_map(|s| match &s.section {
        Section::MessageAnnotations(map) => Some(map),
        _ => None,
    }) else {
        panic!("a delivered event has no message annotations");
    };
    assert_eq!(
        annotation(annotations, "x-opt-sequence-number"),
        Some(&Variant::Long(7))
    );
    assert_eq!(
        annotation(annotations, "x-opt-offset"),
        Some(&Variant::from("4242"))
    );
    assert_eq!(
        annotation(annotations, "x-opt-partition-key"),
        key.map(Variant::from).as_ref()
    );
}

/// The fuzz target's body.
pub fn amqp(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let bytes = Bytes::copy_from_slice(rest);
    match mode % 4 {
        0 | 1 => {
            let format = if mode % 4 == 0 {
                FORMAT_BATCH
            } else {
                FORMAT_SINGLE
            };
            if let Ok(incoming) = split(format, &bytes) {
                assert!(!incoming.events.is_empty());
                for event in &incoming.events {
                    check_delivery(event, incoming.partition_key.clone());
                }
            }
        }
        2 => {
            let _ = parse(&String::from_utf8_lossy(rest));
        }
        _ => {
            if sections(&bytes).is_ok() {
                check_delivery(&bytes, None);
            } else {
                assert!(payload(&stored(&bytes, None)).is_err());
            }
        }
    }
}
