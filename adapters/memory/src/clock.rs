//! The real clock.

use chatchit_domain::ports::Clock;
use chatchit_domain::time::Timestamp;

/// Reads the system time.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_datetime(chrono::Utc::now())
    }
}
