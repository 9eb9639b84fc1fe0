//! The `$cbs` node: `put-token` requests (reference §2). A request carries the audience in the
//! application property `name`, the token type in `type` and the token as an amqp-value
//! string; the response echoes the request's `message-id` (same AMQP type) as `correlation-id`
//! with `status-code` (202 on success, 400/401/403 otherwise) and `status-description`.
//!
//! Tokens of type `servicebus.windows.net:sastoken` are verified against the namespace's
//! `sharedAccessPolicies` ([`gridlog::sas::ServiceBusSas`]): signature, key name, expiry, and
//! that the token's `sr` covers the audience. With no policy configured (loopback serving
//! without keys) every well-formed request is accepted for one hour, as the REST path does.

use gridlog::sas::ServiceBusSas;
use ntex_amqp::codec::Message;
use ntex_amqp::codec::protocol::MessageId;
use ntex_amqp::codec::types::Variant;

use crate::address::path_of;
use crate::error::CbsError;
use crate::limits::{MAX_ADDRESS_LEN, MAX_TOKEN_LEN};
use crate::sections::text;
use crate::tokens::Tokens;

/// The token type Service Bus SAS tokens are sent with.
pub const SAS_TOKEN_TYPE: &str = "servicebus.windows.net:sastoken";

/// Lifetime granted to a token when no policy is configured (seconds).
const OPEN_TOKEN_LIFETIME_SECS: i64 = 3600;

/// A request's application property as text.
pub fn app_text<'a>(message: &'a Message, key: &str) -> Option<&'a str> {
    message.app_property(key).and_then(text)
}

/// Handles one put-token request against `tokens`; `Ok` is the granted audience path.
pub fn put_token(
    request: &Message,
    sas: &ServiceBusSas,
    tokens: &mut Tokens,
    now_secs: i64,
) -> Result<String, CbsError> {
    if app_text(request, "operation") != Some("put-token") {
        return Err(CbsError::Malformed);
    }
    let audience = app_text(request, "name").ok_or(CbsError::Malformed)?;
    let kind = app_text(request, "type").ok_or(CbsError::Malformed)?;
    let token = request.value().and_then(text).ok_or(CbsError::Malformed)?;
    if audience.len() > MAX_ADDRESS_LEN || token.len() > MAX_TOKEN_LEN {
        return Err(CbsError::Malformed);
    }
    let path = path_of(audience);
    let expiry = if sas.is_empty() {
        now_secs + OPEN_TOKEN_LIFETIME_SECS
    } else if kind == SAS_TOKEN_TYPE {
        sas.check_token(token, &format!("/{path}"), now_secs)
            .map_err(|_| CbsError::Unauthorized)?
    } else {
        return Err(CbsError::Unauthorized);
    };
    tokens.put(path, expiry, now_secs)?;
    Ok(path.to_owned())
}

/// The response to `request` with `status` and `description` (and an optional body).
pub fn response(
    request: &Message,
    status: i32,
    description: &str,
    body: Option<Variant>,
) -> Message {
    let mut reply = Message::default();
    let correlation: Option<MessageId> = request.properties().and_then(|p| p.message_id.clone());
    reply.set_properties(|props| props.correlation_id = correlation);
    reply.set_app_property("status-code", Variant::Int(status));
    reply.set_app_property("status-description", Variant::from(description.to_owned()));
    // pyamqp reads the description of management responses from this key (reference §3.1).
    reply.set_app_property("statusDescription", Variant::from(description.to_owned()));
    if let Some(body) = body {
        reply.set_value(body);
    }
    reply
}

/// The response to a put-token request.
pub fn put_token_response(request: &Message, outcome: Result<&str, CbsError>) -> Message {
    match outcome {
        Ok(_) => response(request, 202, "Accepted", None),
        Err(e) => response(request, e.status_code(), &e.to_string(), None),
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine as _;
    use gridlog::sas::hmac_sha256;

    use super::*;

    const NOW: i64 = 1_700_000_000;

    fn sas_token(audience: &str, key: &str, expiry: i64) -> String {
        let sr =
            percent_encoding::utf8_percent_encode(audience, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        let sig = base64::engine::general_purpose::STANDARD.encode(hmac_sha256(
            key.as_bytes(),
            format!("{sr}\n{expiry}").as_bytes(),
        ));
        let sig = percent_encoding::utf8_percent_encode(&sig, percent_encoding::NON_ALPHANUMERIC);
        format!("SharedAccessSignature sr={sr}&sig={sig}&se={expiry}&skn=root")
    }

    fn request(audience: &str, token: &str) -> Message {
        let mut m = Message::default();
        m.set_properties(|p| p.message_id = Some(MessageId::Ulong(7)));
        m.set_app_property("operation", Variant::from("put-token"));
        m.set_app_property("type", Variant::from(SAS_TOKEN_TYPE));
        m.set_app_property("name", Variant::from(audience.to_owned()));
        m.set_value(Variant::from(token.to_owned()));
        m
    }

    fn status(reply: &Message) -> Option<i32> {
        match reply.app_property("status-code") {
            Some(Variant::Int(code)) => Some(*code),
            _ => None,
        }
    }

    #[test]
    fn a_valid_token_is_granted_and_answered_202_with_the_correlation_id() {
        let sas = ServiceBusSas::new([("root", "k")]);
        let mut tokens = Tokens::default();
        let req = request(
            "sb://localhost/eh1",
            &sas_token("sb://localhost/eh1", "k", NOW + 60),
        );
        let outcome = put_token(&req, &sas, &mut tokens, NOW);
        assert_eq!(outcome.as_deref(), Ok("eh1"));
        assert!(tokens.authorizes("eh1/partitions/0", NOW));
        let reply = put_token_response(&req, outcome.as_deref().map_err(|e| *e));
        assert_eq!(status(&reply), Some(202));
        assert_eq!(
            reply.properties().and_then(|p| p.correlation_id.clone()),
            Some(MessageId::Ulong(7))
        );
    }

    #[test]
    fn bad_expired_and_foreign_tokens_are_refused_401_and_malformed_requests_400() {
        let sas = ServiceBusSas::new([("root", "k")]);
        let mut tokens = Tokens::default();
        for (audience, token) in [
            ("sb://h/eh1", sas_token("sb://h/eh1", "wrong", NOW + 60)),
            ("sb://h/eh1", sas_token("sb://h/eh1", "k", NOW)),
            ("sb://h/eh1", sas_token("sb://h/eh2", "k", NOW + 60)),
            ("sb://h/eh1", "not a token".to_owned()),
        ] {
            let outcome = put_token(&request(audience, &token), &sas, &mut tokens, NOW);
            assert_eq!(outcome, Err(CbsError::Unauthorized), "{token}");
            let reply = put_token_response(&request(audience, &token), Err(CbsError::Unauthorized));
            assert_eq!(status(&reply), Some(401));
        }
        assert!(!tokens.authorizes("eh1", NOW));
        let mut no_body = request("sb://h/eh1", "x");
        no_body.body_mut().value = None;
        assert_eq!(
            put_token(&no_body, &sas, &mut tokens, NOW),
            Err(CbsError::Malformed)
        );
        let mut read = Message::default();
        read.set_app_property("operation", Variant::from("READ"));
        assert_eq!(
            put_token(&read, &sas, &mut tokens, NOW),
            Err(CbsError::Malformed)
        );
        assert_eq!(CbsError::Malformed.status_code(), 400);
    }
}
