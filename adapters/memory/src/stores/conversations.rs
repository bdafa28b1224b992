//! `ConversationStore` in memory.

use super::{InMemoryStore, missing, taken, up_to};
use async_trait::async_trait;
use chatchit_domain::StoreError;
use chatchit_domain::conversation::{Conversation, ConversationEntry, Member, MemberRole};
use chatchit_domain::ids::{ConversationId, MessageId, UserId};
use chatchit_domain::ports::{ConversationCursor, ConversationStore};
use chatchit_domain::time::Timestamp;
use std::collections::HashMap;

/// One conversation with what the SQL table keeps beside it.
struct Row {
    /// The conversation.
    conversation: Conversation,
    /// The last `seq` handed out.
    last_seq: i64,
    /// Its last message's time, or its creation's.
    last_activity_at: Timestamp,
    /// Its members.
    members: HashMap<UserId, Member>,
}

/// Conversations by id, and direct ones by their pair key.
#[derive(Default)]
pub(super) struct Conversations {
    /// By id.
    rows: HashMap<ConversationId, Row>,
    /// Direct conversations by [`chatchit_domain::conversation::direct_key`].
    direct: HashMap<String, ConversationId>,
}

impl Conversations {
    /// Stores a new conversation with its members.
    fn insert(
        &mut self,
        conversation: Conversation,
        direct_key: Option<String>,
        members: Vec<Member>,
    ) -> Result<(), StoreError> {
        if self.rows.contains_key(&conversation.id) {
            return Err(taken("conversations.id"));
        }
        if let Some(key) = direct_key {
            if self.direct.contains_key(&key) {
                return Err(taken("conversations.direct_key"));
            }
            self.direct.insert(key, conversation.id);
        }
        let mut row = Row {
            last_seq: 0,
            last_activity_at: conversation.created_at,
            conversation,
            members: HashMap::new(),
        };
        add(&mut row, members);
        self.rows.insert(row.conversation.id, row);
        Ok(())
    }

    /// The next `seq` of `id`, taken, with its activity moved to `at`.
    pub(super) fn take_seq(&mut self, id: ConversationId, at: Timestamp) -> Option<i64> {
        let row = self.rows.get_mut(&id)?;
        row.last_seq += 1;
        row.last_activity_at = at;
        Some(row.last_seq)
    }

    /// Moves `user`'s read marker in `id` forward to `seq` (never back).
    pub(super) fn mark_read(
        &mut self,
        id: ConversationId,
        user: UserId,
        seq: i64,
        message: MessageId,
    ) {
        let member = self
            .rows
            .get_mut(&id)
            .and_then(|row| row.members.get_mut(&user));
        if let Some(member) = member.filter(|m| m.last_read_seq < seq) {
            member.last_read_seq = seq;
            member.last_read_message_id = Some(message);
        }
    }
}

/// Adds the members not already there.
fn add(row: &mut Row, members: Vec<Member>) {
    for member in members {
        row.members.entry(member.user_id).or_insert(member);
    }
}

#[async_trait]
impl ConversationStore for InMemoryStore {
    async fn create_group(
        &self,
        conversation: Conversation,
        members: Vec<Member>,
    ) -> Result<(), StoreError> {
        self.tables()
            .conversations
            .insert(conversation, None, members)
    }

    async fn get_or_create_direct(
        &self,
        key: String,
        conversation: Conversation,
        members: Vec<Member>,
    ) -> Result<(Conversation, bool), StoreError> {
        let mut t = self.tables();
        let c = &mut t.conversations;
        if let Some(row) = c.direct.get(&key).and_then(|id| c.rows.get(id)) {
            return Ok((row.conversation.clone(), false));
        }
        c.insert(conversation.clone(), Some(key), members)?;
        Ok((conversation, true))
    }

    async fn find(&self, id: ConversationId) -> Result<Option<Conversation>, StoreError> {
        let t = self.tables();
        Ok(t.conversations
            .rows
            .get(&id)
            .map(|r| r.conversation.clone()))
    }

