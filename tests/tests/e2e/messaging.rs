//! Messaging over Socket.IO and REST, end to end (docs/protocol.md §1
//! Conversations, §2 Realtime).

use chatchit_tests::TestServer;
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

#[tokio::test]
async fn a_group_message_is_acked_after_storage_and_reaches_every_other_socket() {
    let s = TestServer::start().await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    let c = s.group(&alice, &[&bob]).await;
    let mut alice_phone = s.socket(&alice.token).await;
    let mut alice_laptop = s.socket(&alice.token).await;
    let mut bob_socket = s.socket(&bob.token).await;

    let ack = alice_phone
        .emit(
            "message:send",
            json!({"conversationId": c, "clientMsgId": "m1", "body": " <b>hi</b> "}),
        )
        .await;
    assert_eq!(ack["ok"], true, "{ack}");
    let message = &ack["data"];
    assert_eq!(message["seq"], 1);
    assert_eq!(
        message["body"], "<b>hi</b>",
        "stored as given, trimmed, never interpreted"
    );
    assert_eq!(message["senderId"], alice.id.as_str());
    assert_eq!(message["attachments"], json!([]));
    assert_eq!(message["deletedAt"], serde_json::Value::Null);

    let received = bob_socket.expect("message:new").await;
    assert_eq!(&received, message);
    assert_eq!(&alice_laptop.expect("message:new").await, message);
    alice_phone
        .expect_none("message:new", Duration::from_millis(300))
        .await;

    let (_, page) = s
        .get(&format!("/api/v1/conversations/{c}/messages"), &bob.token)
        .await;
    assert_eq!(page["items"][0]["id"], message["id"]);
}

#[tokio::test]
async fn a_retried_send_returns_the_first_message_and_delivers_nothing_twice() {
    let s = TestServer::start().await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    let c = s.group(&alice, &[&bob]).await;
    let sender = s.socket(&alice.token).await;
    let mut receiver = s.socket(&bob.token).await;
    let payload = json!({"conversationId": c, "clientMsgId": "same", "body": "once"});
    let first = sender.emit("message:send", payload.clone()).await;
    let second = sender.emit("message:send", payload).await;
    assert_eq!(first, second);
    receiver.expect("message:new").await;
    receiver
        .expect_none("message:new", Duration::from_millis(300))
        .await;
    let next = sender
        .emit(
            "message:send",
            json!({"conversationId": c, "clientMsgId": "other", "body": "two"}),
        )
        .await;
    assert_eq!(next["data"]["seq"], 2, "seq has no gaps");
}

#[tokio::test]
async fn non_members_may_not_send_or_read() {
    let s = TestServer::start().await;
    let (alice, bob, eve) = (
        s.register("alice").await,
        s.register("bob").await,
        s.register("eve").await,
    );
    let c = s.group(&alice, &[&bob]).await;
    let intruder = s.socket(&eve.token).await;
    let ack = intruder
        .emit(
            "message:send",
            json!({"conversationId": c, "clientMsgId": "x", "body": "let me in"}),
        )
        .await;
    assert_eq!(ack["ok"], false);
    assert_eq!(ack["error"]["code"], "forbidden");
    let (status, _) = s
        .get(&format!("/api/v1/conversations/{c}/messages"), &eve.token)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = s
        .get(&format!("/api/v1/conversations/{c}"), &eve.token)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, page) = s
        .get(&format!("/api/v1/conversations/{c}/messages"), &alice.token)
        .await;
    assert_eq!(page["items"], json!([]), "nothing was stored");
}

