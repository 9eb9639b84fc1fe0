//! Re-publishing dead-letter events into the topic they were dead-lettered from
//! (docs/delivery.md §12): the dead-letter event's JSON without the five dead-letter attributes,
//! published through [`Namespace::publish`](super::Namespace::publish) (validated, throttled,
//! durable like any publish). The dead-letter events themselves stay where they are.

use std::collections::BTreeMap;

use gridlog_format::{Event, decode_record, parse_structured};
use gridlog_wal::Seq;
use serde_json::{Map, Value};

use super::deadletter::DEAD_LETTER_ATTRIBUTES;
use super::peeked::{RepublishFailure, RepublishOutcome, Republished};
use super::{Namespace, not_found_topic};
use crate::error::EngineError;
use crate::limits::REPUBLISH_EVENTS_MAX;
use crate::record::{self, StateRecord};

/// The original event of a dead-letter event's JSON: the same members without the dead-letter
/// attributes (member order is JSON's object order after parsing, so the bytes may differ from
/// the original's; the attributes and `data` do not).
fn strip_dead_letter_attributes(json: &[u8]) -> Result<Event, String> {
    let mut object: Map<String, Value> =
        serde_json::from_slice(json).map_err(|error| error.to_string())?;
    for name in DEAD_LETTER_ATTRIBUTES {
        object.remove(name);
    }
    let bytes = serde_json::to_vec(&object).map_err(|error| error.to_string())?;
    parse_structured(&bytes).map_err(|error| error.to_string())
}

fn failure(seq: u64, code: &'static str, message: String) -> RepublishFailure {
    RepublishFailure { seq, code, message }
}

impl Namespace {
    /// Publishes the dead-letter events at `seqs` of `dead_letter_topic` again, each into the
    /// topic of the subscription that dead-lettered it, without the dead-letter attributes.
    /// Each seq succeeds or fails on its own ([`RepublishOutcome`]). The call fails as a
    /// whole for an unknown topic or more than [`REPUBLISH_EVENTS_MAX`] seqs (nothing
    /// published), or when the store refuses a publish (throttled, disk full): the events are
    /// published one batch per original topic, in topic-name order, so the batches before the
    /// refused one stay published and the caller may ask again for the rest.
    pub fn republish_dead_letters(
        &self,
        dead_letter_topic: &str,
        seqs: &[u64],
    ) -> Result<RepublishOutcome, EngineError> {
        if seqs.len() > REPUBLISH_EVENTS_MAX {
            return Err(EngineError::InvalidArgument {
                argument: "seqs",
                reason: format!(
                    "at most {REPUBLISH_EVENTS_MAX} dead-letter events per call, got {}",
                    seqs.len()
                ),
            });
        }
        let inner = &self.inner;
        let (dead_id, names) = {
            let st = inner.store.lock_state()?;
            let id = st
                .topic_id(dead_letter_topic)
                .ok_or_else(|| not_found_topic(dead_letter_topic))?;
            let names: BTreeMap<u64, String> = st
                .subs
                .values()
                .filter_map(|s| Some((s.id, st.topics.get(&s.topic)?.config.name.clone())))
                .collect();
            (id, names)
        };
        let mut outcome = RepublishOutcome::default();
        // (original topic) → [(dead-letter seq, event)], in the order asked.
        let mut by_topic: BTreeMap<String, Vec<(u64, Event)>> = BTreeMap::new();
        for &seq in seqs {
            match self.original_of(dead_letter_topic, dead_id, &names, seq)? {
                Ok((topic, event)) => by_topic.entry(topic).or_default().push((seq, event)),
                Err(failed) => outcome.failed.push(failed),
            }
        }
        for (topic, events) in by_topic {
            let batch: Vec<Event> = events.iter().map(|(_, event)| event.clone()).collect();
            match self.publish(&topic, &batch) {
                Ok(_) => outcome
                    .republished
                    .extend(events.into_iter().map(|(seq, event)| Republished {
                        seq,
                        topic: topic.clone(),
                        id: event.id().to_owned(),
                    })),
                // The topic was deleted since: those events fail, the others go on.
                Err(EngineError::NotFound { .. }) => {
                    outcome
                        .failed
                        .extend(events.into_iter().map(|(seq, _)| {
                            failure(seq, "SourceGone", format!("topic '{topic}' no longer exists"))
                        }));
                }
                Err(error) => return Err(error),
            }
        }
        let position = |seq: u64| seqs.iter().position(|&s| s == seq);
        outcome.republished.sort_by_key(|r| position(r.seq));
        outcome.failed.sort_by_key(|f| position(f.seq));
        Ok(outcome)
    }

    /// The original topic and event of the dead-letter event at `seq` of topic `dead_id`
    /// (named `dead_letter_topic`), or why it has none; `names`: subscription id → topic name.
    fn original_of(
        &self,
        dead_letter_topic: &str,
        dead_id: u32,
        names: &BTreeMap<u64, String>,
        seq: u64,
    ) -> Result<Result<(String, Event), RepublishFailure>, EngineError> {
        let not_dead_letter = || {
            failure(
                seq,
                "NotADeadLetter",
                format!("no dead-letter event of topic '{dead_letter_topic}' at {seq}"),
            )
        };
        if seq == 0 || seq > self.inner.store.wal.durable_seq().0 {
            return Ok(Err(not_dead_letter()));
        }
        let Ok(bytes) = self.inner.store.wal.read(Seq(seq)) else {
            return Ok(Err(not_dead_letter()));
        };
        let StateRecord::DeadLetter {
            sub,
            target_topic: Some(target),
            event,
            ..
        } = record::decode(seq, &bytes)?
        else {
            return Ok(Err(not_dead_letter()));
        };
        if target != dead_id {
            return Ok(Err(not_dead_letter()));
        }
        let Some(topic) = names.get(&sub) else {
            return Ok(Err(failure(
                seq,
                "SourceGone",
                "the subscription that dead-lettered it no longer exists".to_owned(),
            )));
        };
        let json = decode_record(event.0)
            .map_err(|error| EngineError::Corrupt {
                seq,
                reason: error.to_string(),
            })?
            .json();
        Ok(strip_dead_letter_attributes(json)
            .map(|event| (topic.clone(), event))
            .map_err(|message| failure(seq, "InvalidEvent", message)))
    }
}
