//! Rooms: a user's sockets, one login session's sockets, a conversation's
//! members' sockets. Plain ids, so a membership costs no string.

use chatchit_domain::ids::{ConversationId, SessionId, UserId};

/// A set of sockets an event can be sent to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Room {
    /// Every socket of a user.
    User(UserId),
    /// Every socket of one login session (device).
    Session(SessionId),
    /// Every socket of every member of a conversation.
    Conversation(ConversationId),
}
