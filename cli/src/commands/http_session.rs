//! The tools' HTTP side (`--endpoint`, `--key`, `--ca-file`): an [`Endpoint`] and the
//! [`Session`]s on it, each one kept-alive connection through `gridlog_server::client` (plain
//! HTTP or HTTPS, verified against the system roots and the CA file), driven from blocking code
//! by the session's own single-threaded runtime. Used by the event commands, `bench` and `top`.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hyper::Method;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE};

use gridlog_server::client::{self, ClientError, Connection, HttpClient, Response, Url};

/// How often a cancellable request checks whether it should give up.
const CANCEL_POLL: Duration = Duration::from_millis(20);

/// Why a request to the endpoint got no answer.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// `--endpoint` is not an `http://` or `https://` URL.
    #[error("--endpoint must start with http:// or https:// (got '{endpoint}'): {source}")]
    Endpoint {
        /// What was given.
        endpoint: String,
        /// Why it was refused.
        source: client::url::UrlError,
    },
    /// The client could not be set up (the CA file) or the exchange failed.
    #[error("{endpoint}: {source}")]
    Client {
        /// The endpoint.
        endpoint: String,
        /// What failed.
        source: ClientError,
    },
    /// The request was given up (a cancellable request whose caller stopped waiting).
    #[error("the request was cancelled")]
    Cancelled,
    /// The session's runtime could not be started.
    #[error("starting the HTTP client's runtime: {0}")]
    Runtime(std::io::Error),
}

/// A server the tools talk to: its URL (a path prefix allowed), key and client.
#[derive(Debug)]
pub struct Endpoint {
    text: String,
    url: Url,
    /// Path prefix, no trailing `/` (empty for none).
    prefix: String,
    authorization: Option<String>,
    client: HttpClient,
}

/// The credentials and trust that go with an `--endpoint`: shared by the event commands,
/// `bench` and `top`.
#[derive(Debug, Clone, clap::Args)]
pub struct Access {
    /// Access key for --endpoint (env GRIDLOG_KEY).
    #[arg(long)]
    pub key: Option<String>,
    /// Extra CA certificates (PEM) to trust for an https:// endpoint, e.g. the CA of
    /// `serve --tls-self-signed` (env GRIDLOG_CA_FILE).
    #[arg(long, env = "GRIDLOG_CA_FILE")]
    pub ca_file: Option<std::path::PathBuf>,
}

impl Access {
    /// The endpoint `url` with this key (else `GRIDLOG_KEY`, when set and not blank) and CA file.
    pub fn endpoint(&self, url: &str) -> Result<Endpoint, SessionError> {
        let key = self.key.clone().or_else(|| {
            std::env::var("GRIDLOG_KEY")
                .ok()
                .filter(|key| !key.trim().is_empty())
        });
        Endpoint::new(url, key.as_deref(), self.ca_file.as_deref())
    }
}

impl Endpoint {
    /// `endpoint` (`http[s]://host:port[/prefix]`), with the access key `key` and, for
    /// `https://`, the extra trusted CA certificates of `ca_file`.
    pub fn new(
        endpoint: &str,
        key: Option<&str>,
        ca_file: Option<&Path>,
    ) -> Result<Self, SessionError> {
        let url = Url::parse(endpoint).map_err(|source| SessionError::Endpoint {
            endpoint: endpoint.to_owned(),
            source,
        })?;
        let client = HttpClient::for_url(&url, ca_file).map_err(|source| SessionError::Client {
            endpoint: endpoint.to_owned(),
            source,
        })?;
        let prefix = url
            .path_and_query
            .split('?')
            .next()
            .unwrap_or_default()
            .trim_end_matches('/')
            .to_owned();
        Ok(Self {
            text: endpoint.to_owned(),
            url,
            prefix,
            authorization: key.map(|k| format!("SharedAccessKey {k}")),
            client,
        })
    }

    /// The endpoint as given.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Is it `https://`?
    pub fn is_https(&self) -> bool {
        self.url.scheme == client::Scheme::Https
    }

    /// The parsed URL.
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The client (its TLS configuration).
    pub fn client(&self) -> &HttpClient {
        &self.client
    }

    fn error(&self, source: ClientError) -> SessionError {
        SessionError::Client {
            endpoint: self.text.clone(),
            source,
        }
    }
}

/// One kept-alive connection to an [`Endpoint`] (reopened when the server closed it).
#[derive(Debug)]
pub struct Session {
    endpoint: Arc<Endpoint>,
    runtime: tokio::runtime::Runtime,
    connection: Option<Connection>,
}

impl Session {
    /// A session on `endpoint` (it connects on the first request).
    pub fn new(endpoint: Arc<Endpoint>) -> Result<Self, SessionError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(SessionError::Runtime)?;
        Ok(Self {
            endpoint,
            runtime,
            connection: None,
        })
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// `method` on `path` (below the endpoint's prefix) with the key, `content_type` and
    /// `body`.
    pub fn call(
        &mut self,
        method: &Method,
        path: &str,
        content_type: Option<&str>,
        body: Bytes,
    ) -> Result<Response, SessionError> {
        self.call_cancellable(method, path, content_type, body, &|| false)
            .and_then(|answer| answer.ok_or(SessionError::Cancelled))
    }

    /// [`Session::call`], given up (`None`, the connection dropped) once `cancel()` holds.
    pub fn call_cancellable(
        &mut self,
        method: &Method,
        path: &str,
        content_type: Option<&str>,
        body: Bytes,
        cancel: &dyn Fn() -> bool,
    ) -> Result<Option<Response>, SessionError> {
        let endpoint = &*self.endpoint;
        let mut headers: Vec<(&str, &str)> = Vec::with_capacity(2);
        if let Some(authorization) = &endpoint.authorization {
            headers.push((AUTHORIZATION.as_str(), authorization));
        }
        if let Some(content_type) = content_type {
            headers.push((CONTENT_TYPE.as_str(), content_type));
        }
        let uri = format!("{}{path}", endpoint.prefix);
        let request = |body| client::request(&endpoint.url, method, &uri, &headers, body);
        // A request that changes nothing twice is sent again on a new connection when a kept
        // one turns out to be closed (the server may close an idle connection at any time).
        let retry = *method != Method::POST;
        let kept = self.connection.take().filter(|c| !c.is_closed());
        let result = self.runtime.block_on(async {
            let mut connection = match kept {
                Some(mut connection) if retry => {
                    match connection.send(request(body.clone())?).await {
                        Ok(answer) => return Ok((Some(answer), Some(connection))),
                        Err(_) => endpoint.client.connect(&endpoint.url).await?,
                    }
                }
                Some(connection) => connection,
                None => endpoint.client.connect(&endpoint.url).await?,
            };
            let cancelled = async {
                loop {
                    if cancel() {
                        return;
                    }
                    tokio::time::sleep(CANCEL_POLL).await;
                }
            };
            let request = request(body)?;
            tokio::select! {
                answer = connection.send(request) => answer.map(|a| (Some(a), Some(connection))),
                () = cancelled => Ok((None, None)),
            }
        });
        let (answer, connection) = result.map_err(|e| endpoint.error(e))?;
        self.connection = connection;
        Ok(answer)
    }
}
