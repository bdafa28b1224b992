//! Presence, end to end: friends only, invisible looks offline, last socket
//! closing means offline with `lastSeenAt`.

use chatchit_tests::{TestServer, TestSocket};
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

/// The next `presence` whose status differs from `last` (a snapshot and a
/// change can both say the same thing when they cross; clients treat
/// presence as state, so repeats are harmless).
async fn next_change(socket: &mut TestSocket, last: &mut String) -> serde_json::Value {
    loop {
        let event = socket.expect("presence").await;
        let status = event["status"].as_str().unwrap_or_default().to_owned();
        if status != *last {
            *last = status;
            return event;
        }
    }
}

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

    let mut last = "offline".to_owned();
    let alice_phone = s.socket(&alice.token).await;
    let online = next_change(&mut bob_socket, &mut last).await;
    assert_eq!(
        online,
        json!({"userId": alice.id, "status": "online", "lastSeenAt": null})
    );
    let alice_laptop = s.socket(&alice.token).await;

    let ack = alice_phone
        .emit("presence:set", json!({"status": "away"}))
        .await;
    assert_eq!(ack, json!({"ok": true, "data": {}}));
    assert_eq!(
        next_change(&mut bob_socket, &mut last).await["status"],
        "away"
    );
    alice_phone
        .emit("presence:set", json!({"status": "invisible"}))
        .await;
    let hidden = next_change(&mut bob_socket, &mut last).await;
    assert_eq!(hidden["status"], "offline", "invisible looks offline");
    assert!(
        hidden["lastSeenAt"].is_string(),
        "last seen as it went invisible: {hidden}"
    );
    alice_phone
        .emit("presence:set", json!({"status": "online"}))
        .await;
    assert_eq!(
        next_change(&mut bob_socket, &mut last).await["status"],
        "online"
    );

    alice_phone.close().await;
    alice_laptop.close().await;
    let offline = next_change(&mut bob_socket, &mut last).await;
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
