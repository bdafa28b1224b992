//! The social graph: friend requests, friendships and blocks.

use crate::ids::UserId;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

pub use crate::ids::FriendRequestId;

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Relation {
    /// The other user.
    pub user_id: UserId,
    /// Since when.
    pub since: Timestamp,
}

/// A friend request as clients see it (`FriendRequest` on the wire).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationView {
    /// The other user.
    pub user: crate::user::User,
    /// Since when.
    pub since: Timestamp,
}
