//! The session and refresh-token store port.

use crate::StoreError;
use crate::auth::{RefreshTokenRecord, Session};
use crate::ids::SessionId;
use crate::time::Timestamp;
use async_trait::async_trait;

/// Keeps login sessions and the hashes of their refresh tokens.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait SessionStore: Send + Sync {
    /// Stores a new session together with its first refresh token.
    ///
    /// # Errors
    /// `Unavailable` / `Internal` when the store fails.
    async fn create(&self, session: Session, token: RefreshTokenRecord) -> Result<(), StoreError>;

    /// Finds a session.
    ///
    /// # Errors
    /// `Unavailable` / `Internal` when the store fails.
    async fn find(&self, id: SessionId) -> Result<Option<Session>, StoreError>;

    /// Finds a refresh token by its hash.
    ///
    /// # Errors
    /// `Unavailable` / `Internal` when the store fails.
    async fn find_token(
        &self,
        token_hash: String,
    ) -> Result<Option<RefreshTokenRecord>, StoreError>;

    /// Marks `old_hash` used and stores `next` in one step. Returns `false` (and
    /// stores nothing) when the old token was already used: a replay.
    ///
    /// # Errors
    /// `Unavailable` / `Internal` when the store fails.
    async fn rotate(
        &self,
        old_hash: String,
        at: Timestamp,
        next: RefreshTokenRecord,
    ) -> Result<bool, StoreError>;

    /// Ends a session: its tokens stop working. Revoking twice keeps the first time.
    ///
    /// # Errors
    /// `Unavailable` / `Internal` when the store fails.
    async fn revoke(&self, id: SessionId, at: Timestamp) -> Result<(), StoreError>;
}
