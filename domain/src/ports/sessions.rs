//! The session and refresh-token store port.

use crate::StoreError;
use crate::auth::{RefreshTokenRecord, Session};
use crate::ids::{SessionId, UserId};
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

    /// Stores a session with no refresh token of its own (a host's token
    /// stands for it, see `IdentityVerifier`); opening one that exists
    /// changes nothing, whether it is live or revoked.
    ///
    /// # Errors
    /// `Unavailable` / `Internal` when the store fails.
    async fn open(&self, session: Session) -> Result<(), StoreError>;

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

    /// Ends every live session of `user` (a ban): none of their tokens works
    /// afterwards, and lifting the ban does not bring them back.
    ///
    /// # Errors
    /// `Unavailable` / `Internal` when the store fails.
    async fn revoke_user(&self, user: UserId, at: Timestamp) -> Result<(), StoreError>;

    /// Sessions revoked after `after`, newest first, at most `limit` of them:
    /// each node re-checks its sockets against them, so a revocation whose
    /// notice was lost on the way (the bus was down) still ends its sockets.
    ///
    /// # Errors
    /// `Unavailable` / `Internal` when the store fails.
    async fn revoked_since(&self, after: Timestamp, limit: u64)
    -> Result<Vec<Session>, StoreError>;
}