    async fn update(
        &self,
        id: ConversationId,
        title: Option<String>,
        avatar_url: Option<Option<String>>,
    ) -> Result<Conversation, StoreError> {
        let mut t = self.tables();
        let row = t
            .conversations
            .rows
            .get_mut(&id)
            .ok_or_else(|| missing("conversation"))?;
        if let Some(title) = title {
            row.conversation.title = Some(title);
        }
        if let Some(avatar) = avatar_url {
            row.conversation.avatar_url = avatar;
        }
        Ok(row.conversation.clone())
    }

    async fn members(&self, id: ConversationId) -> Result<Vec<Member>, StoreError> {
        let t = self.tables();
        let mut members: Vec<Member> = t
            .conversations
            .rows
            .get(&id)
            .map(|r| r.members.values().cloned().collect())
            .unwrap_or_default();
        members.sort_by_key(|m| (m.joined_at, m.user_id));
        Ok(members)
    }

    async fn member(&self, id: ConversationId, user: UserId) -> Result<Option<Member>, StoreError> {
        let t = self.tables();
        Ok(t.conversations
            .rows
            .get(&id)
            .and_then(|r| r.members.get(&user))
            .cloned())
    }

    async fn add_members(
        &self,
        id: ConversationId,
        members: Vec<Member>,
    ) -> Result<(), StoreError> {
        let mut t = self.tables();
        let row = t
            .conversations
            .rows
            .get_mut(&id)
            .ok_or_else(|| missing("conversation"))?;
        add(row, members);
        Ok(())
    }

    async fn remove_member(
        &self,
        id: ConversationId,
        user: UserId,
        promote: Option<(UserId, MemberRole)>,
    ) -> Result<(), StoreError> {
        let mut t = self.tables();
        if let Some(row) = t.conversations.rows.get_mut(&id) {
            row.members.remove(&user);
            if let Some(heir) =
                promote.and_then(|(heir, role)| row.members.get_mut(&heir).map(|m| (m, role)))
            {
                heir.0.role = heir.1;
            }
        }
        Ok(())
    }

    async fn set_role(
        &self,
        id: ConversationId,
        user: UserId,
        role: MemberRole,
    ) -> Result<(), StoreError> {
        let mut t = self.tables();
        let member = t
            .conversations
            .rows
            .get_mut(&id)
            .and_then(|r| r.members.get_mut(&user))
            .ok_or_else(|| missing("member"))?;
        member.role = role;
        Ok(())
    }

    async fn mark_read(
        &self,
        id: ConversationId,
        user: UserId,
        seq: i64,
        message_id: MessageId,
    ) -> Result<(), StoreError> {
        self.tables()
            .conversations
            .mark_read(id, user, seq, message_id);
        Ok(())
    }

    async fn list_for_user(
        &self,
        user: UserId,
        cursor: Option<ConversationCursor>,
        limit: u32,
    ) -> Result<Vec<ConversationEntry>, StoreError> {
        let t = self.tables();
        let mut mine: Vec<&Row> = t
            .conversations
            .rows
            .values()
            .filter(|r| r.members.contains_key(&user))
            .filter(|r| {
                cursor.is_none_or(|c| {
                    (r.last_activity_at, r.conversation.id) < (c.last_activity_at, c.id)
                })
            })
            .collect();
        mine.sort_by_key(|r| std::cmp::Reverse((r.last_activity_at, r.conversation.id)));
        let entries = mine.into_iter().map(|r| ConversationEntry {
            conversation: r.conversation.clone(),
            last_activity_at: r.last_activity_at,
        });
        Ok(up_to(entries, limit))
    }

    async fn roles_for_user(
        &self,
        user: UserId,
    ) -> Result<Vec<(ConversationId, MemberRole)>, StoreError> {
        let t = self.tables();
        Ok(t.conversations
            .rows
            .iter()
            .filter_map(|(id, r)| r.members.get(&user).map(|m| (*id, m.role)))
            .collect())
    }
}
