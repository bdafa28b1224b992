//! Messaging: send (idempotent, durable before the ack), edit, delete and
//! react here; read receipts, history and catch-up in [`reading`].

mod reading;

pub use reading::{
    HistoryAnchor, HistoryInput, HistoryPage, ReadInput, ReadResult, SyncInput, SyncResult,
};

use crate::context::Actor;
use crate::error::AppError;
use crate::handler::Codec;
use crate::throughput::Throughput;
use crate::typing::TypingService;
use chatchit_domain::conversation::{ConversationKind, Member, MemberRole};
use chatchit_domain::events::{ConnectionId, DomainEvent};
use chatchit_domain::ids::{ConversationId, MessageId};
use chatchit_domain::message::{Attachment, Message, NewMessage, Reactions};
use chatchit_domain::ports::{
    Clock, ConversationStore, EventQueue, IdGenerator, MessageStore, SocialStore, TimeOrderedIds,
};
use chatchit_domain::values::{ClientMsgId, Emoji, MediaUrl, MessageBody};
use std::sync::Arc;

/// Most attachments one message may carry.
const MAX_ATTACHMENTS: usize = 10;

/// `message:send` payload (and REST send body, where `conversationId` may be left out).
#[derive(Debug, Clone)]
pub struct SendMessageInput {
    /// Target conversation.
    pub conversation_id: Option<ConversationId>,
    /// Idempotency key, 1–64 characters.
    pub client_msg_id: String,
    /// 1–4000 characters after trimming.
    pub body: String,
    /// Message answered, in the same conversation.
    pub reply_to_id: Option<MessageId>,
    /// At most 10 files.
    pub attachments: Vec<Attachment>,
}

/// `message:edit` payload.
#[derive(Debug, Clone)]
pub struct EditMessageInput {
    /// Which message.
    pub message_id: MessageId,
    /// The new text.
    pub body: String,
}

/// `message:delete` payload.
#[derive(Debug, Clone)]
pub struct DeleteMessageInput {
    /// Which message.
    pub message_id: MessageId,
}

/// `message:delete` answer.
#[derive(Debug, Clone)]
pub struct DeletedMessage {
    /// The deleted message.
    pub message_id: MessageId,
}

/// `message:react` payload.
#[derive(Debug, Clone)]
pub struct ReactInput {
    /// Which message.
    pub message_id: MessageId,
    /// The reaction.
    pub emoji: String,
    /// Add (`true`) or take back.
    pub on: bool,
}

/// `message:react` answer.
#[derive(Debug, Clone)]
pub struct ReactionsResult {
    /// The message.
    pub message_id: MessageId,
    /// Counts per emoji.
    pub reactions: Reactions,
}

/// Message use cases.
pub struct MessageService {
    /// Memberships and read markers.
    conversations: Arc<dyn ConversationStore>,
    /// Messages.
    messages: Arc<dyn MessageStore>,
    /// Blocks stop direct messages.
    social: Arc<dyn SocialStore>,
    /// Fan-out goes through it.
    queue: Arc<dyn EventQueue>,
    /// A sent message ends its sender's typing.
    typing: Arc<TypingService>,
    /// Now.
    clock: Arc<dyn Clock>,
    /// Where new ids come from.
    ids: Arc<dyn IdGenerator>,
    /// Counts stored messages for `/admin/stats`.
    throughput: Arc<Throughput>,
}

/// What a transport reads and writes for the message and reading commands.
pub trait MessageWire:
    Codec<SendMessageInput, Message>
    + Codec<EditMessageInput, Message>
    + Codec<DeleteMessageInput, DeletedMessage>
    + Codec<ReactInput, ReactionsResult>
    + Codec<ReadInput, ReadResult>
    + Codec<SyncInput, SyncResult>
    + Codec<HistoryInput, HistoryPage>
{
}

impl<W> MessageWire for W where
    W: Codec<SendMessageInput, Message>
        + Codec<EditMessageInput, Message>
        + Codec<DeleteMessageInput, DeletedMessage>
        + Codec<ReactInput, ReactionsResult>
        + Codec<ReadInput, ReadResult>
        + Codec<SyncInput, SyncResult>
        + Codec<HistoryInput, HistoryPage>
{
}

