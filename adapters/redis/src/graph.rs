//! The `GraphCache` in Redis: one cache for every node, so a change forgotten
//! by the node that made it is forgotten for all.

use crate::connection::{Redis, unavailable};
use async_trait::async_trait;
use chatchit_domain::StoreError;
use chatchit_domain::ports::{GraphAnswer, GraphCache, GraphKey};
use std::time::Duration;

/// Answers under `<prefix>graph:<key>`, each expiring after `ttl`.
pub struct RedisGraphCache {
    redis: Redis,
    ttl: Duration,
}

impl RedisGraphCache {
    /// A cache whose entries live `ttl`.
    pub fn new(redis: Redis, ttl: Duration) -> Self {
        Self { redis, ttl }
    }

    fn key(&self, key: &GraphKey) -> String {
        self.redis.key(&format!("graph:{key}"))
    }
}

#[async_trait]
impl GraphCache for RedisGraphCache {
    /// An entry that is not an answer's JSON (one written by another
    /// version, say) is a miss: the store answers, and the entry is
    /// written again.
    async fn get(&self, key: GraphKey) -> Result<Option<GraphAnswer>, StoreError> {
        let mut conn = self.redis.commands();
        let text: Option<String> = redis::cmd("GET")
            .arg(self.key(&key))
            .query_async(&mut conn)
            .await
            .map_err(unavailable)?;
        Ok(text.and_then(|text| {
            serde_json::from_str(&text)
                .map_err(|e| tracing::warn!(%key, error = %e, "unreadable graph cache entry"))
                .ok()
        }))
    }

    async fn put(&self, entries: Vec<(GraphKey, GraphAnswer)>) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        let ttl = u64::try_from(self.ttl.as_millis()).unwrap_or(u64::MAX);
        let mut pipe = redis::pipe();
        for (key, answer) in entries {
            let value = serde_json::to_string(&answer)
                .map_err(|e| StoreError::Internal(format!("graph answer as JSON: {e}")))?;
            pipe.cmd("SET")
                .arg(self.key(&key))
                .arg(value)
                .arg("PX")
                .arg(ttl)
                .ignore();
        }
        let mut conn = self.redis.commands();
        pipe.query_async::<()>(&mut conn).await.map_err(unavailable)
    }

    async fn forget(&self, keys: Vec<GraphKey>) -> Result<(), StoreError> {
        if keys.is_empty() {
            return Ok(());
        }
        let mut conn = self.redis.commands();
        let keys: Vec<String> = keys.iter().map(|k| self.key(k)).collect();
        redis::cmd("DEL")
            .arg(keys)
            .query_async::<i64>(&mut conn)
            .await
            .map(|_| ())
            .map_err(unavailable)
    }
}
