//! Fuzz targets through the real server, on the stable toolchain: arbitrary
//! payloads for every event of the handler registry, arbitrary bodies for
//! every REST write, arbitrary query strings for every read and arbitrary
//! bearer tokens. Whatever comes, the answer is a protocol error (never a
//! 5xx, never a dropped ack, never a panic) and the server carries on.
//! `CHATCHIT_FUZZ_CASES` sets the cases per target (`scripts/fuzz.sh` runs
//! them for as long as it is told).

use chatchit_tests::fuzz::{cases, draw, json_value, query, runner, token};
use chatchit_tests::raw::{next_text, raw_socket};
use chatchit_tests::{TestServer, filled};
use futures_util::SinkExt;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

/// The error codes an ack or a REST answer may carry.
const CODES: &[&str] = &[
    "bad_request",
    "validation",
    "unauthorized",
    "forbidden",
    "not_found",
    "conflict",
    "rate_limited",
    "payload_too_large",
    "method_not_allowed",
];

/// A server whose quotas do not get in the fuzzer's way.
async fn unlimited() -> TestServer {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = chatchit_tests::test_config(dir.path()).await;
    for limit in [
        &mut config.rate_limits.message_send,
        &mut config.rate_limits.other_events,
        &mut config.rate_limits.typing,
        &mut config.rate_limits.rest_write,
        &mut config.rate_limits.auth,
        &mut config.rate_limits.login_attempt,
        &mut config.rate_limits.call_invite,
        &mut config.rate_limits.call_ring,
        &mut config.rate_limits.group_create,
        &mut config.rate_limits.member_add,
        &mut config.rate_limits.story_post,
        &mut config.rate_limits.story_comment,
        &mut config.rate_limits.friend_request,
        &mut config.rate_limits.report,
    ] {
        limit.per_minute = 0;
    }
    TestServer::start_with(dir, config).await
}

fn assert_protocol_error(what: &str, status: StatusCode, body: &str) {
    assert!(!status.is_server_error(), "{what}: {status} {body}");
    if status.is_client_error() {
        let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
        let code = v["error"]["code"].as_str().unwrap_or_default();
        assert!(CODES.contains(&code), "{what}: {status} {body}");
    }
}

#[tokio::test]
async fn fuzz_every_events_payload() {
    let s = unlimited().await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    let _c = s.group(&alice, &[&bob]).await;
    let mut ws = raw_socket(&s, &alice.token).await;
    let mut runner = runner();
    let strategy = json_value();
    let mut id = 0u64;
    for _ in 0..cases() {
        for event in &s.events {
            id += 1;
            let payload = draw(&mut runner, &strategy);
            let frame = format!("42{id}{}", json!([event, payload]));
            ws.send(Message::text(frame.clone())).await.expect("send");
            let answer = next_text(&mut ws).await.expect("the socket stays open");
            let prefix = format!("43{id}");
            let ack = answer
                .strip_prefix(&prefix)
                .unwrap_or_else(|| panic!("{frame} answered {answer}"));
            let ack: Value = serde_json::from_str(ack).expect("JSON");
            if ack[0]["ok"] != true {
                let code = ack[0]["error"]["code"].as_str().unwrap_or_default();
                assert!(CODES.contains(&code), "{frame} answered {answer}");
            }
        }
    }
    let (status, _) = s.get("/api/v1/me", &alice.token).await;
    assert_eq!(status, StatusCode::OK, "the server carries on");
}

#[tokio::test]
async fn fuzz_every_rest_body_query_and_token() {
    let s = unlimited().await;
    let alice = s.register("alice").await;
    let operations = s.operations().await;
    let mut runner = runner();
    let (bodies, queries, tokens) = (json_value(), query(), token());
    for _ in 0..cases() {
        for (method, template, _) in &operations {
            let path = filled(template, &uuid::Uuid::now_v7().to_string());
            let mut request = s
                .http
                .request(method.clone(), format!("{}{path}", s.base))
                .bearer_auth(&alice.token);
            if *method == Method::GET {
                let q = draw(&mut runner, &queries);
                request = s
                    .http
                    .request(method.clone(), format!("{}{path}?{q}", s.base))
                    .bearer_auth(&alice.token);
            } else if *method != Method::DELETE {
                request = request.json(&draw(&mut runner, &bodies));
            }
            let res = request.send().await.expect("an answer");
            let status = res.status();
            let body = res.text().await.expect("body");
            assert_protocol_error(&format!("{method} {path}"), status, &body);
        }
        let bearer = draw(&mut runner, &tokens);
        if axum_header_ok(&bearer) {
            let res = s
                .http
                .get(format!("{}/api/v1/me", s.base))
                .bearer_auth(&bearer)
                .send()
                .await
                .expect("an answer");
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "token {bearer:?}");
        }
    }
    let (status, _) = s.get("/api/v1/me", &alice.token).await;
    assert_eq!(status, StatusCode::OK, "the server carries on");
}

/// Whether `token` can travel in a header at all.
fn axum_header_ok(token: &str) -> bool {
    reqwest::header::HeaderValue::from_str(&format!("Bearer {token}")).is_ok()
}
