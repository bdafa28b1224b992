//! The HTTP long-polling transport: a GET waits for frames, a POST carries
//! the client's packets, and a task keeps the heartbeat until the session
//! moves to a websocket.

use super::engine::Refusal;
use super::packet;
use super::session::{Session, log_tag};
use super::socket::{self, Flow};
use super::{Inner, SessionOwner};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// Separates packets in a long-polling body.
const SEPARATOR: char = '\u{1e}';

fn text(body: String) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; charset=UTF-8")], body).into_response()
}

/// Refuses an overlapping request and closes its session.
fn overlap(session: &Session) -> Response {
    tracing::debug!(session = %log_tag(session.sid), "overlapping long-polling request");
    session.close();
    Refusal::BadRequest.into_response()
}

/// Opens a session of `client`: the handshake offers the websocket upgrade.
pub fn open(inner: &Arc<Inner>, client: Option<std::net::IpAddr>) -> Response {
    let Some(session) = inner.open(false, client) else {
        return Refusal::TooManySessions.into_response();
    };
    tokio::spawn(heartbeat(inner.clone(), session.clone()));
    text(inner.handshake(session.sid, &["websocket"]))
}

/// Waits until frames are waiting (a ping comes every `pingInterval`), then
/// answers them all; a closing session's last answer ends with `1`. When the
/// client itself closed the session (a `1` in a POST), the waiting GET is
/// answered with a noop (`6`), as by the reference server.
/// A second GET while one waits breaks the protocol: it is refused and the
/// session closed, as the reference server does (the waiting GET gets `1`).
pub async fn poll(inner: &Arc<Inner>, session: &Arc<Session>) -> Response {
    let Some(_slot) = session.claim_poll() else {
        return overlap(session);
    };
    loop {
        let batch = session.take();
        if batch.left {
            inner.end(session).await;
            return text(packet::NOOP.to_owned());
        }
        if !batch.frames.is_empty() || batch.close {
            let mut body = String::new();
            for frame in &batch.frames {
                if !body.is_empty() {
                    body.push(SEPARATOR);
                }
                body.push_str(frame.as_str());
            }
            if batch.close {
                if !body.is_empty() {
                    body.push(SEPARATOR);
                }
                body.push_str(packet::CLOSE);
                inner.end(session).await;
            }
            return text(body);
        }
        session.wake.notified().await;
    }
}

/// Handles the packets of one POST.
/// A second POST while one is handled is refused and the session closed, as
/// for GETs.
pub async fn post(inner: &Arc<Inner>, session: &Arc<Session>, body: &str) -> Response {
    let Some(_slot) = session.claim_post() else {
        return overlap(session);
    };
    for packet in body.split(SEPARATOR) {
        match socket::on_text(inner, session, packet).await {
            Flow::Continue => {}
            Flow::Close => {
                inner.end(session).await;
                break;
            }
            Flow::Leave => {
                session.leave();
                inner.end(session).await;
                break;
            }
        }
    }
    text("ok".to_owned())
}

/// Owns a polling session: pings it and ends it when a pong does not come
/// back in time; hands it over once it has moved to a websocket. However
/// this task stops, a session still polling is ended.
async fn heartbeat(inner: Arc<Inner>, session: Arc<Session>) {
    let owner = SessionOwner::new(&inner, &session);
    let settings = inner.settings;
    let open = |session: &Session| inner.hub.get(session.sid).is_some();
    // A session must join namespace `/` (authenticate) within the connect
    // timeout; checked once, at that deadline.
    let connect_by = tokio::time::Instant::now() + settings.limits.connect_timeout;
    let mut unproven = true;
    loop {
        let ping_at = tokio::time::Instant::now() + settings.ping_interval;
        if unproven && connect_by < ping_at {
            tokio::time::sleep_until(connect_by).await;
            unproven = false;
            if session.actor().is_none() && !session.is_upgraded() {
                tracing::debug!("no namespace connect in time");
                return owner.end().await;
            }
        }
        tokio::time::sleep_until(ping_at).await;
        if session.is_upgraded() {
            return owner.release();
        }
        if !open(&session) {
            return owner.end().await;
        }
        session.pinged();
        session.push(packet::PING.into());
        tokio::time::sleep(settings.ping_timeout).await;
        if session.is_upgraded() {
            return owner.release();
        }
        if !open(&session) || session.awaiting_pong() {
            tracing::debug!("polling ping timeout");
            return owner.end().await;
        }
    }
}
