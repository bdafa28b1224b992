//! The in-process `RateLimiter`: one keyed GCRA limiter (governor) per action.

use async_trait::async_trait;
use chatchit_domain::StoreError;
use chatchit_domain::ports::{RateLimiter, RateQuota};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::collections::HashMap;
use std::num::NonZeroU32;

/// Per-action limiters over keys held in this process.
pub struct LocalRateLimiter {
    /// One limiter per limited action; actions absent here are unlimited.
    limiters: HashMap<String, DefaultKeyedRateLimiter<String>>,
}

impl LocalRateLimiter {
    /// Limiters for `quotas` (action → quota). A zero rate or burst means
    /// "unlimited" for that action.
    pub fn new(quotas: HashMap<String, RateQuota>) -> Self {
        let limiters = quotas
            .into_iter()
            .filter_map(|(action, q)| {
                let per_minute = NonZeroU32::new(q.per_minute)?;
                let burst = NonZeroU32::new(q.burst)?;
                let quota = Quota::per_minute(per_minute).allow_burst(burst);
                Some((action, DefaultKeyedRateLimiter::keyed(quota)))
            })
            .collect();
        Self { limiters }
    }

    /// Forgets keys whose allowance has fully recovered (bounds memory).
    pub fn forget_idle(&self) {
        for limiter in self.limiters.values() {
            limiter.retain_recent();
        }
    }
}

#[async_trait]
impl RateLimiter for LocalRateLimiter {
    async fn allow(&self, action: String, key: String) -> Result<bool, StoreError> {
        Ok(self
            .limiters
            .get(&action)
            .is_none_or(|limiter| limiter.check_key(&key).is_ok()))
    }
}
