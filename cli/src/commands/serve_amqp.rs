//! `gridlog serve`'s AMQP 1.0 listener (gridlog-amqp): the Event Hubs SDKs' endpoint, started
//! beside the HTTP listener over the same namespace.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use gridlog::sas::ServiceBusSas;
use gridlog::{Clock, Namespace};
use gridlog_amqp::{Endpoint, Shared};

/// Binds the AMQP port (before anything is created on disk or printed), unless `--no-amqp`.
/// A non-loopback address needs a shared access policy (tokens are checked against them).
pub fn bind(
    addr: SocketAddr,
    off: bool,
    sas: &ServiceBusSas,
) -> Result<Option<TcpListener>, String> {
    if off {
        return Ok(None);
    }
    if !addr.ip().is_loopback() && sas.is_empty() {
        return Err(format!(
            "refusing to serve AMQP on {addr} without a shared access policy: set sharedAccessPolicies in the config, or --no-amqp"
        ));
    }
    TcpListener::bind(addr)
        .map(Some)
        .map_err(|e| format!("cannot listen for AMQP on {addr}: {e} (--no-amqp turns it off)"))
}

/// Starts serving AMQP on `listener`.
pub fn start(
    listener: TcpListener,
    namespace: Namespace,
    sas: ServiceBusSas,
    clock: Arc<dyn Clock>,
) -> Result<Endpoint, String> {
    Endpoint::start(listener, Shared::new(namespace, sas, clock)).map_err(|e| e.to_string())
}

/// Prints the listener's line (after `serve`'s announcement; a closed stdout is ignored, as
/// there).
pub fn announce(endpoint: &Endpoint) {
    let addr = endpoint.local_addr();
    let line = format!(
        "gridlog: AMQP (Event Hubs SDKs) on amqp://{addr}: Endpoint=sb://{addr};SharedAccessKeyName=…;SharedAccessKey=…;UseDevelopmentEmulator=true\n"
    );
    let mut stdout = std::io::stdout().lock();
    let _ = std::io::Write::write_all(&mut stdout, line.as_bytes());
    let _ = std::io::Write::flush(&mut stdout);
}
