//! The delivery port: server events to users' live sockets.

use crate::events::{ConnectionId, ServerEvent};
use crate::ids::{ConversationId, SessionId, UserId};
use async_trait::async_trait;
use thiserror::Error;

/// Why a delivery failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("delivery failed: {0}")]
pub struct DeliveryError(pub String);

/// Who receives an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// Every socket of every member of the conversation.
    Conversation(ConversationId),
    /// Every socket of these users.
    Users(Vec<UserId>),
    /// One socket.
    Connection(ConnectionId),
}

/// Who is left out of an audience.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exclude {
    /// Nobody.
    Nobody,
    /// One connection (the sender's socket, which has the ack).
    Connection(ConnectionId),
    /// All of one user's sockets (a typist does not see their own typing).
    User(UserId),
}

/// Writes server events to sockets, wherever they are connected, and keeps the
/// conversation rooms of live sockets in step with memberships.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Delivery: Send + Sync {
    /// Sends `event` to `audience` minus `exclude`; the event is serialized once.
    ///
    /// # Errors
    /// `DeliveryError` when the transport cannot take it.
    async fn send(
        &self,
        audience: Audience,
        exclude: Exclude,
        event: ServerEvent,
    ) -> Result<(), DeliveryError>;

    /// Puts every live socket of `users` in the conversation's room.
    ///
    /// # Errors
    /// `DeliveryError` when the transport cannot take it.
    async fn join(
        &self,
        users: Vec<UserId>,
        conversation: ConversationId,
    ) -> Result<(), DeliveryError>;

    /// Takes every live socket of `users` out of the conversation's room.
    ///
    /// # Errors
    /// `DeliveryError` when the transport cannot take it.
    async fn leave(
        &self,
        users: Vec<UserId>,
        conversation: ConversationId,
    ) -> Result<(), DeliveryError>;

    /// Sends `session:revoked` to every socket of `user`, then disconnects them.
    ///
    /// # Errors
    /// `DeliveryError` when the transport cannot take it.
    async fn revoke_user(&self, user: UserId, reason: String) -> Result<(), DeliveryError>;

    /// Sends `session:revoked` to the session's sockets, then disconnects them.
    ///
    /// # Errors
    /// `DeliveryError` when the transport cannot take it.
    async fn revoke_session(&self, session: SessionId, reason: String)
    -> Result<(), DeliveryError>;
}
