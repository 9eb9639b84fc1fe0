//! How a stored event goes out on a receiver link (reference §5.7): its sections as they were
//! sent, byte for byte, with the message-annotations section replaced by the sender's
//! annotations plus `x-opt-sequence-number` (long), `x-opt-offset` (decimal string),
//! `x-opt-enqueued-time` (timestamp) and `x-opt-partition-key` (string, when there is one).
//! An event that came in over REST is built from its parts: content type, custom properties as
//! application properties, the body as one data section.

use chrono::DateTime;
use gridlog::{HubEvent, MessageFormat, RestMessage};
use ntex_amqp::codec::protocol::Section;
use ntex_amqp::codec::types::{Str, Symbol, Variant, VecSymbolMap};
use ntex_amqp::codec::{Encode, Message};
use ntex_bytes::{BytePages, Bytes, BytesMut};

use crate::batch::PARTITION_KEY;
use crate::error::MessageError;
use crate::sections::sections;

/// The annotations the endpoint sets (a sender's own values for them are replaced).
const OWN: [&str; 4] = [
    "x-opt-sequence-number",
    "x-opt-offset",
    "x-opt-enqueued-time",
    PARTITION_KEY,
];

fn encode(message: &Message) -> Bytes {
    let mut pages = BytePages::default();
    message.encode(&mut pages);
    pages.freeze()
}

fn annotations(mut kept: VecSymbolMap, event: &HubEvent) -> Bytes {
    kept.0.retain(|(k, _)| !OWN.contains(&k.as_str()));
    kept.0.push((
        Symbol::from_static("x-opt-sequence-number"),
        Variant::Long(event.sequence_number),
    ));
    kept.0.push((
        Symbol::from_static("x-opt-offset"),
        Variant::from(event.offset.to_string()),
    ));
    kept.0.push((
        Symbol::from_static("x-opt-enqueued-time"),
        Variant::Timestamp(
            DateTime::from_timestamp_millis(event.enqueued_time_ms).unwrap_or_default(),
        ),
    ));
    if let Some(key) = &event.partition_key {
        kept.0.push((
            Symbol::from_static(PARTITION_KEY),
            Variant::from(key.clone()),
        ));
    }
    let mut section = Message::default();
    section.0.message_annotations = Some(kept);
    encode(&section)
}

/// The transfer payload for `event`.
pub fn payload(event: &HubEvent) -> Result<Bytes, MessageError> {
    match event.format {
        MessageFormat::Amqp => {
            let stored = Bytes::copy_from_slice(&event.bytes);
            let parts = sections(&stored)?;
            let kept = parts
                .iter()
                .find_map(|s| match &s.section {
                    Section::MessageAnnotations(map) => Some(map.clone()),
                    _ => None,
                })
                .unwrap_or_default();
            let own = annotations(kept, event);
            // Spec order: header, delivery-annotations, message-annotations, the rest.
            let at = parts
                .iter()
                .position(|s| {
                    !matches!(
                        s.section,
                        Section::Header(_) | Section::DeliveryAnnotations(_)
                    )
                })
                .unwrap_or(parts.len());
            let mut out = BytesMut::with_capacity(stored.len() + own.len());
            for (i, part) in parts.iter().enumerate() {
                if i == at {
                    out.extend_from_slice(&own);
                }
                if !matches!(part.section, Section::MessageAnnotations(_)) {
                    out.extend_from_slice(&part.raw);
                }
            }
            if at == parts.len() {
                out.extend_from_slice(&own);
            }
            Ok(out.freeze())
        }
        MessageFormat::Rest => {
            let rest = RestMessage::decode(&event.bytes).map_err(|_| MessageError::Malformed)?;
            let mut message = Message::with_body(Bytes::from(rest.body));
            if let Some(content_type) = rest.content_type {
                message.set_properties(|p| p.content_type = Some(Symbol::from(content_type)));
            }
            for (name, value) in rest.properties {
                message.set_app_property(Str::from_str(&name), Variant::from(value));
            }
            let body = encode(&message);
            let own = annotations(VecSymbolMap::default(), event);
            let mut out = BytesMut::with_capacity(body.len() + own.len());
            out.extend_from_slice(&own);
            out.extend_from_slice(&body);
            Ok(out.freeze())
        }
    }
}

#[cfg(test)]
mod tests {
    use ntex_amqp::codec::Decode;
    use ntex_amqp::codec::protocol::Header;

    use super::*;

    fn stored(message: &Message, key: Option<&str>) -> HubEvent {
        HubEvent {
            sequence_number: 41,
            offset: 9000,
            enqueued_time_ms: 1_717_000_000_123,
            partition_key: key.map(str::to_owned),
            format: MessageFormat::Amqp,
            bytes: encode(message).to_vec(),
        }
    }

    #[test]
    fn sections_pass_through_and_the_annotations_are_added() {
        let mut sent = Message::with_body(Bytes::from_static(b"{\"job\":7}"));
        sent.set_header(Header::default());
        sent.set_properties(|p| p.subject = Some("status".into()));
        sent.set_app_property("run", Variant::Long(3));
        sent.add_message_annotation("x-custom", Variant::from("kept"));
        sent.add_message_annotation("x-opt-offset", Variant::from("forged"));
        let event = stored(&sent, Some("job-7"));
        let out = payload(&event).unwrap_or_default();
        let got = Message::decode(&mut out.clone()).unwrap_or_default();
        assert_eq!(got.properties(), sent.properties());
        assert_eq!(got.app_properties(), sent.app_properties());
        assert_eq!(got.body(), sent.body());
        assert_eq!(got.header(), sent.header());
        let ann = |k: &str| got.message_annotation(k).cloned();
        assert_eq!(ann("x-custom"), Some(Variant::from("kept")));
        assert_eq!(ann("x-opt-sequence-number"), Some(Variant::Long(41)));
        assert_eq!(ann("x-opt-offset"), Some(Variant::from("9000")));
        assert_eq!(ann("x-opt-partition-key"), Some(Variant::from("job-7")));
        assert!(
            matches!(ann("x-opt-enqueued-time"), Some(Variant::Timestamp(t)) if t.timestamp_millis() == 1_717_000_000_123)
        );
        // The body and properties sections are the sender's bytes.
        let body = encode(&Message::with_body(Bytes::from_static(b"{\"job\":7}")));
        assert!(out.windows(body.len()).any(|w| w == &body[..]));
    }

    #[test]
    fn rest_events_become_messages_and_garbage_is_refused() {
        let rest = RestMessage {
            content_type: Some("application/json".to_owned()),
            properties: vec![("job".to_owned(), "7".to_owned())],
            body: b"{}".to_vec(),
        };
        let event = HubEvent {
            format: MessageFormat::Rest,
            bytes: rest.encode(),
            ..stored(&Message::default(), None)
        };
        let out = payload(&event).unwrap_or_default();
        let got = Message::decode(&mut out.clone()).unwrap_or_default();
        assert_eq!(got.app_property("job"), Some(&Variant::from("7")));
        assert_eq!(got.body().data.first().map(|b| &b[..]), Some(&b"{}"[..]));
        assert!(got.message_annotation("x-opt-partition-key").is_none());
        let garbage = HubEvent {
            bytes: vec![0xff, 0x00],
            ..stored(&Message::default(), None)
        };
        assert_eq!(payload(&garbage), Err(MessageError::Malformed));
    }
}
