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
    /// How long the lanes' latest events waited before processing, per lane
    /// that has seen one.
    pub wait: BTreeMap<&'static str, WaitSummary>,
}

/// The wait of a lane's latest events (up to [`LaneWaits::WINDOW`] of them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WaitSummary {
    /// Median, in microseconds.
    pub p50_us: u64,
    /// 99th percentile, in microseconds.
    pub p99_us: u64,
    /// Events it is made of.
    pub samples: u64,
}

/// The waits of one lane's latest events, kept to a fixed window so that
/// memory stays bounded and the figures follow the present.
#[derive(Debug, Default)]
pub struct LaneWaits {
    /// Microseconds, oldest first.
    recent: std::sync::Mutex<std::collections::VecDeque<u64>>,
}

impl LaneWaits {
    /// How many of the latest waits are kept.
    pub const WINDOW: usize = 1024;

    /// Notes one event's wait.
    pub fn record(&self, wait: std::time::Duration) {
        let micros = u64::try_from(wait.as_micros()).unwrap_or(u64::MAX);
        let mut recent = self
            .recent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if recent.len() == Self::WINDOW {
            recent.pop_front();
        }
        recent.push_back(micros);
    }

    /// The median and 99th percentile of the window; `None` before any.
    pub fn summary(&self) -> Option<WaitSummary> {
        let mut sorted: Vec<u64> = self
            .recent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .copied()
            .collect();
        if sorted.is_empty() {
            return None;
        }
        sorted.sort_unstable();
        let at = |q: usize| sorted[(sorted.len() * q / 100).min(sorted.len() - 1)];
        Some(WaitSummary {
            p50_us: at(50),
            p99_us: at(99),
            samples: sorted.len() as u64,
        })
    }
}

#[cfg(test)]
mod wait_tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn the_window_keeps_the_latest_waits_and_gives_their_percentiles() {
        let waits = LaneWaits::default();
        assert_eq!(waits.summary(), None);
        for ms in 1..=100 {
            waits.record(Duration::from_millis(ms));
        }
        let summary = waits.summary().expect("some");
        assert_eq!(summary.samples, 100);
        assert_eq!(summary.p50_us, 51_000);
        assert_eq!(summary.p99_us, 100_000);
        for _ in 0..LaneWaits::WINDOW {
            waits.record(Duration::from_millis(5));
        }
        let summary = waits.summary().expect("some");
        assert_eq!(summary.samples, LaneWaits::WINDOW as u64, "bounded");
        assert_eq!(summary.p99_us, 5_000, "the old waits have left the window");
    }
}

/// How failing events are retried, by every queue: up to `max_retries` more
/// tries after the first, each after a delay that doubles up to `max_delay`,
/// with jitter. The default rides out a database restart of about 20 s
/// (10 retries over 21 to 43 s) before an event is dead-lettered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first failure.
    pub max_retries: u32,
    /// Delay before the first retry; doubled for each next one.
    pub base_delay: std::time::Duration,
    /// No retry waits longer than this.
    pub max_delay: std::time::Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 10,
            base_delay: std::time::Duration::from_millis(100),
            max_delay: std::time::Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// Whether an event that has been retried `retries` times gets another try.
    pub fn allows_retry(self, retries: u32) -> bool {
        retries < self.max_retries
    }

    /// The wait before retry number `retries + 1`: the doubled delay (at
    /// most `max_delay`) times a factor between 0.5 and 1 picked by
    /// `jitter` (any number in 0..1, e.g. a random one), so that events
    /// that failed together are not all retried at the same moment.
    pub fn delay(self, retries: u32, jitter: f64) -> std::time::Duration {
        let doubled = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(retries))
            .min(self.max_delay);
        doubled.mul_f64(0.5 + jitter.clamp(0.0, 1.0) / 2.0)
    }

    /// The longest an event can spend in retries before it is
    /// dead-lettered (every delay at its full length).
    pub fn longest(self) -> std::time::Duration {
        (0..self.max_retries).map(|r| self.delay(r, 1.0)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn retries_double_up_to_the_cap_with_jitter_and_ride_a_restart() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.delay(0, 1.0), Duration::from_millis(100));
        assert_eq!(policy.delay(3, 1.0), Duration::from_millis(800));
        assert_eq!(policy.delay(3, 0.0), Duration::from_millis(400));
        assert_eq!(policy.delay(9, 1.0), Duration::from_secs(10), "capped");
        assert_eq!(
            policy.delay(40, 7.0),
            Duration::from_secs(10),
            "no overflow"
        );
        assert!(policy.allows_retry(9) && !policy.allows_retry(10));
        assert!(policy.longest() >= Duration::from_secs(40));
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
/// queue as its [`RetryPolicy`] says, then dead-lettered.
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
