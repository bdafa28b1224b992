//! `MessageStore` in memory.

use super::{InMemoryStore, missing, taken, up_to};
use async_trait::async_trait;
use chatchit_domain::StoreError;
use chatchit_domain::ids::{ConversationId, MessageId, UserId};
use chatchit_domain::message::{AppendOutcome, Message, NewMessage, ReactionSet, Reactions};
use chatchit_domain::ports::MessageStore;
use chatchit_domain::time::Timestamp;
use chatchit_domain::values::MessageBody;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Messages, their order per conversation, the senders' idempotency keys,
/// reactions and the relay log.
#[derive(Default)]
pub(super) struct Messages {
    /// By id.
    by_id: HashMap<MessageId, Message>,
    /// Each conversation's messages by `seq`.
    by_seq: HashMap<ConversationId, BTreeMap<i64, MessageId>>,
    /// `(sender, clientMsgId)` of every message.
    sent: HashMap<(UserId, String), MessageId>,
    /// Who reacted with what, per message.
    reactions: HashMap<MessageId, BTreeMap<String, BTreeSet<UserId>>>,
    /// Messages whose `message:new` is not handed out yet, by creation.
    unrelayed: BTreeSet<(Timestamp, MessageId)>,
}

impl Messages {
    /// The live (not deleted) message, mutable; a deleted or missing one is
    /// a conflict, as the SQL stores answer.
    fn live_mut(&mut self, id: MessageId) -> Result<&mut Message, StoreError> {
        self.by_id
            .get_mut(&id)
            .filter(|m| m.deleted_at.is_none())
            .ok_or_else(|| taken("the message was deleted"))
    }

