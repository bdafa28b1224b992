//! Auth and users, end to end over HTTP (docs/protocol.md §1).

use chatchit_tests::TestServer;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn register_login_and_me() {
    let s = TestServer::start().await;
    let alice = s.register("Alice").await;
    let (status, v) = s
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "alice", "password": "password123"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["user"]["username"], "Alice");
    assert_eq!(v["expiresIn"], 900);
    let (status, me) = s.get("/api/v1/me", &alice.token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["id"], alice.id.as_str());
    assert_eq!(me["role"], "user");
    assert!(me["createdAt"].as_str().expect("time").ends_with('Z'));
}

#[tokio::test]
async fn usernames_are_unique_case_insensitively() {
    let s = TestServer::start().await;
    s.register("bob").await;
    let (status, v) = s
        .call(
            Method::POST,
            "/api/v1/auth/register",
            None,
            Some(json!({"username": "BOB", "password": "password123"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(v["error"]["code"], "conflict");
}

#[tokio::test]
async fn unknown_user_and_wrong_password_get_the_same_answer() {
    let s = TestServer::start().await;
    s.register("carol").await;
    let login = |u: &str, p: &str| json!({"username": u, "password": p});
    let (s1, unknown) = s
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(login("nobody", "password123")),
        )
        .await;
    let (s2, wrong) = s
        .call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(login("carol", "wrongpass1")),
        )
        .await;
    assert_eq!(
        (s1, s2),
        (StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED)
    );
    assert_eq!(unknown, wrong);
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let s = TestServer::start().await;
    let dave = s.register("dave").await;
    let refresh = |t: &str| json!({"refreshToken": t});
    let (status, first) = s
        .call(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(refresh(&dave.refresh)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let new_refresh = first["refreshToken"].as_str().expect("refresh").to_owned();
    let new_access = first["accessToken"].as_str().expect("access").to_owned();
    assert_ne!(new_refresh, dave.refresh);
    assert_eq!(s.get("/api/v1/me", &new_access).await.0, StatusCode::OK);
    // The spent token comes back: theft. The whole family dies.
    let (status, _) = s
        .call(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(refresh(&dave.refresh)),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = s
        .call(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(refresh(&new_refresh)),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        s.get("/api/v1/me", &new_access).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn logout_ends_the_session_at_once() {
    let s = TestServer::start().await;
    let erin = s.register("erin").await;
    let other_device = s.login("erin").await.0.token;
    let mut socket = s.socket(&erin.token).await;
    let (status, _) = s
        .call(
            Method::POST,
            "/api/v1/auth/logout",
            None,
            Some(json!({"refreshToken": erin.refresh})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let revoked = socket.expect("session:revoked").await;
    assert_eq!(revoked["reason"], "logout");
    assert_eq!(
        s.get("/api/v1/me", &erin.token).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = s
        .call(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refreshToken": erin.refresh})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        s.get("/api/v1/me", &other_device).await.0,
        StatusCode::OK,
        "other sessions live on"
    );
}

#[tokio::test]
async fn bad_tokens_are_unauthorized() {
    let s = TestServer::start().await;
    let (status, v) = s.call(Method::GET, "/api/v1/me", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(v["error"]["code"], "unauthorized");
    assert_eq!(
        s.get("/api/v1/me", "not.a.jwt").await.0,
        StatusCode::UNAUTHORIZED
    );
    let forged = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIwMWEyMjZmNC1lNDcwLTcwNDgtODVjNS01MWM3Yzc5OTRlMTUiLCJzaWQiOiIwMWEyMjZmNC1lNDczLTcxOWQtYWViZS00NzliZjQ2ZjgwMzAiLCJyb2xlIjoidXNlciIsImV4cCI6NDc5NTk1MDgxM30.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    assert_eq!(
        s.get("/api/v1/me", forged).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn profiles_can_be_changed_read_and_searched() {
    let s = TestServer::start().await;
    let fay = s.register("fay").await;
    let gus = s.register("gus").await;
    let (status, me) = s
        .call(
            Method::PATCH,
            "/api/v1/me",
            Some(&fay.token),
            Some(json!({"displayName": "Fay F.", "avatarUrl": "https://cdn.example/f.png"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["displayName"], "Fay F.");
    let (status, v) = s
        .call(
            Method::PATCH,
            "/api/v1/me",
            Some(&fay.token),
            Some(json!({"avatarUrl": null})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["avatarUrl"], serde_json::Value::Null);
    assert_eq!(v["displayName"], "Fay F.");
    let (status, other) = s
        .get(&format!("/api/v1/users/{}", fay.id), &gus.token)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(other["displayName"], "Fay F.");
    let (_, found) = s.get("/api/v1/users?query=FA", &gus.token).await;
    assert_eq!(found.as_array().expect("list").len(), 1);
    let unknown = "01a226f4-e470-7048-85c5-51c7c7994e15";
    assert_eq!(
        s.get(&format!("/api/v1/users/{unknown}"), &gus.token)
            .await
            .0,
        StatusCode::NOT_FOUND
    );
}
