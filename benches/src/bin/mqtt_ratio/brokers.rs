//! The two brokers, each in its own process on free loopback ports: `gridlog serve` (MQTT with
//! the development-only authentication, every PUBLISH routed into a topic with one pull
//! subscription, durability `always`), and mosquitto (persistence on).

use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::client::Credentials;
use crate::served::{Killed, Server};

/// The namespace access key (the MQTT password, the HTTP `aeg-sas-key`).
pub const KEY: &str = "mqtt-ratio-key";
/// The bench's client authentication name.
pub const CLIENT: &str = "bench";
/// The routing topic and its pull subscription.
pub const TOPIC: &str = "telemetry";
/// The pull subscription on [`TOPIC`].
pub const SUBSCRIPTION: &str = "all";

/// How the bench's clients authenticate.
pub fn credentials() -> Credentials {
    Credentials {
        username: CLIENT.to_owned(),
        password: KEY.to_owned(),
    }
}

/// A running broker process (stopped when dropped).
pub struct Process {
    _running: Killed,
    /// `host:port` of its MQTT listener.
    pub mqtt: String,
    /// `host:port` of gridlog's HTTP listener (`None` for mosquitto).
    pub http: Option<String>,
}

/// The namespace: one client that may publish and subscribe under `bench/#` (up to 100
/// sessions), routing into [`TOPIC`], which has the pull subscription [`SUBSCRIPTION`].
fn namespace_json() -> String {
    serde_json::json!({
        "accessKeys": [KEY],
        "topics": [{"name": TOPIC, "eventSubscriptions": [{"name": SUBSCRIPTION}]}],
        "topicSpacesConfiguration": {
            "state": "Enabled",
            "routeTopicResourceId": format!(
                "/subscriptions/s/resourceGroups/rg/providers/Microsoft.EventGrid/namespaces/bench/topics/{TOPIC}"
            ),
            "maximumClientSessionsPerAuthenticationName": 100
        },
        "clients": [{"name": CLIENT}],
        "topicSpaces": [{"name": "bench", "properties": {"topicTemplates": ["bench/#"]}}],
        "permissionBindings": [
            {"name": "pub", "properties": {"clientGroupName": "$all", "topicSpaceName": "bench", "permission": "Publisher"}},
            {"name": "sub", "properties": {"clientGroupName": "$all", "topicSpaceName": "bench", "permission": "Subscriber"}}
        ]
    })
    .to_string()
}

/// Starts `gridlog serve` over a data directory in `dir`.
pub fn gridlog(binary: &Path, dir: &Path) -> Process {
    let Server {
        process,
        http,
        mqtt,
        ..
    } = Server::start(
        binary,
        dir,
        &namespace_json(),
        &["--no-amqp", "--mqtt-dev-auth"],
    );
    Process {
        _running: process,
        mqtt,
        http: Some(http),
    }
}

/// Where mosquitto is (Debian: `apt-get install mosquitto`).
pub const MOSQUITTO: &str = "/usr/sbin/mosquitto";

/// Starts mosquitto on a free loopback port with persistence in `dir`: its documented
/// persistence is a snapshot of the in-memory database written every `autosave_interval`
/// seconds (and at exit), not a write per message.
pub fn mosquitto(binary: &PathBuf, dir: &Path) -> Process {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let store = dir.join("store");
    std::fs::create_dir_all(&store).unwrap();
    // Run as root, mosquitto drops to its own user, which must be able to write the store.
    std::fs::set_permissions(&store, std::fs::Permissions::from_mode(0o777)).unwrap();
    let config = dir.join("mosquitto.conf");
    std::fs::write(
        &config,
        format!(
            "listener {port} 127.0.0.1\n\
             allow_anonymous true\n\
             persistence true\n\
             persistence_location {}/\n\
             autosave_interval 1800\n\
             autosave_on_changes false\n\
             max_inflight_messages 100\n\
             max_queued_messages 100000\n\
             log_type error\n",
            store.display()
        ),
    )
    .unwrap();
    let child = Command::new(binary)
        .arg("-c")
        .arg(&config)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "starting {}: {e} (apt-get install mosquitto, or --mosquitto PATH)",
                binary.display()
            )
        });
    let mqtt = format!("127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(&mqtt).is_err() {
        assert!(
            Instant::now() < deadline,
            "mosquitto did not start listening"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    Process {
        _running: Killed(child),
        mqtt,
        http: None,
    }
}
