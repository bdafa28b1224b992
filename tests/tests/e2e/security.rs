//! The holes an outside audit found, each closed and held closed by a test
//! through the real server: revoked sessions on every transport, frames that
//! used to panic, revocations lost on the way, and the rest of issue 11.

use chatchit_tests::raw::{RawPolling, next_text, raw_engine_socket, raw_socket};
use chatchit_tests::{PATIENCE, TestServer, TestUser, test_config};
use futures_util::SinkExt;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

/// `/admin/stats`' count of this node's connected sockets.
async fn connected_sockets(s: &TestServer, admin: &TestUser) -> u64 {
    let (status, stats) = s.get("/api/v1/admin/stats", &admin.token).await;
    assert_eq!(status, StatusCode::OK, "{stats}");
    stats["connectedSockets"].as_u64().expect("a count")
}

/// Polls `/admin/stats` until `want` sockets are connected.
async fn until_connected(s: &TestServer, admin: &TestUser, want: u64) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let now = connected_sockets(s, admin).await;
        if now == want {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{now} sockets connected, not {want}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn send_packet(conversation: &str, client_msg_id: &str, body: &str) -> String {
    let payload =
        json!({"conversationId": conversation, "clientMsgId": client_msg_id, "body": body});
    format!("421{}", json!(["message:send", payload]))
}

async fn logout(s: &TestServer, user: &TestUser) {
    let (status, v) = s
        .call(
            Method::POST,
            "/api/v1/auth/logout",
            None,
            Some(json!({"refreshToken": user.refresh})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{v}");
}

#[tokio::test]
async fn a_revoked_long_polling_session_handles_nothing_more() {
    let (s, admin) = TestServer::with_admin().await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    let c = s.group(&alice, &[&bob]).await;
    let polling = RawPolling::connect(&s, &bob.token).await;
    let (status, _) = polling.post(&send_packet(&c, "before", "before")).await;
    assert_eq!(status, 200);
    polling.get_until(|frame| frame.starts_with("431")).await;

    let (status, _) = s
        .post(
            &format!("/api/v1/admin/users/{}/ban", bob.id),
            &admin.token,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // Bob never reads again; he only keeps posting.
    let (status, answer) = polling.post(&send_packet(&c, "after", "after")).await;
    assert_eq!(status, 400, "{answer}");
    let answer: Value = serde_json::from_str(&answer).expect("JSON");
    assert_eq!(answer["code"], 1, "an unknown session");
    let (status, _) = polling.post("3").await;
    assert_eq!(status, 400, "a pong is refused as well");
    assert_eq!(s.stored_bodies(&c, &alice.token).await, ["before"]);
    until_connected(&s, &admin, 0).await;
}

#[tokio::test]
async fn a_logged_out_websocket_session_handles_nothing_more() {
    let s = TestServer::start().await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    let c = s.group(&alice, &[&bob]).await;
    let mut ws = raw_socket(&s, &bob.token).await;
    logout(&s, &bob).await;
    // Whatever was sent after the logout is not handled.
    let _maybe_closed = ws
        .send(Message::text(send_packet(&c, "late", "late")))
        .await;
    while let Some(frame) = next_text(&mut ws).await {
        assert!(!frame.starts_with("431"), "no ack after a logout: {frame}");
    }
    assert!(s.stored_bodies(&c, &alice.token).await.is_empty());
}

#[tokio::test]
async fn a_frame_that_splits_a_character_closes_its_socket_and_leaks_nothing() {
    let (s, admin) = TestServer::with_admin().await;
    let bob = s.register("bob").await;
    for frame in ["4é", "4\u{1F600}", "42é", "4é0"] {
        let mut ws = raw_socket(&s, &bob.token).await;
        until_connected(&s, &admin, 1).await;
        ws.send(Message::text(frame)).await.expect("send");
        assert_eq!(
            next_text(&mut ws).await,
            None,
            "{frame:?} closes the socket"
        );
        until_connected(&s, &admin, 0).await;
    }
    // Unauthenticated sessions are closed the same way.
    for _ in 0..20 {
        let mut ws = raw_engine_socket(&s).await;
        ws.send(Message::text("4é")).await.expect("send");
        assert_eq!(next_text(&mut ws).await, None);
    }
    let (status, _) = s.get("/api/v1/me", &bob.token).await;
    assert_eq!(status, StatusCode::OK, "the server carries on");
}

#[tokio::test]
async fn a_revocation_whose_notice_is_lost_is_enforced_within_a_heartbeat() {
    // Two nodes on one database, with no bus between them (each its own
    // namespace): a logout on one never reaches the other's sockets as an
    // event, as when Redis is down in a cluster.
    let dir = tempfile::tempdir().expect("dir");
    let first = test_config(dir.path()).await;
    let mut second = first.clone();
    second.database_url = Some(first.effective_database_url());
    second.namespace = format!("{}_b", first.namespace);
    second.ping_interval_ms = 200;
    second.ping_timeout_ms = 2000;
    let a = TestServer::start_with(dir, first).await;
    let b_dir = tempfile::tempdir().expect("dir");
    let b = TestServer::start_with(b_dir, second).await;

    let bob = a.register("bob").await;
    let mut socket = b.socket(&bob.token).await;
    logout(&a, &bob).await;
    assert_eq!(
        socket.expect("session:revoked").await,
        json!({"reason": "revoked"})
    );
    socket.expect_closed().await;
}

#[tokio::test]
async fn control_characters_and_spoofing_text_are_refused_everywhere() {
    let s = TestServer::start().await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    let c = s.group(&alice, &[&bob]).await;
    let socket = s.socket(&alice.token).await;
    for body in ["nul \u{0} inside", "\u{1b}[2J", "\u{200b}\u{2060}\u{feff}"] {
        let ack = socket
            .emit(
                "message:send",
                json!({"conversationId": c, "clientMsgId": body, "body": body}),
            )
            .await;
        assert_eq!(ack["error"]["code"], "validation", "{body:?}: {ack}");
        let (status, v) = s
            .post(
                &format!("/api/v1/conversations/{c}/messages"),
                &alice.token,
                json!({"clientMsgId": "rest", "body": body}),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body:?}: {v}");
        assert_eq!(v["error"]["code"], "validation");
    }
    let sent = socket
        .emit(
            "message:send",
            json!({"conversationId": c, "clientMsgId": "ok", "body": "fine\n\ttext"}),
        )
        .await;
    assert_eq!(sent["ok"], true, "{sent}");
    let id = sent["data"]["id"].clone();
    for emoji in ["lol", "👍👍", "<script>"] {
        let ack = socket
            .emit(
                "message:react",
                json!({"messageId": id, "emoji": emoji, "on": true}),
            )
            .await;
        assert_eq!(ack["error"]["code"], "validation", "{emoji}: {ack}");
    }
    let (status, _) = s
        .call(
            Method::PATCH,
            "/api/v1/me",
            Some(&alice.token),
            Some(json!({"displayName": "admin\u{202e}nimda"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = s.get("/api/v1/users?query=a%00b", &alice.token).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(s.stored_bodies(&c, &alice.token).await, ["fine\n\ttext"]);
}

#[tokio::test]
async fn a_ban_tells_nobody_whether_a_password_was_right_and_an_unban_revives_no_token() {
    let (s, admin) = TestServer::with_admin().await;
    let bob = s.register("bob").await;
    let (status, _) = s
        .post(
            &format!("/api/v1/admin/users/{}/ban", bob.id),
            &admin.token,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let login = |password: &str| {
        s.call(
            Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "bob", "password": password})),
        )
    };
    let right = login("password123").await;
    let wrong = login("not-the-password").await;
    assert_eq!(right, wrong, "the same answer either way");
    assert_eq!(right.0, StatusCode::UNAUTHORIZED);

    let (status, _) = s
        .post(
            &format!("/api/v1/admin/users/{}/unban", bob.id),
            &admin.token,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = s.get("/api/v1/me", &bob.token).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the pre-ban access token");
    let (status, _) = s
        .call(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(json!({"refreshToken": bob.refresh})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the pre-ban refresh token"
    );
    assert_eq!(
        login("password123").await.0,
        StatusCode::OK,
        "a new login works"
    );
}

/// `blocker` blocks `blocked`.
async fn block(s: &TestServer, blocker: &TestUser, blocked: &TestUser) {
    let (status, v) = s
        .call(
            Method::PUT,
            &format!("/api/v1/blocks/{}", blocked.id),
            Some(&blocker.token),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{v}");
}

#[tokio::test]
async fn a_block_cannot_be_bypassed_through_a_group_or_a_direct_conversation() {
    let s = TestServer::start().await;
    let (alice, bob, mallory) = (
        s.register("alice").await,
        s.register("bob").await,
        s.register("mallory").await,
    );
    let direct = s.direct(&mallory, &bob).await;
    let m = s.socket(&mallory.token).await;
    let mut b = s.socket(&bob.token).await;
    let sent = m
        .emit(
            "message:send",
            json!({"conversationId": direct, "clientMsgId": "1", "body": "hi"}),
        )
        .await;
    let id = sent["data"]["id"].clone();
    block(&s, &bob, &mallory).await;

    let (status, v) = s
        .post(
            "/api/v1/conversations/group",
            &mallory.token,
            json!({"title": "trap", "memberIds": [bob.id]}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{v}");
    let group = s.group(&mallory, &[&alice]).await;
    let (status, _) = s
        .post(
            &format!("/api/v1/conversations/{group}/members"),
            &mallory.token,
            json!({"userIds": [bob.id]}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "adding the blocker");
    let (status, _) = s
        .post(
            "/api/v1/conversations/group",
            &bob.token,
            json!({"title": "mine", "memberIds": [mallory.id]}),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the blocker cannot add them either"
    );

    for (event, payload) in [
        ("message:edit", json!({"messageId": id, "body": "edited"})),
        (
            "message:react",
            json!({"messageId": id, "emoji": "👍", "on": true}),
        ),
        ("typing", json!({"conversationId": direct, "typing": true})),
    ] {
        let ack = m.emit(event, payload).await;
        assert_eq!(ack["error"]["code"], "forbidden", "{event}: {ack}");
    }
    b.expect_none("typing", Duration::from_millis(200)).await;
    let (_, page) = s
        .get(
            &format!("/api/v1/conversations/{direct}/messages"),
            &bob.token,
        )
        .await;
    assert_eq!(page["items"][0]["body"], "hi", "not edited");
}

#[tokio::test]
async fn a_group_call_leaves_out_blockers_and_a_callee_cannot_be_kept_busy() {
    let s = TestServer::start().await;
    let (alice, bob, mallory) = (
        s.register("alice").await,
        s.register("bob").await,
        s.register("mallory").await,
    );
    let group = s.group(&mallory, &[&alice, &bob]).await;
    block(&s, &bob, &mallory).await;
    let m = s.socket(&mallory.token).await;
    let mut a = s.socket(&alice.token).await;
    let mut b = s.socket(&bob.token).await;
    for ring in 0..3 {
        let ack = m
            .emit(
                "call:invite",
                json!({"conversationId": group, "kind": "audio"}),
            )
            .await;
        assert_eq!(ack["ok"], true, "ring {ring}: {ack}");
        let call_id = ack["data"]["callId"].clone();
        assert_eq!(a.expect("call:incoming").await["callId"], call_id);
        let ended = m.emit("call:end", json!({"callId": call_id})).await;
        assert_eq!(ended["ok"], true, "{ended}");
    }
    b.expect_none("call:incoming", Duration::from_millis(200))
        .await;
    let (_, history) = s.get("/api/v1/calls", &alice.token).await;
    assert_eq!(
        history[0]["participants"],
        json!([mallory.id, alice.id]),
        "bob was left out"
    );
    let ack = m
        .emit(
            "call:invite",
            json!({"conversationId": group, "kind": "audio"}),
        )
        .await;
    assert_eq!(
        ack["error"]["code"], "rate_limited",
        "a fourth ring within a minute"
    );
    let ack = a
        .emit(
            "call:invite",
            json!({"conversationId": group, "kind": "audio"}),
        )
        .await;
    assert_eq!(ack["ok"], true, "alice may still call: {ack}");
}

/// Reads from `tcp` until the server closes it (or the test's patience ends).
async fn closed_by_server(tcp: &mut tokio::net::TcpStream) -> bool {
    use tokio::io::AsyncReadExt;
    let mut buf = [0u8; 1024];
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        match tokio::time::timeout_at(deadline, tcp.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => continue,
            Err(_) => return false,
        }
    }
}

#[tokio::test]
async fn slow_headers_idle_engine_sessions_and_session_floods_are_cut_off() {
    use tokio::io::AsyncWriteExt;
    let dir = tempfile::tempdir().expect("dir");
    let mut config = test_config(dir.path()).await;
    config.header_read_timeout_ms = 300;
    config.connect_timeout_ms = 2000;
    config.max_sessions_per_ip = 3;
    let s = TestServer::start_with(dir, config).await;
    let addr = s.base.trim_start_matches("http://").to_owned();

    // Headers dribbled slower than the deadline: the connection is closed.
    let mut slow = tokio::net::TcpStream::connect(&addr).await.expect("tcp");
    slow.write_all(b"GET /health/live HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("write");
    assert!(
        closed_by_server(&mut slow).await,
        "the slow client is cut off"
    );

    // An Engine.IO session that never joins namespace `/` is closed.
    let mut idle = raw_engine_socket(&s).await;
    assert_eq!(next_text(&mut idle).await, None, "closed without a connect");

    // A client holds at most three sessions at once.
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(chatchit_tests::raw::open_polling(&s).await);
    }
    let refused = s
        .http
        .get(format!("{}/socket.io/?EIO=4&transport=polling", s.base))
        .send()
        .await
        .expect("answer");
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    // Ended (here by the connect timeout), they make room again.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let again = s
            .http
            .get(format!("{}/socket.io/?EIO=4&transport=polling", s.base))
            .send()
            .await
            .expect("answer");
        if again.status() == StatusCode::OK {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "no room came back");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn connections_past_the_cap_wait_until_one_closes() {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = test_config(dir.path()).await;
    config.max_connections = 1;
    let s = TestServer::start_with(dir, config).await;
    // A websocket keeps its place after the upgrade.
    let holder = raw_engine_socket(&s).await;
    let url = format!("{}/health/live", s.base);
    let waiting = tokio::spawn(async move { reqwest::get(url).await.map(|r| r.status()) });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !waiting.is_finished(),
        "the second connection is not served yet"
    );
    drop(holder);
    let status = tokio::time::timeout(PATIENCE, waiting)
        .await
        .expect("served once the first closed")
        .expect("join")
        .expect("answer");
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_socket_io_id_is_not_the_engine_io_credential() {
    let s = TestServer::start().await;
    let bob = s.register("bob").await;
    let polling = RawPolling::connect(&s, &bob.token).await;
    let (status, _) = polling.post("41").await;
    assert_eq!(status, 200, "leaves the namespace");
    let (status, _) = polling
        .post(&format!("40{}", json!({"token": bob.token})))
        .await;
    assert_eq!(status, 200, "and joins it again");
    let (_, frames) = polling.get().await;
    let sid = frames
        .split('\u{1e}')
        .find_map(|f| f.strip_prefix("40"))
        .map(|json| serde_json::from_str::<Value>(json).expect("JSON")["sid"].clone())
        .expect("a connect answer");
    assert!(sid.is_string(), "{frames}");
    assert_ne!(
        sid,
        json!(polling.sid),
        "the Socket.IO sid is not the Engine.IO one"
    );
}

#[tokio::test]
async fn a_removed_member_gets_no_message_sent_after_the_removal() {
    let s = TestServer::start().await;
    let (alice, bob, carol) = (
        s.register("alice").await,
        s.register("bob").await,
        s.register("carol").await,
    );
    let c = s.group(&alice, &[&bob, &carol]).await;
    let mut b = s.socket(&bob.token).await;
    let sender = s.socket(&carol.token).await;
    for round in 0..5 {
        let (status, v) = s
            .call(
                Method::DELETE,
                &format!("/api/v1/conversations/{c}/members/{}", bob.id),
                Some(&alice.token),
                None,
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{v}");
        let ack = sender
            .emit(
                "message:send",
                json!({"conversationId": c, "clientMsgId": format!("after{round}"), "body": "secret"}),
            )
            .await;
        assert_eq!(ack["ok"], true, "{ack}");
        assert_eq!(b.expect("member:removed").await["userId"], bob.id);
        b.expect_none("message:new", Duration::from_millis(100))
            .await;
        let ack = b
            .emit(
                "message:send",
                json!({"conversationId": c, "clientMsgId": format!("bob{round}"), "body": "x"}),
            )
            .await;
        assert_eq!(ack["error"]["code"], "forbidden", "{ack}");
        let (status, v) = s
            .post(
                &format!("/api/v1/conversations/{c}/members"),
                &alice.token,
                json!({"userIds": [bob.id]}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{v}");
        b.expect("member:added").await;
    }
}
