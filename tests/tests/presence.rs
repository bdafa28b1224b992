//! Presence, end to end: friends only, invisible looks offline, last socket
//! closing means offline with `lastSeenAt`.

use chatchit_tests::TestServer;
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn friends_see_presence_changes_and_strangers_do_not() {
    let s = TestServer::start().await;
    let (alice, bob, carol) = (
        s.register("alice").await,
        s.register("bob").await,
        s.register("carol").await,
    );
    s.befriend(&alice, &bob).await;
    let mut bob_socket = s.socket(&bob.token).await;
    let mut carol_socket = s.socket(&carol.token).await;

    let alice_phone = s.socket(&alice.token).await;
    let online = bob_socket.expect("presence").await;
    assert_eq!(
        online,
        json!({"userId": alice.id, "status": "online", "lastSeenAt": null})
    );
    let alice_laptop = s.socket(&alice.token).await;

    let ack = alice_phone
        .emit("presence:set", json!({"status": "away"}))
        .await;
    assert_eq!(ack, json!({"ok": true, "data": {}}));
    assert_eq!(bob_socket.expect("presence").await["status"], "away");
    alice_phone
        .emit("presence:set", json!({"status": "invisible"}))
        .await;
    assert_eq!(
        bob_socket.expect("presence").await["status"],
        "offline",
        "invisible looks offline"
    );
    alice_phone
        .emit("presence:set", json!({"status": "online"}))
        .await;
    assert_eq!(bob_socket.expect("presence").await["status"], "online");

    alice_phone.close().await;
    bob_socket
        .expect_none("presence", Duration::from_millis(300))
        .await;
    alice_laptop.close().await;
    let offline = bob_socket.expect("presence").await;
    assert_eq!(offline["status"], "offline");
    assert!(offline["lastSeenAt"].is_string(), "{offline}");
    carol_socket
        .expect_none("presence", Duration::from_millis(200))
        .await;

    let bad = s.socket(&alice.token).await;
    let ack = bad.emit("presence:set", json!({"status": "offline"})).await;
    assert_eq!(
        ack["error"]["code"], "validation",
        "offline is not a choice"
    );
}

#[tokio::test]
async fn a_new_socket_learns_which_friends_are_online() {
    let s = TestServer::start().await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    s.befriend(&alice, &bob).await;
    let _alice_socket = s.socket(&alice.token).await;
    let mut bob_socket = s.socket(&bob.token).await;
    assert_eq!(
        bob_socket.expect("presence").await["userId"],
        alice.id.as_str()
    );
}

#[tokio::test]
async fn presence_never_crosses_a_block() {
    let s = TestServer::start().await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    s.befriend(&alice, &bob).await;
    s.call(
        Method::PUT,
        &format!("/api/v1/blocks/{}", bob.id),
        Some(&alice.token),
        None,
    )
    .await;
    let mut bob_socket = s.socket(&bob.token).await;
    let _alice_socket = s.socket(&alice.token).await;
    bob_socket
        .expect_none("presence", Duration::from_millis(300))
        .await;
}
