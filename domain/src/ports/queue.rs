//! The prioritized event queue port and the consumer it feeds.

use crate::events::{DomainEvent, Priority};
use async_trait::async_trait;
use std::collections::BTreeMap;
use thiserror::Error;

/// Why an event could not be queued.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum QueueError {
    /// The queue is shut down or its broker unreachable.
    #[error("queue unavailable: {0}")]
    Unavailable(String),
}

/// Why a consumer failed on an event; the queue retries, then dead-letters it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("consumer failed: {0}")]
pub struct ConsumeError(pub String);

/// What the queue holds right now, for `/admin/stats` and health.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueStats {
    /// Events waiting, per lane.
    pub depth: BTreeMap<&'static str, u64>,
    /// Events handled successfully since start, per lane.
    pub processed: BTreeMap<&'static str, u64>,
    /// Events that failed every retry and were parked.
    pub dead_letters: u64,
}

/// How failing events are retried, by every queue: up to `max_retries` more
/// tries after the first, each after a delay that doubles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first failure (3 per the design).
    pub max_retries: u32,
    /// Delay before the first retry; doubled for each next one.
    pub base_delay: std::time::Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay: std::time::Duration::from_millis(100),
        }
    }
}

impl RetryPolicy {
    /// Whether an event that has been retried `retries` times gets another try.
    pub fn allows_retry(self, retries: u32) -> bool {
        retries < self.max_retries
    }

    /// The wait before retry number `retries + 1`.
    pub fn delay(self, retries: u32) -> std::time::Duration {
        self.base_delay * 2u32.saturating_pow(retries)
    }
}

/// Carries domain events to their processors, most urgent lane first.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait EventQueue: Send + Sync {
    /// Queues an event in the lane of its priority.
    ///
    /// # Errors
    /// `Unavailable` when the queue cannot take it.
    async fn publish(&self, event: DomainEvent) -> Result<(), QueueError>;

    /// Queues an event once `delay` has passed (timers such as a call's ring
    /// timeout travel the queue like any other event).
    ///
    /// # Errors
    /// `Unavailable` when the queue cannot take it.
    async fn publish_after(
        &self,
        event: DomainEvent,
        delay: std::time::Duration,
    ) -> Result<(), QueueError>;

    /// Puts every parked (dead-lettered) event back on the queue with its
    /// retries reset, for an admin who fixed the cause; returns how many.
    ///
    /// # Errors
    /// `Unavailable` when the queue cannot take them.
    async fn replay_dead_letters(&self) -> Result<u64, QueueError>;

    /// Current depths and counters.
    fn stats(&self) -> QueueStats;
}

/// Handles queued events (fan-out to sockets). Failures are retried by the
/// queue up to 3 times with backoff, then dead-lettered.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait EventConsumer: Send + Sync {
    /// Processes one event.
    ///
    /// # Errors
    /// `ConsumeError` when processing failed and should be retried.
    async fn consume(&self, event: DomainEvent) -> Result<(), ConsumeError>;
}

/// Lanes as listed in stats, most urgent first.
pub fn lane_names() -> [&'static str; 3] {
    Priority::ALL.map(Priority::as_str)
}
