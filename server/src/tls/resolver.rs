//! The certificate the server presents, replaceable while serving: [`CertResolver`] hands
//! rustls whatever [`CertResolver::reload`] last loaded; [`watch`] reloads on SIGHUP and when
//! the files' modification times change. A failed reload keeps the certificate in use and logs
//! why; the next change (or SIGHUP) tries again.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use arc_swap::ArcSwap;
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use time::OffsetDateTime;
use tokio::sync::watch as signal_watch;

use super::x509::CertInfo;
use super::{EXPIRY_WARNING_DAYS, LoadedCert, RELOAD_POLL_INTERVAL, TlsError, TlsFiles};

/// The modification times of the certificate and key files (`None`: unreadable).
type Stamps = (Option<SystemTime>, Option<SystemTime>);

/// Serves the current certificate; see the module docs.
#[derive(Debug)]
pub struct CertResolver {
    files: TlsFiles,
    current: ArcSwap<CertifiedKey>,
    info: ArcSwap<CertInfo>,
    /// The files' times at the last load attempt.
    stamps: Mutex<Stamps>,
}

fn stamps(files: &TlsFiles) -> Stamps {
    let modified = |path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    (modified(&files.cert), modified(&files.key))
}

/// Logs a warning when `loaded` expires within [`EXPIRY_WARNING_DAYS`].
pub fn warn_if_expiring(files: &TlsFiles, loaded: &LoadedCert, now: OffsetDateTime) {
    let days = loaded.days_left(now);
    if days < EXPIRY_WARNING_DAYS {
        tracing::warn!(
            cert = %files.cert.display(),
            not_after = %loaded.info.not_after,
            days_left = days,
            "the TLS certificate expires soon: replace the files (they are reloaded without a restart)"
        );
    }
}

impl CertResolver {
    /// Loads `files` (as of now); an error is what `serve` refuses to start with.
    pub fn load(files: TlsFiles) -> Result<Self, TlsError> {
        let before = stamps(&files);
        let now = OffsetDateTime::now_utc();
        let loaded = files.load(now)?;
        warn_if_expiring(&files, &loaded, now);
        Ok(Self {
            current: ArcSwap::new(loaded.key),
            info: ArcSwap::from_pointee(loaded.info),
            stamps: Mutex::new(before),
            files,
        })
    }

    /// The files served.
    pub fn files(&self) -> &TlsFiles {
        &self.files
    }

    /// What the certificate in use is.
    pub fn info(&self) -> Arc<CertInfo> {
        self.info.load_full()
    }

    /// Loads the files again and, if they load, serves them from the next handshake on
    /// (connections already open keep theirs); on error the certificate in use stays.
    pub fn reload(&self) -> Result<Arc<CertInfo>, TlsError> {
        let before = stamps(&self.files);
        *self.stamps.lock().unwrap_or_else(PoisonError::into_inner) = before;
        let now = OffsetDateTime::now_utc();
        let loaded = self.files.load(now)?;
        warn_if_expiring(&self.files, &loaded, now);
        let info = Arc::new(loaded.info);
        self.current.store(loaded.key);
        self.info.store(info.clone());
        Ok(info)
    }

    /// Whether the files changed since the last load attempt.
    pub fn changed(&self) -> bool {
        *self.stamps.lock().unwrap_or_else(PoisonError::into_inner) != stamps(&self.files)
    }

    /// Reloads, logging the outcome (`why`: what asked).
    pub fn reload_logged(&self, why: &str) {
        match self.reload() {
            Ok(info) => tracing::info!(
                why,
                serial = %info.serial_hex(),
                sha256 = %info.fingerprint_hex(),
                not_after = %info.not_after,
                "TLS certificate reloaded"
            ),
            Err(error) => tracing::warn!(
                why,
                %error,
                "TLS certificate reload failed; still serving the previous certificate"
            ),
        }
    }
}

impl ResolvesServerCert for CertResolver {
    fn resolve(&self, _client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current.load_full())
    }
}

/// Reloads `resolver` on SIGHUP and when its files change (polled every
/// [`RELOAD_POLL_INTERVAL`]), until `shutdown` turns true. The SIGHUP handler is installed by
/// this call (inside a tokio runtime), so a SIGHUP sent right after it reloads rather than
/// ending the process.
pub fn watch(
    resolver: Arc<CertResolver>,
    mut shutdown: signal_watch::Receiver<bool>,
) -> Result<impl Future<Output = ()> + Send + 'static, TlsError> {
    #[cfg(unix)]
    let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
        .map_err(TlsError::Signal)?;
    Ok(async move {
        let mut tick = tokio::time::interval(RELOAD_POLL_INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            #[cfg(unix)]
            let hup = hangup.recv();
            #[cfg(not(unix))]
            let hup = std::future::pending::<Option<()>>();
            tokio::select! {
                _ = hup => resolver.reload_logged("SIGHUP"),
                _ = tick.tick() => {
                    if resolver.changed() {
                        resolver.reload_logged("the files changed");
                    }
                }
                _ = shutdown.wait_for(|down| *down) => return,
            }
        }
    })
}
