//! Readiness probes of the services this node uses.

use async_trait::async_trait;
use chatchit_amqp::AmqpQueue;
use chatchit_application::cluster::ClusterDelivery;
use chatchit_http::{HealthCheck, HealthStatus};
use chatchit_redis::Redis;
use chatchit_sql::SqlDatabase;
use std::sync::Arc;

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

/// Redis and the cluster bus: degraded (never down) when either fails, as the
/// node still serves its own sockets with in-process fallbacks.
pub struct RedisHealth {
    /// The connection.
    pub redis: Redis,
    /// Whether the last cross-node publication failed.
    pub cluster: Arc<ClusterDelivery>,
}

#[async_trait]
impl HealthCheck for RedisHealth {
    fn name(&self) -> &'static str {
        "cache"
    }
    async fn check(&self) -> HealthStatus {
        if self.redis.ping().await && !self.cluster.is_degraded() {
            HealthStatus::Ok
        } else {
            HealthStatus::Degraded
        }
    }
}

/// RabbitMQ: degraded while the circuit breaker sends events in process.
pub struct BrokerHealth(pub AmqpQueue);

#[async_trait]
impl HealthCheck for BrokerHealth {
    fn name(&self) -> &'static str {
        "queue"
    }
    async fn check(&self) -> HealthStatus {
        if self.0.is_degraded() {
            HealthStatus::Degraded
        } else {
            HealthStatus::Ok
        }
    }
}
