//! In-process adapters for the embedded default and for tests: the
//! prioritized event queue with retries and dead letters, and the system clock.

mod clock;
mod presence;
mod queue;
mod rate_limit;

pub use clock::SystemClock;
pub use presence::InMemoryPresence;
pub use queue::{DeadLetter, InProcessQueue, QueueWorker, RetryPolicy};
pub use rate_limit::LocalRateLimiter;
