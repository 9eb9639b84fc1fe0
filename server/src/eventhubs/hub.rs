//! REST messages into an Event Hub's partitions: the partition a request's messages go to (the
//! path's `partitions/{id}`, the `publishers/{name}` as partition key and publisher, the messages'
//! `BrokerProperties.PartitionKey`, else round-robin) and the stored form of each message
//! ([`gridlog::RestMessage`]: body, content type, custom properties), so an AMQP reader can
//! present it (docs/eventhubs.md).

use serde_json::Value;

use gridlog::{PartitionTarget, RestMessage};

use super::HubPath;
use super::message::{Body, Message};
use crate::backend::BackendError;
use crate::http::error::ApiError;

/// Where a request's messages go (owned: built before the blocking store call).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HubTarget {
    /// `partitions/{id}`.
    Partition(u32),
    /// The messages' `PartitionKey`.
    Key(String),
    /// `publishers/{name}`: the name is the partition key and the topic's events' source.
    Publisher(String),
    /// Neither: the hub's next partition in turn.
    RoundRobin,
}

impl HubTarget {
    /// The engine's form.
    pub fn as_target(&self) -> PartitionTarget<'_> {
        match self {
            Self::Partition(id) => PartitionTarget::Id(*id),
            Self::Key(key) => PartitionTarget::Key(key),
            Self::Publisher(name) => PartitionTarget::Publisher(name),
            Self::RoundRobin => PartitionTarget::RoundRobin,
        }
    }
}

/// A message's `BrokerProperties.PartitionKey`, if it is a string.
pub fn partition_key(message: &Message) -> Option<&str> {
    message
        .broker_properties
        .get("PartitionKey")
        .and_then(Value::as_str)
}

fn bad(message: String) -> ApiError {
    ApiError::BadRequest {
        code: "InvalidPartitionKey",
        message,
    }
}

/// Where `messages` sent on `path` go. All of one request land in one partition, so their
/// `PartitionKey`s must agree.
pub fn target(path: &HubPath, messages: &[Message]) -> Result<HubTarget, ApiError> {
    let mut keys = messages.iter().map(partition_key);
    let first = keys.next().flatten();
    if keys.any(|key| key != first) {
        return Err(bad(
            "the messages of one request go to one partition: give them all the same \
             PartitionKey (or none)"
                .to_owned(),
        ));
    }
    Ok(match &path.target {
        Some(("partitions", id)) => HubTarget::Partition(id.parse().map_err(|_| {
            ApiError::Backend(BackendError::NotFound(format!(
                "Event Hub '{}' has no partition '{id}'",
                path.hub
            )))
        })?),
        Some((_, publisher)) => HubTarget::Publisher(publisher.clone()),
        None => first.map_or(HubTarget::RoundRobin, |key| HubTarget::Key(key.to_owned())),
    })
}

/// The stored form of `message`: its body (the single form's bytes; the batch form's `Body`,
/// a string as its text, anything else as JSON), its `ContentType` (else, for the single form,
/// the request's `Content-Type`), and its `UserProperties` as text (strings as they are, other
/// values as JSON).
pub fn rest_message(message: &Message, request_content_type: Option<&str>) -> RestMessage {
    let (body, fallback_type) = match &message.body {
        Body::Raw(bytes) => (bytes.clone(), request_content_type),
        Body::Json(Value::String(text)) => (text.clone().into_bytes(), None),
        Body::Json(Value::Null) => (Vec::new(), None),
        Body::Json(other) => (other.to_string().into_bytes(), None),
    };
    let content_type = message
        .broker_properties
        .get("ContentType")
        .and_then(Value::as_str)
        .or(fallback_type)
        .filter(|content_type| !content_type.is_empty())
        .map(str::to_owned);
    let properties = message
        .user_properties
        .iter()
        .filter(|(_, value)| !value.is_null())
        .map(|(name, value)| {
            let text = match value {
                Value::String(text) => text.clone(),
                other => other.to_string(),
            };
            (name.clone(), text)
        })
        .collect();
    RestMessage {
        content_type,
        properties,
        body,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::eventhubs::message::{parse_batch, parse_single};

    fn path(target: Option<(&'static str, &str)>) -> HubPath {
        HubPath {
            hub: "jobs".to_owned(),
            target: target.map(|(kind, name)| (kind, name.to_owned())),
        }
    }

    #[test]
    fn targets() {
        let batch = parse_batch(
            br#"[{"Body":"a","BrokerProperties":{"PartitionKey":"k1"}},
                 {"Body":"b","BrokerProperties":{"PartitionKey":"k1"}}]"#,
        )
        .unwrap();
        assert_eq!(
            target(&path(None), &batch).unwrap(),
            HubTarget::Key("k1".into())
        );
        assert_eq!(
            target(&path(Some(("partitions", "2"))), &batch).unwrap(),
            HubTarget::Partition(2)
        );
        assert_eq!(
            target(&path(Some(("publishers", "dev1"))), &batch).unwrap(),
            HubTarget::Publisher("dev1".into())
        );
        assert!(target(&path(Some(("partitions", "x"))), &batch).is_err());
        let plain = parse_single(b"x", None).unwrap();
        assert_eq!(
            target(&path(None), &[plain]).unwrap(),
            HubTarget::RoundRobin
        );
        let mixed =
            parse_batch(br#"[{"Body":"a","BrokerProperties":{"PartitionKey":"k1"}},{"Body":"b"}]"#)
                .unwrap();
        assert!(target(&path(None), &mixed).is_err());
    }

    #[test]
    fn stored_messages_keep_body_type_and_properties() {
        let batch = parse_batch(
            br#"[{"Body":{"status":"done"},"UserProperties":{"job":"j1","attempt":2,"none":null},
                  "BrokerProperties":{"ContentType":"application/json"}},
                 {"Body":"plain text"}]"#,
        )
        .unwrap();
        let first = rest_message(&batch[0], Some("application/vnd.microsoft.servicebus.json"));
        assert_eq!(first.body, br#"{"status":"done"}"#);
        assert_eq!(first.content_type.as_deref(), Some("application/json"));
        assert_eq!(
            first.properties,
            [
                ("attempt".to_owned(), "2".to_owned()),
                ("job".to_owned(), "j1".to_owned())
            ]
        );
        let second = rest_message(&batch[1], Some("application/vnd.microsoft.servicebus.json"));
        assert_eq!(second.body, b"plain text");
        assert_eq!(second.content_type, None);
        let single = parse_single(
            &[0xff, 0x00],
            Some(json!({"Label": "l"}).to_string().as_bytes()),
        )
        .unwrap();
        let raw = rest_message(&single, Some("application/octet-stream"));
        assert_eq!(raw.body, [0xff, 0x00]);
        assert_eq!(
            raw.content_type.as_deref(),
            Some("application/octet-stream")
        );
        assert_eq!(RestMessage::decode(&raw.encode()).unwrap(), raw);
    }
}
