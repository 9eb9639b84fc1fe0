//! `gridlog serve`'s MQTT listeners (gridlog-mqtt): the namespace's MQTT broker, started beside
//! the HTTP and AMQP listeners over the same namespace: plain MQTT, and with TLS configured
//! MQTTS (presenting the HTTPS listener's certificate; client certificates requested), and on
//! request MQTT over WebSocket and WebSocket with TLS.

use std::fmt::Write as _;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use gridlog::{AccessKey, Clock, MqttConfig, Namespace, NamespaceConfig};
use gridlog_mqtt::stats::{
    CONNECT_OUTCOMES, PUBLISH_OUTCOMES, SUBSCRIBE_OUTCOMES, THROTTLE_REASONS,
};
use gridlog_mqtt::{Endpoint, Listeners, MqttStats, Shared};
use gridlog_server::backend::DataPlane;
use gridlog_server::metrics::Metrics;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;

use super::serve::Args;
use super::serve_tls::Loaded;

/// The bound MQTT listeners and what they will serve.
pub struct Pending {
    mqtt: TcpListener,
    mqtts: Option<TcpListener>,
    ws: Option<TcpListener>,
    wss: Option<TcpListener>,
    config: MqttConfig,
    dev_auth: bool,
}

/// Binds the MQTT ports (before anything is created on disk or printed), unless `--no-mqtt`:
/// plain MQTT, MQTTS when TLS is configured (`tls`), WebSocket and WSS when asked (WSS needs
/// TLS). The development-only authentication is refused unless every one is on loopback.
pub fn bind(
    args: &Args,
    config: Option<&NamespaceConfig>,
    tls: bool,
) -> Result<Option<Pending>, String> {
    if args.no_mqtt {
        return Ok(None);
    }
    if args.mqtt_wss_listen.is_some() && !tls {
        return Err(
            "--mqtt-wss-listen needs TLS: give --tls-cert/--tls-key or --tls-self-signed"
                .to_owned(),
        );
    }
    let mqtts = tls.then_some(args.mqtts_listen);
    let addresses = [
        Some(args.mqtt_listen),
        mqtts,
        args.mqtt_ws_listen,
        args.mqtt_wss_listen,
    ];
    if args.mqtt_dev_auth
        && let Some(addr) = addresses
            .iter()
            .flatten()
            .find(|addr| !addr.ip().is_loopback())
    {
        return Err(format!(
            "refusing the development-only MQTT authentication (--mqtt-dev-auth) on {addr}: it is for loopback MQTT listeners only"
        ));
    }
    Ok(Some(Pending {
        mqtt: bind_one("MQTT", args.mqtt_listen)?,
        mqtts: mqtts.map(|addr| bind_one("MQTTS", addr)).transpose()?,
        ws: args
            .mqtt_ws_listen
            .map(|addr| bind_one("MQTT over WebSocket", addr))
            .transpose()?,
        wss: args
            .mqtt_wss_listen
            .map(|addr| bind_one("MQTT over WebSocket with TLS", addr))
            .transpose()?,
        config: config.map(|config| config.mqtt.clone()).unwrap_or_default(),
        dev_auth: args.mqtt_dev_auth,
    }))
}

fn bind_one(what: &str, addr: SocketAddr) -> Result<TcpListener, String> {
    TcpListener::bind(addr)
        .map_err(|e| format!("cannot listen for {what} on {addr}: {e} (--no-mqtt turns MQTT off)"))
}

