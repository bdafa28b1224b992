//! The cluster end to end: `chatchit serve` processes on their own ports,
//! sharing PostgreSQL, Redis and RabbitMQ, driven by real HTTP and Socket.IO
//! clients. Needs `CHATCHIT_TEST_E2E_{POSTGRES,REDIS,AMQP}_URL` (skipped
//! locally without them, failing under CI).

use chatchit_tests::cluster::{Cluster, NodeOptions, NodeProcess};
use chatchit_tests::proxy::Proxy;
use chatchit_tests::{Endpoint, TestSocket};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Duration;

async fn cluster() -> Option<Cluster> {
    Cluster::new(Path::new(env!("CARGO_BIN_EXE_chatchit"))).await
}

/// The next `presence` event about `user` with `status`, skipping others
/// (generous: a crashed node is noticed after the node timeout, and the
/// event may queue behind a burst of messages on a loaded machine).
async fn presence_of(socket: &mut TestSocket, user: &str, status: &str) -> Value {
    loop {
        let event = socket
            .expect_within("presence", Duration::from_secs(30))
            .await;
        if event["userId"] == user && event["status"] == status {
            return event;
        }
    }
}

async fn ready(node: &Endpoint) -> Value {
    node.http
        .get(format!("{}/health/ready", node.base))
        .send()
        .await
        .expect("ready")
        .json()
        .await
        .expect("json")
}

