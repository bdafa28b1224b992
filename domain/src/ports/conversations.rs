//! The conversation and membership store port.

use crate::StoreError;
use crate::conversation::{Conversation, ConversationEntry, Member, MemberRole};
use crate::ids::{ConversationId, MessageId, UserId};
use crate::time::Timestamp;
use async_trait::async_trait;

/// Where a page of the conversation list starts: after this entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConversationCursor {
    /// Activity time of the last entry of the previous page.
    pub last_activity_at: Timestamp,
    /// Its id, to break ties.
    pub id: ConversationId,
}

/// Keeps conversations, members, roles and read markers.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ConversationStore: Send + Sync {
    /// Stores a new group with its first members.
    ///
    /// # Errors
    /// `Unavailable` / `Internal` when the store fails.
    async fn create_group(
        &self,
        conversation: Conversation,
        members: Vec<Member>,
    ) -> Result<(), StoreError>;

    /// Returns the direct conversation of the pair keyed `key`, creating it with
    /// `conversation` and `members` if there is none. `true` when created now.
    ///
    /// # Errors
    /// `Unavailable` / `Internal` when the store fails.
    async fn get_or_create_direct(
        &self,
        key: String,
        conversation: Conversation,
        members: Vec<Member>,
    ) -> Result<(Conversation, bool), StoreError>;

    /// Finds a conversation.
    ///
    /// # Errors
    /// `Unavailable` / `Internal` when the store fails.
    async fn find(&self, id: ConversationId) -> Result<Option<Conversation>, StoreError>;

    /// Changes title and/or picture (`Some(None)` clears the picture).
    ///
    /// # Errors
    /// `NotFound` when the conversation does not exist.
    async fn update(
        &self,
        id: ConversationId,
        title: Option<String>,
        avatar_url: Option<Option<String>>,
    ) -> Result<Conversation, StoreError>;

    /// The current members, in joining order.
    ///
    /// # Errors
    /// `Unavailable` / `Internal` when the store fails.
    async fn members(&self, id: ConversationId) -> Result<Vec<Member>, StoreError>;

    /// One member, if `user` is in the conversation.
    ///
    /// # Errors
    /// `Unavailable` / `Internal` when the store fails.
    async fn member(&self, id: ConversationId, user: UserId) -> Result<Option<Member>, StoreError>;

    /// The user's role in the conversation, if a member: the hot path's
    /// authorization question, cacheable as it changes only with membership
    /// (unlike the read marker in [`Member`]).
    ///
    /// # Errors
    /// When the store is unreachable.
    async fn role(
        &self,
        id: ConversationId,
        user: UserId,
    ) -> Result<Option<MemberRole>, StoreError> {
        Ok(self.member(id, user).await?.map(|m| m.role))
    }

    /// The members' ids, cacheable for the same reason as [`Self::role`].
    ///
    /// # Errors
    /// When the store is unreachable.
    async fn member_ids(&self, id: ConversationId) -> Result<Vec<UserId>, StoreError> {
        Ok(self
            .members(id)
            .await?
            .into_iter()
            .map(|m| m.user_id)
            .collect())
    }

    /// Adds members; those already in are left as they are.
    ///
    /// # Errors
    /// `Unavailable` / `Internal` when the store fails.
    async fn add_members(&self, id: ConversationId, members: Vec<Member>)
    -> Result<(), StoreError>;

    /// Removes a member and, when given, hands a new role to someone in the
    /// same step (ownership hand-over).
    ///
    /// # Errors
    /// `Unavailable` / `Internal` when the store fails.
    async fn remove_member(
        &self,
        id: ConversationId,
        user: UserId,
        promote: Option<(UserId, MemberRole)>,
    ) -> Result<(), StoreError>;

    /// Changes a member's role.
    ///
    /// # Errors
    /// `NotFound` when `user` is not a member.
    async fn set_role(
        &self,
        id: ConversationId,
        user: UserId,
        role: MemberRole,
    ) -> Result<(), StoreError>;

    /// Moves `user`'s read marker forward to `seq` (never backward).
    ///
    /// # Errors
    /// `Unavailable` / `Internal` when the store fails.
    async fn mark_read(
        &self,
        id: ConversationId,
        user: UserId,
        seq: i64,
        message_id: MessageId,
    ) -> Result<(), StoreError>;

    /// The user's conversations, most recently active first, after `cursor`.
    ///
    /// # Errors
    /// `Unavailable` / `Internal` when the store fails.
    async fn list_for_user(
        &self,
        user: UserId,
        cursor: Option<ConversationCursor>,
        limit: u32,
    ) -> Result<Vec<ConversationEntry>, StoreError>;

    /// Every conversation `user` belongs to with their role in it: the rooms
    /// a socket joins on connect, and the answers [`Self::role`] gives for
    /// them, read at once so the first sends after a connect find them cached.
    ///
    /// # Errors
    /// `Unavailable` / `Internal` when the store fails.
    async fn roles_for_user(
        &self,
        user: UserId,
    ) -> Result<Vec<(ConversationId, MemberRole)>, StoreError>;
}
