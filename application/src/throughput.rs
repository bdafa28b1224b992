//! What this node has done since it started, counted where it happens, so
//! `/admin/stats` (and the dashboard's rates, made from two readings) can
//! say it without scraping metrics.

use std::sync::atomic::{AtomicU64, Ordering};

/// Counters shared by the use cases that do the work and the admin service
/// that reports it.
#[derive(Debug, Default)]
pub struct Throughput {
    /// Messages stored (retries answered from the store not counted).
    messages: AtomicU64,
}

impl Throughput {
    /// One more message stored.
    pub fn message_stored(&self) {
        self.messages.fetch_add(1, Ordering::Relaxed);
    }

    /// Messages stored since start.
    pub fn messages(&self) -> u64 {
        self.messages.load(Ordering::Relaxed)
    }
}
