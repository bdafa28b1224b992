//! The Socket.IO layer on top of an Engine.IO session: the handshake on
//! namespace `/` (authentication, rooms, presence), events answered by their
//! endpoints, and the socket's end.

use super::packet::{self, EnginePacket, PacketError, SocketPacket};
use super::rooms::Room;
use super::session::{EventPermit, Session, log_tag, sid_text};
use super::{App, Inner};
use crate::wire::error_ack;
use chatchit_application::{Actor, AppError, EventContext};
use chatchit_domain::events::ConnectionId;
use futures_util::FutureExt;
use serde_json::Value;
use serde_json::value::RawValue;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// What the transport does after handing over a packet.
#[derive(Debug, PartialEq, Eq)]
pub enum Flow {
    /// Keep reading.
    Continue,
    /// Close the session (the client broke the protocol, or the session is
    /// ending anyway).
    Close,
    /// The client closed the session itself (an Engine.IO close packet).
    Leave,
}

/// Why a handshake was refused; its text is the `connect_error` message.
#[derive(Debug, thiserror::Error)]
enum Refused {
    /// No token, or one that is bad, expired or revoked.
    #[error("unauthorized")]
    Unauthorized,
    /// The token could not be checked now (the database is away or
    /// overloaded, or the server is still starting); the client should retry.
    #[error("unavailable")]
    Unavailable,
}

/// Handles one Engine.IO packet a client sent. A session that is ending (a
/// revocation, a slow consumer, a close) handles nothing more. A bug that
/// panics while a packet is handled ends this session only: the panic is
/// contained here, counted and logged (by the panic hook), and the session
/// closed.
pub async fn on_text(inner: &Arc<Inner>, session: &Arc<Session>, text: &str) -> Flow {
    if session.is_closing() {
        return Flow::Close;
    }
    let handled = AssertUnwindSafe(on_engine_packet(inner, session, text))
        .catch_unwind()
        .await;
    handled.unwrap_or_else(|_| {
        metrics::counter!("chatchit_panics_total", "task" => "socket").increment(1);
        Flow::Close
    })
}

async fn on_engine_packet(inner: &Arc<Inner>, session: &Arc<Session>, text: &str) -> Flow {
    match packet::parse_engine(text) {
        Some(EnginePacket::Message(body)) => on_socket_packet(inner, session, body).await,
        Some(EnginePacket::Pong) => {
            session.ponged();
            Flow::Continue
        }
        Some(EnginePacket::Ping(_) | EnginePacket::Noop | EnginePacket::Upgrade) => Flow::Continue,
        Some(EnginePacket::Close) => Flow::Leave,
        None => {
            tracing::debug!(session = %log_tag(session.sid), "malformed Engine.IO packet");
            Flow::Close
        }
    }
}

async fn on_socket_packet(inner: &Arc<Inner>, session: &Arc<Session>, body: &str) -> Flow {
    match packet::parse_socket(body) {
        Ok(SocketPacket::Connect(auth)) => {
            // Boxed, as is every disconnect: the handshake's state (store
            // reads, presence) would otherwise be inlined into
            // every socket's resident task for its whole life, though it
            // runs once.
            Box::pin(connect(inner, session, auth)).await;
            Flow::Continue
        }
        Ok(SocketPacket::Event { ack, .. }) if crate::text_guard::json_has_control(body) => {
            if let Some(id) = ack.filter(|_| session.actor().is_some()) {
                let refused = AppError::validation("payload", crate::text_guard::REFUSED);
                session.push(packet::ack(id, &error_ack(&refused)).into());
            }
            Flow::Continue
        }
        Ok(SocketPacket::Event { ack, name, payload }) => {
            if let (Some(actor), Some(app)) = (session.actor(), inner.app.get()) {
                let permit = session.start_event().await;
                on_event(inner, app, session, permit, actor, ack, &name, payload);
            }
            Flow::Continue
        }
        Ok(SocketPacket::Disconnect) => {
            Box::pin(disconnect(inner, session)).await;
            Flow::Continue
        }
        Ok(SocketPacket::Ack) => Flow::Continue,
        Err(PacketError::Namespace(namespace)) => {
            session.push(packet::invalid_namespace(&namespace).into());
            Flow::Continue
        }
        Err(PacketError::Malformed) => {
            tracing::debug!(session = %log_tag(session.sid), "malformed Socket.IO packet");
            Flow::Close
        }
    }
}

