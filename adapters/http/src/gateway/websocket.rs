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

/// Runs `socket` on a task of its own, so that axum's upgrade task ends at
/// once. That task keeps what it was given (the pending upgrade, the
/// websocket settings, the callback) beside the future it awaits, for as long
/// as that future runs: a few hundred bytes of every idle connection.
pub fn detach(socket: impl Future<Output = ()> + Send + 'static) -> std::future::Ready<()> {
    tokio::spawn(socket);
    std::future::ready(())
}

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
            // On a task of its own, as a fresh websocket is (see [`detach`]):
            // this one ends, and what the probe needed goes with it.
            tokio::spawn(serve(inner, ws, session, owner));
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
///
/// Not an `async fn`, for the reason [`run_fresh`] is not one: an `async
/// fn` moves each argument into a local of its own, so its state would hold
/// the websocket twice. The block below takes its captures in place.
#[expect(
    clippy::manual_async_fn,
    reason = "an async fn would hold the websocket twice"
)]
fn serve(
    inner: Arc<Inner>,
    mut ws: WebSocket,
    session: Arc<Session>,
    owner: SessionOwner,
) -> impl Future<Output = ()> + Send {
    async move {
        let settings = &inner.settings;
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
}

#[cfg(test)]
mod tests {
    use axum::extract::ws::WebSocket;

    /// The size of the future `f` returns, without calling it.
    fn future_size<F, A, B, C, D, R>(_: F) -> usize
    where
        F: FnOnce(A, B, C, D) -> R,
        R: Future,
    {
        std::mem::size_of::<R>()
    }

    /// Every idle websocket is this future, so each of its bytes is paid per
    /// connection: it holds the websocket once (as an `async fn` it would hold
    /// it twice, 1,288 bytes in all), and what only a moment needs (a packet's
    /// handling, the session's end) is not inline.
    #[test]
    fn an_idle_socket_holds_its_websocket_once() {
        let ws = std::mem::size_of::<WebSocket>();
        for (name, size) in [
            ("serve", future_size(super::serve)),
            ("run_fresh", future_size(super::run_fresh)),
        ] {
            assert!(
                size <= ws + 512,
                "{name}'s future is {size} bytes, the websocket {ws}"
            );
        }
    }
}
