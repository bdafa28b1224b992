//! Rate limits: over the quota the answer is `rate_limited` (429 on REST), the
//! socket stays connected, and other users are unaffected.

use chatchit::Limit;
use chatchit_tests::{TestServer, test_config};
use reqwest::{Method, StatusCode};
use serde_json::json;

async fn limited_server() -> TestServer {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = test_config(dir.path()).await;
    config.rate_limits.message_send = Limit {
        per_minute: 1,
        burst: 3,
    };
    config.rate_limits.auth = Limit {
        per_minute: 1,
        burst: 5,
    };
    TestServer::start_with(dir, config).await
}

#[tokio::test]
async fn a_flooding_sender_is_limited_alone_and_stays_connected() {
    let s = limited_server().await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    let c = s.group(&alice, &[&bob]).await;
    let a = s.socket(&alice.token).await;
    let b = s.socket(&bob.token).await;
    for i in 0..3 {
        let ack = a
            .emit(
                "message:send",
                json!({"conversationId": c, "clientMsgId": format!("a{i}"), "body": "x"}),
            )
            .await;
        assert_eq!(ack["ok"], true, "{ack}");
    }
    let over = a
        .emit(
            "message:send",
            json!({"conversationId": c, "clientMsgId": "a3", "body": "x"}),
        )
        .await;
    assert_eq!(over["error"]["code"], "rate_limited");
    let other = b
        .emit(
            "message:send",
            json!({"conversationId": c, "clientMsgId": "b0", "body": "y"}),
        )
        .await;
    assert_eq!(other["ok"], true, "bob is unaffected");
    let still_up = a
        .emit("sync", json!({"conversationId": c, "afterSeq": 0}))
        .await;
    assert_eq!(
        still_up["data"]["messages"].as_array().expect("list").len(),
        4,
        "alice's socket is still connected"
    );
}

#[tokio::test]
async fn auth_endpoints_are_limited_per_ip() {
    let s = limited_server().await;
    s.register("alice").await;
    let login = || json!({"username": "alice", "password": "wrong-password"});
    for _ in 0..4 {
        let (status, _) = s
            .call(Method::POST, "/api/v1/auth/login", None, Some(login()))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let (status, v) = s
        .call(Method::POST, "/api/v1/auth/login", None, Some(login()))
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(v["error"]["code"], "rate_limited");
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_allowance() {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = test_config(dir.path()).await;
    config.trust_forwarded_for = true;
    config.rate_limits.auth = Limit {
        per_minute: 1,
        burst: 2,
    };
    let s = TestServer::start_with(dir, config).await;
    let login = |client: &str| {
        s.http
            .post(format!("{}/api/v1/auth/login", s.base))
            .header("x-forwarded-for", format!("203.0.113.9, {client}"))
            .json(&json!({"username": "nobody", "password": "wrong-password"}))
            .send()
    };
    for _ in 0..2 {
        let status = login("198.51.100.1").await.expect("login").status();
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let over = login("198.51.100.1").await.expect("login");
    assert_eq!(over.status(), StatusCode::TOO_MANY_REQUESTS);
    // One login a minute: the next is allowed within 60 s.
    assert_eq!(over.headers()["retry-after"], "60");
    let other = login("198.51.100.2").await.expect("login").status();
    assert_eq!(
        other,
        StatusCode::UNAUTHORIZED,
        "another client is not limited"
    );
}

/// Logs `username` in from `client` (a trusted `X-Forwarded-For`); the status.
async fn login_from(s: &TestServer, client: String, username: &str, password: &str) -> StatusCode {
    s.http
        .post(format!("{}/api/v1/auth/login", s.base))
        .header("x-forwarded-for", client)
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .expect("login")
        .status()
}

#[tokio::test]
async fn ipv6_clients_share_their_64_and_one_account_is_limited_from_every_address() {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = test_config(dir.path()).await;
    config.trust_forwarded_for = true;
    config.rate_limits.auth = Limit {
        per_minute: 1,
        burst: 2,
    };
    config.rate_limits.login_attempt = Limit {
        per_minute: 1,
        burst: 3,
    };
    let s = TestServer::start_with(dir, config).await;
    for host in ["2001:db8:7:7::1", "2001:db8:7:7::2"] {
        assert_eq!(
            login_from(&s, host.into(), "nobody", "wrong-password").await,
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        login_from(
            &s,
            "2001:db8:7:7:ffff::3".into(),
            "nobody",
            "wrong-password"
        )
        .await,
        StatusCode::TOO_MANY_REQUESTS,
        "a third address of the same /64 spends the same allowance"
    );
    let guesses: Vec<StatusCode> = futures_util::future::join_all(
        (1..=5).map(|i| login_from(&s, format!("198.51.100.{i}"), "victim", "guess-number")),
    )
    .await;
    let limited = guesses
        .iter()
        .filter(|s| **s == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(
        limited, 2,
        "three guesses per account, from any addresses: {guesses:?}"
    );
}

#[tokio::test]
async fn rest_and_socket_sends_share_one_budget_and_every_write_has_a_quota() {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = test_config(dir.path()).await;
    config.rate_limits.message_send = Limit {
        per_minute: 1,
        burst: 3,
    };
    config.rate_limits.story_post = Limit {
        per_minute: 1,
        burst: 2,
    };
    config.rate_limits.group_create = Limit {
        per_minute: 1,
        burst: 3,
    };
    config.rate_limits.other_events = Limit {
        per_minute: 1,
        burst: 2,
    };
    let s = TestServer::start_with(dir, config).await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    let c = s.group(&alice, &[&bob]).await;
    let socket = s.socket(&alice.token).await;
    let path = format!("/api/v1/conversations/{c}/messages");
    let rest_send = |key: &str| {
        s.post(
            &path,
            &alice.token,
            json!({"clientMsgId": key, "body": "x"}),
        )
    };
    assert_eq!(rest_send("r1").await.0, StatusCode::CREATED);
    assert_eq!(rest_send("r2").await.0, StatusCode::CREATED);
    let ack = socket
        .emit(
            "message:send",
            json!({"conversationId": c, "clientMsgId": "s1", "body": "x"}),
        )
        .await;
    assert_eq!(ack["ok"], true, "{ack}");
    let (status, v) = rest_send("r3").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{v}");
    let ack = socket
        .emit(
            "message:send",
            json!({"conversationId": c, "clientMsgId": "s2", "body": "x"}),
        )
        .await;
    assert_eq!(ack["error"]["code"], "rate_limited");

    let story = || s.post("/api/v1/stories", &bob.token, json!({"body": "hello"}));
    assert_eq!(story().await.0, StatusCode::CREATED);
    assert_eq!(story().await.0, StatusCode::CREATED);
    assert_eq!(story().await.0, StatusCode::TOO_MANY_REQUESTS);
    for _ in 0..3 {
        assert_eq!(
            s.post(
                "/api/v1/conversations/group",
                &bob.token,
                json!({"title": "t", "memberIds": []})
            )
            .await
            .0,
            StatusCode::CREATED
        );
    }
    let (status, _) = s
        .post(
            "/api/v1/conversations/group",
            &bob.token,
            json!({"title": "t", "memberIds": []}),
        )
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "group:create");
    // An event no quota names is limited by the default one.
    for _ in 0..2 {
        let ack = socket
            .emit("sync", json!({"conversationId": c, "afterSeq": 0}))
            .await;
        assert_eq!(ack["ok"], true, "{ack}");
    }
    let ack = socket
        .emit("sync", json!({"conversationId": c, "afterSeq": 0}))
        .await;
    assert_eq!(ack["error"]["code"], "rate_limited");
}
