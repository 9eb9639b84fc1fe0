//! The connection handshake: plain AMQP or SASL first (reference §1.2). Offered mechanisms:
//! `MSSBCBS` and `ANONYMOUS` (authorization follows through `$cbs`) and `PLAIN` (user = a
//! policy's key name, password = its key; checked when policies are configured).

use std::rc::Rc;
use std::sync::Arc;

use ntex_amqp::codec::protocol::SaslCode;
use ntex_amqp::server::{Handshake, HandshakeAck, HandshakeError, Sasl};

use crate::connection::Conn;
use crate::shared::Shared;

/// Runs the handshake of one connection.
pub async fn handshake(
    shared: Arc<Shared>,
    handshake: Handshake,
) -> Result<HandshakeAck<Rc<Conn>>, HandshakeError> {
    match handshake {
        Handshake::Amqp(plain) => Ok(plain.open().await?.ack(Conn::new(shared))),
        Handshake::Sasl(sasl) => self::sasl(shared, sasl).await,
    }
}

async fn sasl(shared: Arc<Shared>, sasl: Sasl) -> Result<HandshakeAck<Rc<Conn>>, HandshakeError> {
    let init = sasl
        .mechanism("MSSBCBS")
        .mechanism("ANONYMOUS")
        .mechanism("PLAIN")
        .init()
        .await?;
    let ok = match init.mechanism() {
        "MSSBCBS" | "ANONYMOUS" => true,
        "PLAIN" => plain_ok(&shared, init.initial_response().unwrap_or_default()),
        _ => false,
    };
    let code = if ok { SaslCode::Ok } else { SaslCode::Auth };
    let success = init.outcome(code).await?;
    if !ok {
        return Err(HandshakeError::Disconnected(None));
    }
    Ok(success.open().await?.ack(Conn::new(shared)))
}

/// `PLAIN`'s response is `authzid NUL authcid NUL password`.
fn plain_ok(shared: &Shared, response: &[u8]) -> bool {
    let mut parts = response.split(|b| *b == 0);
    let (Some(_), Some(user), Some(password), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    match (std::str::from_utf8(user), std::str::from_utf8(password)) {
        (Ok(user), Ok(password)) => shared.sas.is_empty() || shared.sas.has_key(user, password),
        _ => false,
    }
}
