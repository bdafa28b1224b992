//! The social store behind the graph cache: friendships, friend lists and
//! blocks are answered from it; writes forget what they changed.

use super::Answers;
use async_trait::async_trait;
use chatchit_domain::StoreError;
use chatchit_domain::ids::UserId;
use chatchit_domain::ports::{GraphCache, GraphKey, SocialStore};
use chatchit_domain::social::{FriendRequest, FriendRequestId, Relation};
use chatchit_domain::time::Timestamp;
use std::sync::Arc;

/// A `SocialStore` whose friendship and block reads are cached.
pub struct CachedSocial {
    store: Arc<dyn SocialStore>,
    pub(super) answers: Answers,
}

impl CachedSocial {
    /// Caches `store`'s answers in `cache`.
    pub fn new(store: Arc<dyn SocialStore>, cache: Arc<dyn GraphCache>) -> Self {
        Self {
            store,
            answers: Answers::new(cache),
        }
    }

    /// Forgets what a change between `a` and `b` may have changed.
    async fn forget_pair(&self, a: UserId, b: UserId) {
        self.answers
            .forget(vec![
                GraphKey::blocked(a, b),
                GraphKey::friendship(a, b),
                GraphKey::Friends(a),
                GraphKey::Friends(b),
            ])
            .await;
    }
}

#[async_trait]
impl SocialStore for CachedSocial {
    async fn create_request(&self, request: FriendRequest) -> Result<(), StoreError> {
        self.store.create_request(request).await
    }

    async fn find_request(&self, id: FriendRequestId) -> Result<Option<FriendRequest>, StoreError> {
        self.store.find_request(id).await
    }

    async fn request_between(
        &self,
        from: UserId,
        to: UserId,
    ) -> Result<Option<FriendRequest>, StoreError> {
        self.store.request_between(from, to).await
    }

    async fn requests_of(
        &self,
        user: UserId,
    ) -> Result<(Vec<FriendRequest>, Vec<FriendRequest>), StoreError> {
        self.store.requests_of(user).await
    }

    async fn delete_request(&self, id: FriendRequestId) -> Result<bool, StoreError> {
        self.store.delete_request(id).await
    }

    async fn accept_request(&self, id: FriendRequestId, at: Timestamp) -> Result<bool, StoreError> {
        let request = self.store.find_request(id).await?;
        let accepted = self.store.accept_request(id, at).await?;
        if let (true, Some(request)) = (accepted, request) {
            self.forget_pair(request.from, request.to).await;
        }
        Ok(accepted)
    }

    async fn remove_friendship(&self, a: UserId, b: UserId) -> Result<bool, StoreError> {
        let removed = self.store.remove_friendship(a, b).await?;
        self.forget_pair(a, b).await;
        Ok(removed)
    }

    async fn friends_of(&self, user: UserId) -> Result<Vec<Relation>, StoreError> {
        self.answers
            .through(GraphKey::Friends(user), || self.store.friends_of(user))
            .await
    }

    async fn are_friends(&self, a: UserId, b: UserId) -> Result<bool, StoreError> {
        self.answers
            .through(GraphKey::friendship(a, b), || self.store.are_friends(a, b))
            .await
    }

    async fn block(
        &self,
        blocker: UserId,
        blocked: UserId,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        self.store.block(blocker, blocked, at).await?;
        self.forget_pair(blocker, blocked).await;
        Ok(())
    }

    async fn unblock(&self, blocker: UserId, blocked: UserId) -> Result<bool, StoreError> {
        let unblocked = self.store.unblock(blocker, blocked).await?;
        self.forget_pair(blocker, blocked).await;
        Ok(unblocked)
    }

    async fn blocks_of(&self, blocker: UserId) -> Result<Vec<Relation>, StoreError> {
        self.store.blocks_of(blocker).await
    }

    async fn blocked_either_way(&self, a: UserId, b: UserId) -> Result<bool, StoreError> {
        self.answers
            .through(GraphKey::blocked(a, b), || {
                self.store.blocked_either_way(a, b)
            })
            .await
    }
}
