//! What a sender's transfer carries (reference §4.4): one event (message-format 0) or a batch
//! envelope (message-format 0x80013700) whose `data` sections each hold one complete encoded
//! event. The partition key is the envelope's `x-opt-partition-key` annotation, else the
//! first event's. Every event must decode as an AMQP message, so nothing undecodable is
//! stored; the whole transfer is refused instead.

use ntex_amqp::codec::protocol::Section;
use ntex_bytes::Bytes;

use crate::error::MessageError;
use crate::limits::{MAX_BATCH_EVENTS, MAX_MESSAGE_SIZE, MAX_PARTITION_KEY_LEN};
use crate::sections::{annotation, sections, text};

/// message-format of a single event.
pub const FORMAT_SINGLE: u32 = 0;
/// message-format of a batch envelope (Microsoft's vendor format 0x80013700).
pub const FORMAT_BATCH: u32 = 0x8001_3700;
/// The partition-key annotation.
pub const PARTITION_KEY: &str = "x-opt-partition-key";

/// The events of one transfer.
#[derive(Debug, PartialEq, Eq)]
pub struct Incoming {
    /// The partition key that routes the whole transfer, if any.
    pub partition_key: Option<String>,
    /// Each event's encoding, in order.
    pub events: Vec<Bytes>,
}

fn partition_key(sections: &[crate::sections::RawSection]) -> Result<Option<String>, MessageError> {
    for s in sections {
        if let Section::MessageAnnotations(map) = &s.section
            && let Some(value) = annotation(map, PARTITION_KEY)
        {
            let key = text(value).ok_or(MessageError::Malformed)?;
            if key.len() > MAX_PARTITION_KEY_LEN {
                return Err(MessageError::PartitionKeyTooLong);
            }
            return Ok((!key.is_empty()).then(|| key.to_owned()));
        }
    }
    Ok(None)
}

/// Splits a transfer's payload into events.
pub fn split(message_format: u32, payload: &Bytes) -> Result<Incoming, MessageError> {
    if payload.len() > MAX_MESSAGE_SIZE as usize {
        return Err(MessageError::TooLarge);
    }
    let outer = sections(payload)?;
    match message_format {
        FORMAT_SINGLE => Ok(Incoming {
            partition_key: partition_key(&outer)?,
            events: vec![payload.clone()],
        }),
        FORMAT_BATCH => {
            let mut events = Vec::new();
            let mut first_key = None;
            for s in &outer {
                if let Section::Data(event) = &s.section {
                    if events.len() == MAX_BATCH_EVENTS {
                        return Err(MessageError::TooManyEvents);
                    }
                    let inner = sections(event)?;
                    if events.is_empty() {
                        first_key = partition_key(&inner)?;
                    }
                    events.push(event.clone());
                }
            }
            if events.is_empty() {
                return Err(MessageError::EmptyBatch);
            }
            Ok(Incoming {
                partition_key: partition_key(&outer)?.or(first_key),
                events,
            })
        }
        _ => Err(MessageError::UnknownFormat),
    }
}

#[cfg(test)]
mod tests {
    use ntex_amqp::codec::types::Variant;
    use ntex_amqp::codec::{Encode, Message};
    use ntex_bytes::BytePages;

    use super::*;

    fn encode(message: &Message) -> Bytes {
        let mut pages = BytePages::default();
        message.encode(&mut pages);
        pages.freeze()
    }

    fn event(body: &str, key: Option<&str>) -> Bytes {
        let mut m = Message::with_body(Bytes::copy_from_slice(body.as_bytes()));
        m.set_app_property("job", Variant::from(body.to_owned()));
        if let Some(key) = key {
            m.add_message_annotation(PARTITION_KEY, Variant::from(key.to_owned()));
        }
        encode(&m)
    }

    fn envelope(events: &[Bytes], key: Option<&str>) -> Bytes {
        let mut m = Message::default();
        for e in events {
            m.body_mut().data.push(e.clone());
        }
        if let Some(key) = key {
            m.add_message_annotation(PARTITION_KEY, Variant::from(key.to_owned()));
        }
        encode(&m)
    }

    #[test]
    fn a_single_event_is_stored_as_sent_with_its_key() {
        let e = event("a", Some("job-7"));
        let got = split(FORMAT_SINGLE, &e);
        assert_eq!(
            got,
            Ok(Incoming {
                partition_key: Some("job-7".to_owned()),
                events: vec![e]
            })
        );
    }

    #[test]
    fn a_batch_unpacks_in_order_and_the_envelope_key_routes_it() {
        let events = [
            event("a", None),
            event("b", Some("inner")),
            event("c", None),
        ];
        let got = split(FORMAT_BATCH, &envelope(&events, Some("outer")));
        assert_eq!(
            got,
            Ok(Incoming {
                partition_key: Some("outer".to_owned()),
                events: events.to_vec()
            })
        );
        let first_keyed = [event("a", Some("first")), event("b", None)];
        let got = split(FORMAT_BATCH, &envelope(&first_keyed, None)).map(|i| i.partition_key);
        assert_eq!(got, Ok(Some("first".to_owned())));
        let got = split(FORMAT_BATCH, &envelope(&events[..1], None)).map(|i| i.partition_key);
        assert_eq!(got, Ok(None));
    }

    #[test]
    fn bad_transfers_are_refused_whole() {
        let good = event("a", None);
        let garbage = Bytes::from_static(b"\x00\x53\x75\xa0\x02zz\xff");
        assert_eq!(split(FORMAT_SINGLE, &garbage), Err(MessageError::Malformed));
        let bad_inner = envelope(&[good.clone(), Bytes::from_static(b"\x01\x02")], None);
        assert_eq!(
            split(FORMAT_BATCH, &bad_inner),
            Err(MessageError::Malformed)
        );
        assert_eq!(
            split(FORMAT_BATCH, &envelope(&[], Some("k"))),
            Err(MessageError::EmptyBatch)
        );
        assert_eq!(split(7, &good), Err(MessageError::UnknownFormat));
        let long_key = "k".repeat(MAX_PARTITION_KEY_LEN + 1);
        assert_eq!(
            split(FORMAT_SINGLE, &event("a", Some(&long_key))),
            Err(MessageError::PartitionKeyTooLong)
        );
        let big = event(&"x".repeat(MAX_MESSAGE_SIZE as usize), None);
        assert_eq!(split(FORMAT_SINGLE, &big), Err(MessageError::TooLarge));
    }
}
