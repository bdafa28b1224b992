//! Rate-limit counters shared by every node: the same GCRA rule as the
//! in-process limiter, kept in Redis and decided by one atomic script, so a
//! user's allowance is the same whichever node their sockets are on.

use crate::connection::{Redis, unavailable};
use async_trait::async_trait;
use chatchit_domain::StoreError;
use chatchit_domain::ports::{ANY_OTHER_ACTION, RateLimiter, RateQuota};
use std::collections::HashMap;
use std::sync::Arc;

/// GCRA: KEYS[1] holds the theoretical arrival time in µs (Redis's clock);
/// ARGV = emission interval µs, burst. Returns 1 when allowed.
const GCRA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local next_tat = tat + interval
if next_tat - now > interval * tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], next_tat, 'PX', math.ceil((next_tat - now) / 1000))
return 1
";

/// The cluster-wide limiter. While Redis is unreachable it decides with a
/// node-local limiter instead, so limits still hold (per node) and nobody is
/// refused because of the outage.
pub struct RedisRateLimiter {
    /// The counters.
    redis: Redis,
    /// Emission interval (µs) and burst per listed action (`None`: listed
    /// as unlimited).
    quotas: HashMap<String, Option<(u64, u32)>>,
    /// Decides while Redis is away.
    fallback: Arc<dyn RateLimiter>,
    /// The script, loaded once.
    script: redis::Script,
}

impl RedisRateLimiter {
    /// Limits `quotas` (action → quota; a zero rate or burst is unlimited),
    /// falling back to `fallback` during a Redis outage.
    pub fn new(
        redis: Redis,
        quotas: HashMap<String, RateQuota>,
        fallback: Arc<dyn RateLimiter>,
    ) -> Self {
        let quotas = quotas
            .into_iter()
            .map(|(action, q)| {
                let limited = q.per_minute > 0 && q.burst > 0;
                let quota = limited.then(|| (60_000_000 / u64::from(q.per_minute), q.burst));
                (action, quota)
            })
            .collect();
        Self {
            redis,
            quotas,
            fallback,
            script: redis::Script::new(GCRA),
        }
    }

    async fn shared(&self, action: &str, key: &str, quota: (u64, u32)) -> Result<bool, StoreError> {
        let mut conn = self.redis.commands();
        let allowed: i64 = self
            .script
            .key(self.redis.key(&format!("rate:{action}:{key}")))
            .arg(quota.0)
            .arg(quota.1)
            .invoke_async(&mut conn)
            .await
            .map_err(unavailable)?;
        Ok(allowed == 1)
    }
}

#[async_trait]
impl RateLimiter for RedisRateLimiter {
    async fn allow(&self, action: String, key: String) -> Result<bool, StoreError> {
        let Some(&Some(quota)) = self
            .quotas
            .get(&action)
            .or_else(|| self.quotas.get(ANY_OTHER_ACTION))
        else {
            return Ok(true);
        };
        match self.shared(&action, &key, quota).await {
            Ok(allowed) => Ok(allowed),
            Err(e) => {
                tracing::warn!(error = %e, "shared rate limits unavailable; limiting per node");
                self.fallback.allow(action, key).await
            }
        }
    }
}
