//! The user store port.

use crate::StoreError;
use crate::ids::UserId;
use crate::user::{Credentials, ProfileChange, User};
use async_trait::async_trait;

/// Keeps accounts and their password hashes.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Stores a new account.
    ///
    /// # Errors
    /// `Conflict` when the username is taken (case-insensitively).
    async fn create(&self, user: User, password_hash: String) -> Result<(), StoreError>;

    /// Finds an account by id.
    ///
    /// # Errors
    /// `Unavailable` / `Internal` when the store fails.
    async fn find(&self, id: UserId) -> Result<Option<User>, StoreError>;

    /// Finds several accounts; unknown ids are skipped.
    ///
    /// # Errors
    /// `Unavailable` / `Internal` when the store fails.
    async fn find_many(&self, ids: Vec<UserId>) -> Result<Vec<User>, StoreError>;

    /// Finds the account and hash for a login, by case-folded username.
    ///
    /// # Errors
    /// `Unavailable` / `Internal` when the store fails.
    async fn find_credentials(
        &self,
        canonical_username: String,
    ) -> Result<Option<Credentials>, StoreError>;

    /// Applies a profile change and returns the result.
    ///
    /// # Errors
    /// `NotFound` when the account does not exist.
    async fn update_profile(&self, id: UserId, change: ProfileChange) -> Result<User, StoreError>;

    /// Makes an account admin or plain user.
    ///
    /// # Errors
    /// `NotFound` when the account does not exist.
    async fn set_role(&self, id: UserId, role: crate::user::Role) -> Result<(), StoreError>;

    /// Bans (`Some(at)`) or unbans (`None`) an account.
    ///
    /// # Errors
    /// `NotFound` when the account does not exist.
    async fn set_banned(
        &self,
        id: UserId,
        at: Option<crate::time::Timestamp>,
    ) -> Result<(), StoreError>;

    /// Accounts whose case-folded username starts with `prefix`, by username.
    ///
    /// # Errors
    /// `Unavailable` / `Internal` when the store fails.
    async fn search(&self, canonical_prefix: String, limit: u32) -> Result<Vec<User>, StoreError>;
}
