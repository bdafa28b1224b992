//! The fault suite's ledger: a group chats while a fault happens, and every
//! acknowledged send and every `message:new` each member received is written
//! down, then checked against what the server stored. What the checks hold
//! (PROTOCOL's promise): every acknowledged message is stored exactly once;
//! every member whose socket stayed up received every other member's stored
//! message, in strictly increasing `seq`; a member whose socket died gets the
//! rest with `sync` after reconnecting; every send was answered (an error
//! such as `unavailable` during the fault is an answer; silence is not).

use crate::{Endpoint, TestSocket, TestUser};
use futures_util::future::join_all;
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};
use std::time::Duration;

/// How long a send may wait for its answer, fault or no fault: longer than
/// any timeout of the server's own (a database connection's is 5 s).
const ANSWER_WITHIN: Duration = Duration::from_secs(20);

/// How long a member waits for one more `message:new` once sending is over.
const QUIET: Duration = Duration::from_secs(3);

/// A group of members chatting, for one fault.
pub struct Chat {
    /// The members, the first one the group's owner.
    pub members: Vec<TestUser>,
    /// The group.
    pub group: String,
}

/// What the sends got.
#[derive(Debug, Default)]
pub struct Sends {
    /// Acknowledged: `clientMsgId` → `seq`, per member.
    pub acked: Vec<HashMap<String, i64>>,
    /// Answered with an error (e.g. `unavailable` during the fault).
    pub refused: usize,
    /// Not answered in [`ANSWER_WITHIN`].
    pub unanswered: usize,
}

impl Sends {
    /// Adds a later round's sends by the same members.
    pub fn merge(&mut self, later: Sends) {
        if self.acked.len() < later.acked.len() {
            self.acked.resize_with(later.acked.len(), HashMap::new);
        }
        for (mine, theirs) in self.acked.iter_mut().zip(later.acked) {
            mine.extend(theirs);
        }
        self.refused += later.refused;
        self.unanswered += later.unanswered;
    }
}

/// The row of the fault table: what happened, counted.
#[derive(Debug, Default)]
pub struct Figures {
    /// The fault.
    pub fault: String,
    /// Sends acknowledged.
    pub acked: usize,
    /// Sends refused with an error.
    pub refused: usize,
    /// Sends never answered (must be 0).
    pub unanswered: usize,
    /// Acknowledged messages not stored (must be 0).
    pub lost: usize,
    /// Messages stored more than once (must be 0).
    pub duplicated: usize,
    /// `message:new` that came after a later `seq` on the same socket (must
    /// be 0).
    pub reordered: usize,
    /// Stored messages a member got neither live nor by `sync` (must be 0).
    pub missing: usize,
    /// `message:new` that came twice on one socket (at least once across a
    /// node's death: allowed, counted).
    pub repeated: usize,
    /// The node died during the fault: the sends in flight then could not be
    /// answered (a client retries them with the same `clientMsgId`).
    pub node_died: bool,
}

impl Chat {
    /// `members` users registered on `node`, in one group.
    pub async fn new(node: &Endpoint, members: usize) -> Self {
        let mut users = Vec::new();
        for n in 0..members {
            users.push(node.register(&format!("ledger{n}")).await);
        }
        let others: Vec<&TestUser> = users.iter().skip(1).collect();
        let group = node.group(&users[0], &others).await;
        Self {
            members: users,
            group,
        }
    }

    /// A socket per member, on `nodes` in turn.
    pub async fn sockets(&self, nodes: &[&Endpoint]) -> Vec<TestSocket> {
        let mut sockets = Vec::new();
        for (n, user) in self.members.iter().enumerate() {
            sockets.push(nodes[n % nodes.len()].socket(&user.token).await);
        }
        sockets
    }

    /// `each` sends by every member at once (each member's one after
    /// another), tagged `tag`.
    pub async fn send(&self, sockets: &[TestSocket], each: usize, tag: &str) -> Sends {
        self.send_paced(sockets, each, tag, Duration::ZERO, ANSWER_WITHIN)
            .await
    }

    /// [`Chat::send`], each member pausing `pause` between two sends (so
    /// that the sends span a fault), each send waiting at most `wait` for
    /// its answer.
    pub async fn send_paced(
        &self,
        sockets: &[TestSocket],
        each: usize,
        tag: &str,
        pause: Duration,
        wait: Duration,
    ) -> Sends {
        let per_member = sockets.iter().enumerate().map(|(n, socket)| async move {
            let mut acked = HashMap::new();
            let (mut refused, mut unanswered) = (0, 0);
            for i in 0..each {
                let id = format!("{tag}-{n}-{i}");
                let payload = json!({"conversationId": self.group, "clientMsgId": id, "body": id});
                match socket.try_emit("message:send", payload, wait).await {
                    Some(ack) if ack["ok"] == true => {
                        let seq = ack["data"]["seq"].as_i64().expect("seq");
                        acked.insert(id, seq);
                    }
                    Some(_) => refused += 1,
                    None => unanswered += 1,
                }
                if !pause.is_zero() {
                    tokio::time::sleep(pause).await;
                }
            }
            (acked, refused, unanswered)
        });
        let mut sends = Sends::default();
        for (acked, refused, unanswered) in join_all(per_member).await {
            sends.acked.push(acked);
            sends.refused += refused;
            sends.unanswered += unanswered;
        }
        sends
    }

