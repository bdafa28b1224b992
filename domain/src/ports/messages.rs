//! The message store port.

use crate::StoreError;
use crate::ids::{ConversationId, MessageId, UserId};
use crate::message::{AppendOutcome, Message, NewMessage, ReactionSet, Reactions};
use crate::time::Timestamp;
use crate::values::MessageBody;
use async_trait::async_trait;

/// Keeps messages and reactions; assigns `seq`.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait MessageStore: Send + Sync {
    /// Appends a message in one transaction: idempotency on
    /// `(sender, clientMsgId)`, the next gapless `seq`, the conversation's
    /// activity time and the sender's read marker. Returns once durable.
    ///
    /// # Errors
    /// `Unavailable` / `Internal` when the store fails; nothing is stored then.
    async fn append(&self, message: NewMessage) -> Result<AppendOutcome, StoreError>;

    /// Messages appended before `before` whose `message:new` was not handed
    /// out yet (an append also notes its message as to be relayed, in its
    /// own transaction), oldest first, at most `limit`. What a node that
    /// died between a commit and its relay left behind.
    ///
    /// # Errors
    /// `Unavailable` / `Internal` when the store fails.
    async fn unrelayed(&self, before: Timestamp, limit: u32) -> Result<Vec<Message>, StoreError>;

    /// Notes that these messages' events were handed out.
    ///
    /// # Errors
    /// `Unavailable` / `Internal` when the store fails.
    async fn relayed(&self, messages: Vec<MessageId>) -> Result<(), StoreError>;

    /// Finds a message.
    ///
    /// # Errors
    /// `Unavailable` / `Internal` when the store fails.
    async fn find(&self, id: MessageId) -> Result<Option<Message>, StoreError>;

    /// Replaces a message's body.
    ///
    /// # Errors
    /// `NotFound` when the message does not exist.
    async fn edit(
        &self,
        id: MessageId,
        body: MessageBody,
        at: Timestamp,
    ) -> Result<Message, StoreError>;

    /// Turns a message into a tombstone (empty body, no attachments).
    ///
    /// # Errors
    /// `NotFound` when the message does not exist.
    async fn tombstone(&self, id: MessageId, at: Timestamp) -> Result<Message, StoreError>;

    /// Adds (`on`) or removes a user's reaction and returns the new counts.
    ///
    /// # Errors
    /// `Unavailable` / `Internal` when the store fails.
    async fn react(
        &self,
        id: MessageId,
        user: UserId,
        emoji: String,
        on: bool,
        at: Timestamp,
    ) -> Result<Reactions, StoreError>;

    /// The reactions on `messages` as `reader` sees them, for those that
    /// have any (a history page's worth: at most a few hundred ids).
    ///
    /// # Errors
    /// `Unavailable` / `Internal` when the store fails.
    async fn reactions(
        &self,
        messages: Vec<MessageId>,
        reader: UserId,
    ) -> Result<Vec<ReactionSet>, StoreError>;

    /// Up to `limit` messages with `seq` below `before_seq` (or the newest), newest first.
    ///
    /// # Errors
    /// `Unavailable` / `Internal` when the store fails.
    async fn page_before(
        &self,
        conversation: ConversationId,
        before_seq: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Message>, StoreError>;

    /// Up to `limit` messages with `seq` above `after_seq`, oldest first.
    ///
    /// # Errors
    /// `Unavailable` / `Internal` when the store fails.
    async fn page_after(
        &self,
        conversation: ConversationId,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<Message>, StoreError>;

    /// Messages from others with `seq` above `after_seq` (an unread count).
    ///
    /// # Errors
    /// `Unavailable` / `Internal` when the store fails.
    async fn count_unread(
        &self,
        conversation: ConversationId,
        reader: UserId,
        after_seq: i64,
    ) -> Result<u64, StoreError>;
}