/// Starts serving MQTT, if bound, with the certificate of `tls` for MQTTS and WSS (its
/// resolver, so a reload applies to them too); the namespace access keys are the
/// development-mode passwords.
pub fn start(
    pending: Option<Pending>,
    tls: Option<&Loaded>,
    namespace: &Namespace,
    keys: &[String],
    clock: Arc<dyn Clock>,
) -> Result<Option<Endpoint>, String> {
    let Some(pending) = pending else {
        return Ok(None);
    };
    namespace
        .set_mqtt_config(pending.config)
        .map_err(|e| format!("the MQTT resources: {e}"))?;
    let shared = Shared {
        namespace: namespace.clone(),
        access_keys: keys.iter().map(AccessKey::new).collect(),
        dev_auth: pending.dev_auth,
        clock,
        stats: MqttStats::default(),
    };
    let listeners = Listeners {
        mqtt: pending.mqtt,
        mqtts: pending.mqtts,
        ws: pending.ws,
        wss: pending.wss,
        certificate: tls
            .map(|tls| -> Arc<dyn gridlog_mqtt::ResolvesServerCert> { tls.resolver.clone() }),
    };
    Endpoint::start_with(listeners, shared)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// Prints the listeners' lines (after `serve`'s announcement; a closed stdout is ignored, as
/// there).
pub fn announce(endpoint: Option<&Endpoint>, dev_auth: bool) {
    let Some(endpoint) = endpoint else {
        return;
    };
    let addresses = endpoint.addresses();
    let auth = if dev_auth {
        "X.509 client certificates over TLS; development-only authentication without one: username = a client's authenticationName, password = an access key"
    } else {
        "X.509 client certificates over TLS (--mqtt-dev-auth for development without TLS)"
    };
    let mut text = format!(
        "gridlog: MQTT broker on mqtt://{}: {auth}\n",
        addresses.mqtt
    );
    if let Some(addr) = addresses.mqtts {
        let _ = writeln!(
            text,
            "gridlog: MQTTS (MQTT over TLS, client certificates) on mqtts://{addr}"
        );
    }
    if let Some(addr) = addresses.ws {
        let _ = writeln!(text, "gridlog: MQTT over WebSocket on ws://{addr}/mqtt");
    }
    if let Some(addr) = addresses.wss {
        let _ = writeln!(
            text,
            "gridlog: MQTT over WebSocket with TLS on wss://{addr}/mqtt"
        );
    }
    let mut stdout = std::io::stdout().lock();
    let _ = std::io::Write::write_all(&mut stdout, text.as_bytes());
    let _ = std::io::Write::flush(&mut stdout);
}

/// `serve`'s metrics (unless `--no-metrics`), with the broker's counters added when it runs.
pub fn metrics(
    off: bool,
    backend: &Arc<dyn DataPlane>,
    endpoint: Option<&Endpoint>,
) -> Option<Arc<Metrics>> {
    if off {
        return None;
    }
    let mut metrics = Metrics::new(backend.clone());
    if let Some(endpoint) = endpoint {
        metrics.register_collector(Box::new(MqttCollector(endpoint.stats().clone())));
    }
    Some(Arc::new(metrics))
}

/// A counter family: name, help, label name, label values, counts.
type LabelledCounters<'a> = (&'a str, &'a str, &'a str, &'a [&'a str], &'a [u64]);

/// The broker's counters as `gridlog_mqtt_*` series, read on every scrape.
#[derive(Debug)]
struct MqttCollector(MqttStats);

impl Collector for MqttCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let stats = self.0.snapshot();
        let gauge = i64::try_from(stats.sessions).unwrap_or(i64::MAX);
        ConstGauge::new(gauge).encode(encoder.encode_descriptor(
            "mqtt_sessions",
            "MQTT sessions connected now",
            None,
            MetricType::Gauge,
        )?)?;
        let by_outcome: [LabelledCounters<'_>; 4] = [
            (
                "mqtt_connects",
                "MQTT CONNECTs by outcome (accepted, or the refusal)",
                "outcome",
                &CONNECT_OUTCOMES,
                &stats.connects,
            ),
            (
                "mqtt_publishes",
                "MQTT PUBLISHes by outcome (accepted: routed if routing is on, and delivered)",
                "outcome",
                &PUBLISH_OUTCOMES,
                &stats.publishes,
            ),
            (
                "mqtt_subscriptions",
                "MQTT SUBSCRIBE topic filters by outcome",
                "outcome",
                &SUBSCRIBE_OUTCOMES,
                &stats.subscriptions,
            ),
            (
                "mqtt_throttled",
                "What the throughput units refused: PUBLISHes over the namespace's or the session's inbound rate, deliveries dropped (QoS 0) or held back (QoS 1) by the outbound rate, CONNECTs over the connect rate or the sessions quota",
                "reason",
                &THROTTLE_REASONS,
                &stats.throttled,
            ),
        ];
        for (name, help, label, outcomes, values) in by_outcome {
            let mut metric = encoder.encode_descriptor(name, help, None, MetricType::Counter)?;
            for (outcome, value) in outcomes.iter().zip(values) {
                let labels = [(label, *outcome)];
                ConstCounter::new(*value).encode(metric.encode_family(&labels)?)?;
            }
        }
        let mut metric = encoder.encode_descriptor(
            "mqtt_deliveries",
            "Messages sent to MQTT subscribers, by QoS",
            None,
            MetricType::Counter,
        )?;
        for (qos, value) in ["0", "1"].into_iter().zip(stats.deliveries) {
            ConstCounter::new(value).encode(metric.encode_family(&[("qos", qos)])?)?;
        }
        for (name, help, value) in [
            (
                "mqtt_publish_bytes",
                "Payload bytes of accepted MQTT PUBLISHes",
                stats.publish_bytes,
            ),
            (
                "mqtt_delivery_bytes",
                "Payload bytes of the messages sent to MQTT subscribers",
                stats.delivery_bytes,
            ),
            (
                "mqtt_session_overflows",
                "MQTT sessions ended because their client did not acknowledge deliveries",
                stats.overflows,
            ),
        ] {
            ConstCounter::new(value).encode(encoder.encode_descriptor(
                name,
                help,
                None,
                MetricType::Counter,
            )?)?;
        }
        Ok(())
    }
}
