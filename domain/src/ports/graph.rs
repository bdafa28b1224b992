//! The graph cache port: answers to the hot path's "who may see / receive
//! this" questions (memberships, blocks, friendships), kept where every node
//! reads them fast and every node's change forgets them.

use crate::StoreError;
use crate::conversation::{Conversation, MemberRole};
use crate::ids::{ConversationId, UserId};
use crate::social::Relation;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// What a cached answer answers. The cache keys its entries by the text of
/// the key (`member:<conversation>:<user>`, …), the same on every node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GraphKey {
    /// A user's role in a conversation (or that they are not a member).
    Member(ConversationId, UserId),
    /// A conversation's member ids.
    Members(ConversationId),
    /// A conversation.
    Conversation(ConversationId),
    /// Whether either of two users blocks the other (made with
    /// [`GraphKey::blocked`], so the pair is in one order).
    Blocked(UserId, UserId),
    /// Whether two users are friends (made with [`GraphKey::friendship`]).
    Friendship(UserId, UserId),
    /// A user's friends.
    Friends(UserId),
}

impl GraphKey {
    /// The block answer of `a` and `b`, whichever comes first.
    pub fn blocked(a: UserId, b: UserId) -> Self {
        let (lo, hi) = ordered(a, b);
        Self::Blocked(lo, hi)
    }

    /// The friendship answer of `a` and `b`, whichever comes first.
    pub fn friendship(a: UserId, b: UserId) -> Self {
        let (lo, hi) = ordered(a, b);
        Self::Friendship(lo, hi)
    }
}

/// A pair in one order.
fn ordered(a: UserId, b: UserId) -> (UserId, UserId) {
    if a <= b { (a, b) } else { (b, a) }
}

impl std::fmt::Display for GraphKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Member(c, u) => write!(f, "member:{c}:{u}"),
            Self::Members(c) => write!(f, "members:{c}"),
            Self::Conversation(c) => write!(f, "conversation:{c}"),
            Self::Blocked(a, b) => write!(f, "blocked:{a}:{b}"),
            Self::Friendship(a, b) => write!(f, "friendship:{a}:{b}"),
            Self::Friends(u) => write!(f, "friends:{u}"),
        }
    }
}

/// A cached answer, typed, so that the in-process cache hands back the value
/// it was given (a hit is a clone, not a parse); a shared cache stores its
/// JSON. Which one a key holds follows from the key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GraphAnswer {
    /// [`GraphKey::Member`]: the user's role, `None` for no member.
    Role(Option<MemberRole>),
    /// [`GraphKey::Members`]: the member ids.
    Members(Vec<UserId>),
    /// [`GraphKey::Conversation`]: the conversation, if there is one.
    Conversation(Option<Box<Conversation>>),
    /// [`GraphKey::Blocked`], [`GraphKey::Friendship`]: whether it holds.
    Holds(bool),
    /// [`GraphKey::Friends`]: the user's friends.
    Friends(Vec<Relation>),
}

/// A small key-value cache of answers. Entries expire on their
/// own (a bound on staleness if a `forget` is ever lost); writers `forget`
/// the keys their change affects, after the change is stored.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait GraphCache: Send + Sync {
    /// The cached answer for `key`, if any.
    ///
    /// # Errors
    /// When the cache is unreachable (callers then ask the store).
    async fn get(&self, key: GraphKey) -> Result<Option<GraphAnswer>, StoreError>;

    /// Caches each `(key, value)` for the cache's lifetime of an entry; many
    /// at once (a connecting user's memberships) in one round trip.
    ///
    /// # Errors
    /// When the cache is unreachable.
    async fn put(&self, entries: Vec<(GraphKey, GraphAnswer)>) -> Result<(), StoreError>;

    /// Drops the answers under `keys`, on every node.
    ///
    /// # Errors
    /// When the cache is unreachable.
    async fn forget(&self, keys: Vec<GraphKey>) -> Result<(), StoreError>;
}
