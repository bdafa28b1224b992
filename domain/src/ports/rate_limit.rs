//! The rate-limit port: a counter shared by whatever enforces limits, so a
//! cluster-wide store can replace the in-process one.

use crate::StoreError;
use async_trait::async_trait;

/// How much of an action is allowed: a sustained rate and a burst.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateQuota {
    /// Sustained allowance per minute.
    pub per_minute: u32,
    /// How many may come at once.
    pub burst: u32,
}

/// The quota-table entry that applies to every action without one of its
/// own, each such action still counted on its own. With it, an action nobody
/// listed (a new event, say) is limited by default instead of unlimited.
pub const ANY_OTHER_ACTION: &str = "*";

/// Decides whether one more action of a kind is allowed for a key.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait RateLimiter: Send + Sync {
    /// Counts one `action` (an event name, `auth`, ...) for `key` (a user id,
    /// an IP address) and says whether it is within its quota. Actions with
    /// no quota of their own have the [`ANY_OTHER_ACTION`] quota; without
    /// that entry they are allowed.
    ///
    /// # Errors
    /// When a shared counter store is unreachable.
    async fn allow(&self, action: String, key: String) -> Result<bool, StoreError>;
}
