//! Readiness probes of the services this node uses.

use async_trait::async_trait;
use chatchit_http::{HealthCheck, HealthStatus};
use chatchit_sql::SqlDatabase;

/// Pings the database.
pub struct DatabaseHealth(pub SqlDatabase);

#[async_trait]
impl HealthCheck for DatabaseHealth {
    fn name(&self) -> &'static str {
        "database"
    }
    async fn check(&self) -> HealthStatus {
        match self.0.ping().await {
            Ok(()) => HealthStatus::Ok,
            Err(_) => HealthStatus::Down,
        }
    }
}

/// An in-process service (cache, queue): up whenever the process is.
pub struct InProcess(pub &'static str);

#[async_trait]
impl HealthCheck for InProcess {
    fn name(&self) -> &'static str {
        self.0
    }
    async fn check(&self) -> HealthStatus {
        HealthStatus::Ok
    }
}
