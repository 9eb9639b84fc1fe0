//! `gridlog serve`'s AMQP 1.0 listener (gridlog-amqp): the Event Hubs SDKs' endpoint, started
//! beside the HTTP listener over the same namespace; with TLS configured also AMQPS
//! (`--amqps-listen`), presenting the HTTPS listener's certificate.

use std::fmt::Write as _;
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use gridlog::sas::ServiceBusSas;
use gridlog::{Clock, Namespace};
use gridlog_amqp::{Endpoint, Shared, TlsListener};

use super::serve_tls::Loaded;

/// The AMQP and AMQPS ports, bound.
pub struct Bound {
    plain: Option<TcpListener>,
    tls: Option<TcpListener>,
}

/// Binds the AMQP port and, with TLS configured (`tls`), the AMQPS port, before anything is
/// created on disk or printed; neither with `--no-amqp`.
pub fn bind(args: &super::serve::Args, tls: bool, sas: &ServiceBusSas) -> Result<Bound, String> {
    Ok(Bound {
        plain: bind_one("AMQP", args.amqp_listen, args.no_amqp, sas)?,
        tls: bind_one("AMQPS", args.amqps_listen, args.no_amqp || !tls, sas)?,
    })
}

/// Binds `addr` for `what` unless `off`. A non-loopback address needs a shared access policy
/// (tokens are checked against them).
fn bind_one(
    what: &str,
    addr: SocketAddr,
    off: bool,
    sas: &ServiceBusSas,
) -> Result<Option<TcpListener>, String> {
    if off {
        return Ok(None);
    }
    if !addr.ip().is_loopback() && sas.is_empty() {
        return Err(format!(
            "refusing to serve {what} on {addr} without a shared access policy: set sharedAccessPolicies in the config, or --no-amqp"
        ));
    }
    TcpListener::bind(addr)
        .map(Some)
        .map_err(|e| format!("cannot listen for {what} on {addr}: {e} (--no-amqp turns it off)"))
}

/// Starts serving AMQP, and AMQPS with the certificate of `tls` (its resolver, so a reload
/// applies to AMQPS too); `None` with `--no-amqp`.
pub fn start(
    bound: Bound,
    tls: Option<&Loaded>,
    namespace: &Namespace,
    sas: &ServiceBusSas,
    clock: Arc<dyn Clock>,
) -> Result<Option<Endpoint>, String> {
    let Some(plain) = bound.plain else {
        return Ok(None);
    };
    let tls = match (bound.tls, tls) {
        (Some(listener), Some(tls)) => {
            let config = gridlog_server::tls::server_config(tls.resolver.clone())
                .map_err(|e| format!("AMQPS: {e}"))?;
            Some(TlsListener {
                listener,
                config: Arc::new(config),
            })
        }
        _ => None,
    };
    let shared = Shared::new(namespace.clone(), sas.clone(), clock);
    Endpoint::start_with_tls(plain, tls, shared)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// Prints the listener's line (after `serve`'s announcement; a closed stdout is ignored, as
/// there).
pub fn announce(endpoint: &Endpoint) {
    let addr = endpoint.local_addr();
    let mut line = format!(
        "gridlog: AMQP (Event Hubs SDKs) on amqp://{addr}: Endpoint=sb://{addr};SharedAccessKeyName=…;SharedAccessKey=…;UseDevelopmentEmulator=true\n"
    );
    if let Some(tls) = endpoint.tls_local_addr() {
        let _ = writeln!(
            line,
            "gridlog: AMQPS (Event Hubs SDKs over TLS) on amqps://{tls}: Endpoint=sb://{host}/;SharedAccessKeyName=…;SharedAccessKey=… (port 5671; elsewhere the SDK's custom endpoint address sb://{tls})",
            host = tls.ip()
        );
    }
    let mut stdout = std::io::stdout().lock();
    let _ = std::io::Write::write_all(&mut stdout, line.as_bytes());
    let _ = std::io::Write::flush(&mut stdout);
}