#[tokio::test]
async fn only_the_sender_edits_and_sender_or_admin_deletes() {
    let s = TestServer::start().await;
    let (alice, bob, carol) = (
        s.register("alice").await,
        s.register("bob").await,
        s.register("carol").await,
    );
    let c = s.group(&alice, &[&bob, &carol]).await;
    let a = s.socket(&alice.token).await;
    let b = s.socket(&bob.token).await;
    let mut watcher = s.socket(&carol.token).await;
    let sent = b
        .emit(
            "message:send",
            json!({"conversationId": c, "clientMsgId": "b1", "body": "typo"}),
        )
        .await;
    let id = sent["data"]["id"].clone();

    let denied = a
        .emit("message:edit", json!({"messageId": id, "body": "hijack"}))
        .await;
    assert_eq!(denied["error"]["code"], "forbidden");
    let edited = b
        .emit("message:edit", json!({"messageId": id, "body": "fixed"}))
        .await;
    assert_eq!(edited["data"]["body"], "fixed");
    assert!(edited["data"]["editedAt"].is_string());
    assert_eq!(watcher.expect("message:updated").await["body"], "fixed");

    let by_member = s.socket(&carol.token).await;
    let denied = by_member
        .emit("message:delete", json!({"messageId": id}))
        .await;
    assert_eq!(denied["error"]["code"], "forbidden");
    let deleted = a.emit("message:delete", json!({"messageId": id})).await;
    assert_eq!(deleted["data"]["messageId"], id, "the owner moderates");
    let event = watcher.expect("message:deleted").await;
    assert_eq!(event, json!({"messageId": id, "conversationId": c}));
    let (_, page) = s
        .get(&format!("/api/v1/conversations/{c}/messages"), &carol.token)
        .await;
    let tombstone = &page["items"][0];
    assert_eq!(
        (tombstone["body"].clone(), tombstone["attachments"].clone()),
        (json!(""), json!([]))
    );
    assert!(tombstone["deletedAt"].is_string());
}

#[tokio::test]
async fn reactions_are_counted_and_broadcast() {
    let s = TestServer::start().await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    let c = s.group(&alice, &[&bob]).await;
    let a = s.socket(&alice.token).await;
    let mut b = s.socket(&bob.token).await;
    let sent = a
        .emit(
            "message:send",
            json!({"conversationId": c, "clientMsgId": "r", "body": "react"}),
        )
        .await;
    let id = sent["data"]["id"].clone();
    let ack = b
        .emit(
            "message:react",
            json!({"messageId": id, "emoji": "👍", "on": true}),
        )
        .await;
    assert_eq!(
        ack["data"],
        json!({"messageId": id, "reactions": {"👍": 1}})
    );
    let event = b.expect("message:reactions").await;
    assert_eq!(
        event,
        json!({"messageId": id, "conversationId": c, "reactions": {"👍": 1}})
    );
    let ack = b
        .emit(
            "message:react",
            json!({"messageId": id, "emoji": "👍", "on": false}),
        )
        .await;
    assert_eq!(ack["data"]["reactions"], json!({}));
}

#[tokio::test]
async fn history_pages_carry_their_reactions_as_the_reader_sees_them() {
    let s = TestServer::start().await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    let c = s.group(&alice, &[&bob]).await;
    let a = s.socket(&alice.token).await;
    let b = s.socket(&bob.token).await;
    let mut ids = Vec::new();
    for i in 0..2 {
        let sent = a
            .emit(
                "message:send",
                json!({"conversationId": c, "clientMsgId": format!("h{i}"), "body": "x"}),
            )
            .await;
        ids.push(sent["data"]["id"].clone());
    }
    for (socket, emoji) in [(&a, "👍"), (&b, "👍"), (&b, "🎉")] {
        socket
            .emit(
                "message:react",
                json!({"messageId": ids[0], "emoji": emoji, "on": true}),
            )
            .await;
    }
    let path = format!("/api/v1/conversations/{c}/messages");
    let (status, page) = s.get(&path, &bob.token).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(
        page["reactions"],
        json!([{"messageId": ids[0], "reactions": {"👍": 2, "🎉": 1}, "mine": ["🎉", "👍"]}])
    );
    let (_, page) = s.get(&path, &alice.token).await;
    assert_eq!(page["reactions"][0]["mine"], json!(["👍"]));
    // The socket's history command answers the same.
    let ack = a
        .emit("message:history", json!({"conversationId": c}))
        .await;
    assert_eq!(ack["data"]["reactions"], page["reactions"], "{ack}");
}

