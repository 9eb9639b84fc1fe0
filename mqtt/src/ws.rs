//! MQTT over `WebSockets` (the service's `wss://<host>:443/mqtt`): the HTTP upgrade on path
//! `/mqtt` with the subprotocol `mqtt` (MQTT.js asks for `mqttv3.1` with MQTT 3.1; accepted
//! too), then each binary message carries MQTT bytes in either direction. tokio-tungstenite
//! does the handshake and the framing; `bridge.rs` joins the stream to the broker's I/O.

use futures_util::{SinkExt as _, StreamExt as _};
use tokio::io::{AsyncRead, AsyncReadExt as _, AsyncWrite, AsyncWriteExt as _};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::{HeaderValue, StatusCode};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use crate::limits::{BRIDGE_CHUNK_BYTES, WS_MESSAGE_BYTES_MAX, WS_PATH};

/// The subprotocols accepted, in order of preference.
const SUBPROTOCOLS: [&str; 2] = ["mqtt", "mqttv3.1"];
const SUBPROTOCOL_HEADER: &str = "Sec-WebSocket-Protocol";

/// Runs the WebSocket upgrade on `stream`.
pub async fn accept<S>(stream: S) -> Result<WebSocketStream<S>, WsError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let config = WebSocketConfig::default()
        .max_message_size(Some(WS_MESSAGE_BYTES_MAX))
        .max_frame_size(Some(WS_MESSAGE_BYTES_MAX));
    tokio_tungstenite::accept_hdr_async_with_config(stream, upgrade, Some(config)).await
}

/// Answers the upgrade request: 404 off `/mqtt`, 400 when the client offers subprotocols but
/// not an MQTT one; else 101 naming the MQTT subprotocol it offered (none if it offered none).
#[expect(
    clippy::result_large_err,
    reason = "tungstenite's callback signature: the refusal is an HTTP response"
)]
fn upgrade(request: &Request, mut response: Response) -> Result<Response, ErrorResponse> {
    if request.uri().path() != WS_PATH {
        return Err(refusal(
            StatusCode::NOT_FOUND,
            "MQTT over WebSockets is served on /mqtt",
        ));
    }
    let offered: Vec<&str> = request
        .headers()
        .get_all(SUBPROTOCOL_HEADER)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .collect();
    if offered.is_empty() {
        return Ok(response);
    }
    let chosen = SUBPROTOCOLS
        .into_iter()
        .find(|wanted| offered.iter().any(|name| name.eq_ignore_ascii_case(wanted)));
    match chosen {
        Some(chosen) => {
            response
                .headers_mut()
                .insert(SUBPROTOCOL_HEADER, HeaderValue::from_static(chosen));
            Ok(response)
        }
        None => Err(refusal(
            StatusCode::BAD_REQUEST,
            "the WebSocket subprotocol must be mqtt",
        )),
    }
}

fn refusal(status: StatusCode, text: &str) -> ErrorResponse {
    let mut response = ErrorResponse::new(Some(text.to_owned()));
    *response.status_mut() = status;
    response
}

/// Carries bytes between the WebSocket and `ours` (the broker's end of a socket pair) until
/// either side ends: each binary message in is written to `ours`; what the broker writes goes
/// out as binary messages. A text message is a protocol error (the connection ends).
pub async fn pump<S>(
    ws: WebSocketStream<S>,
    mut ours: tokio::net::UnixStream,
) -> Result<(), WsError>
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (mut to_client, mut from_client) = ws.split();
    let (mut from_broker, mut to_broker) = ours.split();
    let inbound = async {
        while let Some(message) = from_client.next().await {
            match message? {
                Message::Binary(bytes) => to_broker.write_all(&bytes).await?,
                Message::Close(_) | Message::Text(_) => break,
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
            }
        }
        to_broker.shutdown().await?;
        Ok::<_, WsError>(())
    };
    let outbound = async {
        let mut buffer = vec![0_u8; BRIDGE_CHUNK_BYTES];
        loop {
            let read = from_broker.read(&mut buffer).await?;
            if read == 0 {
                break;
            }
            to_client
                .send(Message::binary(buffer[..read].to_vec()))
                .await?;
        }
        to_client.close().await?;
        Ok::<_, WsError>(())
    };
    tokio::select! {
        ended = inbound => ended,
        ended = outbound => ended,
    }
}
