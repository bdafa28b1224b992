//! One task per generator socket: sends the emits it is handed, answers
//! pings, and times acks and deliveries against the scheduled send times.

use crate::client::{Packet, Socket, body_number, classify};
use futures_util::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use std::collections::HashMap;
use std::time::Instant;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;

/// What one socket saw.
pub struct Seen {
    /// Scheduled send → ack, µs.
    pub ack: Histogram<u64>,
    /// Scheduled send → `message:new` here, µs.
    pub receive: Histogram<u64>,
    /// Acks with `ok: true`.
    pub acked: u64,
    /// Acks with an error.
    pub refused: u64,
    /// Sends never acked by the end.
    pub unanswered: u64,
    /// `message:new` events received.
    pub delivered: u64,
    /// Whether the server closed the socket.
    pub dropped: bool,
}

fn histogram() -> Histogram<u64> {
    // 1 µs .. 100 s at 3 significant digits: valid bounds, so this cannot fail.
    Histogram::new_with_bounds(1, 100_000_000, 3).expect("valid histogram bounds")
}

impl Seen {
    fn new() -> Self {
        Self {
            ack: histogram(),
            receive: histogram(),
            acked: 0,
            refused: 0,
            unanswered: 0,
            delivered: 0,
            dropped: false,
        }
    }

    /// Adds `other` into this one.
    pub fn merge(&mut self, other: &Seen) {
        let _ = self.ack.add(&other.ack);
        let _ = self.receive.add(&other.receive);
        self.acked += other.acked;
        self.refused += other.refused;
        self.unanswered += other.unanswered;
        self.delivered += other.delivered;
        self.dropped |= other.dropped;
    }

    /// An empty tally.
    pub fn empty() -> Self {
        Self::new()
    }
}

/// Drives `ws`: each `u64` on `sends` is a scheduled time (µs after `epoch`)
/// for one `message:send` to `conversation`; runs until `stop`.
pub async fn run(
    mut ws: Socket,
    conversation: Option<String>,
    mut sends: mpsc::UnboundedReceiver<u64>,
    epoch: Instant,
    mut stop: watch::Receiver<bool>,
) -> Seen {
    let mut seen = Seen::new();
    let mut pending: HashMap<u64, u64> = HashMap::new();
    let mut next_id = 0u64;
    let now_us = || u64::try_from(epoch.elapsed().as_micros()).unwrap_or(u64::MAX);
    loop {
        tokio::select! {
            scheduled = sends.recv(), if conversation.is_some() => {
                let (Some(scheduled), Some(conversation)) = (scheduled, &conversation) else { continue };
                next_id += 1;
                pending.insert(next_id, scheduled);
                let frame = format!(
                    "42{next_id}[\"message:send\",{{\"conversationId\":\"{conversation}\",\"clientMsgId\":\"{scheduled}-{next_id}\",\"body\":\"{scheduled}\"}}]"
                );
                if ws.send(Message::text(frame)).await.is_err() {
                    seen.dropped = true;
                    break;
                }
            }
            frame = ws.next() => {
                let text = match frame {
                    Some(Ok(Message::Text(text))) => text,
                    Some(Ok(Message::Close(_)) | Err(_)) | None => {
                        seen.dropped = true;
                        break;
                    }
                    Some(Ok(_)) => continue,
                };
                match classify(&text) {
                    Packet::Ping => {
                        if ws.send(Message::text("3")).await.is_err() {
                            seen.dropped = true;
                            break;
                        }
                    }
                    Packet::Ack { id, ok } => {
                        if let Some(scheduled) = pending.remove(&id) {
                            if ok {
                                seen.acked += 1;
                                let _ = seen.ack.record(now_us().saturating_sub(scheduled).max(1));
                            } else {
                                seen.refused += 1;
                            }
                        }
                    }
                    Packet::Event { name: "message:new", raw } => {
                        seen.delivered += 1;
                        if let Some(scheduled) = body_number(raw) {
                            let _ = seen.receive.record(now_us().saturating_sub(scheduled).max(1));
                        }
                    }
                    Packet::Event { .. } | Packet::Other => {}
                }
            }
            _ = stop.changed() => break,
        }
    }
    seen.unanswered = pending.len() as u64;
    let _ = ws.close(None).await;
    seen
}
