//! `gridlog serve` serves the web console at `/_gridlog/console/` on its one listener (its files
//! need no credentials; the data behind them does), and `--no-console` leaves it out.
#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests")]

mod common;

use std::net::SocketAddr;
use std::path::Path;

use gridlog_testkit::serve::Served;

const KEY: &str = "console-test-key";

fn serve(extra: &[&str]) -> Served {
    Served::start(Path::new(env!("CARGO_BIN_EXE_gridlog")), None, KEY, extra)
}

fn get(addr: SocketAddr, path: &str) -> common::Reply {
    let raw = format!("GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    common::send_raw(addr, raw.as_bytes())
}

#[test]
fn serve_has_the_console_unless_told_not_to() {
    let on = serve(&[]);
    let page = get(on.addr, "/_gridlog/console/");
    assert_eq!(page.status, 200, "{}", page.text());
    assert!(page.text().contains("login-form"));
    assert!(
        page.header("content-security-policy")
            .is_some_and(|csp| csp.contains("script-src 'self'"))
    );
    assert_eq!(get(on.addr, "/_gridlog/console/console.js").status, 200);
    assert_eq!(get(on.addr, "/_gridlog/topics").status, 401);
    drop(on);

    let off = serve(&["--no-console"]);
    assert_eq!(get(off.addr, "/_gridlog/console/").status, 404);
    assert_eq!(get(off.addr, "/_gridlog/console/console.js").status, 404);
}
