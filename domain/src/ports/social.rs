//! The social graph store port: friend requests, friendships, blocks.

use crate::StoreError;
use crate::ids::UserId;
use crate::social::{FriendRequest, FriendRequestId, Relation};
use crate::time::Timestamp;
use async_trait::async_trait;

/// Keeps friend requests, friendships and blocks.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SocialStore: Send + Sync {
    /// Stores a pending request.
    ///
    /// # Errors
    /// `Conflict` when one from the same sender to the same user is pending.
    async fn create_request(&self, request: FriendRequest) -> Result<(), StoreError>;

    /// Finds a pending request.
    ///
    /// # Errors
    /// Store failures.
    async fn find_request(&self, id: FriendRequestId) -> Result<Option<FriendRequest>, StoreError>;

    /// The pending request from `from` to `to`, if any.
    ///
    /// # Errors
    /// Store failures.
    async fn request_between(
        &self,
        from: UserId,
        to: UserId,
    ) -> Result<Option<FriendRequest>, StoreError>;

    /// Pending requests `(incoming, outgoing)` of `user`, newest first.
    ///
    /// # Errors
    /// Store failures.
    async fn requests_of(
        &self,
        user: UserId,
    ) -> Result<(Vec<FriendRequest>, Vec<FriendRequest>), StoreError>;

    /// Deletes a pending request (declined or cancelled). `false` if it was gone.
    ///
    /// # Errors
    /// Store failures.
    async fn delete_request(&self, id: FriendRequestId) -> Result<bool, StoreError>;

    /// Accepts a request: deletes it and makes both users friends, in one step.
    /// `false` if the request was gone.
    ///
    /// # Errors
    /// Store failures.
    async fn accept_request(&self, id: FriendRequestId, at: Timestamp) -> Result<bool, StoreError>;

    /// Ends a friendship. `false` when they were not friends.
    ///
    /// # Errors
    /// Store failures.
    async fn remove_friendship(&self, a: UserId, b: UserId) -> Result<bool, StoreError>;

    /// `user`'s friends, oldest friendship first.
    ///
    /// # Errors
    /// Store failures.
    async fn friends_of(&self, user: UserId) -> Result<Vec<Relation>, StoreError>;

    /// Whether `a` and `b` are friends.
    ///
    /// # Errors
    /// Store failures.
    async fn are_friends(&self, a: UserId, b: UserId) -> Result<bool, StoreError>;

    /// `blocker` blocks `blocked`: any friendship and pending request between
    /// them goes, in the same step. Blocking twice keeps the first time.
    ///
    /// # Errors
    /// Store failures.
    async fn block(
        &self,
        blocker: UserId,
        blocked: UserId,
        at: Timestamp,
    ) -> Result<(), StoreError>;

    /// Lifts a block. `false` when there was none.
    ///
    /// # Errors
    /// Store failures.
    async fn unblock(&self, blocker: UserId, blocked: UserId) -> Result<bool, StoreError>;

    /// Who `blocker` blocks, oldest first.
    ///
    /// # Errors
    /// Store failures.
    async fn blocks_of(&self, blocker: UserId) -> Result<Vec<Relation>, StoreError>;

    /// Whether either of the two blocks the other.
    ///
    /// # Errors
    /// Store failures.
    async fn blocked_either_way(&self, a: UserId, b: UserId) -> Result<bool, StoreError>;
}
