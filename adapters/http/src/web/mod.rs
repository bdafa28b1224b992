//! The web chat at `/` and the admin dashboard at `/admin`: pages, scripts
//! and a style sheet compiled into the binary, so `cargo run` serves them
//! offline with no build step. They speak the public API (REST and
//! Socket.IO) like any other client, and the API decides what each user may
//! do; the dashboard's page is public, its figures are admins' only.

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// What the pages may load: only this server's scripts, styles and API
/// (stories' pictures from any http(s) address, call media from the
/// browser), never inline script, never inside another site's frame.
const POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
    img-src 'self' https: http: data:; media-src 'self' blob: mediastream:; \
    connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/// The assets under `/web/`, by name: (content type, text).
const ASSETS: [(&str, &str, &str); 4] = [
    (
        "client.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/client.js"),
    ),
    (
        "chat.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/chat.js"),
    ),
    (
        "admin.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/admin.js"),
    ),
    (
        "style.css",
        "text/css; charset=utf-8",
        include_str!("assets/style.css"),
    ),
];

/// `/` (the chat), `/admin` (the dashboard) and `/web/{asset}`. Meant for a
/// host's root: the pages find the API and their assets relative to it.
/// They get the API's edge layers (access log with request id, metrics by
/// route, contained panics).
pub fn routes() -> Router {
    crate::routes::edge(
        Router::new()
            .route(
                "/",
                get(|| async { page(include_str!("assets/index.html")) }),
            )
            .route(
                "/admin",
                get(|| async { page(include_str!("assets/admin.html")) }),
            )
            .route("/web/{name}", get(asset)),
    )
}

/// An HTML page with its security headers.
fn page(html: &'static str) -> Response {
    let mut response = text("text/html; charset=utf-8", html);
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(POLICY),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    response
}

/// `GET /web/{name}`.
async fn asset(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|(asset, _, _)| *asset == name) {
        Some((_, kind, body)) => text(kind, body),
        None => crate::error::not_found().await.into_response(),
    }
}

/// `body` as `kind`; browsers check with the server before reusing it, so a
/// new build's assets are picked up at once.
fn text(kind: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "no-cache"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}
