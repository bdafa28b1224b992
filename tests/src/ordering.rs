//! The delivery-order check, for one server and for a cluster: many sockets
//! send into one group at once, and every member must receive the others'
//! messages as `message:new` in strictly increasing `seq` with no gap.

use crate::{Endpoint, PATIENCE, TestSocket};
use futures_util::future::join_all;
use serde_json::json;
use std::collections::BTreeSet;

/// A group of `members` users registered on the first of `nodes`, each with
/// a socket on one of `nodes` in turn.
async fn group_of(nodes: &[&Endpoint], members: usize) -> (String, Vec<TestSocket>) {
    let chat = crate::ledger::Chat::new(nodes[0], members).await;
    let sockets = chat.sockets(nodes).await;
    (chat.group, sockets)
}

/// Registers `members` users (on the first endpoint), puts them in one group,
/// connects each to an endpoint in turn, has every one send `each` messages
/// (one after another, all sockets at once), and checks what each member received: the others' messages, in
/// `seq` order, and with its own acknowledged ones every seq from 1 on.
pub async fn concurrent_sends_arrive_in_seq_order(
    nodes: &[&Endpoint],
    members: usize,
    each: usize,
) {
    let (group, mut sockets) = group_of(nodes, members).await;

    let sends = sockets.iter().enumerate().map(|(n, socket)| {
        let group = group.clone();
        async move {
            let mut acks = Vec::new();
            for i in 0..each {
                let payload = json!({
                    "conversationId": group,
                    "clientMsgId": format!("m{n}-{i}"),
                    "body": format!("{n}/{i}"),
                });
                acks.push(socket.emit("message:send", payload).await);
            }
            acks.into_iter()
                .map(|ack| {
                    assert_eq!(ack["ok"], true, "{ack}");
                    ack["data"]["seq"].as_i64().expect("seq")
                })
                .collect::<BTreeSet<i64>>()
        }
    });
    let own: Vec<BTreeSet<i64>> = join_all(sends).await;
    let total = i64::try_from(members * each).expect("small");

    for (n, socket) in sockets.iter_mut().enumerate() {
        let mut received = Vec::new();
        while received.len() < members * each - own[n].len() {
            let Some(message) = socket.next_within("message:new", PATIENCE).await else {
                let have: BTreeSet<i64> = received.iter().chain(own[n].iter()).copied().collect();
                let missing: Vec<i64> = (1..=total).filter(|s| !have.contains(s)).collect();
                panic!("member {n} never received {missing:?}; received {received:?}");
            };
            let seq = message["seq"].as_i64().expect("seq");
            if own[n].contains(&seq) {
                continue; // a repaired gap reaches the sender too
            }
            received.push(seq);
        }
        assert!(
            received.windows(2).all(|w| w[0] < w[1]),
            "member {n} received out of order: {received:?}"
        );
        let all: BTreeSet<i64> = received
            .iter()
            .copied()
            .chain(own[n].iter().copied())
            .collect();
        assert_eq!(
            all,
            (1..=total).collect::<BTreeSet<i64>>(),
            "member {n} has a gap"
        );
    }
}

/// Every member of one group (connected to `nodes` in turn) sends `each`
/// messages and reacts to each of them as soon as it is acknowledged, all
/// members at once: on every other member's socket, each `message:reactions`
/// comes after the `message:new` of the message it is about.
pub async fn reactions_follow_their_messages(nodes: &[&Endpoint], members: usize, each: usize) {
    let (group, mut sockets) = group_of(nodes, members).await;
    let sends = sockets.iter().enumerate().map(|(n, socket)| {
        let group = group.clone();
        async move {
            let mut own = BTreeSet::new();
            for i in 0..each {
                let payload = json!({
                    "conversationId": group,
                    "clientMsgId": format!("r{n}-{i}"),
                    "body": format!("{n}/{i}"),
                });
                let ack = socket.emit("message:send", payload).await;
                let id = ack["data"]["id"].as_str().expect("id").to_owned();
                let react = json!({"messageId": id, "emoji": "👍", "on": true});
                let reacted = socket.emit("message:react", react).await;
                assert_eq!(reacted["ok"], true, "{reacted}");
                own.insert(id);
            }
            own
        }
    });
    let own: Vec<BTreeSet<String>> = join_all(sends).await;
    for (n, socket) in sockets.iter_mut().enumerate() {
        let expected = (members - 1) * each;
        let (mut news, mut reactions) = (BTreeSet::new(), 0);
        while reactions < expected || news.len() < expected {
            let Some((name, event)) = socket.next_any(PATIENCE).await else {
                panic!(
                    "member {n}: {} message:new, {reactions} reactions",
                    news.len()
                );
            };
            let id = event["id"].as_str().or(event["messageId"].as_str());
            let id = id.unwrap_or_default().to_owned();
            match name.as_str() {
                "message:new" => {
                    news.insert(id);
                }
                "message:reactions" if !own[n].contains(&id) => {
                    assert!(
                        news.contains(&id),
                        "member {n} got reactions on {id} before the message"
                    );
                    reactions += 1;
                }
                _ => {}
            }
        }
    }
}
