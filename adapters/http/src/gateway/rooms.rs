//! Room names: one per connection, user, session and conversation.

use chatchit_domain::events::ConnectionId;
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

/// One socket alone, so it can be left out of a broadcast.
pub fn connection(id: &ConnectionId) -> String {
    format!("k:{}", id.0)
}
