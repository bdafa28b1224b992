//! Messages: sending, editing, deleting, reactions, reading and history.

use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A file a message points to (uploads live elsewhere; ChatChit keeps the
/// reference).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    /// An http(s) URL.
    #[schema(max_length = 2048, pattern = "^https?://")]
    pub url: String,
    /// Its media type, e.g. `image/png`.
    #[schema(min_length = 1, max_length = 255)]
    pub mime: String,
    /// Bytes.
    #[schema(minimum = 0)]
    pub size: u64,
    /// File name shown.
    #[schema(min_length = 1, max_length = 255)]
    pub name: String,
}

/// A message, in its conversation's order (`seq`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": "0193a1c2-8000-7000-8000-000000000001", "conversationId": "0193a1c2-8000-7000-8000-000000000002", "seq": 42, "senderId": "0193a1c2-7b9e-7c3d-9f00-1a2b3c4d5e6f", "clientMsgId": "c-1", "body": "hello", "replyToId": null, "attachments": [], "createdAt": "2026-11-27T13:47:10.123Z", "editedAt": null, "deletedAt": null}))]
pub struct Message {
    /// Stable id (time-ordered).
    pub id: Uuid,
    /// Where it was sent.
    pub conversation_id: Uuid,
    /// Its place in the conversation's log: 1, 2, 3… with no gaps.
    #[schema(minimum = 1)]
    pub seq: i64,
    /// Who sent it.
    pub sender_id: Uuid,
    /// The sender's idempotency key.
    pub client_msg_id: String,
    /// The text; empty once deleted.
    pub body: String,
    /// The message it answers.
    pub reply_to_id: Option<Uuid>,
    /// Files it points to.
    pub attachments: Vec<Attachment>,
    /// When it was stored.
    pub created_at: Timestamp,
    /// Last edit.
    pub edited_at: Option<Timestamp>,
    /// When it was deleted.
    pub deleted_at: Option<Timestamp>,
}

/// Counts per emoji on a message.
pub type Reactions = BTreeMap<String, u64>;

/// `message:send` (and `POST /conversations/{id}/messages`, where
/// `conversationId` may be left out). Sending again with the same
/// `clientMsgId` answers the stored message and sends nothing new.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"conversationId": "0193a1c2-8000-7000-8000-000000000002", "clientMsgId": "c-1", "body": "hello"}))]
pub struct SendMessage {
    /// Target conversation; on REST, the path's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<Uuid>,
    /// Idempotency key, 1–64 characters.
    #[schema(min_length = 1, max_length = 64)]
    pub client_msg_id: String,
    /// 1–4000 characters after trimming.
    #[schema(min_length = 1, max_length = 4000)]
    pub body: String,
    /// A message of the same conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to_id: Option<Uuid>,
    /// At most 10 files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(max_items = 10)]
    pub attachments: Vec<Attachment>,
}

/// `message:edit` (the sender only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EditMessage {
    /// Which message.
    pub message_id: Uuid,
    /// 1–4000 characters after trimming.
    #[schema(min_length = 1, max_length = 4000)]
    pub body: String,
}

/// `message:delete` (the sender, or a group's admins and owner).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DeleteMessage {
    /// Which message.
    pub message_id: Uuid,
}

/// `message:delete` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeletedMessage {
    /// The deleted message.
    pub message_id: Uuid,
}

/// `message:react`: adds (`on: true`) or takes back one's reaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"messageId": "0193a1c2-8000-7000-8000-000000000001", "emoji": "👍", "on": true}))]
pub struct React {
    /// Which message.
    pub message_id: Uuid,
    /// Exactly one emoji.
    #[schema(min_length = 1, max_length = 64)]
    pub emoji: String,
    /// Add or take back.
    pub on: bool,
}

/// `message:react` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageReactions {
    /// The message.
    pub message_id: Uuid,
    /// Counts per emoji.
    #[schema(value_type = BTreeMap<String, u64>)]
    pub reactions: Reactions,
}

/// `conversation:read`: moves the caller's read marker forward (never back).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MarkRead {
    /// Which conversation.
    pub conversation_id: Uuid,
    /// The newest message read.
    pub message_id: Uuid,
}

/// `conversation:read` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReadMarker {
    /// Which conversation.
    pub conversation_id: Uuid,
    /// The marker now (it stays when the one sent was older).
    pub message_id: Uuid,
    /// Messages still unread.
    #[schema(minimum = 0)]
    pub unread_count: u64,
}

/// `sync`: the messages after `afterSeq`, oldest first, at most 100 a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SyncRequest {
    /// Which conversation.
    pub conversation_id: Uuid,
    /// The highest `seq` the client has (0 for none).
    #[schema(minimum = 0)]
    pub after_seq: i64,
}

/// `sync` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SyncPage {
    /// Oldest first.
    pub messages: Vec<Message>,
    /// Ask again from the last `seq` when true.
    pub has_more: bool,
}

/// `message:history`: a page of history, as `GET
/// /conversations/{id}/messages` gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct History {
    /// Which conversation.
    pub conversation_id: Uuid,
    /// Older than this message, newest first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<Uuid>,
    /// Newer than this message, oldest first (not with `before`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<Uuid>,
    /// 1–100, default 50.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

/// `GET /conversations/{id}/messages` query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    /// Older than this message, newest first.
    pub before: Option<Uuid>,
    /// Newer than this message, oldest first (catch-up; not with `before`).
    pub after: Option<Uuid>,
    /// 1–100, default 50.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

/// A page of history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HistoryPage {
    /// Newest first, or oldest first with `after`.
    pub items: Vec<Message>,
    /// More in the same direction.
    pub has_more: bool,
    /// The reactions on this page's messages, for those that have any.
    pub reactions: Vec<ReactionSummary>,
}

/// A message's reactions as the caller sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReactionSummary {
    /// The message.
    pub message_id: Uuid,
    /// Counts per emoji.
    #[schema(value_type = BTreeMap<String, u64>)]
    pub reactions: Reactions,
    /// The caller's own emoji among them (a second `message:react` with
    /// one of these and `on: false` takes it back).
    pub mine: Vec<String>,
}