    /// The counts of each emoji on `id`.
    fn counts(&self, id: MessageId) -> Reactions {
        self.reactions
            .get(&id)
            .map(|by_emoji| {
                by_emoji
                    .iter()
                    .filter(|(_, users)| !users.is_empty())
                    .map(|(emoji, users)| (emoji.clone(), users.len() as u64))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The messages of `c` with `seq` in `range`, in `seq` order.
    fn in_range(
        &self,
        c: ConversationId,
        range: impl std::ops::RangeBounds<i64>,
    ) -> impl DoubleEndedIterator<Item = &Message> {
        self.by_seq
            .get(&c)
            .into_iter()
            .flat_map(move |seqs| {
                seqs.range((range.start_bound().cloned(), range.end_bound().cloned()))
            })
            .filter_map(|(_, id)| self.by_id.get(id))
    }
}

#[async_trait]
impl MessageStore for InMemoryStore {
    async fn append(&self, m: NewMessage) -> Result<AppendOutcome, StoreError> {
        let mut t = self.tables();
        let key = (m.sender_id, m.client_msg_id.as_str().to_owned());
        if let Some(earlier) = t
            .messages
            .sent
            .get(&key)
            .and_then(|id| t.messages.by_id.get(id))
        {
            return Ok(AppendOutcome {
                message: earlier.clone(),
                duplicate: true,
            });
        }
        let seq = t
            .conversations
            .take_seq(m.conversation_id, m.created_at)
            .ok_or_else(|| missing("conversation"))?;
        let message = Message {
            id: m.id,
            conversation_id: m.conversation_id,
            seq,
            sender_id: m.sender_id,
            client_msg_id: key.1.clone(),
            body: m.body.into_inner(),
            reply_to_id: m.reply_to_id,
            attachments: m.attachments,
            created_at: m.created_at,
            edited_at: None,
            deleted_at: None,
        };
        t.conversations
            .mark_read(m.conversation_id, m.sender_id, seq, m.id);
        let messages = &mut t.messages;
        messages.sent.insert(key, m.id);
        messages
            .by_seq
            .entry(m.conversation_id)
            .or_default()
            .insert(seq, m.id);
        messages.unrelayed.insert((m.created_at, m.id));
        messages.by_id.insert(m.id, message.clone());
        Ok(AppendOutcome {
            message,
            duplicate: false,
        })
    }

    async fn unrelayed(&self, before: Timestamp, limit: u32) -> Result<Vec<Message>, StoreError> {
        let t = self.tables();
        let notes = t
            .messages
            .unrelayed
            .iter()
            .take_while(|(at, _)| *at < before)
            .filter_map(|(_, id)| t.messages.by_id.get(id).cloned());
        let mut found = up_to(notes, limit);
        found.sort_by_key(|m| (m.created_at, m.seq));
        Ok(found)
    }

    async fn relayed(&self, messages: Vec<MessageId>) -> Result<(), StoreError> {
        let mut t = self.tables();
        for id in messages {
            if let Some(at) = t.messages.by_id.get(&id).map(|m| m.created_at) {
                t.messages.unrelayed.remove(&(at, id));
            }
        }
        Ok(())
    }

    async fn find(&self, id: MessageId) -> Result<Option<Message>, StoreError> {
        Ok(self.tables().messages.by_id.get(&id).cloned())
    }

    async fn edit(
        &self,
        id: MessageId,
        body: MessageBody,
        at: Timestamp,
    ) -> Result<Message, StoreError> {
        let mut t = self.tables();
        let message = t.messages.live_mut(id)?;
        message.body = body.into_inner();
        message.edited_at = Some(at);
        Ok(message.clone())
    }

    async fn tombstone(&self, id: MessageId, at: Timestamp) -> Result<Message, StoreError> {
        let mut t = self.tables();
        let message = t
            .messages
            .by_id
            .get_mut(&id)
            .ok_or_else(|| missing("message"))?;
        message.body.clear();
        message.attachments.clear();
        message.deleted_at = Some(at);
        let message = message.clone();
        t.messages.reactions.remove(&id);
        Ok(message)
    }

    async fn react(
        &self,
        id: MessageId,
        user: UserId,
        emoji: String,
        on: bool,
        _at: Timestamp,
    ) -> Result<Reactions, StoreError> {
        let mut t = self.tables();
        let messages = &mut t.messages;
        if on {
            messages.live_mut(id)?;
            messages
                .reactions
                .entry(id)
                .or_default()
                .entry(emoji)
                .or_default()
                .insert(user);
        } else if let Some(users) = messages
            .reactions
            .get_mut(&id)
            .and_then(|r| r.get_mut(&emoji))
        {
            users.remove(&user);
        }
        Ok(messages.counts(id))
    }

    async fn reactions(
        &self,
        ids: Vec<MessageId>,
        reader: UserId,
    ) -> Result<Vec<ReactionSet>, StoreError> {
        let t = self.tables();
        let sets = ids
            .into_iter()
            .filter_map(|id| {
                let by_emoji = t.messages.reactions.get(&id)?;
                let counts = t.messages.counts(id);
                if counts.is_empty() {
                    return None;
                }
                let mine = by_emoji
                    .iter()
                    .filter(|(_, users)| users.contains(&reader))
                    .map(|(emoji, _)| emoji.clone())
                    .collect();
                Some(ReactionSet {
                    message_id: id,
                    counts,
                    mine,
                })
            })
            .collect();
        Ok(sets)
    }

    async fn page_before(
        &self,
        conversation: ConversationId,
        before_seq: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Message>, StoreError> {
        let t = self.tables();
        let before = before_seq.unwrap_or(i64::MAX);
        let page = t.messages.in_range(conversation, ..before).rev().cloned();
        Ok(up_to(page, limit))
    }

    async fn page_after(
        &self,
        conversation: ConversationId,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<Message>, StoreError> {
        let t = self.tables();
        let page = t
            .messages
            .in_range(conversation, after_seq.saturating_add(1)..)
            .cloned();
        Ok(up_to(page, limit))
    }

    async fn count_unread(
        &self,
        conversation: ConversationId,
        reader: UserId,
        after_seq: i64,
    ) -> Result<u64, StoreError> {
        let t = self.tables();
        Ok(t.messages
            .in_range(conversation, after_seq.saturating_add(1)..)
            .filter(|m| m.sender_id != reader && m.deleted_at.is_none())
            .count() as u64)
    }
}
