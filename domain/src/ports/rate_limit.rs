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

/// Decides whether one more action of a kind is allowed for a key.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait RateLimiter: Send + Sync {
    /// Counts one `action` (an event name, `auth`, ...) for `key` (a user id,
    /// an IP address) and says whether it is within its quota. Actions with
    /// no quota are always allowed.
    ///
    /// # Errors
    /// When a shared counter store is unreachable.
    async fn allow(&self, action: String, key: String) -> Result<bool, StoreError>;
}
