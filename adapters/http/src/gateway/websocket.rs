//! The websocket transport: one task per socket that reads frames, writes
//! what the outbox holds (everything waiting in one write), and keeps the
//! heartbeat.

use super::packet;
use super::session::Session;
use super::socket::{self, Flow};
use super::{Inner, SessionOwner};
use axum::extract::ws::{Message, WebSocket};
use futures_util::SinkExt;
use std::sync::Arc;
use tokio::time::Instant;

/// A client that opened its session (`session`, ended by `owner`) on a
/// websocket: the handshake is the first frame of its outbox.
///
/// Not an `async fn`: the socket's resident task is this future, and an
/// `async fn` keeps its arguments in its state for as long as it runs, so
/// the websocket would be held twice (here and in [`serve`]), 368 bytes of
/// every idle connection.
pub fn run_fresh(
    inner: Arc<Inner>,
    ws: WebSocket,
    session: Arc<Session>,
    owner: SessionOwner,
) -> impl Future<Output = ()> + Send {
    session.push(inner.handshake(session.sid, &[]).into());
    serve(inner, ws, session, owner)
}

/// A long-polling client moving to a websocket: `2probe` is answered
/// `3probe`, the pending poll is ended with a noop, and once the client
/// sends `5` the session is this websocket's. A client that gives up on the
/// way keeps polling.
pub async fn run_upgrade(inner: Arc<Inner>, mut ws: WebSocket, session: Arc<Session>) {
    let probe = async {
        loop {
            let Some(Ok(Message::Text(text))) = ws.recv().await else {
                return false;
            };
            match text.as_str() {
                "2probe" => {
                    if ws
                        .send(Message::Text(packet::PROBE_ANSWER.into()))
                        .await
                        .is_err()
                    {
                        return false;
                    }
                    session.push(packet::NOOP.into());
                }
                "5" => return true,
                _ => return false,
            }
        }
    };
    match tokio::time::timeout(inner.settings.ping_timeout, probe).await {
        Ok(true) => {
            let owner = SessionOwner::new(&inner, &session);
            session.set_upgraded();
            session.wake.notify_one();
            serve(inner, ws, session, owner).await;
        }
        _ => tracing::debug!("websocket upgrade abandoned"),
    }
}

/// A websocket that has no session to carry (its session already moved to
/// another one): closed at once.
pub async fn close_at_once(mut ws: WebSocket) {
    let _closed = ws.send(Message::Close(None)).await;
}

/// Which half of the heartbeat the timer is in.
enum Beat {
    /// Waiting to send the next ping.
    Idle,
    /// A ping went out at this instant; waiting for its pong.
    Pinged(Instant),
}

/// Runs the session on `ws` until either side ends it; `owner` ends the
/// session on the way out, whichever way that is.
async fn serve(inner: Arc<Inner>, mut ws: WebSocket, session: Arc<Session>, owner: SessionOwner) {
    let settings = inner.settings;
    let opened = Instant::now();
    // A session must join namespace `/` (authenticate) within the connect
    // timeout. One timer serves that deadline and the heartbeat (it is set
    // for whichever is sooner), so an idle socket carries no second one.
    let connect_by = opened + settings.limits.connect_timeout;
    let mut unproven = session.actor().is_none();
    let mut beat = Beat::Idle;
    let mut beat_at = opened + settings.ping_interval;
    let due = |beat_at: Instant, unproven: bool| {
        if unproven {
            beat_at.min(connect_by)
        } else {
            beat_at
        }
    };
    let timer = tokio::time::sleep_until(due(beat_at, unproven));
    tokio::pin!(timer);
    loop {
        tokio::select! {
            // Read only while the socket may start another event: a client
            // with too many in flight waits on TCP (see `Session::may_read`).
            incoming = ws.recv(), if session.may_read() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    // Boxed: handling a packet takes a moment, and its state
                    // inlined here would sit in every idle socket's task.
                    if Box::pin(socket::on_text(&inner, &session, text.as_str())).await != Flow::Continue {
                        break;
                    }
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
                // Binary packets are not part of this server's protocol.
                Some(Ok(Message::Binary(_) | Message::Close(_)) | Err(_)) | None => break,
            },
            () = session.wake.notified() => {
                let batch = session.take();
                let mut failed = false;
                for frame in batch.frames {
                    if ws.feed(Message::Text(frame)).await.is_err() {
                        failed = true;
                        break;
                    }
                }
                if failed || ws.flush().await.is_err() {
                    break;
                }
                if batch.close {
                    let _ = ws.send(Message::Close(None)).await;
                    break;
                }
            },
            () = &mut timer => {
                let now = Instant::now();
                if unproven {
                    if session.actor().is_some() {
                        unproven = false;
                    } else if now >= connect_by {
                        tracing::debug!("no namespace connect in time");
                        break;
                    }
                }
                if now >= beat_at {
                    match beat {
                        Beat::Idle => {
                            session.pinged();
                            if ws.send(Message::Text(packet::PING.into())).await.is_err() {
                                break;
                            }
                            beat = Beat::Pinged(now);
                            beat_at = now + settings.ping_timeout;
                        }
                        Beat::Pinged(at) => {
                            if session.awaiting_pong() {
                                tracing::debug!("ping timeout");
                                break;
                            }
                            beat = Beat::Idle;
                            beat_at = at + settings.ping_interval;
                        }
                    }
                }
                timer.as_mut().reset(due(beat_at, unproven));
            },
        }
    }
    owner.end().await;
}
