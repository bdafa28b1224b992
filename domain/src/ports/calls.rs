//! The call store port.

use crate::StoreError;
use crate::call::{Call, CallId};
use crate::ids::UserId;
use async_trait::async_trait;

/// Keeps calls and their participants.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait CallStore: Send + Sync {
    /// Stores a new call, unless one of its participants is in a live call
    /// already: the store decides that atomically, so two invites racing for
    /// the same person cannot both succeed.
    ///
    /// # Errors
    /// `Conflict` when a participant is busy; store failures.
    async fn create(&self, call: Call) -> Result<(), StoreError>;

    /// Finds a call.
    ///
    /// # Errors
    /// Store failures.
    async fn find(&self, id: CallId) -> Result<Option<Call>, StoreError>;

    /// Saves a state change, only if the call is still in `expected` state
    /// (so two racing answers cannot both win). `false` when it was not.
    ///
    /// # Errors
    /// Store failures.
    async fn transition(
        &self,
        call: Call,
        expected: crate::call::CallState,
    ) -> Result<bool, StoreError>;

    /// The ringing or active call `user` takes part in, if any.
    ///
    /// # Errors
    /// Store failures.
    async fn live_for(&self, user: UserId) -> Result<Option<Call>, StoreError>;

    /// `user`'s calls, newest first.
    ///
    /// # Errors
    /// Store failures.
    async fn history(&self, user: UserId, limit: u32) -> Result<Vec<Call>, StoreError>;
}
