//! The web console (`/_gridlog/console/`, issue #22): a login page and a single-page app that
//! shows what is in the namespace through the ordinary API (the management API, `:peek`,
//! `:publish`, `:republishDeadLetters`), with the access key the user typed kept in the
//! browser's `sessionStorage` and sent as the `Authorization` header of each call.
//!
//! What this module serves is static and the same for everyone: the page, its script and its
//! style sheet, embedded in the binary (`include_str!`). They hold no data, so serving them
//! without credentials shows nothing but the login form; every figure and event the console
//! shows comes from an authenticated API call. Each answer carries a Content-Security-Policy
//! that allows only these same-origin files (no inline script or style, no other origin, no
//! framing), and the script only ever puts event content into the page as text.
//!
//! The Namespace page has a section for Event Hubs entities, filled from an `eventHubs` member
//! of `GET /_gridlog/namespace` when the server reports one (`[{"name", "partitions": […] or
//! "partitionCount", "events"}]`); until then it says none are reported.
//!
//! `gridlog serve --no-console` leaves it out ([`crate::http::App::with_console`]).

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Response, StatusCode};

/// Where the console is served.
pub const CONSOLE_PATH: &str = "/_gridlog/console";

/// The policy of every console answer: same-origin script, style, images and API calls only.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; \
     frame-ancestors 'none'; base-uri 'none'";

/// (file name under [`CONSOLE_PATH`], content type, bytes).
const ASSETS: [(&str, &str, &str); 3] = [
    (
        "",
        "text/html; charset=utf-8",
        include_str!("assets/index.html"),
    ),
    (
        "console.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/console.js"),
    ),
    (
        "console.css",
        "text/css; charset=utf-8",
        include_str!("assets/console.css"),
    ),
];

/// Most bytes the console's embedded files may take in the binary (they are 35 KB): the issue
/// allows the console a few hundred KB in all, code included.
pub const CONSOLE_ASSET_BYTES_MAX: usize = 64 * 1024;

const _: () = assert!(
    ASSETS[0].2.len() + ASSETS[1].2.len() + ASSETS[2].2.len() <= CONSOLE_ASSET_BYTES_MAX,
    "the console's files outgrew their budget"
);

/// Is `path` the console's?
pub fn is_console_path(path: &str) -> bool {
    path.strip_prefix(CONSOLE_PATH)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Why a console request is not answered with a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsoleError {
    /// No such file.
    NotFound,
    /// Not `GET` or `HEAD`.
    MethodNotAllowed,
}

/// The answer to `method path` (a console path, [`is_console_path`]).
pub fn respond(method: &Method, path: &str) -> Result<Response<Full<Bytes>>, ConsoleError> {
    if method != Method::GET && method != Method::HEAD {
        return Err(ConsoleError::MethodNotAllowed);
    }
    let rest = path.strip_prefix(CONSOLE_PATH).unwrap_or(path);
    if rest.is_empty() {
        // The page's relative links need the trailing slash.
        let mut response = with_headers(Response::new(Full::new(Bytes::new())));
        *response.status_mut() = StatusCode::PERMANENT_REDIRECT;
        response.headers_mut().insert(
            header::LOCATION,
            HeaderValue::from_static("/_gridlog/console/"),
        );
        return Ok(response);
    }
    let name = rest.strip_prefix('/').unwrap_or(rest);
    let (_, content_type, text) = ASSETS
        .iter()
        .find(|(file, _, _)| *file == name)
        .ok_or(ConsoleError::NotFound)?;
    let body = if method == Method::HEAD {
        Bytes::new()
    } else {
        Bytes::from_static(text.as_bytes())
    };
    let mut response = with_headers(Response::new(Full::new(body)));
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    Ok(response)
}

fn with_headers(mut response: Response<Full<Bytes>>) -> Response<Full<Bytes>> {
    let headers = response.headers_mut();
    for (name, value) in [
        ("content-security-policy", CONTENT_SECURITY_POLICY),
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        ("cache-control", "no-cache"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        for yes in [
            "/_gridlog/console",
            "/_gridlog/console/",
            "/_gridlog/console/x",
        ] {
            assert!(is_console_path(yes), "{yes}");
        }
        for no in [
            "/_gridlog/consoles",
            "/_gridlog/",
            "/console",
            "/_gridlog/consolex/",
        ] {
            assert!(!is_console_path(no), "{no}");
        }
    }

    #[test]
    fn files_and_refusals() {
        let page = respond(&Method::GET, "/_gridlog/console/").expect("page");
        assert_eq!(page.status(), StatusCode::OK);
        assert_eq!(
            page.headers()["content-security-policy"],
            CONTENT_SECURITY_POLICY
        );
        let redirect = respond(&Method::GET, "/_gridlog/console").expect("redirect");
        assert_eq!(redirect.status(), StatusCode::PERMANENT_REDIRECT);
        assert!(respond(&Method::GET, "/_gridlog/console/console.js").is_ok());
        assert!(respond(&Method::HEAD, "/_gridlog/console/console.css").is_ok());
        assert_eq!(
            respond(&Method::GET, "/_gridlog/console/../metrics").err(),
            Some(ConsoleError::NotFound)
        );
        assert_eq!(
            respond(&Method::POST, "/_gridlog/console/").err(),
            Some(ConsoleError::MethodNotAllowed)
        );
    }

    /// The page has no inline script or style (the policy would block them) and loads only its
    /// own files.
    #[test]
    fn the_page_needs_nothing_the_policy_forbids() {
        let (_, _, html) = ASSETS[0];
        assert!(!html.contains("<script>"), "inline script");
        assert!(!html.contains("style="), "inline style");
        assert!(!html.contains("<style"), "inline style sheet");
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "another origin"
        );
        let (_, _, js) = ASSETS[1];
        assert!(
            !js.contains("innerHTML"),
            "event content is put in as text only"
        );
        assert!(!js.contains("eval("), "no eval");
        assert!(
            !js.contains("localStorage"),
            "the key stays in sessionStorage"
        );
    }
}
