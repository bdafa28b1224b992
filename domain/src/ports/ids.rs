//! The identifier port: where new ids come from, so that tests (and a host
//! with its own scheme) can choose them.

use uuid::Uuid;

/// Hands out new identifiers for users, sessions, conversations, messages,
/// stories, friend requests, reports and calls. They must be unique; time
/// order (as UUID v7 gives) keeps indexes compact and pages stable.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait IdGenerator: Send + Sync {
    /// A new identifier.
    fn next(&self) -> Uuid;
}

/// Time-ordered random UUIDs (v7): the default everywhere.
#[derive(Debug, Clone, Copy, Default)]
pub struct TimeOrderedIds;

impl IdGenerator for TimeOrderedIds {
    fn next(&self) -> Uuid {
        Uuid::now_v7()
    }
}
