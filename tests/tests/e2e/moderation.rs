//! Reports, admin resolution, bans that end sessions at once, and stats.

use chatchit_tests::{TestServer, test_config};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn a_reported_message_is_removed_by_an_admin() {
    let (s, admin) = TestServer::with_admin().await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    let c = s.group(&alice, &[&bob]).await;
    let a = s.socket(&alice.token).await;
    let mut b = s.socket(&bob.token).await;
    let sent = a
        .emit(
            "message:send",
            json!({"conversationId": c, "clientMsgId": "x", "body": "spam"}),
        )
        .await;
    let message_id = sent["data"]["id"].clone();

    let (status, report) = s
        .post(
            "/api/v1/reports",
            &bob.token,
            json!({"targetType": "message", "targetId": message_id, "reason": "spam"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    assert_eq!(report["status"], "open");
    let (status, _) = s.get("/api/v1/admin/reports", &bob.token).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "admins only");
    let (_, open) = s
        .get("/api/v1/admin/reports?status=open", &admin.token)
        .await;
    assert_eq!(open[0]["id"], report["id"]);

    let id = report["id"].as_str().expect("id");
    let (status, resolved) = s
        .post(
            &format!("/api/v1/admin/reports/{id}/resolve"),
            &admin.token,
            json!({"action": "remove_content", "note": "spam"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{resolved}");
    assert_eq!(resolved["action"], "remove_content");
    assert_eq!(b.expect("message:deleted").await["messageId"], message_id);
    let (status, _) = s
        .post(
            &format!("/api/v1/admin/reports/{id}/resolve"),
            &admin.token,
            json!({"action": "dismiss"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "already resolved");
}

#[tokio::test]
async fn a_ban_ends_every_session_and_socket_at_once() {
    let (s, admin) = TestServer::with_admin().await;
    let bob = s.register("bob").await;
    let mut socket = s.socket(&bob.token).await;
    let (status, _) = s
        .post(
            &format!("/api/v1/admin/users/{}/ban", bob.id),
            &bob.token,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "users cannot ban");
    let (status, _) = s
        .post(
            &format!("/api/v1/admin/users/{}/ban", bob.id),
            &admin.token,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        socket.expect("session:revoked").await,
        json!({"reason": "banned"})
    );
    assert_eq!(
        s.get("/api/v1/me", &bob.token).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = s
        .call(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refreshToken": bob.refresh})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let login = json!({"username": "bob", "password": "password123"});
    let (status, _) = s
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(login.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let refused = chatchit_tests::TestSocket::refused(&s.base, json!({"token": bob.token})).await;
    assert!(refused.contains("unauthorized"));

    let (status, _) = s
        .post(
            &format!("/api/v1/admin/users/{}/unban", bob.id),
            &admin.token,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = s
        .call(Method::POST, "/api/v1/auth/login", None, Some(login))
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn banning_from_a_user_report_and_admin_stats() {
    let (s, admin) = TestServer::with_admin().await;
    let (alice, mallory) = (s.register("alice").await, s.register("mallory").await);
    let (_, report) = s
        .post(
            "/api/v1/reports",
            &alice.token,
            json!({"targetType": "user", "targetId": mallory.id, "reason": "abuse"}),
        )
        .await;
    let id = report["id"].as_str().expect("id");
    let (status, _) = s
        .post(
            &format!("/api/v1/admin/reports/{id}/resolve"),
            &admin.token,
            json!({"action": "ban_user"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        s.get("/api/v1/me", &mallory.token).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, v) = s
        .post(
            "/api/v1/reports",
            &alice.token,
            json!({"targetType": "user", "targetId": mallory.id, "reason": ""}),
        )
        .await;
    assert_eq!(
        (status, v["error"]["code"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("validation"))
    );

    let _socket = s.socket(&alice.token).await;
    let (status, stats) = s.get("/api/v1/admin/stats", &admin.token).await;
    assert_eq!(status, StatusCode::OK, "{stats}");
    assert_eq!(stats["healthScore"], 100);
    assert_eq!(stats["connectedSockets"], 1);
    assert_eq!(stats["deadLetters"], 0);
    for lane in ["high", "medium", "low"] {
        assert!(stats["queueDepth"][lane].is_u64(), "{stats}");
    }
    // Each lane that has processed an event shows its latest waits against
    // its target.
    let waits = stats["queueWait"].as_object().expect("queueWait");
    assert!(!waits.is_empty(), "{stats}");
    for (lane, wait) in waits {
        let target = match lane.as_str() {
            "high" => 100,
            "medium" => 500,
            "low" => 2000,
            other => panic!("unknown lane {other}"),
        };
        assert_eq!(wait["targetMs"], target, "{stats}");
        assert!(wait["samples"].as_u64().is_some_and(|n| n >= 1), "{stats}");
        let (p50, p99) = (wait["p50Ms"].as_f64(), wait["p99Ms"].as_f64());
        assert!(p50 <= p99, "{stats}");
        assert!(wait["withinTarget"].is_boolean(), "{stats}");
    }
    assert_eq!(
        s.get("/api/v1/admin/stats", &alice.token).await.0,
        StatusCode::FORBIDDEN
    );

    let (status, replayed) = s
        .post("/api/v1/admin/dead-letters/replay", &admin.token, json!({}))
        .await;
    assert_eq!(
        (status, replayed),
        (StatusCode::OK, json!({"replayed": 0})),
        "nothing was parked"
    );
    assert_eq!(
        s.post("/api/v1/admin/dead-letters/replay", &alice.token, json!({}))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn a_reported_story_is_taken_down() {
    let (s, admin) = TestServer::with_admin().await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    s.befriend(&alice, &bob).await;
    let (_, story) = s
        .post(
            "/api/v1/stories",
            &alice.token,
            json!({"body": "offensive"}),
        )
        .await;
    let story_id = story["id"].as_str().expect("id");
    let (status, report) = s
        .post(
            "/api/v1/reports",
            &bob.token,
            json!({"targetType": "story", "targetId": story_id, "reason": "offensive"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{report}");
    let id = report["id"].as_str().expect("id");
    let (status, _) = s
        .post(
            &format!("/api/v1/admin/reports/{id}/resolve"),
            &admin.token,
            json!({"action": "remove_content"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        s.get(&format!("/api/v1/stories/{story_id}"), &bob.token)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_existing_account_can_be_promoted_from_the_cli() {
    let dir = tempfile::tempdir().expect("dir");
    let config = test_config(dir.path()).await;
    let s = TestServer::start_with(dir, config.clone()).await;
    let dana = s.register("dana").await;
    assert_eq!(
        s.get("/api/v1/admin/stats", &dana.token).await.0,
        StatusCode::FORBIDDEN
    );
    chatchit::promote(&config, "dana").await.expect("promote");
    let (dana, v) = s.login("dana").await;
    assert_eq!(v["user"]["role"], "admin");
    assert_eq!(
        s.get("/api/v1/admin/stats", &dana.token).await.0,
        StatusCode::OK
    );
    assert!(chatchit::promote(&config, "nobody").await.is_err());
}

#[tokio::test]
async fn admins_find_users_by_prefix_with_their_bans() {
    let (s, admin) = TestServer::with_admin().await;
    let mallory = s.register("mallory").await;
    s.register("malia").await;
    s.register("bob").await;
    let (status, _) = s
        .post(
            &format!("/api/v1/admin/users/{}/ban", mallory.id),
            &admin.token,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, found) = s.get("/api/v1/admin/users?query=MAL", &admin.token).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    let seen: Vec<(String, bool)> = found
        .as_array()
        .expect("a list")
        .iter()
        .map(|a| {
            (
                a["user"]["username"].as_str().expect("name").to_owned(),
                a["banned"].as_bool().expect("banned"),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![("malia".to_owned(), false), ("mallory".to_owned(), true)]
    );
    let (status, everyone) = s.get("/api/v1/admin/users?limit=10", &admin.token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(everyone.as_array().map(Vec::len), Some(4), "{everyone}");
    let (status, _) = s.get("/api/v1/admin/users", &mallory.token).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a banned user's token is dead"
    );
    let bob = s.login("bob").await.0;
    assert_eq!(
        s.get("/api/v1/admin/users", &bob.token).await.0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn stats_count_the_messages_stored_but_not_a_retry() {
    let (s, admin) = TestServer::with_admin().await;
    let alice = s.register("alice").await;
    let bob = s.register("bob").await;
    let direct = s.direct(&alice, &bob).await;
    let stored = || async {
        let (status, stats) = s.get("/api/v1/admin/stats", &admin.token).await;
        assert_eq!(status, StatusCode::OK, "{stats}");
        stats["messagesStored"].as_u64().expect("messagesStored")
    };
    let before = stored().await;
    let path = format!("/api/v1/conversations/{direct}/messages");
    for _ in 0..2 {
        let (status, v) = s
            .post(
                &path,
                &alice.token,
                json!({"clientMsgId": "once", "body": "hello"}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
    }
    let (status, _) = s
        .post(
            &path,
            &bob.token,
            json!({"clientMsgId": "other", "body": "hi"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(stored().await - before, 2);
}
