//! Direct and group conversations.

use crate::messages::Message;
use crate::time::Timestamp;
use crate::users::User;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A conversation between two users, or a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ConversationKind {
    /// Exactly two users, one per pair.
    Direct,
    /// A titled group with roles.
    Group,
}

/// A member's rights in a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MemberRole {
    /// Reads and writes.
    Member,
    /// Also adds and removes members, edits the title.
    Admin,
    /// Also sets roles; one per group.
    Owner,
}

/// A member of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Member {
    /// Who.
    pub user: User,
    /// Their role.
    pub role: MemberRole,
    /// Since when.
    pub joined_at: Timestamp,
}

/// A conversation as the caller sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Conversation {
    /// Stable id.
    pub id: Uuid,
    /// Direct or group.
    pub kind: ConversationKind,
    /// Groups only.
    pub title: Option<String>,
    /// Groups only, an http(s) URL.
    pub avatar_url: Option<String>,
    /// Everyone in it.
    pub members: Vec<Member>,
    /// The newest message, if any.
    pub last_message: Option<Message>,
    /// The caller's messages not yet read.
    #[schema(minimum = 0)]
    pub unread_count: u64,
    /// The caller's read marker.
    pub last_read_message_id: Option<Uuid>,
    /// When it began.
    pub created_at: Timestamp,
}

/// `GET /conversations`: newest activity first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConversationPage {
    /// This page.
    pub items: Vec<Conversation>,
    /// Pass as `cursor` for the next page; `null` at the end.
    pub next_cursor: Option<String>,
}

/// `POST /conversations/direct`: opens (or finds) the one direct
/// conversation with a user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateDirect {
    /// The other user.
    pub user_id: Uuid,
}

/// `POST /conversations/group`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"title": "Trip", "memberIds": ["0193a1c2-7b9e-7c3d-9f00-1a2b3c4d5e6f"]}))]
pub struct CreateGroup {
    /// 1–128 characters on one line.
    #[schema(min_length = 1, max_length = 128)]
    pub title: String,
    /// Who else is in it (the caller is its owner); at most 1000.
    #[schema(max_items = 1000)]
    pub member_ids: Vec<Uuid>,
}

/// `PATCH /conversations/{id}` (groups; admins and the owner).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateConversation {
    /// 1–128 characters on one line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(min_length = 1, max_length = 128)]
    pub title: Option<String>,
    /// An http(s) URL, or `null` to remove it.
    #[serde(
        default,
        deserialize_with = "crate::present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, max_length = 2048)]
    pub avatar_url: Option<Option<String>>,
}

/// `POST /conversations/{id}/members`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AddMembers {
    /// At most 1000.
    #[schema(min_items = 1, max_items = 1000)]
    pub user_ids: Vec<Uuid>,
}

/// A role the owner can give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AssignableRole {
    /// Manages members.
    Admin,
    /// Reads and writes.
    Member,
}

/// `PATCH /conversations/{id}/members/{userId}` (the owner only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetRole {
    /// The new role.
    pub role: AssignableRole,
}