/// Polls `/health/ready` until its `status` is `want`.
async fn until_ready_is(node: &Endpoint, want: &str) -> Value {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let answer = ready(node).await;
        if answer["status"] == want {
            return answer;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "readiness stayed {answer}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Two, then four, nodes started at the same moment on an empty database:
/// one migrates under the migration lock, the others wait for it, and every
/// one comes up ready (before the lock, one of two died at boot with
/// `relation "seaql_migrations" already exists`).
#[tokio::test]
async fn nodes_started_at_once_on_an_empty_database_all_come_up() {
    let Some(two) = cluster().await else {
        return;
    };
    let (a, b) = tokio::join!(two.node(), two.node());
    for node in [&a, &b] {
        until_ready_is(node, "ok").await;
    }
    let user = a.register("first").await;
    assert_eq!(b.login("first").await.0.id, user.id);

    let Some(four) = cluster().await else {
        return;
    };
    let nodes = tokio::join!(four.node(), four.node(), four.node(), four.node());
    for node in [&nodes.0, &nodes.1, &nodes.2, &nodes.3] {
        until_ready_is(node, "ok").await;
    }
}

/// Members on two nodes send and at once react to what they sent: on every
/// socket a message's reactions come after the message itself.
#[tokio::test]
async fn reactions_on_two_nodes_follow_their_messages() {
    let Some(cluster) = cluster().await else {
        return;
    };
    let (one, two) = (cluster.node().await, cluster.node().await);
    chatchit_tests::ordering::reactions_follow_their_messages(&[&one, &two], 6, 15).await;
}

/// Sockets on two nodes send into one group at once: every member, on
/// either node, gets the others' messages in strictly increasing seq with
/// no gap (before, this failed 5 of 5 runs on two nodes).
#[tokio::test]
async fn concurrent_senders_on_two_nodes_are_delivered_in_seq_order() {
    let Some(cluster) = cluster().await else {
        return;
    };
    let (one, two) = (cluster.node().await, cluster.node().await);
    chatchit_tests::ordering::concurrent_sends_arrive_in_seq_order(&[&one, &two], 12, 20).await;
}

/// What node `node`'s `/metrics` says `series` is (0 when it has none yet).
async fn metric(node: &Endpoint, series: &str) -> f64 {
    let text = node
        .http
        .get(format!("{}/metrics", node.base))
        .send()
        .await
        .expect("scrape")
        .text()
        .await
        .expect("text");
    text.lines()
        .find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn a_node_without_a_recipient_hears_nothing_of_a_conversation() {
    let Some(cluster) = cluster().await else {
        return;
    };
    let (one, two) = (cluster.node().await, cluster.node().await);
    // Eight conversations whose members are all on node one: their events
    // spread over the partitions, so both nodes consume some of them.
    let mut pairs = Vec::new();
    for n in 0..8 {
        let a = one.register(&format!("ann{n}")).await;
        let b = one.register(&format!("bob{n}")).await;
        let sa = one.socket(&a.token).await;
        let mut sb = one.socket(&b.token).await;
        let c = one.direct(&a, &b).await;
        sb.expect("conversation:new").await;
        let ack = sa
            .emit(
                "message:send",
                json!({"conversationId": c, "clientMsgId": "m", "body": "hi"}),
            )
            .await;
        assert_eq!(ack["ok"], true, "{ack}");
        assert_eq!(sb.expect("message:new").await["body"], "hi");
        pairs.push((sa, sb));
    }
    let heard = metric(&two, "chatchit_bus_dispatches_received_total").await;
    assert_eq!(
        heard, 0.0,
        "node two holds no recipient and was sent nothing"
    );
    // Node one heard what node two consumed for its sockets, if anything:
    // the deliveries came, whichever node handled their events.
    let owned_one = metric(&one, "chatchit_queue_partitions_owned").await;
    let owned_two = metric(&two, "chatchit_queue_partitions_owned").await;
    assert!(owned_one + owned_two > 0.0, "the partitions are owned");
    drop(pairs);
}

#[tokio::test]
async fn users_on_two_nodes_chat_type_read_see_presence_and_call() {
    let Some(cluster) = cluster().await else {
        return;
    };
    let (one, two) = (cluster.node().await, cluster.node().await);
    let alice = one.register("alice").await;
    let bob = two.register("bob").await;
    one.befriend(&alice, &bob).await;
    let mut a = one.socket(&alice.token).await;
    let mut b = two.socket(&bob.token).await;
    presence_of(&mut a, &bob.id, "online").await;
    // Invisible on node two looks, on node one, like leaving just now (it
    // was announced with `lastSeenAt: null`).
    b.emit("presence:set", json!({"status": "invisible"})).await;
    let hidden = presence_of(&mut a, &bob.id, "offline").await;
    assert!(hidden["lastSeenAt"].is_string(), "{hidden}");
    b.emit("presence:set", json!({"status": "online"})).await;
    presence_of(&mut a, &bob.id, "online").await;

    // Bob's socket on node two joins a conversation created on node one.
    let c = one.direct(&alice, &bob).await;
    b.expect("conversation:new").await;
    let mut acked = Vec::new();
    for n in 0..20 {
        let ack = a
            .emit(
                "message:send",
                json!({"conversationId": c, "clientMsgId": format!("m{n}"), "body": format!("hello {n}")}),
            )
            .await;
        assert_eq!(ack["ok"], true, "{ack}");
        acked.push(ack["data"]["seq"].as_i64().expect("seq"));
    }
    for seq in &acked {
        let message = b.expect("message:new").await;
        assert_eq!(message["seq"].as_i64(), Some(*seq), "in seq order");
    }

    b.emit("typing", json!({"conversationId": c, "typing": true}))
        .await;
    assert_eq!(
        a.expect("typing").await,
        json!({"conversationId": c, "userId": bob.id, "typing": true})
    );
    let last = two.history(&bob.token, &c).await[0]["id"].clone();
    b.emit(
        "conversation:read",
        json!({"conversationId": c, "messageId": last}),
    )
    .await;
    assert_eq!(
        a.expect("conversation:read").await,
        json!({"conversationId": c, "userId": bob.id, "messageId": last})
    );

    let ack = a
        .emit("call:invite", json!({"conversationId": c, "kind": "audio"}))
        .await;
    let call = ack["data"]["callId"].as_str().expect("callId").to_owned();
    assert_eq!(b.expect("call:incoming").await["callId"], call.as_str());
    b.emit("call:accept", json!({"callId": call})).await;
    assert_eq!(a.expect("call:accepted").await["state"], "active");
    let offer = json!({"sdp": "v=0", "type": "offer"});
    a.emit(
        "call:signal",
        json!({"callId": call, "toUserId": bob.id, "type": "offer", "payload": offer}),
    )
    .await;
    assert_eq!(b.expect("call:signal").await["payload"], offer);

    b.close().await;
    presence_of(&mut a, &bob.id, "offline").await;
}

#[tokio::test]
async fn a_ban_on_one_node_disconnects_the_user_on_the_other() {
    let Some(cluster) = cluster().await else {
        return;
    };
    cluster.create_admin("root", "correct horse battery").await;
    let (one, two) = (cluster.node().await, cluster.node().await);
    let mallory = two.register("mallory").await;
    let mut socket = two.socket(&mallory.token).await;
    let (status, session) = one
        .call(
            reqwest::Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"username": "root", "password": "correct horse battery"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{session}");
    let admin = session["accessToken"].as_str().expect("token");
    let (status, _) = one
        .post(
            &format!("/api/v1/admin/users/{}/ban", mallory.id),
            admin,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        socket.expect("session:revoked").await,
        json!({"reason": "banned"})
    );
    socket.expect_closed().await;
}

#[tokio::test]
async fn a_node_killed_mid_burst_loses_no_acknowledged_message_and_its_users_go_offline() {
    let Some(cluster) = cluster().await else {
        return;
    };
    let mut one = cluster.node().await;
    let two = cluster.node().await;
    let alice = one.register("alice").await;
    let bob = two.register("bob").await;
    two.befriend(&alice, &bob).await;
    let c = two.group(&alice, &[&bob]).await;
    let a = one.socket(&alice.token).await;
    let mut b = two.socket(&bob.token).await;
    presence_of(&mut b, &alice.id, "online").await;

    // Both send as fast as acks come back; node one dies in the middle.
    let burst = |socket: TestSocket, who: &'static str| {
        let c = c.clone();
        tokio::spawn(async move {
            let mut acked = Vec::new();
            for n in 0..400 {
                let id = format!("{who}-{n}");
                let payload = json!({"conversationId": c, "clientMsgId": id, "body": id});
                match socket
                    .try_emit("message:send", payload, Duration::from_secs(3))
                    .await
                {
                    Some(ack) if ack["ok"] == true => acked.push(id),
                    Some(ack) => panic!("refused: {ack}"),
                    None => break,
                }
            }
            acked
        })
    };
    let alice_burst = burst(a, "alice");
    let bob_socket = two.socket(&bob.token).await;
    let bob_burst = burst(bob_socket, "bob");
    tokio::time::sleep(Duration::from_millis(300)).await;
    one.kill().await;
    let alice_acked = alice_burst.await.expect("alice's burst");
    let bob_acked = bob_burst.await.expect("bob's burst");
    assert!(
        alice_acked.len() < 400,
        "node one died before alice finished"
    );
    assert_eq!(bob_acked.len(), 400, "node two kept serving");

    let stored = two.history(&bob.token, &c).await;
    let mut copies: HashMap<String, usize> = HashMap::new();
    for message in &stored {
        *copies
            .entry(message["clientMsgId"].as_str().expect("id").to_owned())
            .or_default() += 1;
    }
    for id in alice_acked.iter().chain(&bob_acked) {
        assert_eq!(copies.get(id), Some(&1), "{id} stored exactly once");
    }
    let mut seqs: Vec<i64> = stored.iter().filter_map(|m| m["seq"].as_i64()).collect();
    seqs.sort_unstable();
    assert_eq!(
        seqs,
        (1..=stored.len() as i64).collect::<Vec<_>>(),
        "no gaps"
    );

    // Node one never said goodbye: node two reaps it and alice goes offline.
    let gone = presence_of(&mut b, &alice.id, "offline").await;
    assert!(gone["lastSeenAt"].is_string());
}

#[tokio::test]
async fn losing_rabbitmq_or_redis_degrades_the_node_and_it_recovers_without_losing_messages() {
    let Some(cluster) = cluster().await else {
        return;
    };
    let redis = std::env::var("CHATCHIT_TEST_E2E_REDIS_URL").expect("redis url");
    let amqp = std::env::var("CHATCHIT_TEST_E2E_AMQP_URL").expect("amqp url");
    let redis_proxy = Proxy::to_service(&redis).await;
    let amqp_proxy = Proxy::to_service(&amqp).await;
    let node: NodeProcess = cluster
        .node_with(NodeOptions {
            redis_url: Some(redis_proxy.url_for(&redis)),
            amqp_url: Some(amqp_proxy.url_for(&amqp)),
            ..NodeOptions::default()
        })
        .await;
    assert_eq!(ready(&node).await["status"], "ok");
    let alice = node.register("alice").await;
    let bob = node.register("bob").await;
    let c = node.group(&alice, &[&bob]).await;
    let a = node.socket(&alice.token).await;
    let mut b = node.socket(&bob.token).await;
    let mut sent = 0;
    // Delivery is at-least-once (docs/operations.md): an event whose
    // RabbitMQ ack was lost with the cut comes again after it, so a repeat
    // of an earlier message may come first; a gap or a stranger may not.
    let mut delivered = HashSet::new();
    let mut send_and_receive = async |phase: &str| {
        for _ in 0..10 {
            sent += 1;
            let id = format!("{phase}-{sent}");
            let ack = a
                .emit(
                    "message:send",
                    json!({"conversationId": c, "clientMsgId": id, "body": id}),
                )
                .await;
            assert_eq!(ack["ok"], true, "{phase}: {ack}");
            loop {
                let event = b.expect("message:new").await;
                let got = event["clientMsgId"]
                    .as_str()
                    .expect("clientMsgId")
                    .to_owned();
                if got == id {
                    break;
                }
                assert!(delivered.contains(&got), "{phase}: {got} before {id}");
            }
            delivered.insert(id);
        }
    };
    send_and_receive("healthy").await;

    amqp_proxy.cut();
    send_and_receive("broker-down").await;
    let degraded = until_ready_is(&node, "degraded").await;
    assert_eq!(degraded["checks"]["queue"], "degraded");
    amqp_proxy.restore();
    until_ready_is(&node, "ok").await;
    send_and_receive("broker-back").await;

    redis_proxy.cut();
    send_and_receive("redis-down").await;
    let degraded = until_ready_is(&node, "degraded").await;
    assert_eq!(degraded["checks"]["cache"], "degraded");
    redis_proxy.restore();
    send_and_receive("redis-back").await;
    until_ready_is(&node, "ok").await;

    let stored = node.history(&bob.token, &c).await;
    assert_eq!(stored.len(), sent, "every acknowledged message is stored");
}
