//! The presence store port.

use crate::StoreError;
use crate::ids::{NodeId, UserId};
use crate::presence::{Presence, PresenceStatus};
use crate::time::Timestamp;
use async_trait::async_trait;

/// Counts each user's live sockets and keeps their chosen status.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait PresenceStore: Send + Sync {
    /// A socket of `user` connected; returns the presence after it.
    ///
    /// # Errors
    /// When the store is unreachable.
    async fn connected(&self, user: UserId) -> Result<Presence, StoreError>;

    /// A socket of `user` closed at `at`; when it was the last one the user
    /// goes `Offline` with `last_seen_at`. Returns the presence after it.
    ///
    /// # Errors
    /// When the store is unreachable.
    async fn disconnected(&self, user: UserId, at: Timestamp) -> Result<Presence, StoreError>;

    /// Sets the status a connected user shows (not `Offline`) at `at`. A
    /// status that hides the user (`Invisible`) makes them look as if they
    /// left: `last_seen_at` becomes `at`, on every adapter alike.
    ///
    /// # Errors
    /// When the store is unreachable.
    async fn set_status(
        &self,
        user: UserId,
        status: PresenceStatus,
        at: Timestamp,
    ) -> Result<Presence, StoreError>;

    /// The current presence.
    ///
    /// # Errors
    /// When the store is unreachable.
    async fn get(&self, user: UserId) -> Result<Presence, StoreError>;

    /// Forgets the sockets of nodes that stopped answering (a crashed node
    /// cannot say goodbye); users left with no socket go `Offline` as of `at`.
    /// Returns those users' changes. A store that lives inside one node has
    /// no other node to lose, and returns none.
    ///
    /// # Errors
    /// When the store is unreachable.
    async fn reap(&self, at: Timestamp) -> Result<Vec<PresenceChange>, StoreError>;
}

/// A user's presence before and after a change the store made on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PresenceChange {
    /// Whose.
    pub user: UserId,
    /// What it was.
    pub before: Presence,
    /// What it is now.
    pub after: Presence,
}

/// Which nodes of a cluster are alive, and which of them hold a user's
/// sockets: what spreads the event partitions over the nodes, and what sends
/// a delivery only to the nodes that have one of its recipients.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait NodeDirectory: Send + Sync {
    /// The nodes that have been heard from within their timeout, in no
    /// particular order (a node includes itself once it has been heard).
    ///
    /// # Errors
    /// When the directory is unreachable.
    async fn live_nodes(&self) -> Result<Vec<NodeId>, StoreError>;

    /// The nodes that hold at least one live socket of any of `users`, each
    /// once.
    ///
    /// # Errors
    /// When the directory is unreachable.
    async fn nodes_of(&self, users: &[UserId]) -> Result<Vec<NodeId>, StoreError>;
}
