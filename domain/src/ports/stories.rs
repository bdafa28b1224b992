//! The story store port.

use crate::StoreError;
use crate::ids::UserId;
use crate::social::Relation;
use crate::story::{Story, StoryComment, StoryId, StoryStats};
use crate::time::Timestamp;
use async_trait::async_trait;
use std::collections::HashMap;

/// Keeps stories, their views, likes and comments.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait StoryStore: Send + Sync {
    /// Stores a new story.
    ///
    /// # Errors
    /// Store failures.
    async fn create(&self, story: Story) -> Result<(), StoreError>;

    /// Finds a story, expired or not.
    ///
    /// # Errors
    /// Store failures.
    async fn find(&self, id: StoryId) -> Result<Option<Story>, StoreError>;

    /// Deletes a story with its views, likes and comments.
    ///
    /// # Errors
    /// Store failures.
    async fn delete(&self, id: StoryId) -> Result<(), StoreError>;

    /// Stories of `authors` that expire after `now`, oldest first.
    ///
    /// # Errors
    /// Store failures.
    async fn live_by(&self, authors: Vec<UserId>, now: Timestamp)
    -> Result<Vec<Story>, StoreError>;

    /// Counters of `stories` and `viewer`'s marks on them.
    ///
    /// # Errors
    /// Store failures.
    async fn stats(
        &self,
        stories: Vec<StoryId>,
        viewer: UserId,
    ) -> Result<HashMap<StoryId, StoryStats>, StoreError>;

    /// Records that `viewer` saw the story (once per viewer).
    ///
    /// # Errors
    /// Store failures.
    async fn record_view(
        &self,
        id: StoryId,
        viewer: UserId,
        at: Timestamp,
    ) -> Result<(), StoreError>;

    /// Who saw the story, first viewer first.
    ///
    /// # Errors
    /// Store failures.
    async fn viewers(&self, id: StoryId) -> Result<Vec<Relation>, StoreError>;

    /// Likes (`on`) or unlikes the story; `true` when that changed anything.
    ///
    /// # Errors
    /// Store failures.
    async fn like(
        &self,
        id: StoryId,
        user: UserId,
        on: bool,
        at: Timestamp,
    ) -> Result<bool, StoreError>;

    /// Stores a comment.
    ///
    /// # Errors
    /// Store failures.
    async fn add_comment(&self, comment: StoryComment) -> Result<(), StoreError>;

    /// Comments on a story, oldest first: at most `limit` of those after the
    /// comment `after` (from the first when `None`).
    ///
    /// # Errors
    /// Store failures.
    async fn comments(
        &self,
        id: StoryId,
        after: Option<uuid::Uuid>,
        limit: u32,
    ) -> Result<Vec<StoryComment>, StoreError>;

    /// Deletes every story that expired at or before `now`; returns how many.
    ///
    /// # Errors
    /// Store failures.
    async fn delete_expired(&self, now: Timestamp) -> Result<u64, StoreError>;
}
