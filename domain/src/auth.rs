//! Sessions, refresh tokens and access-token claims.

use crate::ids::{SessionId, UserId};
use crate::time::Timestamp;
use crate::user::Role;

/// One login on one device. Its refresh tokens form a family: re-use of a
/// rotated token revokes the session, which ends the whole family at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Identifier carried in every access token of the session (`sid`).
    pub id: SessionId,
    /// Whose session it is.
    pub user_id: UserId,
    /// When the user logged in.
    pub created_at: Timestamp,
    /// When logout, reuse detection or a ban ended it.
    pub revoked_at: Option<Timestamp>,
}

/// A stored refresh token; only its hash is kept, never the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshTokenRecord {
    /// SHA-256 of the token handed to the client, hex-encoded.
    pub token_hash: String,
    /// The session (token family) it belongs to.
    pub session_id: SessionId,
    /// After this the token is refused.
    pub expires_at: Timestamp,
    /// Set when the token was rotated; seeing it again means theft.
    pub used_at: Option<Timestamp>,
}

/// What an access token asserts once its signature and expiry are checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessClaims {
    /// The user.
    pub user_id: UserId,
    /// The session the token was issued for.
    pub session_id: SessionId,
    /// Role at issue time (re-checked against the store on use).
    pub role: Role,
    /// Expiry.
    pub expires_at: Timestamp,
}

/// A fresh refresh token: the secret for the client and the hash to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshSecret {
    /// Handed to the client once.
    pub token: String,
    /// Stored.
    pub hash: String,
}

/// What a host's own token says about its bearer, once an
/// [`IdentityVerifier`](crate::ports::IdentityVerifier) checked it: the host
/// keeps the accounts, ChatChit maps `(issuer, subject)` to a user of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalClaims {
    /// `iss`: who issued the token (part of the identity: two issuers'
    /// subjects never meet).
    pub issuer: String,
    /// `sub`: the host's id of the user.
    pub subject: String,
    /// `iat`: tokens issued before a ban stay refused after it is lifted.
    pub issued_at: Timestamp,
    /// `exp`.
    pub expires_at: Timestamp,
    /// `name`, else `preferred_username`: shown on first sight.
    pub display_name: Option<String>,
}
