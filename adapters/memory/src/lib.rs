//! In-process adapters for the embedded default and for tests: the
//! prioritized event queue with retries and dead letters, presence, rate
//! limits and the graph cache of one node, the system clock, and the
//! reference store ([`InMemoryStore`]: every store port in memory).

mod clock;
mod graph;
mod presence;
mod queue;
mod rate_limit;
mod stores;

pub use clock::SystemClock;
pub use graph::InMemoryGraphCache;
pub use presence::InMemoryPresence;
pub use queue::{DeadLetter, InProcessQueue, QueueWorker};
pub use rate_limit::LocalRateLimiter;
pub use stores::InMemoryStore;
