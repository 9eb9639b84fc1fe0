//! The development certificates of `serve --tls-self-signed`: a CA and a server certificate
//! for `localhost`, `127.0.0.1` and `::1` signed by it, made once in `<data dir>/tls/` and reused
//! on later starts (a server certificate that no longer loads, e.g. expired, is issued again by
//! the same CA, so clients that trust the CA keep working).
//!
//! Clients trust the CA (`ca.pem`) the normal way: [`trust_lines`] says how.

use std::path::{Path, PathBuf};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use time::{Duration, OffsetDateTime};

use super::{TlsError, TlsFiles};

/// The directory under the data directory.
pub const DIR: &str = "tls";
/// Validity of the development CA.
pub const CA_VALIDITY_DAYS: i64 = 3650;
/// Validity of the server certificate (the longest Apple's clients accept: 825 days).
pub const SERVER_VALIDITY_DAYS: i64 = 825;
/// The names the server certificate is for.
pub const SERVER_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];
const CA_COMMON_NAME: &str = "gridlog development CA";

/// The development CA and server certificate in a data directory.
#[derive(Clone, Debug)]
pub struct DevCertificates {
    /// The CA certificate clients trust.
    pub ca_cert: PathBuf,
    /// The server certificate and key `serve` loads.
    pub server: TlsFiles,
    /// What this call made: nothing, a new server certificate, or a new CA and certificate.
    pub made: Made,
}

/// See [`DevCertificates::made`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Made {
    /// Both were there and the server certificate loads.
    Nothing,
    /// A server certificate was issued again by the existing CA.
    ServerCertificate,
    /// A new CA and server certificate.
    Everything,
}

fn ca_params(now: OffsetDateTime) -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut name = DistinguishedName::new();
    name.push(DnType::CommonName, CA_COMMON_NAME);
    params.distinguished_name = name;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    params.not_before = now - Duration::days(1);
    params.not_after = now + Duration::days(CA_VALIDITY_DAYS);
    params
}

/// Parameters of a server certificate for `names`, valid from `not_before` to `not_after`.
pub fn server_params(
    names: &[&str],
    not_before: OffsetDateTime,
    not_after: OffsetDateTime,
) -> Result<CertificateParams, TlsError> {
    let mut params =
        CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
            .map_err(TlsError::Generate)?;
    let mut name = DistinguishedName::new();
    name.push(
        DnType::CommonName,
        names.first().copied().unwrap_or("localhost"),
    );
    params.distinguished_name = name;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    params.not_before = not_before;
    params.not_after = not_after;
    Ok(params)
}

/// Writes `contents` to `path` through a temporary file and a rename, so a reader (the reload
/// poll) sees the old file or the new one, never half of one. Keys are made readable by the
/// owner only.
pub fn write_atomically(path: &Path, contents: &str, secret: bool) -> Result<(), TlsError> {
    let tmp = path.with_extension("tmp");
    let write_error = |source| TlsError::Write {
        path: path.to_owned(),
        source,
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = secret;
    let mut file = options.open(&tmp).map_err(write_error)?;
    std::io::Write::write_all(&mut file, contents.as_bytes()).map_err(write_error)?;
    file.sync_all().map_err(write_error)?;
    std::fs::rename(&tmp, path).map_err(write_error)
}

/// Makes (or reuses) the development certificates under `data_dir` (see the module docs).
pub fn ensure(data_dir: &Path, now: OffsetDateTime) -> Result<DevCertificates, TlsError> {
    let dir = data_dir.join(DIR);
    let ca_cert = dir.join("ca.pem");
    let ca_key = dir.join("ca-key.pem");
    let server = TlsFiles {
        cert: dir.join("server.pem"),
        key: dir.join("server-key.pem"),
    };
    let ca_there = ca_cert.is_file() && ca_key.is_file();
    if ca_there && server.load(now).is_ok() {
        return Ok(DevCertificates {
            ca_cert,
            server,
            made: Made::Nothing,
        });
    }
    std::fs::create_dir_all(&dir).map_err(|source| TlsError::Write {
        path: dir.clone(),
        source,
    })?;
    let (ca_key_pair, made) = if ca_there {
        let pem = std::fs::read_to_string(&ca_key).map_err(|source| TlsError::Read {
            path: ca_key.clone(),
            source,
        })?;
        (
            KeyPair::from_pem(&pem).map_err(TlsError::Generate)?,
            Made::ServerCertificate,
        )
    } else {
        let key = KeyPair::generate().map_err(TlsError::Generate)?;
        let cert = ca_params(now)
            .self_signed(&key)
            .map_err(TlsError::Generate)?;
        write_atomically(&ca_key, &key.serialize_pem(), true)?;
        write_atomically(&ca_cert, &cert.pem(), false)?;
        (key, Made::Everything)
    };
    // The issuer needs only the CA's name, key usages and key: the same parameters as made it.
    let issuer = Issuer::new(ca_params(now), ca_key_pair);
    let key = KeyPair::generate().map_err(TlsError::Generate)?;
    let cert = server_params(
        &SERVER_NAMES,
        now - Duration::days(1),
        now + Duration::days(SERVER_VALIDITY_DAYS),
    )?
    .signed_by(&key, &issuer)
    .map_err(TlsError::Generate)?;
    write_atomically(&server.key, &key.serialize_pem(), true)?;
    write_atomically(&server.cert, &cert.pem(), false)?;
    Ok(DevCertificates {
        ca_cert,
        server,
        made,
    })
}

/// How clients trust the development CA at `ca_cert` (serving on `port`), one line each.
pub fn trust_lines(ca_cert: &Path, port: u16) -> Vec<String> {
    let ca = ca_cert.display();
    vec![
        format!(
            "  Python (requests, azure-eventgrid): export REQUESTS_CA_BUNDLE={ca}  (or connection_verify=\"{ca}\")"
        ),
        format!("  Node (@azure/eventgrid-namespaces): export NODE_EXTRA_CA_CERTS={ca}"),
        format!("  curl: curl --cacert {ca} https://localhost:{port}/_gridlog/health"),
        format!(
            "  gridlog publish/receive/bench/top: export GRIDLOG_CA_FILE={ca}  (or --ca-file {ca})"
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_once_then_reused_and_reissued_by_the_same_ca() {
        let dir = tempfile::tempdir().unwrap();
        let now = OffsetDateTime::now_utc();
        let first = ensure(dir.path(), now).unwrap();
        assert_eq!(first.made, Made::Everything);
        let loaded = first.server.load(now).unwrap();
        let again = ensure(dir.path(), now).unwrap();
        assert_eq!(again.made, Made::Nothing);
        assert_eq!(again.server.load(now).unwrap().info, loaded.info);
        let ca = std::fs::read(&first.ca_cert).unwrap();
        // Past the server certificate's end, it is issued again; the CA stays.
        let later = now + Duration::days(SERVER_VALIDITY_DAYS + 1);
        let third = ensure(dir.path(), later).unwrap();
        assert_eq!(third.made, Made::ServerCertificate);
        assert_eq!(std::fs::read(&third.ca_cert).unwrap(), ca);
        assert_ne!(third.server.load(later).unwrap().info, loaded.info);
    }
}
