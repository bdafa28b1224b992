//! The `Delivery` port on socketioxide rooms. A broadcast serializes the
//! event once for all its recipients.

use super::rooms;
use async_trait::async_trait;
use chatchit_domain::events::{RevokedPayload, ServerEvent};
use chatchit_domain::ids::{ConversationId, SessionId, UserId};
use chatchit_domain::ports::{Audience, Delivery, DeliveryError, Exclude};
use socketioxide::SocketIo;

/// Delivers through the local socketioxide server.
#[derive(Clone)]
pub struct SocketIoDelivery {
    /// The socketioxide handle.
    io: SocketIo,
}

impl SocketIoDelivery {
    /// Delivery over `io`.
    pub fn new(io: SocketIo) -> Self {
        Self { io }
    }
}

fn failed(e: impl std::fmt::Display) -> DeliveryError {
    DeliveryError(e.to_string())
}

#[async_trait]
impl Delivery for SocketIoDelivery {
    async fn send(
        &self,
        audience: Audience,
        exclude: Exclude,
        event: ServerEvent,
    ) -> Result<(), DeliveryError> {
        let targets: Vec<String> = match audience {
            Audience::Conversation(id) => vec![rooms::conversation(id)],
            Audience::Users(ids) => ids.into_iter().map(rooms::user).collect(),
            Audience::Connection(c) => vec![rooms::connection(&c)],
        };
        let mut op = self.io.to(targets);
        match exclude {
            Exclude::Nobody => {}
            Exclude::User(id) => op = op.except(rooms::user(id)),
            Exclude::Connection(c) => op = op.except(rooms::connection(&c)),
        }
        op.emit(event.name(), &event).await.map_err(failed)
    }

    async fn join(
        &self,
        users: Vec<UserId>,
        conversation: ConversationId,
    ) -> Result<(), DeliveryError> {
        let rooms: Vec<String> = users.into_iter().map(rooms::user).collect();
        self.io
            .to(rooms)
            .join(rooms::conversation(conversation))
            .await
            .map_err(failed)
    }

    async fn leave(
        &self,
        users: Vec<UserId>,
        conversation: ConversationId,
    ) -> Result<(), DeliveryError> {
        let rooms: Vec<String> = users.into_iter().map(rooms::user).collect();
        self.io
            .to(rooms)
            .leave(rooms::conversation(conversation))
            .await
            .map_err(failed)
    }

    async fn revoke_user(&self, user: UserId, reason: String) -> Result<(), DeliveryError> {
        self.revoke_room(rooms::user(user), reason).await
    }

    async fn revoke_session(
        &self,
        session: SessionId,
        reason: String,
    ) -> Result<(), DeliveryError> {
        self.revoke_room(rooms::session(session), reason).await
    }
}

impl SocketIoDelivery {
    /// `session:revoked` to every socket in `room`, then disconnects them.
    async fn revoke_room(&self, room: String, reason: String) -> Result<(), DeliveryError> {
        let event = ServerEvent::SessionRevoked(RevokedPayload { reason });
        self.io
            .to(room.clone())
            .emit(event.name(), &event)
            .await
            .map_err(failed)?;
        self.io.to(room).disconnect().await.map_err(failed)
    }
}
