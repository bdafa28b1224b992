//! bcrypt behind the `PasswordHasher` port.

use async_trait::async_trait;
use chatchit_domain::ports::{PasswordHasher, SecurityError};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Hashes with bcrypt at a configurable cost, on the blocking pool so the
/// async workers keep serving sockets while a hash takes its quarter second.
/// At most one hash per CPU runs at a time: a flood of logins queues here
/// instead of filling the blocking pool (512 threads) with bcrypt work that
/// starves everything else.
#[derive(Debug, Clone)]
pub struct BcryptHasher {
    /// bcrypt cost factor (12 in production, 4 in tests).
    cost: u32,
    /// One permit per hash that may run at once.
    running: Arc<Semaphore>,
}

impl BcryptHasher {
    /// A hasher at `cost` (4–31), running as many hashes at once as there
    /// are CPUs.
    pub fn new(cost: u32) -> Self {
        let cpus = std::thread::available_parallelism().map_or(1, usize::from);
        Self::with_concurrency(cost, cpus)
    }

    /// A hasher at `cost` running at most `concurrency` hashes at once.
    pub fn with_concurrency(cost: u32, concurrency: usize) -> Self {
        Self {
            cost,
            running: Arc::new(Semaphore::new(concurrency.max(1))),
        }
    }

    /// Runs `work` on the blocking pool once a place is free.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> Result<T, bcrypt::BcryptError> + Send + 'static,
    ) -> Result<T, SecurityError> {
        let _place = self.running.acquire().await.map_err(internal)?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(internal)?
            .map_err(internal)
    }
}

fn internal(e: impl std::fmt::Display) -> SecurityError {
    SecurityError::Internal(e.to_string())
}

#[async_trait]
impl PasswordHasher for BcryptHasher {
    async fn hash(&self, password: String) -> Result<String, SecurityError> {
        let cost = self.cost;
        self.run(move || bcrypt::hash(password, cost)).await
    }

    async fn verify(&self, password: String, hash: String) -> Result<bool, SecurityError> {
        self.run(move || bcrypt::verify(password, &hash)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_waits_while_every_place_is_taken() {
        let hasher = BcryptHasher::with_concurrency(4, 1);
        let taken = hasher.running.clone().acquire_owned().await.expect("place");
        let mut waiting = std::pin::pin!(hasher.hash("correct horse".into()));
        for _ in 0..10 {
            assert!(futures_util::poll!(waiting.as_mut()).is_pending());
            tokio::task::yield_now().await;
        }
        drop(taken);
        assert!(waiting.await.is_ok(), "it runs once a place is free");
    }

    #[tokio::test]
    async fn verifies_the_right_password_only() {
        let hasher = BcryptHasher::new(4);
        let hash = hasher.hash("correct horse".into()).await.expect("hash");
        assert!(
            hasher
                .verify("correct horse".into(), hash.clone())
                .await
                .expect("verify")
        );
        assert!(
            !hasher
                .verify("wrong horse".into(), hash)
                .await
                .expect("verify")
        );
    }
}
