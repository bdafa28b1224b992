//! The delivery port: server events to users' live sockets.

use crate::events::{ConnectionId, ServerEvent};
use crate::ids::{ConversationId, NodeId, SessionId, UserId};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why a delivery failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("delivery failed: {0}")]
pub struct DeliveryError(pub String);

/// Who receives an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Audience {
    /// Every socket of every member of the conversation.
    Conversation(ConversationId),
    /// Every socket of these users.
    Users(Vec<UserId>),
    /// One socket.
    Connection(ConnectionId),
}

/// Who is left out of an audience.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Exclude {
    /// Nobody.
    Nobody,
    /// One connection (the sender's socket, which has the ack).
    Connection(ConnectionId),
    /// All of one user's sockets (a typist does not see their own typing).
    User(UserId),
}

/// A server event on its way to sockets, with what orders it: the
/// transport writes it in the wire's form once per node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outbound {
    /// The event (boxed: a message is large beside the other dispatches).
    pub event: Box<ServerEvent>,
    /// For `message:new`, the message's place in its conversation's log, by
    /// which every node delivers a conversation's messages in order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<i64>,
    /// For an event about a message (an edit, a delete, reactions), that
    /// message's `seq`: every node sends it after the message's own
    /// `message:new`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follows: Option<i64>,
}

impl Outbound {
    /// `event`, ordered by its own `seq` when it is a new message.
    pub fn of(event: ServerEvent) -> Self {
        Self {
            seq: match &event {
                ServerEvent::MessageNew(message) => Some(message.seq),
                _ => None,
            },
            event: Box::new(event),
            follows: None,
        }
    }

    /// This event, about message `seq` (see [`Outbound::follows`]); a `seq`
    /// of 0 (unknown) leaves it unordered.
    #[must_use]
    pub fn following(mut self, seq: i64) -> Self {
        self.follows = (seq > 0).then_some(seq);
        self
    }

    /// The Socket.IO event name.
    pub fn name(&self) -> &'static str {
        self.event.name()
    }
}

/// One delivery operation, as data: what a node does to its own sockets, and
/// what it tells the other nodes of a cluster to do to theirs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Dispatch {
    /// Write an event to an audience.
    Send {
        /// Who receives it.
        audience: Audience,
        /// Who is left out.
        exclude: Exclude,
        /// The event, serialized once.
        event: Outbound,
    },
    /// Put the users' live sockets in a conversation's room.
    Join {
        /// Whose sockets.
        users: Vec<UserId>,
        /// Which room.
        conversation: ConversationId,
    },
    /// Take the users' live sockets out of a conversation's room.
    Leave {
        /// Whose sockets.
        users: Vec<UserId>,
        /// Which room.
        conversation: ConversationId,
    },
    /// `session:revoked` to every socket of a user, then disconnect them.
    RevokeUser {
        /// Whose sockets.
        user: UserId,
        /// Told to the client.
        reason: String,
    },
    /// `session:revoked` to one session's sockets, then disconnect them.
    RevokeSession {
        /// Which session.
        session: SessionId,
        /// Told to the client.
        reason: String,
    },
}

/// Writes server events to sockets, wherever they are connected, and keeps the
/// conversation rooms of live sockets in step with memberships.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait Delivery: Send + Sync {
    /// Carries out one operation. The other methods describe their operation
    /// and come here.
    ///
    /// # Errors
    /// `DeliveryError` when the transport cannot take it.
    async fn dispatch(&self, dispatch: Dispatch) -> Result<(), DeliveryError>;

    /// Sends `event` to `audience` minus `exclude`.
    ///
    /// # Errors
    /// `DeliveryError` when the transport cannot take it.
    async fn send(
        &self,
        audience: Audience,
        exclude: Exclude,
        event: ServerEvent,
    ) -> Result<(), DeliveryError> {
        let event = Outbound::of(event);
        self.dispatch(Dispatch::Send {
            audience,
            exclude,
            event,
        })
        .await
    }

    /// Puts every live socket of `users` in the conversation's room.
    ///
    /// # Errors
    /// `DeliveryError` when the transport cannot take it.
    async fn join(
        &self,
        users: Vec<UserId>,
        conversation: ConversationId,
    ) -> Result<(), DeliveryError> {
        self.dispatch(Dispatch::Join {
            users,
            conversation,
        })
        .await
    }

    /// Takes every live socket of `users` out of the conversation's room.
    ///
    /// # Errors
    /// `DeliveryError` when the transport cannot take it.
    async fn leave(
        &self,
        users: Vec<UserId>,
        conversation: ConversationId,
    ) -> Result<(), DeliveryError> {
        self.dispatch(Dispatch::Leave {
            users,
            conversation,
        })
        .await
    }

    /// Sends `session:revoked` to every socket of `user`, then disconnects them.
    ///
    /// # Errors
    /// `DeliveryError` when the transport cannot take it.
    async fn revoke_user(&self, user: UserId, reason: String) -> Result<(), DeliveryError> {
        self.dispatch(Dispatch::RevokeUser { user, reason }).await
    }

    /// Sends `session:revoked` to the session's sockets, then disconnects them.
    ///
    /// # Errors
    /// `DeliveryError` when the transport cannot take it.
    async fn revoke_session(
        &self,
        session: SessionId,
        reason: String,
    ) -> Result<(), DeliveryError> {
        self.dispatch(Dispatch::RevokeSession { session, reason })
            .await
    }
}

/// Which nodes a publication on the cluster bus is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// Every other node (revocations, and whenever the recipients' nodes
    /// are not known).
    Everyone,
    /// These nodes only: those holding a socket of a recipient.
    Nodes(Vec<NodeId>),
}

/// Carries dispatches to the other nodes of a cluster (each node applies them
/// to its own sockets). One node alone needs none.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ClusterBus: Send + Sync {
    /// Tells the nodes `reach` names to carry out `dispatch`, each in
    /// publication order. A bus that cannot address single nodes may tell
    /// every node (they apply a dispatch to the sockets they hold, so a node
    /// without a recipient does nothing).
    ///
    /// # Errors
    /// `DeliveryError` when the bus is unreachable.
    async fn publish(&self, dispatch: &Dispatch, reach: &Reach) -> Result<(), DeliveryError>;
}
