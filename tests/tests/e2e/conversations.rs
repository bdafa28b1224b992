//! Conversations, members and roles, end to end (docs/protocol.md §1).

use chatchit_tests::TestServer;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn a_direct_conversation_is_created_once_per_pair() {
    let s = TestServer::start().await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    let (status, first) = s
        .post(
            "/api/v1/conversations/direct",
            &alice.token,
            json!({"userId": bob.id}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["kind"], "direct");
    assert_eq!(first["title"], serde_json::Value::Null);
    let roles: Vec<_> = first["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| m["role"].clone())
        .collect();
    assert_eq!(roles, vec![json!("member"), json!("member")]);
    let (_, again) = s
        .post(
            "/api/v1/conversations/direct",
            &bob.token,
            json!({"userId": alice.id}),
        )
        .await;
    assert_eq!(first["id"], again["id"]);
    let (status, v) = s
        .post(
            "/api/v1/conversations/direct",
            &alice.token,
            json!({"userId": alice.id}),
        )
        .await;
    assert_eq!(
        (status, v["error"]["code"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("validation"))
    );
}

#[tokio::test]
async fn sockets_join_conversations_created_after_they_connected() {
    let s = TestServer::start().await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    let mut bob_socket = s.socket(&bob.token).await;
    let a = s.socket(&alice.token).await;
    let c = s.group(&alice, &[&bob]).await;
    let announced = bob_socket.expect("conversation:new").await;
    assert_eq!(announced["id"], c.as_str());
    assert_eq!(announced["members"].as_array().expect("members").len(), 2);
    a.emit(
        "message:send",
        json!({"conversationId": c, "clientMsgId": "1", "body": "welcome"}),
    )
    .await;
    assert_eq!(bob_socket.expect("message:new").await["body"], "welcome");
}

#[tokio::test]
async fn admins_manage_members_and_members_may_not() {
    let s = TestServer::start().await;
    let (owner, bob, carol, dan) = (
        s.register("owner").await,
        s.register("bob").await,
        s.register("carol").await,
        s.register("dan").await,
    );
    let c = s.group(&owner, &[&bob]).await;
    let members = format!("/api/v1/conversations/{c}/members");
    let (status, _) = s
        .post(&members, &bob.token, json!({"userIds": [carol.id]}))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "members cannot add");
    let (status, _) = s
        .call(
            Method::PATCH,
            &format!("/api/v1/conversations/{c}"),
            Some(&bob.token),
            Some(json!({"title": "mine"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "members cannot rename");

    let (status, v) = s
        .call(
            Method::PATCH,
            &format!("{members}/{}", bob.id),
            Some(&owner.token),
            Some(json!({"role": "admin"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let mut carol_socket = s.socket(&carol.token).await;
    let (status, v) = s
        .post(&members, &bob.token, json!({"userIds": [carol.id, dan.id]}))
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["members"].as_array().expect("members").len(), 4);
    let added = carol_socket.expect("member:added").await;
    assert_eq!(added["conversationId"], c.as_str());
    assert_eq!(added["by"], bob.id.as_str());

    let (status, _) = s
        .call(
            Method::DELETE,
            &format!("{members}/{}", owner.id),
            Some(&bob.token),
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "an admin cannot remove the owner"
    );
    let (status, _) = s
        .call(
            Method::DELETE,
            &format!("{members}/{}", carol.id),
            Some(&bob.token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let removed = carol_socket.expect("member:removed").await;
    assert_eq!(removed["userId"], carol.id.as_str());
    assert_eq!(
        s.get(&format!("/api/v1/conversations/{c}"), &carol.token)
            .await
            .0,
        StatusCode::FORBIDDEN
    );

    let (status, v) = s
        .call(
            Method::PATCH,
            &format!("/api/v1/conversations/{c}"),
            Some(&bob.token),
            Some(json!({"title": "renamed"})),
        )
        .await;
    assert_eq!(
        (status, v["title"].clone()),
        (StatusCode::OK, json!("renamed"))
    );
}

#[tokio::test]
async fn the_owner_leaving_hands_over_to_the_first_admin_then_the_first_member() {
    let s = TestServer::start().await;
    let (owner, bob, carol) = (
        s.register("owner").await,
        s.register("bob").await,
        s.register("carol").await,
    );
    let c = s.group(&owner, &[&bob]).await;
    let members = format!("/api/v1/conversations/{c}/members");
    s.post(&members, &owner.token, json!({"userIds": [carol.id]}))
        .await;
    s.call(
        Method::PATCH,
        &format!("{members}/{}", carol.id),
        Some(&owner.token),
        Some(json!({"role": "admin"})),
    )
    .await;
    let (status, _) = s
        .call(
            Method::DELETE,
            &format!("{members}/{}", owner.id),
            Some(&owner.token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, view) = s
        .get(&format!("/api/v1/conversations/{c}"), &bob.token)
        .await;
    let role_of = |id: &str| {
        view["members"]
            .as_array()
            .expect("members")
            .iter()
            .find(|m| m["user"]["id"] == id)
            .map(|m| m["role"].clone())
    };
    assert_eq!(
        role_of(&carol.id),
        Some(json!("owner")),
        "the admin inherits, though she joined later"
    );
    assert_eq!(role_of(&bob.id), Some(json!("member")));

    s.call(
        Method::DELETE,
        &format!("{members}/{}", carol.id),
        Some(&carol.token),
        None,
    )
    .await;
    let (_, view) = s
        .get(&format!("/api/v1/conversations/{c}"), &bob.token)
        .await;
    assert_eq!(
        view["members"][0]["role"], "owner",
        "then the earliest member"
    );
}

#[tokio::test]
async fn the_list_is_ordered_by_activity_and_paginated() {
    let s = TestServer::start().await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(s.group(&alice, &[&bob]).await);
    }
    let a = s.socket(&alice.token).await;
    a.emit(
        "message:send",
        json!({"conversationId": ids[0], "clientMsgId": "x", "body": "bump"}),
    )
    .await;
    let (_, first) = s.get("/api/v1/conversations?limit=2", &bob.token).await;
    let page: Vec<_> = first["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["id"].clone())
        .collect();
    assert_eq!(page[0], json!(ids[0]), "most recent activity first");
    let cursor = first["nextCursor"].as_str().expect("a next page");
    let (_, second) = s
        .get(
            &format!("/api/v1/conversations?limit=2&cursor={cursor}"),
            &bob.token,
        )
        .await;
    assert_eq!(second["items"].as_array().expect("items").len(), 1);
    assert_eq!(second["nextCursor"], serde_json::Value::Null);
    let (status, _) = s
        .get("/api/v1/conversations?cursor=bogus", &bob.token)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}
