//! The in-process `RateLimiter`: one keyed GCRA limiter (governor) per action.

use async_trait::async_trait;
use chatchit_domain::StoreError;
use chatchit_domain::ports::{ANY_OTHER_ACTION, RateLimiter, RateQuota};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::collections::HashMap;
use std::num::NonZeroU32;

/// Per-action limiters over keys held in this process.
pub struct LocalRateLimiter {
    /// One limiter per listed action (`None`: listed as unlimited);
    /// [`ANY_OTHER_ACTION`]'s takes the rest, keyed by action and key.
    limiters: HashMap<String, Option<DefaultKeyedRateLimiter<String>>>,
}

impl LocalRateLimiter {
    /// Limiters for `quotas` (action → quota). A zero rate or burst means
    /// "unlimited" for that action.
    pub fn new(quotas: HashMap<String, RateQuota>) -> Self {
        let limiters = quotas
            .into_iter()
            .map(|(action, q)| {
                let limiter = NonZeroU32::new(q.per_minute)
                    .zip(NonZeroU32::new(q.burst))
                    .map(|(per_minute, burst)| {
                        DefaultKeyedRateLimiter::keyed(
                            Quota::per_minute(per_minute).allow_burst(burst),
                        )
                    });
                (action, limiter)
            })
            .collect();
        Self { limiters }
    }

    /// Forgets keys whose allowance has fully recovered (bounds memory).
    pub fn forget_idle(&self) {
        for limiter in self.limiters.values().flatten() {
            limiter.retain_recent();
        }
    }
}

#[async_trait]
impl RateLimiter for LocalRateLimiter {
    async fn allow(&self, action: String, key: String) -> Result<bool, StoreError> {
        if let Some(listed) = self.limiters.get(&action) {
            return Ok(listed
                .as_ref()
                .is_none_or(|limiter| limiter.check_key(&key).is_ok()));
        }
        Ok(self
            .limiters
            .get(ANY_OTHER_ACTION)
            .and_then(Option::as_ref)
            .is_none_or(|limiter| limiter.check_key(&format!("{action}:{key}")).is_ok()))
    }
}
