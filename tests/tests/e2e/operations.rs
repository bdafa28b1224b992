//! Health, metrics, OpenAPI and docs, handshake auth, transports, and
//! durability across a restart.

use chatchit_tests::Transport;
use chatchit_tests::{TestServer, TestSocket, test_config};
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn health_reports_live_and_ready() {
    let s = TestServer::start().await;
    let live = s
        .http
        .get(format!("{}/health/live", s.base))
        .send()
        .await
        .expect("live");
    assert_eq!(live.status(), StatusCode::OK);
    let ready: serde_json::Value = s
        .http
        .get(format!("{}/health/ready", s.base))
        .send()
        .await
        .expect("ready")
        .json()
        .await
        .expect("json");
    assert_eq!(
        ready,
        json!({"status": "ok", "checks": {"database": "ok", "cache": "ok", "queue": "ok"}})
    );
}

#[tokio::test]
async fn metrics_count_sockets_events_and_latency() {
    let s = TestServer::start().await;
    let alice = s.register("alice").await;
    let c = s.group(&alice, &[]).await;
    let socket = s.socket(&alice.token).await;
    // Alice's second socket hears the message once its fan-out went through
    // the queue (the ack comes after the commit, not after the fan-out).
    let mut other = s.socket(&alice.token).await;
    socket
        .emit(
            "message:send",
            json!({"conversationId": c, "clientMsgId": "m", "body": "count me"}),
        )
        .await;
    other.expect("message:new").await;
    let text = s
        .http
        .get(format!("{}/metrics", s.base))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(text.contains("chatchit_connected_sockets"), "{text}");
    assert!(
        text.contains(r#"chatchit_events_handled_total{event="message:send",outcome="ok"}"#),
        "{text}"
    );
    assert!(
        text.contains(r#"chatchit_event_duration_seconds_bucket{event="message:send""#),
        "{text}"
    );
    // The message's fan-out went through the queue: its lane's wait was
    // measured (the recorder is the process's, so the count only grows).
    let waited: f64 = text
        .lines()
        .find_map(|l| l.strip_prefix(r#"chatchit_queue_wait_seconds_count{lane="high"} "#))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_default();
    assert!(waited >= 1.0, "{text}");
}

#[tokio::test]
async fn the_bearer_scheme_is_read_in_any_case() {
    let s = TestServer::start().await;
    let alice = s.register("alice").await;
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let answer = s
            .http
            .get(format!("{}/api/v1/me", s.base))
            .header("authorization", format!("{scheme} {}", alice.token))
            .send()
            .await
            .expect("answered");
        assert_eq!(answer.status(), StatusCode::OK, "{scheme}");
    }
}

#[tokio::test]
async fn every_rest_answer_carries_a_request_id() {
    let s = TestServer::start().await;
    let fresh = s
        .http
        .get(format!("{}/health/live", s.base))
        .send()
        .await
        .expect("answered");
    let id = fresh.headers()["x-request-id"].to_str().expect("text");
    assert!(uuid::Uuid::parse_str(id).is_ok(), "{id}");
    let given = s
        .http
        .get(format!("{}/api/v1/me", s.base))
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .expect("answered");
    assert_eq!(given.headers()["x-request-id"], "trace-me-42");
}

#[tokio::test]
async fn a_method_a_route_does_not_take_is_answered_in_the_envelope_with_allow() {
    let s = TestServer::start().await;
    let answer = s
        .http
        .put(format!("{}/api/v1/me", s.base))
        .send()
        .await
        .expect("answered");
    assert_eq!(answer.status(), StatusCode::METHOD_NOT_ALLOWED);
    let allow = answer.headers()["allow"].to_str().expect("text").to_owned();
    assert!(allow.contains("GET") && allow.contains("PATCH"), "{allow}");
    let body: serde_json::Value = answer.json().await.expect("the envelope");
    assert_eq!(body["error"]["code"], "method_not_allowed");
}

#[tokio::test]
async fn openapi_covers_every_route_and_docs_work_offline() {
    let s = TestServer::start().await;
    let spec: serde_json::Value = s
        .http
        .get(format!("{}/api/openapi.json", s.base))
        .send()
        .await
        .expect("spec")
        .json()
        .await
        .expect("json");
    let expected = [
        ("/api/v1/auth/register", "post"),
        ("/api/v1/auth/login", "post"),
        ("/api/v1/auth/refresh", "post"),
        ("/api/v1/auth/logout", "post"),
        ("/api/v1/me", "get"),
        ("/api/v1/me", "patch"),
        ("/api/v1/users/{id}", "get"),
        ("/api/v1/users", "get"),
        ("/api/v1/conversations", "get"),
        ("/api/v1/conversations/direct", "post"),
        ("/api/v1/conversations/group", "post"),
        ("/api/v1/conversations/{id}", "get"),
        ("/api/v1/conversations/{id}", "patch"),
        ("/api/v1/conversations/{id}/members", "post"),
        ("/api/v1/conversations/{id}/members/{user_id}", "delete"),
        ("/api/v1/conversations/{id}/members/{user_id}", "patch"),
        ("/api/v1/conversations/{id}/messages", "get"),
        ("/api/v1/conversations/{id}/messages", "post"),
        ("/api/v1/friends", "get"),
        ("/api/v1/friends/requests", "get"),
        ("/api/v1/friends/requests", "post"),
        ("/api/v1/friends/requests/{id}/accept", "post"),
        ("/api/v1/friends/requests/{id}/decline", "post"),
        ("/api/v1/friends/requests/{id}", "delete"),
        ("/api/v1/friends/{user_id}", "delete"),
        ("/api/v1/blocks", "get"),
        ("/api/v1/blocks/{user_id}", "put"),
        ("/api/v1/blocks/{user_id}", "delete"),
        ("/api/v1/calls", "get"),
        ("/api/v1/stories", "post"),
        ("/api/v1/stories", "get"),
        ("/api/v1/stories/{id}", "get"),
        ("/api/v1/stories/{id}", "delete"),
        ("/api/v1/stories/{id}/views", "post"),
        ("/api/v1/stories/{id}/views", "get"),
        ("/api/v1/stories/{id}/like", "put"),
        ("/api/v1/stories/{id}/like", "delete"),
        ("/api/v1/stories/{id}/comments", "post"),
        ("/api/v1/stories/{id}/comments", "get"),
        ("/api/v1/reports", "post"),
        ("/api/v1/admin/reports", "get"),
        ("/api/v1/admin/reports/{id}/resolve", "post"),
        ("/api/v1/admin/users", "get"),
        ("/api/v1/admin/users/{id}/ban", "post"),
        ("/api/v1/admin/users/{id}/unban", "post"),
        ("/api/v1/admin/stats", "get"),
        ("/api/v1/admin/dead-letters/replay", "post"),
        ("/health/live", "get"),
        ("/health/ready", "get"),
    ];
    for (path, method) in expected {
        assert!(
            spec["paths"][path][method].is_object(),
            "{method} {path} missing from the OpenAPI document"
        );
    }
    for page in ["/docs", "/docs/rest/", "/docs/realtime"] {
        let answer = s
            .http
            .get(format!("{}{page}", s.base))
            .send()
            .await
            .expect("docs");
        assert_eq!(answer.status(), StatusCode::OK, "{page}");
        let html = answer.text().await.expect("html");
        assert!(
            !html.contains("src=\"http") && !html.contains("href=\"http"),
            "{page} must not load anything from the network"
        );
        if page == "/docs/realtime" {
            for event in &s.events {
                assert!(
                    html.contains(&format!("<code>{event}</code>")),
                    "{event} on {page}"
                );
            }
        }
    }
    let config = s
        .http
        .get(format!("{}/docs/rest/swagger-initializer.js", s.base))
        .send()
        .await
        .expect("swagger config")
        .text()
        .await
        .expect("js");
    assert!(config.contains("../../api/openapi.json"), "{config}");
}

#[tokio::test]
async fn handshakes_without_a_valid_token_fail_with_unauthorized() {
    let s = TestServer::start().await;
    let missing = TestSocket::refused(&s.base, json!({})).await;
    assert!(missing.contains("unauthorized"), "{missing}");
    let bad = TestSocket::refused(&s.base, json!({"token": "garbage"})).await;
    assert!(bad.contains("unauthorized"), "{bad}");
}

#[tokio::test]
async fn long_polling_clients_chat_too() {
    let s = TestServer::start().await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    let c = s.group(&alice, &[&bob]).await;
    let a = TestSocket::connect(&s.base, json!({"token": alice.token}), Transport::Polling).await;
    let mut b = TestSocket::connect(&s.base, json!({"token": bob.token}), Transport::Polling).await;
    let ack = a
        .emit(
            "message:send",
            json!({"conversationId": c, "clientMsgId": "p", "body": "over polling"}),
        )
        .await;
    assert_eq!(ack["ok"], true, "{ack}");
    assert_eq!(b.expect("message:new").await["body"], "over polling");
}

#[tokio::test]
async fn acknowledged_messages_survive_a_restart() {
    let dir = tempfile::tempdir().expect("dir");
    let config = test_config(dir.path()).await;
    let s = TestServer::start_with(dir, config.clone()).await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    let c = s.group(&alice, &[&bob]).await;
    let socket = s.socket(&alice.token).await;
    for i in 0..5 {
        let ack = socket
            .emit("message:send", json!({"conversationId": c, "clientMsgId": format!("r{i}"), "body": format!("m{i}")}))
            .await;
        assert_eq!(ack["ok"], true);
    }
    socket.close().await;
    let dir = s.stop().await;

    let s = TestServer::start_with(dir, config).await;
    let (bob_again, _) = s.login("bob").await;
    let token = bob_again.token.as_str();
    let (_, page) = s
        .get(&format!("/api/v1/conversations/{c}/messages"), token)
        .await;
    let bodies: Vec<_> = page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| m["body"].clone())
        .collect();
    assert_eq!(
        bodies,
        vec![
            json!("m4"),
            json!("m3"),
            json!("m2"),
            json!("m1"),
            json!("m0")
        ]
    );
    assert_eq!(
        s.get("/api/v1/me", &bob.token).await.0,
        StatusCode::OK,
        "the generated JWT secret was kept"
    );
}

#[tokio::test]
async fn the_web_chat_and_dashboard_are_served_from_the_binary() {
    let s = TestServer::start().await;
    let http = reqwest::Client::new();
    for (path, kind) in [
        ("/", "text/html"),
        ("/admin", "text/html"),
        ("/web/chat.js", "text/javascript"),
        ("/web/admin.js", "text/javascript"),
        ("/web/client.js", "text/javascript"),
        ("/web/style.css", "text/css"),
    ] {
        let answer = http
            .get(format!("{}{path}", s.base))
            .send()
            .await
            .expect("answer");
        assert_eq!(answer.status(), StatusCode::OK, "{path}");
        let headers = answer.headers();
        assert!(
            headers["content-type"]
                .to_str()
                .is_ok_and(|t| t.starts_with(kind)),
            "{path}: {headers:?}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        // The API's edge layers serve the pages too: logged with an id.
        assert!(headers.contains_key("x-request-id"), "{path}: {headers:?}");
        if kind == "text/html" {
            let policy = headers["content-security-policy"].to_str().expect("text");
            assert!(policy.contains("script-src 'self'"), "{policy}");
            assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
        }
        assert!(!answer.text().await.expect("body").is_empty(), "{path}");
    }
    let (status, body) = s
        .call(reqwest::Method::GET, "/web/../Cargo.toml", None, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let (status, body) = s
        .call(reqwest::Method::GET, "/web/nothing.js", None, None)
        .await;
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (StatusCode::NOT_FOUND, serde_json::json!("not_found"))
    );
}
