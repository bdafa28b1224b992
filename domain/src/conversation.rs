//! Conversations (direct and group), their members and roles, and the view
//! clients receive.

use crate::ids::{ConversationId, MessageId, UserId};
use crate::message::Message;
use crate::time::Timestamp;
use crate::user::User;
use serde::{Deserialize, Serialize};

/// Direct (exactly two people, created once per pair) or group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ConversationKind {
    /// One-to-one.
    Direct,
    /// Many members with roles.
    Group,
}

impl ConversationKind {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::Group => "group",
        }
    }

    /// Reads a stored name.
    pub fn from_name(name: &str) -> Self {
        if name == "group" {
            Self::Group
        } else {
            Self::Direct
        }
    }
}

/// A member's power in a group: owner > admin > member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum MemberRole {
    /// Reads and writes.
    Member,
    /// Also edits the group and manages members.
    Admin,
    /// Also changes roles; exactly one per group.
    Owner,
}

impl MemberRole {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Admin => "admin",
            Self::Owner => "owner",
        }
    }

    /// Reads a stored name.
    pub fn from_name(name: &str) -> Self {
        match name {
            "owner" => Self::Owner,
            "admin" => Self::Admin,
            _ => Self::Member,
        }
    }
}

/// A conversation as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    /// Identifier.
    pub id: ConversationId,
    /// Direct or group.
    pub kind: ConversationKind,
    /// Group title; `None` for direct conversations.
    pub title: Option<String>,
    /// Group picture.
    pub avatar_url: Option<String>,
    /// Creation time.
    pub created_at: Timestamp,
}

/// Someone's membership in a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// The member.
    pub user_id: UserId,
    /// Their role.
    pub role: MemberRole,
    /// When they joined (ownership hand-over follows this order).
    pub joined_at: Timestamp,
    /// Highest `seq` they have read.
    pub last_read_seq: i64,
    /// The message that `last_read_seq` belongs to.
    pub last_read_message_id: Option<MessageId>,
}

/// The key that makes a direct conversation unique per pair, whatever the order.
pub fn direct_key(a: UserId, b: UserId) -> String {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    format!("{lo}:{hi}")
}

/// A conversation listed for one user, with what ordering and unread counts need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationEntry {
    /// The conversation.
    pub conversation: Conversation,
    /// Time of the last message (or creation): the list is ordered by it.
    pub last_activity_at: Timestamp,
}

/// A member as clients see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct MemberView {
    /// The member's profile.
    pub user: User,
    /// Their role.
    pub role: MemberRole,
    /// When they joined.
    pub joined_at: Timestamp,
}

/// A conversation as clients see it (`conversation` in PROTOCOL.md), from the
/// point of view of one user (unread count, read marker).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ConversationView {
    /// Identifier.
    pub id: ConversationId,
    /// Direct or group.
    pub kind: ConversationKind,
    /// Group title; `null` for direct.
    pub title: Option<String>,
    /// Group picture.
    pub avatar_url: Option<String>,
    /// Everyone in it.
    pub members: Vec<MemberView>,
    /// The newest message, if any.
    pub last_message: Option<Message>,
    /// Messages from others after the viewer's read marker.
    pub unread_count: u64,
    /// The viewer's read marker.
    pub last_read_message_id: Option<MessageId>,
    /// Creation time.
    pub created_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direct_key_ignores_order() {
        let (a, b) = (UserId::generate(), UserId::generate());
        assert_eq!(direct_key(a, b), direct_key(b, a));
    }

    #[test]
    fn roles_are_ordered_by_power() {
        assert!(MemberRole::Owner > MemberRole::Admin);
        assert!(MemberRole::Admin > MemberRole::Member);
    }
}
