//! `gridlog serve`'s MQTT listener (gridlog-mqtt): the namespace's MQTT broker, started beside
//! the HTTP and AMQP listeners over the same namespace.

use std::net::TcpListener;
use std::sync::Arc;

use gridlog::{AccessKey, Clock, MqttConfig, Namespace, NamespaceConfig};
use gridlog_mqtt::{Endpoint, Shared};

use super::serve::Args;

/// A bound MQTT listener and what it will serve.
pub struct Pending {
    listener: TcpListener,
    mqtt: MqttConfig,
    dev_auth: bool,
}

/// Binds the MQTT port (before anything is created on disk or printed), unless `--no-mqtt`.
/// The development-only authentication is refused on a non-loopback address.
pub fn bind(args: &Args, config: Option<&NamespaceConfig>) -> Result<Option<Pending>, String> {
    let addr = args.mqtt_listen;
    if args.no_mqtt {
        return Ok(None);
    }
    if args.mqtt_dev_auth && !addr.ip().is_loopback() {
        return Err(format!(
            "refusing the development-only MQTT authentication (--mqtt-dev-auth) on {addr}: it is for a loopback --mqtt-listen only"
        ));
    }
    let listener = TcpListener::bind(addr)
        .map_err(|e| format!("cannot listen for MQTT on {addr}: {e} (--no-mqtt turns it off)"))?;
    Ok(Some(Pending {
        listener,
        mqtt: config.map(|config| config.mqtt.clone()).unwrap_or_default(),
        dev_auth: args.mqtt_dev_auth,
    }))
}

/// Starts serving MQTT, if bound; the namespace access keys are the development-mode passwords.
pub fn start(
    pending: Option<Pending>,
    namespace: &Namespace,
    keys: &[String],
    clock: Arc<dyn Clock>,
) -> Result<Option<Endpoint>, String> {
    let Some(pending) = pending else {
        return Ok(None);
    };
    let shared = Shared {
        namespace: namespace.clone(),
        mqtt: pending.mqtt,
        access_keys: keys.iter().map(AccessKey::new).collect(),
        dev_auth: pending.dev_auth,
        clock,
    };
    Endpoint::start(pending.listener, shared)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// Prints the listener's line (after `serve`'s announcement; a closed stdout is ignored, as
/// there).
pub fn announce(endpoint: Option<&Endpoint>, dev_auth: bool) {
    let Some(endpoint) = endpoint else {
        return;
    };
    let addr = endpoint.local_addr();
    let auth = if dev_auth {
        "development-only authentication: username = a client's authenticationName, password = an access key"
    } else {
        "no authentication mode is on yet (certificates need TLS; --mqtt-dev-auth for development)"
    };
    let line = format!("gridlog: MQTT broker on mqtt://{addr}: {auth}\n");
    let mut stdout = std::io::stdout().lock();
    let _ = std::io::Write::write_all(&mut stdout, line.as_bytes());
    let _ = std::io::Write::flush(&mut stdout);
}
