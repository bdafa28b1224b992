//! The authorization matrix: every REST route (read from the OpenAPI document
//! the router is described by) and every socket event (from the handler
//! registry) against each kind of caller who must be refused, with the code
//! the contract gives for each cell. A route or event added without a row
//! here fails the test, so none can be forgotten.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chatchit_tests::raw::{next_text, raw_engine_socket, raw_socket};
use chatchit_tests::{Endpoint, TestServer, TestUser, filled, hs256, test_config};
use futures_util::SinkExt;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

const SECRET: &str = "authorization-matrix-secret-0123456789";

/// The claims of `user`'s real token, re-read from it.
fn claims_of(user: &TestUser) -> Value {
    let body = user.token.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(body).expect("base64")).expect("JSON")
}

/// The callers every bearer route and the socket handshake must refuse as
/// `unauthorized`, each with the token it presents (`None`: no token).
async fn impostors(s: &TestServer, admin: &TestUser) -> Vec<(&'static str, Option<String>)> {
    let victim = s.register("victim").await;
    let mut claims = claims_of(&victim);
    let mut expired = claims.clone();
    expired["exp"] = json!(1_000_000_000);
    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let none_body = URL_SAFE_NO_PAD.encode(claims.to_string());
    let revoked = s.login("victim").await.0;
    s.call(
        Method::POST,
        "/api/v1/auth/logout",
        None,
        Some(json!({"refreshToken": revoked.refresh})),
    )
    .await;
    let banned = s.register("banned").await;
    let (status, _) = s
        .post(
            &format!("/api/v1/admin/users/{}/ban", banned.id),
            &admin.token,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    claims["exp"] = json!(4_000_000_000_i64);
    vec![
        ("no token", None),
        ("garbage", Some("not-a-token".to_owned())),
        ("expired", Some(hs256(&expired, SECRET))),
        (
            "forged signature",
            Some(hs256(&claims, "some-other-secret-entirely")),
        ),
        ("alg none", Some(format!("{none_header}.{none_body}."))),
        ("revoked session", Some(revoked.token)),
        ("banned user", Some(banned.token)),
    ]
}

/// Routes anyone may call.
const PUBLIC: &[&str] = &[
    "POST /api/v1/auth/register",
    "POST /api/v1/auth/login",
    "POST /api/v1/auth/refresh",
    "POST /api/v1/auth/logout",
    "GET /health/live",
    "GET /health/ready",
];

/// What a signed-in caller who is not allowed gets from a bearer route: an
/// outsider (no member of the conversation, not the story's author or
/// friend, not the call's participant) and a plain user where an admin is
/// needed. `None`: the route has no such caller (it is about oneself).
fn refusal(route: &str) -> Option<&'static str> {
    let path = route.split_once(' ').expect("METHOD path").1;
    let scoped = [
        "/api/v1/admin/",
        "/api/v1/conversations/{id}",
        "/api/v1/stories/{id}",
    ];
    if scoped.iter().any(|prefix| path.starts_with(prefix)) {
        return Some("forbidden");
    }
    match route {
        "GET /api/v1/me"
        | "PATCH /api/v1/me"
        | "GET /api/v1/users/{id}"
        | "GET /api/v1/users"
        | "GET /api/v1/conversations"
        | "POST /api/v1/conversations/direct"
        | "POST /api/v1/conversations/group"
        | "GET /api/v1/friends"
        | "GET /api/v1/friends/requests"
        | "POST /api/v1/friends/requests"
        | "POST /api/v1/friends/requests/{id}/accept"
        | "POST /api/v1/friends/requests/{id}/decline"
        | "DELETE /api/v1/friends/requests/{id}"
        | "DELETE /api/v1/friends/{user_id}"
        | "GET /api/v1/blocks"
        | "PUT /api/v1/blocks/{user_id}"
        | "DELETE /api/v1/blocks/{user_id}"
        | "GET /api/v1/calls"
        | "POST /api/v1/stories"
        | "GET /api/v1/stories"
        | "POST /api/v1/reports" => None,
        _ => panic!("{route} is in no row of the authorization matrix: add it"),
    }
}

