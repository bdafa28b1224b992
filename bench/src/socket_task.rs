//! One task per generator socket: sends the emits it is handed, answers
//! pings, and times acks and deliveries against the scheduled send times.

use crate::client::{Socket, body_number};
use chatchit_client::frame::{self, Peek};
use futures_util::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use std::collections::HashMap;
use std::time::Instant;
use tokio::sync::{mpsc, watch};
use tokio_tungstenite::tungstenite::Message;

/// What one socket saw. Only a socket that times something carries
/// histograms (each is ~150 KiB), made before the clock starts: made on a
/// socket's first ack or delivery, a thousand of them were allocated in the
/// first few hundred ms of sending, and the generator's own stall showed as
/// the servers' latency tail.
pub struct Seen {
    /// Scheduled send → ack, µs.
    pub ack: Option<Histogram<u64>>,
    /// Scheduled send → `message:new` here, µs.
    pub receive: Option<Histogram<u64>>,
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

/// Records `value` in `slot`, making the histogram first if need be.
fn record(slot: &mut Option<Histogram<u64>>, value: u64) {
    let _ = slot.get_or_insert_with(histogram).record(value.max(1));
}

/// Adds `from` into `into`.
fn add(into: &mut Option<Histogram<u64>>, from: &Option<Histogram<u64>>) {
    if let Some(from) = from {
        let _ = into.get_or_insert_with(histogram).add(from);
    }
}

impl Seen {
    fn new() -> Self {
        Self {
            ack: None,
            receive: None,
            acked: 0,
            refused: 0,
            unanswered: 0,
            delivered: 0,
            dropped: false,
        }
    }

    /// Adds `other` into this one.
    pub fn merge(&mut self, other: &Seen) {
        add(&mut self.ack, &other.ack);
        add(&mut self.receive, &other.receive);
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

    /// An empty tally with its histograms made, for a socket that will time
    /// acks and deliveries.
    pub fn timing() -> Self {
        Self {
            ack: Some(histogram()),
            receive: Some(histogram()),
            ..Self::new()
        }
    }

    /// Percentiles and maximum of a histogram in milliseconds (zeros when
    /// nothing was recorded).
    pub fn millis(h: &Option<Histogram<u64>>) -> serde_json::Value {
        let ms = |v: u64| v as f64 / 1000.0;
        match h {
            Some(h) => serde_json::json!({
                "p50": ms(h.value_at_quantile(0.5)),
                "p90": ms(h.value_at_quantile(0.9)),
                "p99": ms(h.value_at_quantile(0.99)),
                "max": ms(h.max()),
            }),
            None => serde_json::json!({"p50": 0.0, "p90": 0.0, "p99": 0.0, "max": 0.0}),
        }
    }
}

/// What a sending socket is told to send: each `u64` is a scheduled time (µs
/// after the epoch) for one `message:send` to the conversation.
pub struct Sends {
    /// Where to send.
    pub conversation: String,
    /// The schedule.
    pub times: mpsc::UnboundedReceiver<u64>,
}

/// Drives `ws`, sending what `sends` schedules (a socket without any only
/// receives), adding what it sees to `seen`; runs until `stop`.
pub async fn run(
    mut ws: Socket,
    mut sends: Option<Sends>,
    mut seen: Seen,
    epoch: Instant,
    mut stop: watch::Receiver<bool>,
) -> Seen {
    let mut pending: HashMap<u64, u64> = HashMap::new();
    let mut next_id = 0u64;
    let now_us = || u64::try_from(epoch.elapsed().as_micros()).unwrap_or(u64::MAX);
    loop {
        tokio::select! {
            scheduled = next_send(&mut sends) => {
                let (Some(scheduled), Some(Sends { conversation, .. })) = (scheduled, &sends) else {
                    sends = None;
                    continue;
                };
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
                match frame::peek(&text) {
                    Peek::Ping if ws.send(Message::text(frame::PONG)).await.is_err() => {
                        seen.dropped = true;
                        break;
                    }
                    Peek::Ack { id, args } => {
                        if let Some(scheduled) = pending.remove(&id) {
                            if args.contains("\"ok\":true") {
                                seen.acked += 1;
                                record(&mut seen.ack, now_us().saturating_sub(scheduled));
                            } else {
                                seen.refused += 1;
                            }
                        }
                    }
                    Peek::Event { name: "message:new", array: raw } => {
                        seen.delivered += 1;
                        if let Some(scheduled) = body_number(raw) {
                            record(&mut seen.receive, now_us().saturating_sub(scheduled));
                        }
                    }
                    _ => {}
                }
            }
            _ = stop.changed() => break,
        }
    }
    seen.unanswered = pending.len() as u64;
    let _ = ws.close(None).await;
    seen
}

/// The next scheduled send; never resolves for a socket that only receives.
async fn next_send(sends: &mut Option<Sends>) -> Option<u64> {
    match sends {
        Some(sends) => sends.times.recv().await,
        None => std::future::pending().await,
    }
}
