//! Messages, attachments and reactions.

use crate::ids::{ConversationId, MessageId, UserId};
use crate::time::Timestamp;
use crate::values::{ClientMsgId, MessageBody};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A file linked from a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// Where the file lives.
    pub url: String,
    /// Its MIME type.
    pub mime: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its file name.
    pub name: String,
}

/// A stored message (`Message` on the wire). A deleted message stays as a
/// tombstone: `deleted_at` set, empty body and no attachments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// Identifier.
    pub id: MessageId,
    /// Where it was sent.
    pub conversation_id: ConversationId,
    /// Position in the conversation: +1 per message, no gaps, commit order.
    pub seq: i64,
    /// Author.
    pub sender_id: UserId,
    /// The sender's idempotency key.
    pub client_msg_id: String,
    /// Plain text.
    pub body: String,
    /// The message this one answers.
    pub reply_to_id: Option<MessageId>,
    /// Linked files.
    pub attachments: Vec<Attachment>,
    /// When it was stored.
    pub created_at: Timestamp,
    /// Last edit.
    pub edited_at: Option<Timestamp>,
    /// Deletion (tombstone).
    pub deleted_at: Option<Timestamp>,
}

/// A message to append; the store assigns `seq`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// Identifier chosen up front.
    pub id: MessageId,
    /// Target conversation.
    pub conversation_id: ConversationId,
    /// Author.
    pub sender_id: UserId,
    /// Idempotency key, unique per sender.
    pub client_msg_id: ClientMsgId,
    /// Validated text.
    pub body: MessageBody,
    /// Optional reply target (in the same conversation).
    pub reply_to_id: Option<MessageId>,
    /// Linked files.
    pub attachments: Vec<Attachment>,
    /// Time of sending.
    pub created_at: Timestamp,
}

/// What an append did: stored a new message, or found the earlier one with the
/// same `(sender, clientMsgId)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendOutcome {
    /// The stored message.
    pub message: Message,
    /// `true` when this was a retry and nothing new was stored.
    pub duplicate: bool,
}

/// Reaction counts per emoji.
pub type Reactions = BTreeMap<String, u64>;

/// A message's reactions as one reader sees them: the counts, and which of
/// those emoji are the reader's own (so a client can show them pressed and
/// knows whether a tap adds or takes back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReactionSet {
    /// The message.
    pub message_id: MessageId,
    /// Counts per emoji (only emoji with at least one reaction).
    pub counts: Reactions,
    /// The reader's own emoji among them.
    pub mine: BTreeSet<String>,
}
