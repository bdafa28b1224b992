//! The realtime gateway on Socket.IO v4 (socketioxide): authenticates the
//! handshake, joins each socket to its rooms (`u:<user>`, `s:<session>`,
//! `c:<conversation>`), and routes every client event to its registered
//! `EventEndpoint`. Nothing outside this module knows which Socket.IO
//! implementation serves the realtime side.

mod delivery;
mod rooms;

pub use delivery::SocketIoDelivery;

use crate::state::AppState;
use chatchit_application::handler::{EventEndpoint, error_ack};
use chatchit_application::{Actor, AppError, EventContext};
use chatchit_domain::events::ConnectionId;
use serde::Deserialize;
use serde_json::Value;
use socketioxide::SocketIo;
use socketioxide::extract::{AckSender, SocketRef, TryData};
use socketioxide::handler::ConnectHandler;
use socketioxide::layer::SocketIoLayer;
use std::sync::Arc;
use std::sync::atomic::Ordering;

/// Bytes each websocket reads at a time.
const WS_READ_BUFFER: usize = 512;

/// The handshake's `auth` object: `{token: accessToken}`.
#[derive(Debug, Deserialize)]
struct HandshakeAuth {
    token: String,
}

/// Why a handshake was refused; its text is the `connect_error` message.
#[derive(Debug, thiserror::Error)]
enum Refused {
    /// No token, or one that is bad, expired or revoked.
    #[error("unauthorized")]
    Unauthorized,
    /// The token could not be checked now (the database is away or
    /// overloaded); the client should retry.
    #[error("unavailable")]
    Unavailable,
}

/// The Socket.IO server: created before the application services (they need
/// its delivery side), then given the services with [`Gateway::register`].
#[derive(Clone)]
pub struct Gateway {
    /// The socketioxide handle.
    io: SocketIo,
}

impl Gateway {
    /// A gateway and the tower layer that serves `/socket.io/`.
    pub fn new() -> (Self, SocketIoLayer) {
        let (layer, io) = SocketIo::builder()
            .ping_interval(std::time::Duration::from_secs(25))
            .ping_timeout(std::time::Duration::from_secs(20))
            .max_payload(1024 * 1024)
            // The default 4 KiB read buffer per websocket is most of an idle
            // socket's cost; chat frames are small and larger ones still
            // arrive, in more reads.
            .ws_read_buffer_size(WS_READ_BUFFER)
            .build_layer();
        (Self { io }, layer)
    }

    /// The `Delivery` port implementation backed by this gateway.
    pub fn delivery(&self) -> SocketIoDelivery {
        SocketIoDelivery::new(self.io.clone())
    }

    /// Starts accepting connections on namespace `/`, answering events with
    /// the endpoints in `state`.
    pub fn register(&self, state: AppState) {
        let admit = move |s: SocketRef, TryData(auth): TryData<HandshakeAuth>| {
            let state = state.clone();
            async move { admit(s, auth.ok(), state).await }
        };
        let on_connect = async |s: SocketRef| tracing::debug!(socket = %s.id, "socket connected");
        self.io.ns("/", on_connect.with(admit));
    }

    /// Disconnects every socket (graceful shutdown).
    pub async fn close(&self) {
        self.io.close().await;
    }
}

/// The handshake: authenticates, then joins the socket to its rooms and
/// registers its events. This runs before the client is told it is connected
/// (socketioxide spawns the connect handler afterwards, so events registered
/// there could miss the client's first emits).
async fn admit(s: SocketRef, auth: Option<HandshakeAuth>, state: AppState) -> Result<(), Refused> {
    let token = auth.ok_or(Refused::Unauthorized)?.token;
    let actor = state.auth.authenticate(&token).await.map_err(|e| match e {
        AppError::Unavailable(_) | AppError::Internal(_) => {
            tracing::warn!(error = %e, "a handshake could not be checked");
            Refused::Unavailable
        }
        _ => Refused::Unauthorized,
    })?;
    let conversations = match state.conversations.room_ids(&actor).await {
        Ok(ids) => ids,
        Err(e) => {
            tracing::error!(error = %e, "could not load conversation rooms");
            Vec::new()
        }
    };
    s.join(rooms::connection(&ConnectionId(s.id.to_string())));
    s.join(rooms::user(actor.user_id));
    s.join(rooms::session(actor.session_id));
    s.join(
        conversations
            .into_iter()
            .map(rooms::conversation)
            .collect::<Vec<_>>(),
    );
    for endpoint in state.events.iter() {
        register_event(&s, endpoint.clone(), actor.clone());
    }
    let connection = ConnectionId(s.id.to_string());
    if let Err(e) = state.presence.connected(&actor, connection).await {
        tracing::warn!(error = %e, "presence not recorded");
    }
    metrics::gauge!("chatchit_connected_sockets").increment(1.0);
    state.sockets.fetch_add(1, Ordering::Relaxed);
    s.extensions.insert(actor.clone());
    s.on_disconnect(async move || {
        metrics::gauge!("chatchit_connected_sockets").decrement(1.0);
        state.sockets.fetch_sub(1, Ordering::Relaxed);
        if let Err(e) = state.presence.disconnected(&actor).await {
            tracing::warn!(error = %e, "presence not updated");
        }
    });
    Ok(())
}

fn register_event(s: &SocketRef, endpoint: Arc<dyn EventEndpoint>, actor: Actor) {
    let name = endpoint.event();
    s.on(
        name,
        move |s: SocketRef, TryData(payload): TryData<Value>, ack: AckSender| {
            let endpoint = endpoint.clone();
            let ctx = EventContext {
                actor: actor.clone(),
                connection: Some(ConnectionId(s.id.to_string())),
            };
            async move {
                let answer = match payload {
                    Ok(payload) => endpoint.dispatch(ctx, payload).await,
                    Err(e) => error_ack(&AppError::validation("payload", e.to_string())),
                };
                if ack.send(&answer).is_err() {
                    tracing::debug!(event = name, "no ack callback, or the socket closed");
                }
            }
        },
    );
}
