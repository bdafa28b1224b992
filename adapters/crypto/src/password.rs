//! bcrypt behind the `PasswordHasher` port.

use async_trait::async_trait;
use chatchit_domain::ports::{PasswordHasher, SecurityError};

/// Hashes with bcrypt at a configurable cost, on the blocking pool so the
/// async workers keep serving sockets while a hash takes its quarter second.
#[derive(Debug, Clone, Copy)]
pub struct BcryptHasher {
    /// bcrypt cost factor (12 in production, 4 in tests).
    cost: u32,
}

impl BcryptHasher {
    /// A hasher at `cost` (4–31).
    pub fn new(cost: u32) -> Self {
        Self { cost }
    }
}

fn internal(e: impl std::fmt::Display) -> SecurityError {
    SecurityError::Internal(e.to_string())
}

#[async_trait]
impl PasswordHasher for BcryptHasher {
    async fn hash(&self, password: String) -> Result<String, SecurityError> {
        let cost = self.cost;
        tokio::task::spawn_blocking(move || bcrypt::hash(password, cost))
            .await
            .map_err(internal)?
            .map_err(internal)
    }

    async fn verify(&self, password: String, hash: String) -> Result<bool, SecurityError> {
        tokio::task::spawn_blocking(move || bcrypt::verify(password, &hash))
            .await
            .map_err(internal)?
            .map_err(internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
