//! Links authorized by a `$cbs` token are detached with `amqp:unauthorized-access` once the
//! token expires, unless a refreshed token arrived first: a client on ntex-amqp's client side
//! puts a short-lived token, attaches a sender to the hub and a partition receiver, and the
//! endpoint's injectable clock is moved past the expiry.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use gridlog::sas::{ServiceBusSas, hmac_sha256};
use gridlog::{ManualClock, Namespace, NamespaceConfig, NamespaceOptions, Timestamp};
use gridlog_amqp::{Endpoint, Shared};
use ntex_amqp::codec::protocol::{MessageId, TransferBody};
use ntex_amqp::codec::types::Variant;
use ntex_amqp::codec::{Encode, Message};
use ntex_amqp::{ReceiverLink, SenderLink, client};
use ntex_bytes::{BytePages, Bytes};
use ntex_service::Pipeline;
use ntex_service::cfg::SharedCfg;

const START_SECS: i64 = 1_800_000_000;
const AUDIENCE: &str = "sb://localhost/eh1";

fn token(expiry: i64) -> String {
    let encode = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    let sr = encode(AUDIENCE);
    let sig = base64::engine::general_purpose::STANDARD
        .encode(hmac_sha256(b"key", format!("{sr}\n{expiry}").as_bytes()));
    format!(
        "SharedAccessSignature sr={sr}&sig={}&se={expiry}&skn=root",
        encode(&sig)
    )
}

fn encode(message: &Message) -> Bytes {
    let mut pages = BytePages::default();
    message.encode(&mut pages);
    pages.freeze()
}

async fn put_token(cbs: &SenderLink, expiry: i64) {
    let mut request = Message::default();
    request.set_properties(|p| p.message_id = Some(MessageId::Ulong(1)));
    request.set_app_property("operation", Variant::from("put-token"));
    request.set_app_property("type", Variant::from("servicebus.windows.net:sastoken"));
    request.set_app_property("name", Variant::from(AUDIENCE));
    request.set_value(Variant::from(token(expiry)));
    cbs.transfer(TransferBody::Data(encode(&request)))
        .send()
        .await
        .unwrap();
}

/// Waits (real time) up to `within` for `closed`.
async fn wait_for(within: Duration, closed: impl Fn() -> bool) -> bool {
    let deadline = std::time::Instant::now() + within;
    while std::time::Instant::now() < deadline {
        if closed() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    closed()
}

fn unauthorized(error: Option<String>) -> bool {
    error.is_some_and(|e| e.contains("UnauthorizedAccess") || e.contains("unauthorized-access"))
}

#[test]
fn links_are_detached_when_their_token_expires_unless_it_was_refreshed() {
    let dir = tempfile::tempdir().unwrap();
    let namespace = Namespace::open(dir.path(), NamespaceOptions::default()).unwrap();
    namespace
        .apply_config(
            &NamespaceConfig::from_json_str(
                r#"{"eventHubs": [{"name": "eh1", "properties": {"partitionCount": 2}}]}"#,
            )
            .unwrap(),
        )
        .unwrap();
    let clock = Arc::new(ManualClock::new(Timestamp::from_unix_millis(
        START_SECS * 1000,
    )));
    let sas = ServiceBusSas::new([("root", "key")]);
    let endpoint = Endpoint::start(
        TcpListener::bind("127.0.0.1:0").unwrap(),
        Shared::new(namespace, sas, clock.clone()),
    )
    .unwrap();
    let address = endpoint.local_addr().to_string();
    let check = gridlog_amqp::guard::TOKEN_CHECK * 3;
    ntex_rt::System::new("client", ntex_net::DefaultRuntime).block_on(async move {
        let client = Pipeline::new(SharedCfg::default(), client::Connector::new())
            .call(client::Connect::new(address))
            .await
            .unwrap();
        let sink = client.sink();
        ntex_rt::spawn(client.start_default());
        let session = sink.open_session().await.unwrap();
        let cbs = session
            .build_sender_link("cbs", "$cbs")
            .attach()
            .await
            .unwrap();
        // Without a token the hub is refused (attached, then detached with the error).
        match session.build_sender_link("early", "eh1").attach().await {
            Err(_) => {}
            Ok(early) => assert!(wait_for(check, || early.is_closed()).await),
        }
        put_token(&cbs, START_SECS + 60).await;
        let sender = session
            .build_sender_link("sender", "eh1")
            .attach()
            .await
            .unwrap();
        let receiver: ReceiverLink = session
            .build_receiver_link("receiver", "eh1/ConsumerGroups/$Default/Partitions/0")
            .attach()
            .await
            .unwrap();
        sender
            .transfer(TransferBody::Data(encode(&Message::with_body(
                Bytes::from_static(b"while valid"),
            ))))
            .send()
            .await
            .unwrap();

        // Refreshed at +30 until +90: at +70 the first token has expired, the links stay.
        clock.advance_wall(Duration::from_secs(30));
        put_token(&cbs, START_SECS + 90).await;
        clock.advance_wall(Duration::from_secs(40));
        assert!(
            !wait_for(check, || sender.is_closed() || receiver.is_closed()).await,
            "a link was detached although its token was refreshed"
        );

        // At +90 the refreshed token expires too: both links are detached.
        clock.advance_wall(Duration::from_secs(20));
        assert!(wait_for(check, || sender.is_closed() && receiver.is_closed()).await);
        let sender_error = sender.error().map(|e| format!("{e:?}"));
        let receiver_error = receiver.error().map(|e| format!("{e:?}"));
        assert!(unauthorized(sender_error.clone()), "{sender_error:?}");
        assert!(unauthorized(receiver_error.clone()), "{receiver_error:?}");
        // The $cbs link is not authorized by a token and stays.
        assert!(!cbs.is_closed());
        let _ = sink.close().await;
    });
    endpoint.stop();
}
