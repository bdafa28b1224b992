//! The conversation store behind the graph cache: roles, member ids and
//! conversations are answered from it; writes forget what they changed.

use super::{Answers, Cacheable};
use async_trait::async_trait;
use chatchit_domain::StoreError;
use chatchit_domain::conversation::{Conversation, ConversationEntry, Member, MemberRole};
use chatchit_domain::ids::{ConversationId, MessageId, UserId};
use chatchit_domain::ports::{ConversationCursor, ConversationStore, GraphCache, GraphKey};
use std::sync::Arc;

/// A `ConversationStore` whose membership and conversation reads are cached.
pub struct CachedConversations {
    store: Arc<dyn ConversationStore>,
    pub(super) answers: Answers,
}

impl CachedConversations {
    /// Caches `store`'s answers in `cache`.
    pub fn new(store: Arc<dyn ConversationStore>, cache: Arc<dyn GraphCache>) -> Self {
        Self {
            store,
            answers: Answers::new(cache),
        }
    }
}

#[async_trait]
impl ConversationStore for CachedConversations {
    async fn create_group(
        &self,
        conversation: Conversation,
        members: Vec<Member>,
    ) -> Result<(), StoreError> {
        self.store.create_group(conversation, members).await
    }

    async fn get_or_create_direct(
        &self,
        key: String,
        conversation: Conversation,
        members: Vec<Member>,
    ) -> Result<(Conversation, bool), StoreError> {
        self.store
            .get_or_create_direct(key, conversation, members)
            .await
    }

    async fn find(&self, id: ConversationId) -> Result<Option<Conversation>, StoreError> {
        self.answers
            .through(GraphKey::Conversation(id), || self.store.find(id))
            .await
    }

    async fn update(
        &self,
        id: ConversationId,
        title: Option<String>,
        avatar_url: Option<Option<String>>,
    ) -> Result<Conversation, StoreError> {
        let updated = self.store.update(id, title, avatar_url).await?;
        self.answers.forget(vec![GraphKey::Conversation(id)]).await;
        Ok(updated)
    }

    async fn members(&self, id: ConversationId) -> Result<Vec<Member>, StoreError> {
        self.store.members(id).await
    }

    async fn member(&self, id: ConversationId, user: UserId) -> Result<Option<Member>, StoreError> {
        self.store.member(id, user).await
    }

    async fn role(
        &self,
        id: ConversationId,
        user: UserId,
    ) -> Result<Option<MemberRole>, StoreError> {
        self.answers
            .through(GraphKey::Member(id, user), || self.store.role(id, user))
            .await
    }

    async fn member_ids(&self, id: ConversationId) -> Result<Vec<UserId>, StoreError> {
        self.answers
            .through(GraphKey::Members(id), || self.store.member_ids(id))
            .await
    }

    async fn add_members(
        &self,
        id: ConversationId,
        members: Vec<Member>,
    ) -> Result<(), StoreError> {
        let mut keys: Vec<GraphKey> = members
            .iter()
            .map(|m| GraphKey::Member(id, m.user_id))
            .collect();
        self.store.add_members(id, members).await?;
        keys.push(GraphKey::Members(id));
        self.answers.forget(keys).await;
        Ok(())
    }

    async fn remove_member(
        &self,
        id: ConversationId,
        user: UserId,
        promote: Option<(UserId, MemberRole)>,
    ) -> Result<(), StoreError> {
        self.store.remove_member(id, user, promote).await?;
        let mut keys = vec![GraphKey::Members(id), GraphKey::Member(id, user)];
        keys.extend(promote.map(|(promoted, _)| GraphKey::Member(id, promoted)));
        self.answers.forget(keys).await;
        Ok(())
    }

    async fn set_role(
        &self,
        id: ConversationId,
        user: UserId,
        role: MemberRole,
    ) -> Result<(), StoreError> {
        self.store.set_role(id, user, role).await?;
        self.answers
            .forget(vec![GraphKey::Members(id), GraphKey::Member(id, user)])
            .await;
        Ok(())
    }

    async fn mark_read(
        &self,
        id: ConversationId,
        user: UserId,
        seq: i64,
        message_id: MessageId,
    ) -> Result<(), StoreError> {
        self.store.mark_read(id, user, seq, message_id).await
    }

    async fn list_for_user(
        &self,
        user: UserId,
        cursor: Option<ConversationCursor>,
        limit: u32,
    ) -> Result<Vec<ConversationEntry>, StoreError> {
        self.store.list_for_user(user, cursor, limit).await
    }

    /// Also keeps each answer as the user's [`Self::role`] in that
    /// conversation: a socket that connects is about to send.
    async fn roles_for_user(
        &self,
        user: UserId,
    ) -> Result<Vec<(ConversationId, MemberRole)>, StoreError> {
        let since = self.answers.forgets_now();
        let roles = self.store.roles_for_user(user).await?;
        let answers = roles
            .iter()
            .map(|&(id, role)| (GraphKey::Member(id, user), Some(role).into_answer()))
            .collect();
        self.answers.keep_unless_forgotten(since, answers).await;
        Ok(roles)
    }
}
