//! gridlog's read-only peek and the re-publishing of dead-letter events (docs/delivery.md §12):
//!
//! | method | path | answer |
//! |---|---|---|
//! | GET | `[/prefix]/topics/{t}:peek` | the events stored into `t` from `from` on |
//! | GET | `[/prefix]/topics/{t}/eventsubscriptions/{s}:peek` | the events waiting in `s` |
//! | POST | `[/prefix]/topics/{t}:republishDeadLetters` | dead-letter events of `t` published again |
//!
//! A peek takes the credentials a receive of the same resource takes (a topic's log: the
//! topic's); it locks nothing and changes no delivery count. Query: `api-version`, `from` (a log
//! position, default 0), `maxEvents` (1–100, default 10), `type` (exact, case-insensitive),
//! `subject` (prefix, case-insensitive). Answer:
//! `{"value":[{"sequenceNumber","publishedAt","deliveryCount","state","deadLetter"?,"event"}],
//! "nextSequenceNumber","endSequenceNumber"}` with each event's stored JSON spliced in verbatim.
//!
//! Re-publishing needs namespace-wide credentials (it writes into other topics) and is logged
//! for audit (target `gridlog::audit`: who, which topic, which events). Body
//! `{"sequenceNumbers":[…]}` (1–1,000) or `{"all":true,"from":N}` (the dead-letter events from
//! position `N`, default 0, at most 1,000 per call; the answer's `nextSequenceNumber` continues).

use std::sync::Arc;

use bytes::Bytes;
use hyper::header::HeaderMap;
use serde_json::{Value, json};

use gridlog::limits::{PEEK_EVENTS_MAX, REPUBLISH_EVENTS_MAX};
use gridlog::{PeekFilter, PeekPage, RepublishOutcome, rfc3339_ms};

use super::error::ApiError;
use super::route::{Query, Route};
use super::{Answer, App, blocking, credentials, ok_json, query_key};

/// The answer's JSON: each event's metadata, then its stored bytes verbatim.
fn page_body(page: &PeekPage) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        page.events
            .iter()
            .map(|e| e.json().len() + 200)
            .sum::<usize>()
            + 64,
    );
    out.extend_from_slice(b"{\"value\":[");
    for (index, event) in page.events.iter().enumerate() {
        if index > 0 {
            out.push(b',');
        }
        let mut meta = json!({
            "sequenceNumber": event.seq,
            "publishedAt": rfc3339_ms(event.published_at_ms),
            "deliveryCount": event.delivery_count,
            "state": event.state.name(),
        });
        if let (Some(origin), Some(object)) = (&event.dead_letter, meta.as_object_mut()) {
            object.insert(
                "deadLetter".to_owned(),
                json!({
                    "topic": origin.topic,
                    "subscription": origin.subscription,
                    "sourceSequenceNumber": origin.source_seq,
                }),
            );
        }
        let meta = meta.to_string();
        // `{…meta…}` → `{…meta…,"event":<json>}`
        out.extend_from_slice(&meta.as_bytes()[..meta.len() - 1]);
        out.extend_from_slice(b",\"event\":");
        out.extend_from_slice(event.json());
        out.push(b'}');
    }
    out.extend_from_slice(b"],");
    out.extend_from_slice(
        format!(
            "\"nextSequenceNumber\":{},\"endSequenceNumber\":{}}}",
            page.next_seq, page.end_seq
        )
        .as_bytes(),
    );
    out
}

pub(super) async fn peek(app: &Arc<App>, route: &Route, query: &Query) -> Answer {
    let backend = app.backend.clone();
    let topic = route.topic.clone();
    let subscription = route.subscription.clone();
    let (from, max) = (query.from, query.max_events as usize);
    let filter = PeekFilter {
        event_type: query.event_type.clone(),
        subject_prefix: query.subject.clone(),
    };
    let page = blocking(move || match subscription {
        None => backend.peek_topic(&topic, from, max, &filter),
        Some(sub) => backend.peek_subscription(&topic, &sub, from, max, &filter),
    })
    .await?;
    tracing::debug!(events = page.events.len(), "peeked");
    ok_json(page_body(&page))
}