#[tokio::test]
async fn read_receipts_move_unread_counts() {
    let s = TestServer::start().await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    let c = s.group(&alice, &[&bob]).await;
    let mut a = s.socket(&alice.token).await;
    let b = s.socket(&bob.token).await;
    let mut last = json!(null);
    for i in 0..3 {
        let ack = a
            .emit(
                "message:send",
                json!({"conversationId": c, "clientMsgId": format!("k{i}"), "body": "x"}),
            )
            .await;
        last = ack["data"]["id"].clone();
    }
    let (_, list) = s.get("/api/v1/conversations", &bob.token).await;
    assert_eq!(list["items"][0]["unreadCount"], 3);
    assert_eq!(list["items"][0]["lastMessage"]["id"], last);
    let (_, mine) = s.get("/api/v1/conversations", &alice.token).await;
    assert_eq!(
        mine["items"][0]["unreadCount"], 0,
        "own messages are never unread"
    );

    let ack = b
        .emit(
            "conversation:read",
            json!({"conversationId": c, "messageId": last}),
        )
        .await;
    assert_eq!(
        ack["data"],
        json!({"conversationId": c, "messageId": last, "unreadCount": 0})
    );
    let receipt = a.expect("conversation:read").await;
    assert_eq!(
        receipt,
        json!({"conversationId": c, "userId": bob.id, "messageId": last})
    );
    let (_, list) = s.get("/api/v1/conversations", &bob.token).await;
    assert_eq!(list["items"][0]["unreadCount"], 0);
    assert_eq!(list["items"][0]["lastReadMessageId"], last);
}

