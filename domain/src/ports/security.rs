//! Password hashing and token issuing ports.

use crate::auth::{AccessClaims, ExternalClaims, RefreshSecret};
use async_trait::async_trait;
use thiserror::Error;

/// Why a security operation failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SecurityError {
    /// The token is malformed, forged or expired.
    #[error("invalid token")]
    InvalidToken,
    /// Hashing or signing failed; the text is for logs.
    #[error("security failure: {0}")]
    Internal(String),
}

/// Hashes and checks passwords (bcrypt in production). Slow on purpose, so
/// implementations run the work off the async threads.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PasswordHasher: Send + Sync {
    /// Hashes a new password.
    ///
    /// # Errors
    /// `Internal` when hashing fails.
    async fn hash(&self, password: String) -> Result<String, SecurityError>;

    /// Checks a password against a stored hash.
    ///
    /// # Errors
    /// `Internal` when the hash is unreadable.
    async fn verify(&self, password: String, hash: String) -> Result<bool, SecurityError>;
}

/// Issues and checks access tokens, and mints refresh tokens.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait TokenIssuer: Send + Sync {
    /// Signs an access token carrying `claims`.
    ///
    /// # Errors
    /// `Internal` when signing fails.
    fn issue_access(&self, claims: &AccessClaims) -> Result<String, SecurityError>;

    /// Checks signature and expiry and returns the claims.
    ///
    /// # Errors
    /// `InvalidToken` for anything but a valid, unexpired token of ours.
    fn verify_access(&self, token: &str) -> Result<AccessClaims, SecurityError>;

    /// A new random refresh token and the hash to store for it.
    fn new_refresh(&self) -> RefreshSecret;

    /// The stored hash of a refresh token a client presents.
    fn hash_refresh(&self, token: &str) -> String;
}

/// Checks tokens a host issued to its own users (its JWTs): signature, expiry,
/// issuer and audience. ChatChit then knows the bearer by the claims alone.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait IdentityVerifier: Send + Sync {
    /// The claims of a valid, unexpired token of the host's.
    ///
    /// # Errors
    /// `InvalidToken` for anything else.
    fn verify(&self, token: &str) -> Result<ExternalClaims, SecurityError>;
}
