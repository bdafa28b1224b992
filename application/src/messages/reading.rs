//! Reading: read receipts, history pages, and the catch-up a reconnecting
//! client (`sync`) or a node filling a gap in its live delivery asks for.

use super::MessageService;
use crate::context::Actor;
use crate::error::AppError;
use chatchit_domain::events::DomainEvent;
use chatchit_domain::ids::{ConversationId, MessageId};
use chatchit_domain::message::{Message, ReactionSet};
use chatchit_domain::values::PageLimit;

/// Most messages one `sync` answer carries.
const SYNC_PAGE: u32 = 100;

/// `conversation:read` payload.
#[derive(Debug, Clone)]
pub struct ReadInput {
    /// Where.
    pub conversation_id: ConversationId,
    /// Read up to this message.
    pub message_id: MessageId,
}

/// `conversation:read` answer.
#[derive(Debug, Clone)]
pub struct ReadResult {
    /// Where.
    pub conversation_id: ConversationId,
    /// The read marker now.
    pub message_id: MessageId,
    /// Messages from others after it.
    pub unread_count: u64,
}

/// `sync` payload.
#[derive(Debug, Clone)]
pub struct SyncInput {
    /// Where.
    pub conversation_id: ConversationId,
    /// The last `seq` the client has.
    pub after_seq: i64,
}

/// `sync` answer.
#[derive(Debug, Clone)]
pub struct SyncResult {
    /// Messages after `afterSeq`, oldest first.
    pub messages: Vec<Message>,
    /// More are waiting: sync again from the last `seq`.
    pub has_more: bool,
}

/// `message:history` payload: a page of history over the socket, as
/// `GET /conversations/{id}/messages` gives it.
#[derive(Debug, Clone)]
pub struct HistoryInput {
    /// Where.
    pub conversation_id: ConversationId,
    /// Older than this message (newest first); with neither, the newest.
    pub before: Option<MessageId>,
    /// Newer than this message (oldest first).
    pub after: Option<MessageId>,
    /// 1–100, default 50.
    pub limit: Option<i64>,
}

/// Which way a history page goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryAnchor {
    /// Newest messages, newest first.
    Latest,
    /// Older than this message, newest first.
    Before(MessageId),
    /// Newer than this message, oldest first.
    After(MessageId),
}

/// A history page.
#[derive(Debug, Clone)]
pub struct HistoryPage {
    /// The messages.
    pub items: Vec<Message>,
    /// More exist in the same direction.
    pub has_more: bool,
    /// The reactions on those messages that have any, as the caller sees
    /// them (counts, and which are the caller's own).
    pub reactions: Vec<ReactionSet>,
}

impl MessageService {
    /// Up to `limit` committed messages of `conversation` after `after_seq`,
    /// oldest first, for the server itself: a node filling a gap in what it
    /// delivers live to the sockets already in the conversation's room (no
    /// actor: nobody new is shown anything).
    ///
    /// # Errors
    /// `Unavailable` / `Internal` when the store fails.
    pub async fn committed_after(
        &self,
        conversation: ConversationId,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<Message>, AppError> {
        Ok(self
            .messages
            .page_after(conversation, after_seq, limit)
            .await?)
    }

    /// Moves the caller's read marker forward and tells the other members.
    ///
    /// # Errors
    /// `Forbidden` for non-members, `Validation` for a message of another conversation.
    pub async fn mark_read(&self, actor: &Actor, input: ReadInput) -> Result<ReadResult, AppError> {
        let me = self.member(actor, input.conversation_id).await?;
        let message = match self.messages.find(input.message_id).await? {
            Some(m) if m.conversation_id == input.conversation_id => m,
            _ => {
                return Err(AppError::validation(
                    "messageId",
                    "no such message in this conversation",
                ));
            }
        };
        let (seq, marker) = if message.seq > me.last_read_seq {
            self.conversations
                .mark_read(
                    input.conversation_id,
                    actor.user_id,
                    message.seq,
                    message.id,
                )
                .await?;
            self.publish(DomainEvent::ConversationRead {
                conversation_id: input.conversation_id,
                user_id: actor.user_id,
                message_id: message.id,
            })
            .await;
            (message.seq, message.id)
        } else {
            (
                me.last_read_seq,
                me.last_read_message_id.unwrap_or(message.id),
            )
        };
        let unread_count = self
            .messages
            .count_unread(input.conversation_id, actor.user_id, seq)
            .await?;
        Ok(ReadResult {
            conversation_id: input.conversation_id,
            message_id: marker,
            unread_count,
        })
    }

    /// Messages after `afterSeq`, for a client catching up.
    ///
    /// # Errors
    /// `Forbidden` for non-members.
    pub async fn sync(&self, actor: &Actor, input: SyncInput) -> Result<SyncResult, AppError> {
        if input.after_seq < 0 {
            return Err(AppError::validation("afterSeq", "must be 0 or more"));
        }
        self.member(actor, input.conversation_id).await?;
        let mut messages = self
            .messages
            .page_after(input.conversation_id, input.after_seq, SYNC_PAGE + 1)
            .await?;
        let has_more = messages.len() > SYNC_PAGE as usize;
        messages.truncate(SYNC_PAGE as usize);
        Ok(SyncResult { messages, has_more })
    }

    /// A page of history, asked for over the socket.
    ///
    /// # Errors
    /// As [`Self::history`]; `Validation` for both `before` and `after`.
    pub async fn history_page(
        &self,
        actor: &Actor,
        input: HistoryInput,
    ) -> Result<HistoryPage, AppError> {
        let anchor = match (input.before, input.after) {
            (None, None) => HistoryAnchor::Latest,
            (Some(id), None) => HistoryAnchor::Before(id),
            (None, Some(id)) => HistoryAnchor::After(id),
            (Some(_), Some(_)) => {
                return Err(AppError::validation(
                    "after",
                    "give before or after, not both",
                ));
            }
        };
        self.history(actor, input.conversation_id, anchor, input.limit)
            .await
    }

    /// A page of history around an anchor message.
    ///
    /// # Errors
    /// `Forbidden` for non-members, `Validation` for a bad anchor or limit.
    pub async fn history(
        &self,
        actor: &Actor,
        conversation: ConversationId,
        anchor: HistoryAnchor,
        limit: Option<i64>,
    ) -> Result<HistoryPage, AppError> {
        let limit = PageLimit::parse(limit)?.get();
        self.member(actor, conversation).await?;
        let anchor_seq = |id: MessageId, field: &'static str| async move {
            match self.messages.find(id).await? {
                Some(m) if m.conversation_id == conversation => Ok(m.seq),
                _ => Err(AppError::validation(
                    field,
                    "no such message in this conversation",
                )),
            }
        };
        let mut items = match anchor {
            HistoryAnchor::Latest => {
                self.messages
                    .page_before(conversation, None, limit + 1)
                    .await?
            }
            HistoryAnchor::Before(id) => {
                let seq = anchor_seq(id, "before").await?;
                self.messages
                    .page_before(conversation, Some(seq), limit + 1)
                    .await?
            }
            HistoryAnchor::After(id) => {
                let seq = anchor_seq(id, "after").await?;
                self.messages
                    .page_after(conversation, seq, limit + 1)
                    .await?
            }
        };
        let has_more = items.len() > limit as usize;
        items.truncate(limit as usize);
        let reactions = self
            .messages
            .reactions(items.iter().map(|m| m.id).collect(), actor.user_id)
            .await?;
        Ok(HistoryPage {
            items,
            has_more,
            reactions,
        })
    }
}