async fn call(s: &Endpoint, route: &str, path: &str, token: Option<&str>) -> (StatusCode, Value) {
    let method =
        Method::from_bytes(route.split(' ').next().expect("method").as_bytes()).expect("a method");
    let body = (method != Method::GET && method != Method::DELETE).then(|| body_for(route));
    s.call(method, path, token, body).await
}

/// A body of the right shape for `route`, so that what refuses a caller is
/// the authorization and not the body's validation.
fn body_for(route: &str) -> Value {
    match route {
        "POST /api/v1/admin/reports/{id}/resolve" => json!({"action": "dismiss"}),
        "PATCH /api/v1/conversations/{id}" => json!({"title": "taken"}),
        "POST /api/v1/conversations/{id}/members" => json!({"userIds": []}),
        "PATCH /api/v1/conversations/{id}/members/{user_id}" => json!({"role": "admin"}),
        "POST /api/v1/conversations/{id}/messages" => json!({"clientMsgId": "o", "body": "x"}),
        "POST /api/v1/stories/{id}/comments" => json!({"body": "x"}),
        _ => json!({}),
    }
}

#[tokio::test]
async fn every_route_and_event_refuses_every_caller_it_must() {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = test_config(dir.path()).await;
    config.jwt_secret = Some(SECRET.to_owned());
    chatchit::create_admin(&config, "root", "password123")
        .await
        .expect("admin");
    let s = TestServer::start_with(dir, config).await;
    let (admin, _) = s.login("root").await;
    let impostors = impostors(&s, &admin).await;
    let (owner, member, outsider) = (
        s.register("owner").await,
        s.register("member").await,
        s.register("outsider").await,
    );
    let group = s.group(&owner, &[&member]).await;
    let socket = s.socket(&owner.token).await;
    let sent = socket
        .emit(
            "message:send",
            json!({"conversationId": group, "clientMsgId": "m", "body": "hi"}),
        )
        .await;
    let message = sent["data"]["id"].as_str().expect("id").to_owned();
    let (_, story) = s
        .post("/api/v1/stories", &owner.token, json!({"body": "mine"}))
        .await;
    let story = story["id"].as_str().expect("id").to_owned();

    let mut cells = 0;
    let operations = s.operations().await;
    assert!(operations.len() > 40, "the document lists the routes");
    for (method, path, secured) in operations {
        let route = format!("{method} {path}");
        if !secured {
            assert!(
                PUBLIC.contains(&route.as_str()) || !route.contains("/api/v1/"),
                "{route} takes no token: list it as public or secure it"
            );
            continue;
        }
        let random = filled(&path, &uuid::Uuid::now_v7().to_string());
        for (who, token) in &impostors {
            let (status, body) = call(&s, &route, &random, token.as_deref()).await;
            assert_eq!(
                (status, body["error"]["code"].as_str()),
                (StatusCode::UNAUTHORIZED, Some("unauthorized")),
                "{route} as {who}: {body}"
            );
            cells += 1;
        }
        let Some(code) = refusal(&route) else {
            continue;
        };
        let target = if path.starts_with("/api/v1/stories") {
            story.as_str()
        } else {
            group.as_str()
        };
        let mine = filled(&path, target);
        let (status, body) = call(&s, &route, &mine, Some(&outsider.token)).await;
        assert_eq!(
            body["error"]["code"].as_str(),
            Some(code),
            "{route} as an outsider: {status} {body}"
        );
        cells += 1;
        if path.starts_with("/api/v1/admin/") {
            let (status, body) = call(&s, &route, &mine, Some(&member.token)).await;
            assert_eq!(
                (status, body["error"]["code"].as_str()),
                (StatusCode::FORBIDDEN, Some("forbidden")),
                "{route} as a plain user"
            );
            cells += 1;
        }
    }

    // The socket: no impostor gets past the handshake, and an event sent
    // before it is not handled at all.
    for (who, token) in &impostors {
        let mut ws = raw_engine_socket(&s).await;
        let auth = token.as_ref().map_or(json!({}), |t| json!({"token": t}));
        ws.send(Message::text(format!("40{auth}")))
            .await
            .expect("send");
        let answer = next_text(&mut ws).await.expect("an answer");
        assert_eq!(answer, r#"44{"message":"unauthorized"}"#, "as {who}");
        cells += 1;
    }
    let payload = |event: &str| -> Value {
        match event {
            "message:send" => json!({"conversationId": group, "clientMsgId": "x", "body": "x"}),
            "message:edit" => json!({"messageId": message, "body": "x"}),
            "message:delete" => json!({"messageId": message}),
            "message:react" => json!({"messageId": message, "emoji": "👍", "on": true}),
            "conversation:read" => json!({"conversationId": group, "messageId": message}),
            "sync" => json!({"conversationId": group, "afterSeq": 0}),
            "message:history" => json!({"conversationId": group}),
            "typing" => json!({"conversationId": group, "typing": true}),
            "presence:set" => json!({"status": "away"}),
            "call:invite" => json!({"conversationId": group, "kind": "audio"}),
            "call:accept" | "call:reject" | "call:end" => {
                json!({"callId": uuid::Uuid::now_v7()})
            }
            "call:signal" => json!({"callId": uuid::Uuid::now_v7(), "toUserId": owner.id,
                "type": "ice", "payload": {}}),
            other => panic!("{other} is in no row of the authorization matrix: add it"),
        }
    };
    // An outsider is refused every event about a conversation or a call
    // (an unknown call answers the same, so it tells nothing).
    let outsider_refusal = |event: &str| (event != "presence:set").then_some("forbidden");
    let mut unauthenticated = raw_engine_socket(&s).await;
    let outsider_socket = s.socket(&outsider.token).await;
    let member_socket = s.socket(&member.token).await;
    for event in &s.events {
        let frame = format!("421{}", json!([event, payload(event)]));
        unauthenticated
            .send(Message::text(frame))
            .await
            .expect("send");
        if let Some(code) = outsider_refusal(event) {
            let ack = outsider_socket.emit(event, payload(event)).await;
            assert_eq!(ack["error"]["code"], code, "{event} by an outsider: {ack}");
            cells += 1;
        }
    }
    // Across a block, in their direct conversation: every way of reaching
    // the other side is refused.
    let blocked = s.register("blocked").await;
    let direct = s.direct(&blocked, &owner).await;
    let blocked_socket = s.socket(&blocked.token).await;
    let earlier = blocked_socket
        .emit(
            "message:send",
            json!({"conversationId": direct, "clientMsgId": "b", "body": "hi"}),
        )
        .await;
    let earlier = earlier["data"]["id"].clone();
    let (status, _) = s
        .call(
            Method::PUT,
            &format!("/api/v1/blocks/{}", blocked.id),
            Some(&owner.token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    for (event, payload) in [
        (
            "message:send",
            json!({"conversationId": direct, "clientMsgId": "c", "body": "x"}),
        ),
        ("message:edit", json!({"messageId": earlier, "body": "x"})),
        (
            "message:react",
            json!({"messageId": earlier, "emoji": "👍", "on": true}),
        ),
        ("typing", json!({"conversationId": direct, "typing": true})),
        (
            "call:invite",
            json!({"conversationId": direct, "kind": "audio"}),
        ),
    ] {
        let ack = blocked_socket.emit(event, payload).await;
        assert_eq!(
            ack["error"]["code"], "forbidden",
            "{event} across a block: {ack}"
        );
        cells += 1;
    }
    let (status, _) = s
        .post(
            &format!("/api/v1/conversations/{direct}/messages"),
            &blocked.token,
            json!({"clientMsgId": "d", "body": "x"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a REST send across a block");
    // A plain member may not delete someone else's message.
    let ack = member_socket
        .emit("message:delete", payload("message:delete"))
        .await;
    assert_eq!(ack["error"]["code"], "forbidden", "{ack}");
    // The events sent before the handshake got no answer: the first frame
    // after a handshake is its answer.
    unauthenticated
        .send(Message::text(format!(
            "40{}",
            json!({"token": member.token})
        )))
        .await
        .expect("send");
    let first = next_text(&mut unauthenticated).await.expect("an answer");
    assert!(first.starts_with("40{\"sid\":"), "not an ack: {first}");
    let _connected = raw_socket(&s, &member.token).await;
    assert!(cells > 300, "{cells} cells");
}
