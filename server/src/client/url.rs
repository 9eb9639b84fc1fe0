//! An `http://` or `https://` URL split for a request.

/// `http` or `https`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// Plain HTTP (port 80 by default).
    Http,
    /// HTTP over TLS (port 443 by default).
    Https,
}

/// Why a URL was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// Neither `http://` nor `https://`.
    #[error("only http:// and https:// URLs are supported")]
    Scheme,
    /// No host, user info, or a host that is not a valid name or address.
    #[error("no valid host (user info is not supported)")]
    BadHost,
}

/// A URL split for a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    /// `http` or `https`.
    pub scheme: Scheme,
    /// `host:port` to connect to (the scheme's port when absent).
    pub authority: String,
    /// The `Host` header value (as written).
    pub host: String,
    /// The name the server's certificate must be for: the host without port or brackets.
    pub server_name: String,
    /// Path and query, starting with `/`.
    pub path_and_query: String,
}

impl Url {
    /// Parses `http[s]://host[:port][/path][?query]`.
    pub fn parse(url: &str) -> Result<Self, UrlError> {
        let (scheme, rest, default_port) = if let Some(rest) = url.strip_prefix("http://") {
            (Scheme::Http, rest, 80)
        } else if let Some(rest) = url.strip_prefix("https://") {
            (Scheme::Https, rest, 443)
        } else {
            return Err(UrlError::Scheme);
        };
        let (host, path) = match rest.find(['/', '?']) {
            Some(i) if rest.as_bytes()[i] == b'/' => (&rest[..i], rest[i..].to_owned()),
            Some(i) => (&rest[..i], format!("/{}", &rest[i..])),
            None => (rest, "/".to_owned()),
        };
        if host.is_empty() || host.contains('@') {
            return Err(UrlError::BadHost);
        }
        let port = host
            .rsplit_once(':')
            .filter(|(_, port)| port.parse::<u16>().is_ok() && !host.ends_with(']'));
        let (name, authority) = match port {
            Some((name, _)) => (name, host.to_owned()),
            None => (host, format!("{host}:{default_port}")),
        };
        let server_name = name
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        if server_name.is_empty() {
            return Err(UrlError::BadHost);
        }
        Ok(Self {
            scheme,
            authority,
            host: host.to_owned(),
            server_name,
            path_and_query: path,
        })
    }
}

impl std::fmt::Display for Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = match self.scheme {
            Scheme::Http => "http",
            Scheme::Https => "https",
        };
        write!(f, "{scheme}://{}{}", self.host, self.path_and_query)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let u = Url::parse("http://127.0.0.1:9000/hook?x=1").unwrap();
        assert_eq!(u.authority, "127.0.0.1:9000");
        assert_eq!(u.path_and_query, "/hook?x=1");
        assert_eq!(u.server_name, "127.0.0.1");
        let u = Url::parse("http://example.com").unwrap();
        assert_eq!(
            (u.authority.as_str(), u.path_and_query.as_str()),
            ("example.com:80", "/")
        );
        let u = Url::parse("https://ns.westus-1.eventgrid.azure.net/topics/t:publish").unwrap();
        assert_eq!(u.scheme, Scheme::Https);
        assert_eq!(u.authority, "ns.westus-1.eventgrid.azure.net:443");
        assert_eq!(u.server_name, "ns.westus-1.eventgrid.azure.net");
        let u = Url::parse("https://[::1]:8443/x").unwrap();
        assert_eq!(
            (u.authority.as_str(), u.server_name.as_str()),
            ("[::1]:8443", "::1")
        );
        let u = Url::parse("http://h:1?q").unwrap();
        assert_eq!(u.path_and_query, "/?q");
        assert_eq!(Url::parse("ftp://h/"), Err(UrlError::Scheme));
        assert_eq!(Url::parse("http:///x"), Err(UrlError::BadHost));
        assert_eq!(Url::parse("http://u@h/"), Err(UrlError::BadHost));
    }
}
