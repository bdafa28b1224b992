//! Users: the public profile every API returns, and roles.

use crate::ids::UserId;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// What a user may do beyond chatting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// An ordinary account.
    User,
    /// May moderate: reports, bans, stats.
    Admin,
}

impl Role {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Admin => "admin",
        }
    }

    /// Reads a stored name; anything unknown is the least privileged role.
    pub fn from_name(name: &str) -> Self {
        if name == "admin" {
            Role::Admin
        } else {
            Role::User
        }
    }
}

/// The public profile (`User` on the wire).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    /// Stable identifier.
    pub id: UserId,
    /// Login name as registered.
    pub username: String,
    /// Name shown in clients; defaults to the username.
    pub display_name: String,
    /// Optional picture.
    pub avatar_url: Option<String>,
    /// `user` or `admin`.
    pub role: Role,
    /// When the account was registered.
    pub created_at: Timestamp,
    /// Banned accounts cannot log in and their tokens stop working; never sent.
    #[serde(skip)]
    pub banned: bool,
}

/// A user together with the bcrypt hash login checks against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The account.
    pub user: User,
    /// The bcrypt hash of the password.
    pub password_hash: String,
}

/// A profile change (`PATCH /me`): `None` leaves a field as it is, `Some(None)`
/// clears a clearable one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileChange {
    /// New display name.
    pub display_name: Option<String>,
    /// New avatar, or `Some(None)` to remove it.
    pub avatar_url: Option<Option<String>>,
}
