//! The social graph: friend requests, friendships and blocks.

use crate::ids::UserId;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// Identifies a friend request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(value_type = String, format = "uuid"))]
#[serde(transparent)]
pub struct FriendRequestId(pub Uuid);

impl FriendRequestId {
    /// A fresh time-ordered identifier.
    pub fn generate() -> Self {
        Self(Uuid::now_v7())
    }
}

impl fmt::Display for FriendRequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for FriendRequestId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Uuid::parse_str(s).map(Self)
    }
}

/// A pending request from one user to another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FriendRequest {
    /// Identifier.
    pub id: FriendRequestId,
    /// Who asked.
    pub from: UserId,
    /// Who is asked.
    pub to: UserId,
    /// When.
    pub created_at: Timestamp,
}

/// One side of a relation (a friend or a blocked user) and since when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Relation {
    /// The other user.
    pub user_id: UserId,
    /// Since when.
    pub since: Timestamp,
}

/// A friend request as clients see it (`request` in PROTOCOL.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct FriendRequestView {
    /// Identifier.
    pub id: FriendRequestId,
    /// Who asked.
    pub from: crate::user::User,
    /// Who is asked.
    pub to: crate::user::User,
    /// When.
    pub created_at: Timestamp,
}

/// A friend or a blocked user as clients see it: `{user, since}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct RelationView {
    /// The other user.
    pub user: crate::user::User,
    /// Since when.
    pub since: Timestamp,
}