/// What to re-publish.
enum Selection {
    Seqs(Vec<u64>),
    All { from: u64 },
}

fn bad_body(message: String) -> ApiError {
    ApiError::BadRequest {
        code: "InvalidRequestBody",
        message,
    }
}

fn parse_selection(body: &[u8]) -> Result<Selection, ApiError> {
    #[derive(serde::Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Body {
        sequence_numbers: Option<Vec<u64>>,
        #[serde(default)]
        all: bool,
        from: Option<u64>,
    }
    let usage = r#"the body must be {"sequenceNumbers": [N, ...]} or {"all": true, "from": N}"#;
    let parsed: Body =
        serde_json::from_slice(body).map_err(|error| bad_body(format!("{usage}: {error}")))?;
    match (parsed.sequence_numbers, parsed.all, parsed.from) {
        (Some(seqs), false, None) if !seqs.is_empty() && seqs.len() <= REPUBLISH_EVENTS_MAX => {
            Ok(Selection::Seqs(seqs))
        }
        (Some(seqs), false, None) => Err(bad_body(format!(
            "sequenceNumbers must hold 1 to {REPUBLISH_EVENTS_MAX} positions, got {}",
            seqs.len()
        ))),
        (None, true, from) => Ok(Selection::All {
            from: from.unwrap_or(0),
        }),
        _ => Err(bad_body(usage.to_owned())),
    }
}

fn outcome_body(outcome: &RepublishOutcome, next: Option<u64>) -> Value {
    json!({
        "republished": outcome.republished.iter().map(|r| json!({
            "sequenceNumber": r.seq, "topic": r.topic, "id": r.id,
        })).collect::<Vec<_>>(),
        "failed": outcome.failed.iter().map(|f| json!({
            "sequenceNumber": f.seq, "error": {"code": f.code, "message": f.message},
        })).collect::<Vec<_>>(),
        "nextSequenceNumber": next,
    })
}

pub(super) async fn republish(
    app: &Arc<App>,
    route: &Route,
    headers: &HeaderMap,
    query: Option<&str>,
    body: &Bytes,
) -> Answer {
    let selection = parse_selection(body)?;
    let backend = app.backend.clone();
    let topic = route.topic.clone();
    let (outcome, next) = blocking(move || {
        let (seqs, next) = match selection {
            Selection::Seqs(seqs) => (seqs, None),
            Selection::All { from } => {
                let mut seqs = Vec::new();
                let mut at = from;
                let filter = PeekFilter::default();
                loop {
                    let want = (REPUBLISH_EVENTS_MAX - seqs.len()).min(PEEK_EVENTS_MAX);
                    let page = backend.peek_topic(&topic, at, want, &filter)?;
                    seqs.extend(
                        page.events
                            .iter()
                            .filter(|e| e.dead_letter.is_some())
                            .map(|e| e.seq),
                    );
                    at = page.next_seq;
                    if at >= page.end_seq {
                        break (seqs, None);
                    }
                    if seqs.len() >= REPUBLISH_EVENTS_MAX {
                        break (seqs, Some(at));
                    }
                }
            }
        };
        Ok((backend.republish_dead_letters(&topic, &seqs)?, next))
    })
    .await?;
    let ids: Vec<&str> = outcome.republished.iter().map(|r| r.id.as_str()).collect();
    let key = query_key(query);
    let seqs: Vec<u64> = outcome.republished.iter().map(|r| r.seq).collect();
    tracing::info!(
        target: "gridlog::audit",
        action = "republishDeadLetters",
        credential = %credentials(headers, key.as_deref()).describe(),
        topic = %route.topic,
        republished = outcome.republished.len(),
        failed = outcome.failed.len(),
        sequence_numbers = ?seqs,
        ids = ?ids,
        "dead-letter events published again"
    );
    ok_json(outcome_body(&outcome, next).to_string().into_bytes())
}