    /// Every message of the group as stored, newest first (read on `node`).
    pub async fn stored(&self, node: &Endpoint) -> Vec<Value> {
        node.history(&self.members[0].token, &self.group).await
    }

    /// Counts what happened: `sends`, what the server `stored`, and per
    /// member the `seq`s received live (in arrival order) and by `sync`
    /// afterwards.
    pub fn figures(
        &self,
        fault: &str,
        sends: &Sends,
        stored: &[Value],
        live: &[Vec<i64>],
        by_sync: &[Vec<i64>],
    ) -> Figures {
        let mut copies: HashMap<&str, usize> = HashMap::new();
        for m in stored {
            *copies
                .entry(m["clientMsgId"].as_str().unwrap_or(""))
                .or_default() += 1;
        }
        let lost = sends
            .acked
            .iter()
            .flat_map(HashMap::keys)
            .filter(|id| !copies.contains_key(id.as_str()))
            .count();
        let (mut reordered, mut missing, mut repeated) = (0, 0, 0);
        for (n, seqs) in live.iter().enumerate() {
            let mut seen = BTreeSet::new();
            let mut last = 0;
            for &seq in seqs {
                if !seen.insert(seq) {
                    repeated += 1;
                } else if seq < last {
                    reordered += 1;
                }
                last = last.max(seq);
            }
            seen.extend(by_sync.get(n).into_iter().flatten().copied());
            let me = self.members[n].id.as_str();
            missing += stored
                .iter()
                .filter(|m| m["senderId"] != me)
                .filter_map(|m| m["seq"].as_i64())
                .filter(|seq| !seen.contains(seq))
                .count();
        }
        Figures {
            fault: fault.to_owned(),
            acked: sends.acked.iter().map(HashMap::len).sum(),
            refused: sends.refused,
            unanswered: sends.unanswered,
            lost,
            duplicated: copies.values().filter(|&&n| n > 1).count(),
            reordered,
            missing,
            repeated,
            node_died: false,
        }
    }
}

/// What one member's socket received: `seq`s in arrival order.
pub async fn received(socket: &mut TestSocket) -> Vec<i64> {
    let mut seqs = Vec::new();
    while let Some(message) = socket.next_within("message:new", QUIET).await {
        seqs.push(message["seq"].as_i64().expect("seq"));
    }
    seqs
}

/// The messages after `after_seq`, by `sync` on `socket` (as a client does
/// once it reconnected).
pub async fn synced(socket: &TestSocket, group: &str, after_seq: i64) -> Vec<i64> {
    let mut seqs = Vec::new();
    let mut after = after_seq;
    loop {
        let ack = socket
            .emit("sync", json!({"conversationId": group, "afterSeq": after}))
            .await;
        assert_eq!(ack["ok"], true, "{ack}");
        let messages = ack["data"]["messages"]
            .as_array()
            .expect("messages")
            .clone();
        seqs.extend(messages.iter().filter_map(|m| m["seq"].as_i64()));
        after = seqs.last().copied().unwrap_or(after);
        if ack["data"]["hasMore"] != true {
            return seqs;
        }
    }
}

impl Figures {
    /// Prints the row (for `scripts/faults.sh`) and asserts the promise.
    pub fn check(&self) {
        let row = json!({
            "fault": self.fault, "acked": self.acked, "refused": self.refused,
            "unanswered": self.unanswered, "lost": self.lost,
            "duplicated": self.duplicated, "reordered": self.reordered,
            "missing": self.missing, "repeated": self.repeated,
        });
        eprintln!("FAULT-FIGURES {row}");
        if !self.node_died {
            assert_eq!(self.unanswered, 0, "a send was never answered: {self:?}");
        }
        assert_eq!(self.lost, 0, "an acknowledged message was lost: {self:?}");
        assert_eq!(self.duplicated, 0, "a message was stored twice: {self:?}");
        assert_eq!(self.reordered, 0, "a delivery came out of order: {self:?}");
        assert_eq!(self.missing, 0, "a member missed a message: {self:?}");
        assert!(self.acked > 0, "nothing was acknowledged: {self:?}");
    }
}
