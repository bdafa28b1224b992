//! Fault injection for the fault suite: a configured fault makes the process
//! fail at one chosen point, as a real crash would. Unset (the default) it
//! changes nothing; never set it in production.

use async_trait::async_trait;
use chatchit_domain::events::DomainEvent;
use chatchit_domain::ports::{EventQueue, QueueError, QueueStats};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

/// Where the process is to fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fault {
    /// Abort (as `kill -9` would end it) when a new message's event is to
    /// be queued: after the message's commit, before its relay.
    AbortBeforeRelay,
}

/// `queue` with `fault` injected, if any.
pub fn inject(queue: Arc<dyn EventQueue>, fault: Option<Fault>) -> Arc<dyn EventQueue> {
    match fault {
        Some(Fault::AbortBeforeRelay) => Arc::new(AbortBeforeRelay(queue)),
        None => queue,
    }
}

/// Aborts the process instead of queueing a `MessageCreated`.
struct AbortBeforeRelay(Arc<dyn EventQueue>);

#[async_trait]
impl EventQueue for AbortBeforeRelay {
    async fn publish(&self, event: DomainEvent) -> Result<(), QueueError> {
        if matches!(event, DomainEvent::MessageCreated { .. }) {
            tracing::error!("fault injected: aborting between a commit and its relay");
            std::process::abort();
        }
        self.0.publish(event).await
    }

    async fn publish_after(&self, event: DomainEvent, delay: Duration) -> Result<(), QueueError> {
        self.0.publish_after(event, delay).await
    }

    async fn replay_dead_letters(&self) -> Result<u64, QueueError> {
        self.0.replay_dead_letters().await
    }

    fn stats(&self) -> QueueStats {
        self.0.stats()
    }
}
