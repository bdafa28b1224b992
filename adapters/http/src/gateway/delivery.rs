//! The `Delivery` port on socketioxide rooms, for the sockets of this node.
//! A broadcast writes the event, serialized once, to every socket in it.

use super::rooms;
use async_trait::async_trait;
use chatchit_domain::events::{RevokedPayload, ServerEvent};
use chatchit_domain::ids::{ConversationId, UserId};
use chatchit_domain::ports::{Audience, Delivery, DeliveryError, Dispatch, Exclude, Outbound};
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
    async fn dispatch(&self, dispatch: Dispatch) -> Result<(), DeliveryError> {
        match dispatch {
            Dispatch::Send {
                audience,
                exclude,
                event,
            } => self.emit(audience, exclude, event).await,
            Dispatch::Join {
                users,
                conversation,
            } => self.move_sockets(users, conversation, true).await,
            Dispatch::Leave {
                users,
                conversation,
            } => self.move_sockets(users, conversation, false).await,
            Dispatch::RevokeUser { user, reason } => self.revoke(rooms::user(user), reason).await,
            Dispatch::RevokeSession { session, reason } => {
                self.revoke(rooms::session(session), reason).await
            }
        }
    }
}

impl SocketIoDelivery {
    async fn emit(
        &self,
        audience: Audience,
        exclude: Exclude,
        event: Outbound,
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
        op.emit(event.name, &event.payload).await.map_err(failed)
    }

    async fn move_sockets(
        &self,
        users: Vec<UserId>,
        conversation: ConversationId,
        join: bool,
    ) -> Result<(), DeliveryError> {
        let rooms: Vec<String> = users.into_iter().map(rooms::user).collect();
        let op = self.io.to(rooms);
        let room = rooms::conversation(conversation);
        if join {
            op.join(room).await.map_err(failed)
        } else {
            op.leave(room).await.map_err(failed)
        }
    }

    /// `session:revoked` to every socket in `room`, then disconnects them.
    async fn revoke(&self, room: String, reason: String) -> Result<(), DeliveryError> {
        let event = ServerEvent::SessionRevoked(RevokedPayload { reason });
        self.io
            .to(room.clone())
            .emit(event.name(), &event)
            .await
            .map_err(failed)?;
        self.io.to(room).disconnect().await.map_err(failed)
    }
}