impl MessageService {
    /// The realtime events of messages and reading.
    pub fn events<W: MessageWire>(self: &Arc<Self>, registry: &mut crate::handlers::Registry<W>) {
        registry.on("message:send", self, |messages, ctx, input| async move {
            messages.send(&ctx.actor, input, ctx.connection).await
        });
        crate::events!(registry, self, {
            "message:edit" => edit,
            "message:delete" => delete,
            "message:react" => react,
            "conversation:read" => mark_read,
            "sync" => sync,
            "message:history" => history_page,
        });
    }

    /// Wires the service.
    pub fn new(
        conversations: Arc<dyn ConversationStore>,
        messages: Arc<dyn MessageStore>,
        social: Arc<dyn SocialStore>,
        queue: Arc<dyn EventQueue>,
        typing: Arc<TypingService>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            ids: Arc::new(TimeOrderedIds),
            throughput: Arc::default(),
            conversations,
            messages,
            social,
            queue,
            typing,
            clock,
        }
    }

    /// Takes new ids from `ids` instead of time-ordered UUIDs.
    #[must_use]
    pub fn with_ids(mut self, ids: Arc<dyn IdGenerator>) -> Self {
        self.ids = ids;
        self
    }

    /// Counts stored messages into `throughput` (shared with
    /// [`crate::admin::AdminService::with_throughput`]).
    #[must_use]
    pub fn with_throughput(mut self, throughput: Arc<Throughput>) -> Self {
        self.throughput = throughput;
        self
    }

    /// Stores a message and answers once it is durable; a retry with the same
    /// `clientMsgId` answers the first message and delivers nothing again.
    ///
    /// # Errors
    /// `Validation` for bad fields, `Forbidden` for non-members and for direct
    /// messages across a block (either way).
    pub async fn send(
        &self,
        actor: &Actor,
        input: SendMessageInput,
        origin: Option<ConnectionId>,
    ) -> Result<Message, AppError> {
        let conversation_id = input
            .conversation_id
            .ok_or_else(|| AppError::validation("conversationId", "is required"))?;
        let client_msg_id = ClientMsgId::parse(&input.client_msg_id)?;
        let body = MessageBody::parse(&input.body)?;
        let attachments = check_attachments(input.attachments)?;
        self.conversations
            .role(conversation_id, actor.user_id)
            .await?
            .ok_or_else(AppError::forbidden)?;
        self.check_direct_block(actor, conversation_id).await?;
        if let Some(reply_to) = input.reply_to_id {
            match self.messages.find(reply_to).await? {
                Some(m) if m.conversation_id == conversation_id => {}
                _ => {
                    return Err(AppError::validation(
                        "replyToId",
                        "no such message in this conversation",
                    ));
                }
            }
        }
        let outcome = self
            .messages
            .append(NewMessage {
                id: MessageId(self.ids.next()),
                conversation_id,
                sender_id: actor.user_id,
                client_msg_id,
                body,
                reply_to_id: input.reply_to_id,
                attachments,
                created_at: self.clock.now(),
            })
            .await?;
        if !outcome.duplicate {
            self.throughput.message_stored();
            self.typing
                .message_sent(conversation_id, actor.user_id)
                .await;
            self.publish(DomainEvent::MessageCreated {
                message: outcome.message.clone(),
                origin,
            })
            .await;
        }
        Ok(outcome.message)
    }

    /// Changes the text of one's own message.
    ///
    /// # Errors
    /// `Forbidden` for others' messages, `Conflict` for deleted ones.
    pub async fn edit(&self, actor: &Actor, input: EditMessageInput) -> Result<Message, AppError> {
        let body = MessageBody::parse(&input.body)?;
        let message = self.visible_message(actor, input.message_id).await?.0;
        if message.sender_id != actor.user_id {
            return Err(AppError::Forbidden(
                "only the sender may edit a message".into(),
            ));
        }
        if message.deleted_at.is_some() {
            return Err(AppError::Conflict("the message was deleted".into()));
        }
        self.check_direct_block(actor, message.conversation_id)
            .await?;
        let edited = self
            .messages
            .edit(message.id, body, self.clock.now())
            .await?;
        self.publish(DomainEvent::MessageEdited {
            message: edited.clone(),
        })
        .await;
        Ok(edited)
    }

    /// Deletes a message (its sender, or a group admin or owner); it stays as a
    /// tombstone. Deleting a deleted message changes nothing.
    ///
    /// # Errors
    /// `Forbidden` for anyone else.
    pub async fn delete(
        &self,
        actor: &Actor,
        input: DeleteMessageInput,
    ) -> Result<DeletedMessage, AppError> {
        let (message, me, kind) = self.visible_message(actor, input.message_id).await?;
        let moderator = kind == ConversationKind::Group && me.role >= MemberRole::Admin;
        if message.sender_id != actor.user_id && !moderator {
            return Err(AppError::Forbidden(
                "only the sender or a group admin may delete".into(),
            ));
        }
        if message.deleted_at.is_none() {
            self.messages
                .tombstone(message.id, self.clock.now())
                .await?;
            self.publish(DomainEvent::MessageDeleted {
                message_id: message.id,
                conversation_id: message.conversation_id,
                seq: message.seq,
            })
            .await;
        }
        Ok(DeletedMessage {
            message_id: message.id,
        })
    }

    /// Adds or removes the caller's reaction.
    ///
    /// # Errors
    /// `Forbidden` for non-members, `Conflict` on deleted messages.
    pub async fn react(
        &self,
        actor: &Actor,
        input: ReactInput,
    ) -> Result<ReactionsResult, AppError> {
        let emoji = Emoji::parse(&input.emoji)?;
        let message = self.visible_message(actor, input.message_id).await?.0;
        if message.deleted_at.is_some() {
            return Err(AppError::Conflict("the message was deleted".into()));
        }
        self.check_direct_block(actor, message.conversation_id)
            .await?;
        let reactions = self
            .messages
            .react(
                message.id,
                actor.user_id,
                emoji.into_inner(),
                input.on,
                self.clock.now(),
            )
            .await?;
        self.publish(DomainEvent::ReactionsChanged {
            message_id: message.id,
            conversation_id: message.conversation_id,
            seq: message.seq,
            reactions: reactions.clone(),
        })
        .await;
        Ok(ReactionsResult {
            message_id: message.id,
            reactions,
        })
    }

    /// In a direct conversation, `Forbidden` when either side blocks the other.
    async fn check_direct_block(
        &self,
        actor: &Actor,
        conversation: ConversationId,
    ) -> Result<(), AppError> {
        crate::blocks::refuse_across_direct_block(
            &*self.conversations,
            &*self.social,
            actor.user_id,
            conversation,
        )
        .await
    }

    /// The caller's membership, or `Forbidden`.
    async fn member(
        &self,
        actor: &Actor,
        conversation: ConversationId,
    ) -> Result<Member, AppError> {
        self.conversations
            .member(conversation, actor.user_id)
            .await?
            .ok_or_else(AppError::forbidden)
    }

    /// A message in a conversation the caller belongs to, with their membership.
    async fn visible_message(
        &self,
        actor: &Actor,
        id: MessageId,
    ) -> Result<(Message, Member, ConversationKind), AppError> {
        let message = self
            .messages
            .find(id)
            .await?
            .ok_or_else(|| AppError::NotFound("message not found".into()))?;
        let me = self.member(actor, message.conversation_id).await?;
        let kind = self
            .conversations
            .find(message.conversation_id)
            .await?
            .map(|c| c.kind)
            .ok_or_else(AppError::forbidden)?;
        Ok((message, me, kind))
    }

    async fn publish(&self, event: DomainEvent) {
        if let Err(e) = self.queue.publish(event).await {
            tracing::error!(error = %e, "could not queue a message event; clients catch up with sync");
        }
    }
}

fn check_attachments(attachments: Vec<Attachment>) -> Result<Vec<Attachment>, AppError> {
    if attachments.len() > MAX_ATTACHMENTS {
        return Err(AppError::validation(
            "attachments",
            "at most 10 attachments",
        ));
    }
    for a in &attachments {
        MediaUrl::parse("attachments.url", &a.url)?;
        let short = |s: &str| !s.trim().is_empty() && s.chars().count() <= 255;
        if !short(&a.mime) {
            return Err(AppError::validation(
                "attachments.mime",
                "must be 1 to 255 characters",
            ));
        }
        if !short(&a.name) {
            return Err(AppError::validation(
                "attachments.name",
                "must be 1 to 255 characters",
            ));
        }
    }
    Ok(attachments)
}

#[cfg(test)]
mod tests;
