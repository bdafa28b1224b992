//! The in-process `GraphCache`: answers kept for a minute, for one node, as
//! the values they are (a hit is a clone, no JSON).

use async_trait::async_trait;
use chatchit_domain::StoreError;
use chatchit_domain::ports::{GraphAnswer, GraphCache, GraphKey};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// Cached answers with their expiry, bounded in number.
pub struct InMemoryGraphCache {
    entries: Mutex<HashMap<GraphKey, (GraphAnswer, Instant)>>,
    ttl: Duration,
    capacity: usize,
}

impl InMemoryGraphCache {
    /// A cache whose entries live `ttl`, holding at most `capacity` of them
    /// (when full, expired entries go first, then everything).
    pub fn new(ttl: Duration, capacity: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            ttl,
            capacity,
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<GraphKey, (GraphAnswer, Instant)>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[async_trait]
impl GraphCache for InMemoryGraphCache {
    async fn get(&self, key: GraphKey) -> Result<Option<GraphAnswer>, StoreError> {
        let mut entries = self.lock();
        match entries.get(&key) {
            Some((value, expires)) if *expires > Instant::now() => Ok(Some(value.clone())),
            Some(_) => {
                entries.remove(&key);
                Ok(None)
            }
            None => Ok(None),
        }
    }

    async fn put(&self, new: Vec<(GraphKey, GraphAnswer)>) -> Result<(), StoreError> {
        let mut entries = self.lock();
        let now = Instant::now();
        if entries.len() + new.len() > self.capacity {
            entries.retain(|_, (_, expires)| *expires > now);
            if entries.len() + new.len() > self.capacity {
                entries.clear();
            }
        }
        entries.extend(
            new.into_iter()
                .map(|(key, value)| (key, (value, now + self.ttl))),
        );
        Ok(())
    }

    async fn forget(&self, keys: Vec<GraphKey>) -> Result<(), StoreError> {
        let mut entries = self.lock();
        for key in keys {
            entries.remove(&key);
        }
        Ok(())
    }
}
