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
    let over = login("198.51.100.1").await.expect("login").status();
    assert_eq!(over, StatusCode::TOO_MANY_REQUESTS);
    let other = login("198.51.100.2").await.expect("login").status();
    assert_eq!(
        other,
        StatusCode::UNAUTHORIZED,
        "another client is not limited"
    );
}
