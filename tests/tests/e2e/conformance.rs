//! The realtime transport against clients it did not write: the stock npm
//! `socket.io-client` (websocket only, long-polling only, and polling
//! upgraded to a websocket), and raw frames that break the protocol.

use chatchit_tests::raw::{next_event, next_text, open_polling, raw_socket};
use chatchit_tests::{TestServer, test_config};
use futures_util::SinkExt;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

/// The npm client's folder, installed (`npm ci`) on first use; `None` (skip)
/// without Node.js outside CI.
fn npm_client() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("conformance");
    let node = std::process::Command::new("node").arg("--version").output();
    if node.is_err() {
        return chatchit_testkit::unavailable("the conformance suite needs Node.js");
    }
    chatchit_tests::npm_installed(&dir);
    Some(dir)
}

#[tokio::test]
async fn the_stock_npm_client_chats_over_websocket_polling_and_upgrade() {
    let Some(dir) = npm_client() else {
        return;
    };
    let s = TestServer::start().await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    let c = s.group(&alice, &[&bob]).await;
    let run = tokio::process::Command::new("node")
        .arg(dir.join("client.mjs"))
        .args([&s.base, &alice.token, &bob.token, &c])
        .output();
    let out = tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .expect("the npm client finishes")
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
    assert_eq!(report["seqs"], json!([1, 2, 3]));
    assert_eq!(
        report["transports"],
        json!(["websocket", "websocket", "polling"])
    );
    assert_eq!(
        s.stored_bodies(&c, &alice.token).await,
        ["over a websocket", "after an upgrade", "over long-polling"]
    );
}

#[tokio::test]
async fn frames_that_break_the_protocol_close_the_socket_and_store_nothing() {
    let s = TestServer::start().await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    let c = s.group(&alice, &[&bob]).await;

    let mut ws = raw_socket(&s, &alice.token).await;
    ws.send(Message::text("421[\"no:such:event\",{}]"))
        .await
        .expect("send");
    let answer = next_text(&mut ws).await.expect("an ack");
    assert!(answer.starts_with("431[{"), "{answer}");
    let ack: Value = serde_json::from_str(&answer[3..]).expect("JSON");
    assert_eq!(ack[0]["error"]["code"], "not_found", "{answer}");
    ws.send(Message::text("40/admin,{}")).await.expect("send");
    assert_eq!(
        next_text(&mut ws).await.as_deref(),
        Some(r#"44/admin,{"message":"Invalid namespace"}"#)
    );

    let send = json!({"conversationId": c, "clientMsgId": "m1", "body": "hi"});
    for broken in [
        format!("422[\"message:send\",{send}"),
        format!("4{send}"),
        "9".to_owned(),
        "451-[\"message:send\",{\"_placeholder\":true,\"num\":0}]".to_owned(),
    ] {
        let mut ws = raw_socket(&s, &alice.token).await;
        ws.send(Message::text(broken.clone())).await.expect("send");
        assert_eq!(next_text(&mut ws).await, None, "{broken} closes the socket");
    }
    let mut ws = raw_socket(&s, &alice.token).await;
    ws.send(Message::binary(b"42[\"message:send\"]".to_vec()))
        .await
        .expect("send");
    assert_eq!(next_text(&mut ws).await, None, "binary frames close it");
    assert!(s.stored_bodies(&c, &alice.token).await.is_empty());
}

#[tokio::test]
async fn engine_requests_out_of_protocol_get_its_error_codes() {
    let s = TestServer::start().await;
    let http = reqwest::Client::new();
    for (query, code) in [
        ("EIO=3&transport=polling", 5),
        ("EIO=4&transport=carrier-pigeon", 0),
        (
            "EIO=4&transport=polling&sid=00000000000000000000000000000000",
            1,
        ),
        ("EIO=4&transport=polling&sid=nonsense", 1),
        ("EIO=4&transport=websocket", 3),
    ] {
        let response = http
            .get(format!("{}/socket.io/?{query}", s.base))
            .send()
            .await
            .expect("answer");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body["code"], code, "{query}");
    }
    // A handshake by any method but GET (before: PUT 405, POST code 3).
    let url = format!("{}/socket.io/?EIO=4&transport=polling", s.base);
    for request in [http.put(&url), http.post(&url), http.delete(&url)] {
        let response = request.send().await.expect("answer");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body, json!({"code": 2, "message": "Bad handshake method"}));
    }
}

