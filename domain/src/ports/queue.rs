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
