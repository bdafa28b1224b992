//! Friends and blocks, end to end (docs/protocol.md §1).

use chatchit_tests::TestServer;
use reqwest::{Method, StatusCode};
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn the_friend_lifecycle() {
    let s = TestServer::start().await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    let mut alice_socket = s.socket(&alice.token).await;
    let mut bob_socket = s.socket(&bob.token).await;

    let (status, request) = s
        .post(
            "/api/v1/friends/requests",
            &alice.token,
            json!({"userId": bob.id}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{request}");
    assert_eq!(request["from"]["id"], alice.id.as_str());
    assert_eq!(request["to"]["id"], bob.id.as_str());
    let event = bob_socket.expect("friend:request").await;
    assert_eq!(event["request"]["id"], request["id"]);
    let (status, _) = s
        .post(
            "/api/v1/friends/requests",
            &alice.token,
            json!({"userId": bob.id}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "already pending");

    let (_, pending) = s.get("/api/v1/friends/requests", &bob.token).await;
    assert_eq!(pending["incoming"][0]["id"], request["id"]);
    assert_eq!(pending["outgoing"], json!([]));

    let id = request["id"].as_str().expect("id");
    let (status, _) = s
        .post(
            &format!("/api/v1/friends/requests/{id}/accept"),
            &alice.token,
            json!({}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "only the one asked may accept"
    );
    let (status, friend) = s
        .post(
            &format!("/api/v1/friends/requests/{id}/accept"),
            &bob.token,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{friend}");
    assert_eq!(
        alice_socket.expect("friend:accepted").await["user"]["id"],
        bob.id.as_str()
    );
    assert_eq!(
        bob_socket.expect("friend:accepted").await["user"]["id"],
        alice.id.as_str()
    );
    let (_, friends) = s.get("/api/v1/friends", &alice.token).await;
    assert_eq!(friends["items"][0]["user"]["id"], bob.id.as_str());
    assert!(friends["items"][0]["since"].is_string());
    let (status, _) = s
        .post(
            "/api/v1/friends/requests",
            &alice.token,
            json!({"userId": bob.id}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "already friends");

    let (status, _) = s
        .call(
            Method::DELETE,
            &format!("/api/v1/friends/{}", bob.id),
            Some(&alice.token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        bob_socket.expect("friend:removed").await,
        json!({"userId": alice.id})
    );
    let (_, friends) = s.get("/api/v1/friends", &bob.token).await;
    assert_eq!(friends["items"], json!([]));
}

#[tokio::test]
async fn asking_someone_who_asked_you_accepts_their_request() {
    let s = TestServer::start().await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    s.post(
        "/api/v1/friends/requests",
        &alice.token,
        json!({"userId": bob.id}),
    )
    .await;
    let (status, friend) = s
        .post(
            "/api/v1/friends/requests",
            &bob.token,
            json!({"userId": alice.id}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{friend}");
    assert_eq!(friend["user"]["id"], alice.id.as_str());
    let (_, pending) = s.get("/api/v1/friends/requests", &alice.token).await;
    assert_eq!(
        pending,
        json!({"incoming": [], "outgoing": [], "nextIncomingCursor": null, "nextOutgoingCursor": null})
    );
}

#[tokio::test]
async fn requests_can_be_declined_and_cancelled() {
    let s = TestServer::start().await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    let (_, first) = s
        .post(
            "/api/v1/friends/requests",
            &alice.token,
            json!({"userId": bob.id}),
        )
        .await;
    let id = first["id"].as_str().expect("id");
    let (status, _) = s
        .post(
            &format!("/api/v1/friends/requests/{id}/decline"),
            &bob.token,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, second) = s
        .post(
            "/api/v1/friends/requests",
            &alice.token,
            json!({"userId": bob.id}),
        )
        .await;
    let id = second["id"].as_str().expect("id");
    let (status, _) = s
        .call(
            Method::DELETE,
            &format!("/api/v1/friends/requests/{id}"),
            Some(&bob.token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "only the sender cancels");
    let (status, _) = s
        .call(
            Method::DELETE,
            &format!("/api/v1/friends/requests/{id}"),
            Some(&alice.token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, pending) = s.get("/api/v1/friends/requests", &bob.token).await;
    assert_eq!(pending["incoming"], json!([]));
}

#[tokio::test]
async fn a_block_ends_the_friendship_and_stops_requests_and_direct_messages_silently() {
    let s = TestServer::start().await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    s.befriend(&alice, &bob).await;
    let c = s.direct(&alice, &bob).await;
    let mut alice_socket = s.socket(&alice.token).await;

    let (status, _) = s
        .call(
            Method::PUT,
            &format!("/api/v1/blocks/{}", alice.id),
            Some(&bob.token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    alice_socket
        .expect_none("friend:removed", Duration::from_millis(300))
        .await;
    let (_, friends) = s.get("/api/v1/friends", &alice.token).await;
    assert_eq!(friends["items"], json!([]), "the friendship is gone");
    let (_, blocks) = s.get("/api/v1/blocks", &bob.token).await;
    assert_eq!(blocks["items"][0]["user"]["id"], alice.id.as_str());

    let ack = alice_socket
        .emit(
            "message:send",
            json!({"conversationId": c, "clientMsgId": "x", "body": "hello?"}),
        )
        .await;
    assert_eq!(ack["error"]["code"], "forbidden");
    let (status, _) = s
        .post(
            "/api/v1/friends/requests",
            &alice.token,
            json!({"userId": bob.id}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = s
        .post(
            "/api/v1/conversations/direct",
            &alice.token,
            json!({"userId": bob.id}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, page) = s
        .get(&format!("/api/v1/conversations/{c}/messages"), &bob.token)
        .await;
    assert_eq!(page["items"], json!([]), "nothing reached the blocker");

    let (status, _) = s
        .call(
            Method::DELETE,
            &format!("/api/v1/blocks/{}", alice.id),
            Some(&bob.token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let ack = alice_socket
        .emit(
            "message:send",
            json!({"conversationId": c, "clientMsgId": "y", "body": "hi again"}),
        )
        .await;
    assert_eq!(ack["ok"], true, "{ack}");
}

#[tokio::test]
async fn friends_blocks_and_requests_come_a_page_at_a_time() {
    let s = TestServer::start().await;
    let alice = s.register("alice").await;
    let mut others = Vec::new();
    for n in 0..5 {
        others.push(s.register(&format!("user{n}")).await);
    }
    for other in &others[..3] {
        s.befriend(&alice, other).await;
    }
    for other in &others[3..] {
        let (status, _) = s
            .post(
                "/api/v1/friends/requests",
                &other.token,
                json!({"userId": alice.id}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
        s.call(
            Method::PUT,
            &format!("/api/v1/blocks/{}", other.id),
            Some(&alice.token),
            None,
        )
        .await;
    }
    let ids = |page: &serde_json::Value| -> Vec<String> {
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|r| r["user"]["id"].as_str().expect("id").to_owned())
            .collect()
    };
    let (_, first) = s.get("/api/v1/friends?limit=2", &alice.token).await;
    assert_eq!(ids(&first), [others[0].id.clone(), others[1].id.clone()]);
    let cursor = first["nextCursor"].as_str().expect("more");
    let (_, rest) = s
        .get(
            &format!("/api/v1/friends?limit=2&cursor={cursor}"),
            &alice.token,
        )
        .await;
    assert_eq!(ids(&rest), [others[2].id.clone()]);
    assert!(rest["nextCursor"].is_null());
    let (_, blocks) = s.get("/api/v1/blocks?limit=1", &alice.token).await;
    assert_eq!(ids(&blocks), [others[3].id.clone()]);
    assert!(blocks["nextCursor"].is_string());
    let (status, _) = s.get("/api/v1/friends?limit=500", &alice.token).await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "at most 100 a page"
    );
    let (status, _) = s.get("/api/v1/blocks?cursor=nonsense", &alice.token).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    let carol = s.register("carol").await;
    for other in &others[..2] {
        s.post(
            "/api/v1/friends/requests",
            &other.token,
            json!({"userId": carol.id}),
        )
        .await;
    }
    let (_, pending) = s
        .get("/api/v1/friends/requests?limit=1", &carol.token)
        .await;
    assert_eq!(pending["incoming"].as_array().expect("list").len(), 1);
    let cursor = pending["nextIncomingCursor"].as_str().expect("more");
    assert!(pending["nextOutgoingCursor"].is_null());
    let (_, more) = s
        .get(
            &format!("/api/v1/friends/requests?limit=1&incomingCursor={cursor}"),
            &carol.token,
        )
        .await;
    assert_eq!(more["incoming"].as_array().expect("list").len(), 1);
    assert_ne!(more["incoming"][0]["id"], pending["incoming"][0]["id"]);
    assert!(more["nextIncomingCursor"].is_null());
}
