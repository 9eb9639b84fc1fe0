//! `serve`'s TLS flags: `--tls-cert`/`--tls-key` (a certificate chain and key in PEM files) or
//! `--tls-self-signed` (a development CA and `localhost` certificate in the data directory).
//! The configuration file's `tls` member says the same (`{"certificateFile", "keyFile"}` or
//! `{"selfSigned": true}`); the flags win over it.
//! With either, `--listen` serves HTTPS instead of plain HTTP (one port, one scheme; plain HTTP
//! sent to it is answered `400` saying to use `https://`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use gridlog_server::tls::{self, CertResolver, TlsAcceptor, TlsError, TlsFiles};
use time::OffsetDateTime;

/// What `serve` was asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain HTTP.
    Off,
    /// The given files.
    Files(TlsFiles),
    /// The development certificates under the data directory.
    SelfSigned,
}

impl TlsMode {
    /// From the flags (clap has already refused a cert without a key and the reverse), else
    /// from the configuration file's `tls` member (relative paths are the file's folder's): the
    /// flags win.
    pub fn from_args(args: &super::serve::Args, file: Option<&gridlog::NamespaceConfig>) -> Self {
        let config = file.and_then(|file| file.tls.as_ref());
        let base = args
            .config
            .as_deref()
            .and_then(Path::parent)
            .unwrap_or_else(|| Path::new(""));
        match (&args.tls_cert, &args.tls_key) {
            (Some(cert), Some(key)) => Self::Files(TlsFiles {
                cert: cert.clone(),
                key: key.clone(),
            }),
            _ if args.tls_self_signed => Self::SelfSigned,
            _ => match config {
                None => Self::Off,
                Some(gridlog::TlsConfig::SelfSigned) => Self::SelfSigned,
                Some(gridlog::TlsConfig::Files {
                    certificate_file,
                    key_file,
                }) => Self::Files(TlsFiles {
                    cert: base.join(certificate_file),
                    key: base.join(key_file),
                }),
            },
        }
    }
}

/// The server certificate, loaded, and (self-signed) the CA that clients trust.
#[derive(Debug)]
pub struct Loaded {
    /// What the listener presents.
    pub resolver: Arc<CertResolver>,
    /// The development CA, with `--tls-self-signed`.
    pub dev_ca: Option<PathBuf>,
}

/// Loads the given certificate files (before the data directory is touched); `None` for the
/// other modes.
pub fn load_given(mode: &TlsMode) -> Result<Option<Loaded>, TlsError> {
    match mode {
        TlsMode::Files(_) => load(mode, Path::new("")),
        TlsMode::Off | TlsMode::SelfSigned => Ok(None),
    }
}

/// Loads the certificate of `mode` (making the development one in `data_dir` if asked), or
/// `None` for plain HTTP. Given files are checked before the data directory is touched; call
/// it again after the data directory exists for [`TlsMode::SelfSigned`].
pub fn load(mode: &TlsMode, data_dir: &Path) -> Result<Option<Loaded>, TlsError> {
    match mode {
        TlsMode::Off => Ok(None),
        TlsMode::Files(files) => Ok(Some(Loaded {
            resolver: Arc::new(CertResolver::load(files.clone())?),
            dev_ca: None,
        })),
        TlsMode::SelfSigned => {
            let dev = tls::self_signed::ensure(data_dir, OffsetDateTime::now_utc())?;
            if dev.made != tls::self_signed::Made::Nothing {
                tracing::info!(ca = %dev.ca_cert.display(), made = ?dev.made, "TLS development certificates made");
            }
            Ok(Some(Loaded {
                resolver: Arc::new(CertResolver::load(dev.server)?),
                dev_ca: Some(dev.ca_cert),
            }))
        }
    }
}

/// Starts the reload watcher of `tls` (SIGHUP and the file poll, until `shutdown`) and returns
/// the listener's acceptor; `None` for plain HTTP. Call inside the runtime.
pub fn start(
    tls: Option<&Loaded>,
    shutdown: &tokio::sync::watch::Receiver<bool>,
) -> Result<Option<TlsAcceptor>, TlsError> {
    let Some(tls) = tls else {
        return Ok(None);
    };
    tokio::spawn(tls::resolver::watch(
        tls.resolver.clone(),
        shutdown.clone(),
    )?);
    tls.acceptor().map(Some)
}

impl Loaded {
    /// The acceptor for the listener.
    pub fn acceptor(&self) -> Result<TlsAcceptor, TlsError> {
        TlsAcceptor::new(self.resolver.clone())
    }

    /// The lines `serve` prints after its `listening on` line: the certificate, and for the
    /// development CA how to trust it.
    pub fn lines(&self, port: u16) -> Vec<String> {
        let info = self.resolver.info();
        let mut lines = vec![format!(
            "gridlog: TLS certificate {} (serial {}, expires {}); reloaded on SIGHUP or when the files change",
            self.resolver.files().cert.display(),
            info.serial_hex(),
            info.not_after
        )];
        if let Some(ca) = &self.dev_ca {
            lines.push(format!(
                "gridlog: development CA {} (not for production); trust it with:",
                ca.display()
            ));
            lines.extend(tls::self_signed::trust_lines(ca, port));
        }
        lines
    }
}
