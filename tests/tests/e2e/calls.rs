//! Call signaling end to end: the state machine, busy, missed, rejection,
//! cancellation, blocks and signal relay isolation.

use chatchit_tests::{TestServer, test_config};
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn a_call_rings_is_answered_relays_signals_and_completes() {
    let s = TestServer::start().await;
    let (alice, bob, carol) = (
        s.register("alice").await,
        s.register("bob").await,
        s.register("carol").await,
    );
    let c = s.direct(&alice, &bob).await;
    let mut a = s.socket(&alice.token).await;
    let mut b = s.socket(&bob.token).await;
    let mut outsider = s.socket(&carol.token).await;

    let ack = a
        .emit("call:invite", json!({"conversationId": c, "kind": "video"}))
        .await;
    let call_id = ack["data"]["callId"].as_str().expect("callId").to_owned();
    let incoming = b.expect("call:incoming").await;
    assert_eq!(
        incoming,
        json!({"callId": call_id, "conversationId": c, "kind": "video", "from": alice.id})
    );

    let ack = b.emit("call:accept", json!({"callId": call_id})).await;
    assert_eq!(ack["data"], json!({"callId": call_id, "state": "active"}));
    let accepted = a.expect("call:accepted").await;
    assert_eq!(
        accepted,
        json!({"callId": call_id, "userId": bob.id, "state": "active"})
    );

    let offer = json!({"sdp": "v=0 ...", "type": "offer"});
    let ack = a
        .emit(
            "call:signal",
            json!({"callId": call_id, "toUserId": bob.id, "type": "offer", "payload": offer}),
        )
        .await;
    assert_eq!(ack["ok"], true, "{ack}");
    let relayed = b.expect("call:signal").await;
    assert_eq!(
        relayed,
        json!({"callId": call_id, "fromUserId": alice.id, "type": "offer", "payload": offer})
    );
    let denied = outsider
        .emit(
            "call:signal",
            json!({"callId": call_id, "toUserId": bob.id, "type": "ice", "payload": {}}),
        )
        .await;
    assert_eq!(denied["error"]["code"], "forbidden");
    outsider
        .expect_none("call:signal", Duration::from_millis(200))
        .await;
    a.expect_none("call:signal", Duration::from_millis(100))
        .await;

    let ack = a.emit("call:end", json!({"callId": call_id})).await;
    assert_eq!(ack["data"]["state"], "ended");
    let ended = b.expect("call:ended").await;
    assert_eq!(ended["reason"], "completed");
    let (_, history) = s.get("/api/v1/calls", &bob.token).await;
    assert_eq!(history[0]["id"], call_id.as_str());
    assert_eq!(history[0]["state"], "ended");
    assert_eq!(history[0]["endReason"], "completed");
    assert!(history[0]["answeredAt"].is_string());
    assert_eq!(history[0]["participants"], json!([alice.id, bob.id]));
}

#[tokio::test]
async fn a_callee_already_in_a_call_is_busy() {
    let s = TestServer::start().await;
    let (alice, bob, carol) = (
        s.register("alice").await,
        s.register("bob").await,
        s.register("carol").await,
    );
    let ab = s.direct(&alice, &bob).await;
    let cb = s.direct(&carol, &bob).await;
    let a = s.socket(&alice.token).await;
    let c = s.socket(&carol.token).await;
    let ack = a
        .emit(
            "call:invite",
            json!({"conversationId": ab, "kind": "audio"}),
        )
        .await;
    assert_eq!(ack["ok"], true);
    let busy = c
        .emit(
            "call:invite",
            json!({"conversationId": cb, "kind": "audio"}),
        )
        .await;
    assert_eq!(
        busy["error"],
        json!({"code": "conflict", "message": "busy"})
    );
}

#[tokio::test]
async fn an_unanswered_call_ends_as_missed() {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = test_config(dir.path()).await;
    config.call_ring_timeout_ms = 200;
    let s = TestServer::start_with(dir, config).await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    let c = s.direct(&alice, &bob).await;
    let mut a = s.socket(&alice.token).await;
    let mut b = s.socket(&bob.token).await;
    a.emit("call:invite", json!({"conversationId": c, "kind": "audio"}))
        .await;
    b.expect("call:incoming").await;
    assert_eq!(a.expect("call:ended").await["reason"], "missed");
    assert_eq!(b.expect("call:ended").await["reason"], "missed");
    let again = a
        .emit("call:invite", json!({"conversationId": c, "kind": "audio"}))
        .await;
    assert_eq!(again["ok"], true, "nobody is busy any more");
}

#[tokio::test]
async fn rejection_and_cancellation_end_a_ringing_call() {
    let s = TestServer::start().await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    let c = s.direct(&alice, &bob).await;
    let mut a = s.socket(&alice.token).await;
    let mut b = s.socket(&bob.token).await;

    let ack = a
        .emit("call:invite", json!({"conversationId": c, "kind": "audio"}))
        .await;
    let first = ack["data"]["callId"].clone();
    let denied = a.emit("call:accept", json!({"callId": first})).await;
    assert_eq!(
        denied["error"]["code"], "forbidden",
        "the caller cannot answer"
    );
    b.emit("call:reject", json!({"callId": first})).await;
    let rejected = a.expect("call:rejected").await;
    assert_eq!(
        (rejected["state"].clone(), rejected["reason"].clone()),
        (json!("ended"), json!("rejected"))
    );

    let ack = a
        .emit("call:invite", json!({"conversationId": c, "kind": "audio"}))
        .await;
    let second = ack["data"]["callId"].clone();
    a.emit("call:end", json!({"callId": second})).await;
    assert_eq!(b.expect("call:ended").await["reason"], "cancelled");
    let late = b.emit("call:accept", json!({"callId": second})).await;
    assert_eq!(late["error"]["code"], "conflict");
}

#[tokio::test]
async fn no_calls_across_a_block() {
    let s = TestServer::start().await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    let c = s.direct(&alice, &bob).await;
    s.call(
        Method::PUT,
        &format!("/api/v1/blocks/{}", alice.id),
        Some(&bob.token),
        None,
    )
    .await;
    let a = s.socket(&alice.token).await;
    let mut b = s.socket(&bob.token).await;
    let ack = a
        .emit("call:invite", json!({"conversationId": c, "kind": "audio"}))
        .await;
    assert_eq!(ack["error"]["code"], "forbidden");
    b.expect_none("call:incoming", Duration::from_millis(200))
        .await;
}