/// The handshake: authenticates, joins the socket to its rooms (so no event
/// meant for it can be missed), tells the client it is connected, and then
/// records presence (so the presence snapshot comes after the connect).
async fn connect(inner: &Arc<Inner>, session: &Arc<Session>, auth: Option<Value>) {
    if session.actor().is_some() {
        return;
    }
    let token = auth
        .as_ref()
        .and_then(|a| a.get("token"))
        .and_then(Value::as_str);
    let Some(app) = inner.app.get() else {
        session.push(packet::connect_error(&Refused::Unavailable.to_string()).into());
        return;
    };
    let (actor, conversations) = match admit(app, token).await {
        Ok(admitted) => admitted,
        Err(refused) => {
            session.push(packet::connect_error(&refused.to_string()).into());
            return;
        }
    };
    let connection = ConnectionId(sid_text(session.socket_id));
    metrics::gauge!("chatchit_connected_sockets").increment(1.0);
    app.state.sockets.fetch_add(1, Ordering::Relaxed);
    let rooms = [Room::User(actor.user_id), Room::Session(actor.session_id)]
        .into_iter()
        .chain(conversations.into_iter().map(Room::Conversation));
    session.set_actor(actor.clone());
    inner.hub.join(session, rooms);
    session.push(packet::connected(&connection.0).into());
    tracing::info!(user = %actor.user_id, socket = %connection.0, "socket connected");
    if let Err(e) = app.state.presence.connected(&actor, connection).await {
        tracing::warn!(error = %e, "presence not recorded");
    }
    // A ban or logout that committed while the socket was being admitted
    // found no socket to close; the hub remembers its notice, asked now that
    // the socket is in its rooms (a notice after this finds it there).
    let own = [Room::User(actor.user_id), Room::Session(actor.session_id)];
    if inner.hub.revoked_lately(&own, ADMISSION_WINDOW) {
        let _sent =
            super::delivery::revoke(inner, Room::Session(actor.session_id), "revoked".into()).await;
        return;
    }
    if inner.hub.get(session.sid).is_none() {
        // The client left while it was being admitted.
        if session.actor().is_some() {
            disconnect(inner, session).await;
        } else if let Err(e) = app.state.presence.disconnected(&actor).await {
            tracing::warn!(error = %e, "presence not updated");
        }
    }
}

/// Longer than any admission takes (the token's store reads, under their
/// timeouts): how long a revocation notice is held for a socket that was
/// being admitted when it came.
const ADMISSION_WINDOW: Duration = Duration::from_secs(60);

/// The token's user and the conversations whose rooms the socket joins.
async fn admit(
    app: &App,
    token: Option<&str>,
) -> Result<(Actor, Vec<chatchit_domain::ids::ConversationId>), Refused> {
    let token = token.ok_or(Refused::Unauthorized)?;
    let actor = app
        .state
        .identity
        .authenticate(token)
        .await
        .map_err(|e| match e {
            AppError::Unavailable(_) | AppError::Internal(_) => {
                tracing::warn!(error = %e, "a handshake could not be checked");
                Refused::Unavailable
            }
            _ => Refused::Unauthorized,
        })?;
    let conversations = match app.state.conversations.room_ids(&actor).await {
        Ok(ids) => ids,
        Err(e) => {
            tracing::error!(error = %e, "could not load conversation rooms");
            Vec::new()
        }
    };
    Ok((actor, conversations))
}

/// Runs the event's endpoint in its own task (a slow handler holds up
/// neither this socket's reads nor its heartbeat) and queues the answer. The
/// task owns the event's place (`permit`) and frees it when the answer is
/// ready, or when it unwinds. A handler that panics is answered `internal`.
#[allow(clippy::too_many_arguments)]
fn on_event(
    inner: &Inner,
    app: &App,
    session: &Arc<Session>,
    permit: EventPermit,
    actor: Actor,
    ack: Option<u64>,
    name: &str,
    payload: Option<Box<RawValue>>,
) {
    let endpoint = app.endpoints.get(name).cloned();
    let ctx = EventContext {
        actor,
        connection: Some(ConnectionId(sid_text(session.socket_id))),
    };
    let session = session.clone();
    inner.events.spawn(async move {
        let answer = match (endpoint, payload) {
            (None, _) => error_ack(&AppError::NotFound("no such event".into())),
            (Some(_), None) => error_ack(&AppError::validation("payload", "missing")),
            (Some(endpoint), Some(payload)) => AssertUnwindSafe(endpoint.dispatch(ctx, payload))
                .catch_unwind()
                .await
                .unwrap_or_else(|_| {
                    metrics::counter!("chatchit_panics_total", "task" => "event").increment(1);
                    error_ack(&AppError::Internal("the handler failed".into()))
                }),
        };
        drop(permit);
        if let Some(id) = ack {
            session.push(packet::ack(id, &answer).into());
        }
    });
}

/// The socket leaves namespace `/`: out of its rooms, presence updated.
/// Does nothing the second time.
pub async fn disconnect(inner: &Inner, session: &Session) {
    inner.hub.leave_all(session);
    let Some(actor) = session.take_actor() else {
        return;
    };
    metrics::gauge!("chatchit_connected_sockets").decrement(1.0);
    tracing::info!(user = %actor.user_id, socket = %sid_text(session.socket_id), "socket disconnected");
    if let Some(app) = inner.app.get() {
        app.state.sockets.fetch_sub(1, Ordering::Relaxed);
        if let Err(e) = app.state.presence.disconnected(&actor).await {
            tracing::warn!(error = %e, "presence not updated");
        }
    }
}
