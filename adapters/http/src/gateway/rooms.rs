//! Room names: one per user, per session and per conversation.

use chatchit_domain::ids::{ConversationId, SessionId, UserId};

/// Every socket of a user.
pub fn user(id: UserId) -> String {
    format!("u:{id}")
}

/// Every socket of one login session (device).
pub fn session(id: SessionId) -> String {
    format!("s:{id}")
}

/// Every socket of every member of a conversation.
pub fn conversation(id: ConversationId) -> String {
    format!("c:{id}")
}