#[tokio::test]
async fn sync_and_rest_history_page_both_ways() {
    let s = TestServer::start().await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    let c = s.group(&alice, &[&bob]).await;
    let a = s.socket(&alice.token).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let (status, m) = s
            .post(
                &format!("/api/v1/conversations/{c}/messages"),
                &alice.token,
                json!({"clientMsgId": format!("h{i}"), "body": format!("n{i}")}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{m}");
        ids.push(m["id"].as_str().expect("id").to_owned());
    }
    let synced = a
        .emit("sync", json!({"conversationId": c, "afterSeq": 3}))
        .await;
    let seqs: Vec<_> = synced["data"]["messages"]
        .as_array()
        .expect("list")
        .iter()
        .map(|m| m["seq"].clone())
        .collect();
    assert_eq!(seqs, vec![json!(4), json!(5)]);
    assert_eq!(synced["data"]["hasMore"], false);

    let (_, older) = s
        .get(
            &format!(
                "/api/v1/conversations/{c}/messages?before={}&limit=2",
                ids[3]
            ),
            &bob.token,
        )
        .await;
    let bodies: Vec<_> = older["items"]
        .as_array()
        .expect("list")
        .iter()
        .map(|m| m["body"].clone())
        .collect();
    assert_eq!(bodies, vec![json!("n2"), json!("n1")]);
    assert_eq!(older["hasMore"], true);
    let (_, newer) = s
        .get(
            &format!("/api/v1/conversations/{c}/messages?after={}", ids[1]),
            &bob.token,
        )
        .await;
    let bodies: Vec<_> = newer["items"]
        .as_array()
        .expect("list")
        .iter()
        .map(|m| m["body"].clone())
        .collect();
    assert_eq!(bodies, vec![json!("n2"), json!("n3"), json!("n4")]);
    assert_eq!(newer["hasMore"], false);
}

#[tokio::test]
async fn typing_reaches_others_and_ends_with_a_message() {
    let s = TestServer::start().await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    let c = s.group(&alice, &[&bob]).await;
    let mut a = s.socket(&alice.token).await;
    let mut b = s.socket(&bob.token).await;
    let ack = a
        .emit("typing", json!({"conversationId": c, "typing": true}))
        .await;
    assert_eq!(ack, json!({"ok": true, "data": {}}));
    assert_eq!(
        b.expect("typing").await,
        json!({"conversationId": c, "userId": alice.id, "typing": true})
    );
    a.emit(
        "message:send",
        json!({"conversationId": c, "clientMsgId": "t", "body": "done"}),
    )
    .await;
    assert_eq!(b.expect("typing").await["typing"], false);
    a.expect_none("typing", Duration::from_millis(200)).await;
}

#[tokio::test]
async fn unrenewed_typing_lapses() {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = chatchit_tests::test_config(dir.path()).await;
    config.typing_timeout_ms = 200;
    let s = TestServer::start_with(dir, config).await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    let c = s.group(&alice, &[&bob]).await;
    let a = s.socket(&alice.token).await;
    let mut b = s.socket(&bob.token).await;
    a.emit("typing", json!({"conversationId": c, "typing": true}))
        .await;
    assert_eq!(b.expect("typing").await["typing"], true);
    assert_eq!(
        b.expect("typing").await["typing"],
        false,
        "lapsed without renewal"
    );
}

#[tokio::test]
async fn a_replied_message_must_be_in_the_same_conversation() {
    let s = TestServer::start().await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    let c1 = s.group(&alice, &[&bob]).await;
    let c2 = s.group(&alice, &[&bob]).await;
    let a = s.socket(&alice.token).await;
    let first = a
        .emit(
            "message:send",
            json!({"conversationId": c1, "clientMsgId": "q", "body": "q"}),
        )
        .await;
    let id = first["data"]["id"].clone();
    let bad = a
        .emit(
            "message:send",
            json!({"conversationId": c2, "clientMsgId": "r", "body": "a", "replyToId": id}),
        )
        .await;
    assert_eq!(bad["error"]["code"], "validation");
    let good = a
        .emit(
            "message:send",
            json!({"conversationId": c1, "clientMsgId": "r", "body": "a", "replyToId": id}),
        )
        .await;
    assert_eq!(good["data"]["replyToId"], id);
}

/// Twelve sockets send 20 messages each into one group, all at once: every
/// member gets the others' messages in strictly increasing seq, no gap
/// (before, `message:new` followed the order in which handler tasks woke).
#[tokio::test]
async fn concurrent_senders_into_one_group_are_delivered_in_seq_order() {
    let s = TestServer::start().await;
    chatchit_tests::ordering::concurrent_sends_arrive_in_seq_order(&[&s], 12, 20).await;
}

#[tokio::test]
async fn history_pages_over_the_socket_as_over_rest() {
    let s = TestServer::start().await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    let c = s.group(&alice, &[&bob]).await;
    let socket = s.socket(&bob.token).await;
    let mut sent = Vec::new();
    for i in 0..5 {
        let ack = socket
            .emit(
                "message:send",
                json!({"conversationId": c, "clientMsgId": format!("h{i}"), "body": format!("m{i}")}),
            )
            .await;
        sent.push(ack["data"]["id"].clone());
    }
    let newest = socket
        .emit("message:history", json!({"conversationId": c, "limit": 2}))
        .await;
    assert_eq!(newest["ok"], true, "{newest}");
    let bodies = |page: &serde_json::Value| -> Vec<String> {
        page["data"]["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|m| m["body"].as_str().expect("body").to_owned())
            .collect()
    };
    assert_eq!(bodies(&newest), ["m4", "m3"]);
    assert_eq!(newest["data"]["hasMore"], true);
    let older = socket
        .emit(
            "message:history",
            json!({"conversationId": c, "before": sent[3], "limit": 10}),
        )
        .await;
    assert_eq!(bodies(&older), ["m2", "m1", "m0"]);
    assert_eq!(older["data"]["hasMore"], false);
    let (_, rest) = s
        .get(
            &format!(
                "/api/v1/conversations/{c}/messages?before={}&limit=10",
                sent[3].as_str().expect("id")
            ),
            &alice.token,
        )
        .await;
    assert_eq!(
        rest["items"], older["data"]["items"],
        "the same page as REST"
    );
    let both = socket
        .emit(
            "message:history",
            json!({"conversationId": c, "before": sent[3], "after": sent[0]}),
        )
        .await;
    assert_eq!(both["error"]["code"], "validation", "{both}");
}
