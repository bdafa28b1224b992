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
/// websocket: the handshake goes out first.
pub async fn run_fresh(
    inner: Arc<Inner>,
    mut ws: WebSocket,
    session: Arc<Session>,
    owner: SessionOwner,
) {
    let handshake = inner.handshake(session.sid, &[]);
    if ws.send(Message::Text(handshake.into())).await.is_err() {
        owner.end().await;
        return;
    }
    serve(inner, ws, session, owner).await;
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
    let timer = tokio::time::sleep(settings.ping_interval);
    tokio::pin!(timer);
    let mut beat = Beat::Idle;
    // A session must join namespace `/` (authenticate) within the connect
    // timeout; one that has by then is not asked again.
    let connect_by = tokio::time::sleep(settings.limits.connect_timeout);
    tokio::pin!(connect_by);
    let mut unproven = session.actor().is_none();
    loop {
        tokio::select! {
            () = &mut connect_by, if unproven => {
                if session.actor().is_none() {
                    tracing::debug!("no namespace connect in time");
                    break;
                }
                unproven = false;
            },
            // Read only while the socket may start another event: a client
            // with too many in flight waits on TCP (see `Session::may_read`).
            incoming = ws.recv(), if session.may_read() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    if socket::on_text(&inner, &session, text.as_str()).await == Flow::Close {
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
            () = &mut timer => match beat {
                Beat::Idle => {
                    session.pinged();
                    if ws.send(Message::Text(packet::PING.into())).await.is_err() {
                        break;
                    }
                    let now = Instant::now();
                    beat = Beat::Pinged(now);
                    timer.as_mut().reset(now + settings.ping_timeout);
                }
                Beat::Pinged(at) => {
                    if session.awaiting_pong() {
                        tracing::debug!("ping timeout");
                        break;
                    }
                    beat = Beat::Idle;
                    timer.as_mut().reset(at + settings.ping_interval);
                }
            },
        }
    }
    owner.end().await;
}
