//! The graph cache port: answers to the hot path's "who may see / receive
//! this" questions (memberships, blocks, friendships), kept where every node
//! reads them fast and every node's change forgets them.

use crate::StoreError;
use async_trait::async_trait;

/// A small key-value cache of serialized answers. Entries expire on their
/// own (a bound on staleness if a `forget` is ever lost); writers `forget`
/// the keys their change affects, after the change is stored.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait GraphCache: Send + Sync {
    /// The cached answer for `key`, if any.
    ///
    /// # Errors
    /// When the cache is unreachable (callers then ask the store).
    async fn get(&self, key: String) -> Result<Option<String>, StoreError>;

    /// Caches each `(key, value)` for the cache's lifetime of an entry; many
    /// at once (a connecting user's memberships) in one round trip.
    ///
    /// # Errors
    /// When the cache is unreachable.
    async fn put(&self, entries: Vec<(String, String)>) -> Result<(), StoreError>;

    /// Drops the answers under `keys`, on every node.
    ///
    /// # Errors
    /// When the cache is unreachable.
    async fn forget(&self, keys: Vec<String>) -> Result<(), StoreError>;
}
