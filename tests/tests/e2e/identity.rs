//! A host's own users, configured in the binary (`external_identity`): they
//! chat with the host's tokens, and bans reach them as they reach accounts.

use chatchit::{Config, ExternalIdentity};
use chatchit_tests::{TestServer, TestSocket, hs256, test_config};
use reqwest::StatusCode;
use serde_json::{Value, json};

const HOST_SECRET: &str = "the host's own secret of 32 bytes or more";
const ISSUER: &str = "https://host.example";

/// A host token for `subject`, issued at `iat` (seconds).
fn host_token(subject: &str, name: &str, iat: i64) -> String {
    let exp = chrono::Utc::now().timestamp() + 3600;
    hs256(
        &json!({"iss": ISSUER, "sub": subject, "name": name, "iat": iat, "exp": exp}),
        HOST_SECRET,
    )
}

/// A server that takes the host's tokens beside its own accounts, with an
/// admin `root` (password `password123`).
async fn server() -> (TestServer, chatchit_tests::TestUser) {
    let dir = tempfile::tempdir().expect("dir");
    let config = Config {
        external_identity: Some(ExternalIdentity {
            issuer: ISSUER.into(),
            audience: None,
            hs256_secret: Some(HOST_SECRET.into()),
            jwks_file: None,
            keep_accounts: true,
        }),
        ..test_config(dir.path()).await
    };
    chatchit::create_admin(&config, "root", "password123")
        .await
        .expect("admin");
    let s = TestServer::start_with(dir, config).await;
    let (root, _) = s.login("root").await;
    (s, root)
}

#[tokio::test]
async fn a_hosts_users_chat_with_its_tokens_and_a_ban_reaches_them() {
    let (s, root) = server().await;
    let now = chrono::Utc::now().timestamp();
    let ada = host_token("u-1", "Ada", now);
    let (status, me) = s.get("/api/v1/me", &ada).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["displayName"], "Ada");
    let bob = s.register("bob").await;
    let (status, direct) = s
        .post(
            "/api/v1/conversations/direct",
            &ada,
            json!({"userId": bob.id}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{direct}");
    let mut bob_socket = s.socket(&bob.token).await;
    let mut ada_socket = s.socket(&ada).await;
    let ack = ada_socket
        .emit(
            "message:send",
            json!({"conversationId": direct["id"], "body": "hi", "clientMsgId": "c1"}),
        )
        .await;
    assert_eq!(ack["ok"], true, "{ack}");
    assert_eq!(bob_socket.expect("message:new").await["senderId"], me["id"]);

    // A ban ends the host token's session: the socket closes, REST is 401,
    // and the same token stays refused once the ban is lifted.
    let ban = format!("/api/v1/admin/users/{}/ban", me["id"].as_str().expect("id"));
    assert_eq!(
        s.post(&ban, &root.token, json!({})).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        ada_socket.expect("session:revoked").await,
        json!({"reason": "banned"})
    );
    assert_eq!(s.get("/api/v1/me", &ada).await.0, StatusCode::UNAUTHORIZED);
    let refused = TestSocket::refused(&s.base, json!({"token": ada})).await;
    assert!(refused.contains("unauthorized"), "{refused}");
    let unban = ban.replace("/ban", "/unban");
    assert_eq!(
        s.post(&unban, &root.token, json!({})).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(s.get("/api/v1/me", &ada).await.0, StatusCode::UNAUTHORIZED);
    let later = host_token("u-1", "Ada", now + 1);
    let (status, again): (StatusCode, Value) = s.get("/api/v1/me", &later).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a token issued after the ban: {again}"
    );
    assert_eq!(again["id"], me["id"], "the same user");
}

#[tokio::test]
async fn a_token_of_another_issuer_or_secret_is_refused_and_stores_nothing() {
    let (s, root) = server().await;
    let now = chrono::Utc::now().timestamp();
    let exp = now + 3600;
    let other_issuer = hs256(
        &json!({"iss": "https://evil.example", "sub": "u-9", "iat": now, "exp": exp}),
        HOST_SECRET,
    );
    let other_secret = hs256(
        &json!({"iss": ISSUER, "sub": "u-9", "iat": now, "exp": exp}),
        "another secret that is long enough too",
    );
    for token in [other_issuer, other_secret] {
        assert_eq!(
            s.get("/api/v1/me", &token).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let (status, found) = s.get("/api/v1/users?query=x.", &root.token).await;
    assert_eq!(status, StatusCode::OK, "{found}");
    assert_eq!(found, json!([]), "no user was created: {found}");
}