/// A close packet POSTed while a GET waits: the GET is answered with a noop
/// and the session is gone, as with the reference server (before, the GET
/// was answered `1`).
#[tokio::test]
async fn a_close_packet_answers_the_waiting_poll_with_a_noop_and_ends_the_session() {
    let s = TestServer::start().await;
    let http = reqwest::Client::new();
    // Nothing tells a client that its GET is waiting; a POST that overtakes
    // the GET ends the session before the GET arrives (it is then answered
    // as an unknown session), and the case is tried again on a new session.
    for _ in 0..20 {
        let handshake = open_polling(&s).await;
        let url = format!(
            "{}/socket.io/?EIO=4&transport=polling&sid={}",
            s.base,
            handshake["sid"].as_str().expect("sid")
        );
        let waiting = tokio::spawn({
            let (http, url) = (http.clone(), url.clone());
            async move {
                let response = http.get(&url).send().await.expect("answer");
                (response.status(), response.text().await.expect("body"))
            }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        let closed = http.post(&url).body("1").send().await.expect("answer");
        assert_eq!(closed.status(), StatusCode::OK);
        let answer = tokio::time::timeout(Duration::from_secs(10), waiting)
            .await
            .expect("the waiting GET is answered")
            .expect("task");
        let after = http.get(&url).send().await.expect("answer");
        assert_eq!(after.status(), StatusCode::BAD_REQUEST);
        let gone: Value = after.json().await.expect("JSON");
        assert_eq!(gone["code"], 1, "the session ended");
        if answer.0 == StatusCode::BAD_REQUEST {
            continue;
        }
        assert_eq!(answer, (StatusCode::OK, "6".to_owned()));
        return;
    }
    panic!("the POST overtook the GET every time");
}

/// A second websocket for a session already upgraded is accepted and closed
/// at once, as by the reference server (before: refused with HTTP 400), and
/// the first one carries on.
#[tokio::test]
async fn a_second_websocket_for_an_upgraded_session_is_accepted_and_closed() {
    use futures_util::StreamExt;
    let s = TestServer::start().await;
    let handshake = open_polling(&s).await;
    let sid = handshake["sid"].as_str().expect("sid");
    let url = format!(
        "{}/socket.io/?EIO=4&transport=websocket&sid={sid}",
        s.base.replace("http", "ws")
    );
    let (mut first, _) = tokio_tungstenite::connect_async(&url)
        .await
        .expect("upgrade");
    first.send(Message::text("2probe")).await.expect("probe");
    assert_eq!(next_event(&mut first).await.as_deref(), Some("3probe"));
    first.send(Message::text("5")).await.expect("upgrade");

    let (mut second, response) = tokio_tungstenite::connect_async(&url)
        .await
        .expect("the second websocket is accepted");
    assert_eq!(response.status(), StatusCode::SWITCHING_PROTOCOLS);
    let closing = tokio::time::timeout(Duration::from_secs(5), second.next())
        .await
        .expect("closed at once");
    assert!(
        matches!(closing, None | Some(Ok(Message::Close(_))) | Some(Err(_))),
        "{closing:?}"
    );
    // The first one carries the session on: it connects to namespace `/`.
    let alice = s.register("alice").await;
    first
        .send(Message::text(format!(
            "40{}",
            json!({"token": alice.token})
        )))
        .await
        .expect("connect");
    let mut answer = next_event(&mut first).await;
    // The noop that was to end a waiting poll may come first.
    if answer.as_deref() == Some("6") {
        answer = next_event(&mut first).await;
    }
    assert!(answer.is_some_and(|a| a.starts_with("40{")), "connected");
}

#[tokio::test]
async fn a_second_long_poll_while_one_waits_is_refused_and_ends_the_session() {
    let s = TestServer::start().await;
    let http = reqwest::Client::new();
    let handshake = open_polling(&s).await;
    let url = format!(
        "{}/socket.io/?EIO=4&transport=polling&sid={}",
        s.base,
        handshake["sid"].as_str().expect("sid")
    );
    // Whichever GET arrives second is the overlap; the other one was waiting
    // (the next ping is 25 s away) and is answered with the close packet.
    let (a, b) = tokio::join!(http.get(&url).send(), http.get(&url).send());
    let mut answers = Vec::new();
    for response in [a, b] {
        let response = response.expect("answer");
        let status = response.status();
        answers.push((status, response.text().await.expect("body")));
    }
    answers.sort();
    assert_eq!(answers[0], (StatusCode::OK, "1".to_owned()));
    assert_eq!(answers[1].0, StatusCode::BAD_REQUEST);
    let refusal: Value = serde_json::from_str(&answers[1].1).expect("JSON");
    assert_eq!(refusal["code"], 3);
    let after = http.get(&url).send().await.expect("answer");
    assert_eq!(after.status(), StatusCode::BAD_REQUEST);
    let gone: Value = after.json().await.expect("JSON");
    assert_eq!(gone["code"], 1, "the session ended");
}

/// A socket that stops reading while messages keep coming is disconnected
/// once more than 4 MiB wait for it, and the sender is not held up: every
/// one of its sends is acknowledged.
#[tokio::test]
async fn a_socket_that_stops_reading_is_disconnected_and_the_sender_is_not_held_up() {
    const SENDS: usize = 7_500;
    const ROUND: usize = 100;
    let dir = tempfile::tempdir().expect("dir");
    let mut config = test_config(dir.path()).await;
    config.rate_limits.message_send.per_minute = 0;
    // No heartbeat during the test: only the slow-consumer policy may drop.
    config.ping_interval_ms = 600_000;
    let s = TestServer::start_with(dir, config).await;
    let (alice, bob) = (s.register("alice").await, s.register("bob").await);
    let c = s.group(&alice, &[&bob]).await;
    let mut sender = raw_socket(&s, &alice.token).await;
    let mut reader = raw_socket(&s, &bob.token).await;
    // Alice's second socket reads everything: once it has every message, the
    // server has handed every message to bob's socket too, however fast the
    // event queue in use is.
    let mut watcher = raw_socket(&s, &alice.token).await;
    let watched = tokio::spawn(async move {
        let mut seen = 0;
        while seen < SENDS {
            let frame = next_event(&mut watcher).await.expect("the watcher stays");
            seen += usize::from(frame.starts_with("42[\"message:new\""));
        }
    });

    // About 30 MB for bob, far more than loopback's socket buffers hold.
    let body = "x".repeat(4_000);
    for round in 0..SENDS / ROUND {
        for i in 0..ROUND {
            let n = round * ROUND + i;
            let send = json!({"conversationId": c, "clientMsgId": format!("m{n}"), "body": body});
            sender
                .send(Message::text(format!("42{n}[\"message:send\",{send}]")))
                .await
                .expect("send");
        }
        for _ in 0..ROUND {
            let answer = next_text(&mut sender).await.expect("an ack");
            let at = answer.find('[').expect("an ack's arguments");
            let ack: Value = serde_json::from_str(&answer[at..]).expect("JSON");
            assert_eq!(ack[0]["ok"], true, "{}", ack[0]["error"]);
        }
    }

    watched.await.expect("the watcher saw every message");
    let mut received = 0;
    while let Some(frame) = next_event(&mut reader).await {
        received += usize::from(frame.starts_with("42[\"message:new\""));
    }
    assert!(
        received < SENDS,
        "the slow socket was closed early, after {received} of {SENDS}"
    );
}

#[tokio::test]
async fn sockets_that_answer_pings_stay_and_silent_ones_are_dropped() {
    let dir = tempfile::tempdir().expect("dir");
    let mut config = test_config(dir.path()).await;
    config.ping_interval_ms = 150;
    config.ping_timeout_ms = 150;
    let s = TestServer::start_with(dir, config).await;
    let alice = s.register("alice").await;

    let mut silent = raw_socket(&s, &alice.token).await;
    assert_eq!(next_text(&mut silent).await.as_deref(), Some("2"));
    assert_eq!(next_text(&mut silent).await, None, "no pong: dropped");

    let mut lively = raw_socket(&s, &alice.token).await;
    for _ in 0..4 {
        assert_eq!(next_text(&mut lively).await.as_deref(), Some("2"));
        lively.send(Message::text("3")).await.expect("pong");
    }
    lively
        .send(Message::text("421[\"no:such:event\",{}]"))
        .await
        .expect("send");
    let answer = next_text(&mut lively).await.expect("still connected");
    assert!(answer.starts_with("431["), "{answer}");

    let http = reqwest::Client::new();
    let handshake = open_polling(&s).await;
    assert_eq!(handshake["pingInterval"], 150);
    let sid = handshake["sid"].as_str().expect("sid");
    tokio::time::sleep(Duration::from_millis(900)).await;
    let gone = http
        .get(format!(
            "{}/socket.io/?EIO=4&transport=polling&sid={sid}",
            s.base
        ))
        .send()
        .await
        .expect("answer");
    assert_eq!(
        gone.status(),
        StatusCode::BAD_REQUEST,
        "a silent poller is dropped"
    );
}
