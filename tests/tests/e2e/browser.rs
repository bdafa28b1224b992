//! In a browser: cross-origin access (off by default; for configured
//! origins, preflights are answered and REST and long-polling answers carry
//! the header; a page served from another origin signs in and chats in
//! Debian's Chromium with socket.io-client's default transports), and the
//! `/docs` pages rendering with the network cut off.

use chatchit_tests::{TestServer, test_config};
use reqwest::{Method, StatusCode};
use std::path::PathBuf;
use std::process::Command;

const ALLOW_ORIGIN: &str = "access-control-allow-origin";

async fn server_allowing(origins: &[&str]) -> TestServer {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = test_config(dir.path()).await;
    config.cors.allowed_origins = origins.iter().map(|o| (*o).to_owned()).collect();
    TestServer::start_with(dir, config).await
}

async fn preflight(s: &TestServer, origin: &str) -> reqwest::Response {
    s.http
        .request(Method::OPTIONS, format!("{}/api/v1/me", s.base))
        .header("origin", origin)
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "authorization")
        .send()
        .await
        .expect("answered")
}

#[tokio::test]
async fn no_origin_is_allowed_unless_configured() {
    let s = TestServer::start().await;
    let answer = preflight(&s, "http://page.example").await;
    assert!(answer.headers().get(ALLOW_ORIGIN).is_none());
}

#[tokio::test]
async fn configured_origins_get_preflights_and_headers_on_rest_and_polling() {
    let s = server_allowing(&["http://page.example"]).await;
    let answer = preflight(&s, "http://page.example").await;
    assert!(answer.status().is_success(), "{}", answer.status());
    assert_eq!(answer.headers()[ALLOW_ORIGIN], "http://page.example");
    let allowed = answer.headers()["access-control-allow-headers"]
        .to_str()
        .expect("text")
        .to_ascii_lowercase();
    assert!(allowed.contains("authorization"), "{allowed}");
    let other = preflight(&s, "http://elsewhere.example").await;
    assert!(other.headers().get(ALLOW_ORIGIN).is_none());
    let poll = s
        .http
        .get(format!("{}/socket.io/?EIO=4&transport=polling", s.base))
        .header("origin", "http://page.example")
        .send()
        .await
        .expect("handshake");
    assert_eq!(poll.status(), StatusCode::OK);
    assert_eq!(poll.headers()[ALLOW_ORIGIN], "http://page.example");
}

/// Runs `node <args>` in the browser kit and returns its output, which must
/// be one JSON line; panics, showing what it printed, when it fails.
async fn node(kit: PathBuf, args: Vec<String>) -> serde_json::Value {
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node")
            .args(&args)
            .current_dir(kit)
            .output()
            .expect("node runs")
    })
    .await
    .expect("driven");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_str(stdout.trim()).expect("one JSON line")
}

/// Where screenshots go (CI keeps `target/artifacts/`).
fn artifacts() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/artifacts");
    std::fs::create_dir_all(&dir).expect("artifacts folder");
    dir
}

/// `tests/browser`, its packages installed, when Node.js and Chromium are
/// here; `None` (skip) outside CI otherwise.
fn browser_kit() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("browser");
    if Command::new("node").arg("--version").output().is_err() {
        return chatchit_testkit::unavailable("the browser tests need Node.js");
    }
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if !std::path::Path::new(&chromium).exists() {
        return chatchit_testkit::unavailable(
            "the browser tests need Chromium (apt-get install chromium)",
        );
    }
    chatchit_tests::npm_installed(&dir);
    Some(dir)
}

#[tokio::test]
async fn a_page_from_another_origin_signs_in_and_chats_in_chromium() {
    let Some(kit) = browser_kit() else { return };
    let page = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let page_origin = format!(
        "http://127.0.0.1:{}",
        page.local_addr().expect("addr").port()
    );
    let html = std::fs::read_to_string(kit.join("cross-origin.html")).expect("page");
    let client =
        std::fs::read_to_string(kit.join("node_modules/socket.io-client/dist/socket.io.min.js"))
            .expect("socket.io-client");
    let site = axum::Router::new()
        .route(
            "/",
            axum::routing::get(move || async move { axum::response::Html(html) }),
        )
        .route(
            "/socket.io.min.js",
            axum::routing::get(move || async move {
                (
                    [(axum::http::header::CONTENT_TYPE, "text/javascript")],
                    client,
                )
            }),
        );
    let site = tokio::spawn(async move { axum::serve(page, site).await });
    let s = server_allowing(&[&page_origin]).await;
    let url = format!("{page_origin}/?server={}", s.base);
    let screenshot = artifacts().join("cross-origin.png");
    let result = node(
        kit,
        vec!["drive.mjs".into(), url, screenshot.display().to_string()],
    )
    .await;
    site.abort();
    assert_eq!(result["body"], "hello across origins");
    assert_eq!(
        result["upgraded"], true,
        "the default transports upgrade to a websocket"
    );
    assert_eq!(result["unread"], 0);
}

#[tokio::test]
async fn the_docs_render_in_chromium_without_the_network() {
    let Some(kit) = browser_kit() else { return };
    let s = TestServer::start().await;
    let shown = node(
        kit,
        vec![
            "docs.mjs".into(),
            s.base.clone(),
            artifacts().display().to_string(),
        ],
    )
    .await;
    assert!(shown["rest"].as_u64().is_some_and(|n| n >= 48), "{shown}");
    assert_eq!(
        shown["realtime"].as_u64(),
        Some(s.events.len() as u64 + 1),
        "{shown} (the commands and the handshake)"
    );
    assert!(shown["events"].as_u64().is_some_and(|n| n >= 23), "{shown}");
}

#[tokio::test]
async fn the_web_chat_and_the_dashboard_work_in_chromium() {
    let Some(kit) = browser_kit() else { return };
    let dir = tempfile::tempdir().expect("dir");
    let config = chatchit_tests::test_config(dir.path()).await;
    chatchit::seed::seed(&config).await.expect("demo data");
    chatchit::create_admin(&config, "root", "password123")
        .await
        .expect("admin");
    let s = TestServer::start_with(dir, config).await;
    let shown = node(
        kit,
        vec![
            "webchat.mjs".into(),
            s.base.clone(),
            artifacts().display().to_string(),
        ],
    )
    .await;
    assert_eq!(
        shown["steps"].as_array().map(Vec::len),
        Some(12),
        "every step ran: {shown}"
    );
    // What the pages did is stored, and bob's ban holds.
    let login = |name: &'static str| {
        let body = serde_json::json!({"username": name, "password": chatchit::seed::PASSWORD});
        s.call(Method::POST, "/api/v1/auth/login", None, Some(body))
    };
    let (status, ann) = login("ann").await;
    assert_eq!(status, StatusCode::OK, "{ann}");
    let token = ann["accessToken"].as_str().expect("token");
    let (_, page) = s.get("/api/v1/conversations", token).await;
    let direct = page["items"]
        .as_array()
        .and_then(|items| items.iter().find(|c| c["kind"] == "direct"))
        .and_then(|c| c["id"].as_str())
        .expect("the direct conversation")
        .to_owned();
    let bodies = s.stored_bodies(&direct, token).await;
    assert!(
        bodies.contains(&serde_json::json!("Hello from the browser, edited")),
        "{bodies:?}"
    );
    let (status, refused) = login("bob").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "bob is banned: {refused}");
}
