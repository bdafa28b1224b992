//! The cluster bus on Redis pub/sub: every node listens on a channel of its
//! own and on one that every node hears; a delivery is published on the
//! channels of the nodes holding a recipient (or on the shared one when
//! those are not known), and each node applies what it hears to its own
//! sockets. One publishing connection and one subscribing connection per
//! node keep each node's deliveries in the order it made them, on both
//! channels alike.

use crate::connection::{NodeId, Redis};
use async_trait::async_trait;
use chatchit_domain::ports::{ClusterBus, Delivery, DeliveryError, Dispatch, Reach};
use futures_util::StreamExt;
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// Publishes this node's deliveries and applies the others'.
#[derive(Clone)]
pub struct RedisBus {
    /// The connection.
    redis: Redis,
    /// Who we are (our own publications come back and are skipped).
    node: NodeId,
}

/// One publication: who sent it and what to do.
#[derive(serde::Deserialize)]
struct Envelope {
    origin: String,
    dispatch: Dispatch,
}

/// [`Envelope`] as it is written, borrowing the dispatch.
#[derive(serde::Serialize)]
struct Outgoing<'a> {
    origin: &'a str,
    dispatch: &'a Dispatch,
}

impl RedisBus {
    /// The bus of `node`.
    pub fn new(redis: Redis, node: NodeId) -> Self {
        Self { redis, node }
    }

    /// The channel every node hears.
    fn channel(&self) -> String {
        self.redis.key("bus")
    }

    /// The channel only `node` hears.
    fn node_channel(&self, node: &NodeId) -> String {
        self.redis.key(&format!("bus:{node}"))
    }

    /// Subscribes and applies every other node's deliveries to `local` until
    /// the task is aborted; after an outage it resubscribes with backoff.
    /// Resolves once the first subscription is in place, so nothing published
    /// after it is missed.
    pub async fn listen(&self, local: Arc<dyn Delivery>) -> JoinHandle<()> {
        let (ready, subscribed) = tokio::sync::oneshot::channel();
        let bus = self.clone();
        let task = tokio::spawn(async move {
            let mut ready = Some(ready);
            let mut backoff = Duration::from_millis(100);
            loop {
                match bus.relay(local.as_ref(), &mut ready).await {
                    Ok(()) => tracing::warn!("cluster bus subscription ended; resubscribing"),
                    Err(e) => tracing::warn!(error = %e, "cluster bus unreachable; retrying"),
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
            }
        });
        if subscribed.await.is_err() {
            tracing::warn!("cluster bus listener ended before subscribing");
        }
        task
    }

    async fn relay(
        &self,
        local: &dyn Delivery,
        ready: &mut Option<tokio::sync::oneshot::Sender<()>>,
    ) -> Result<(), redis::RedisError> {
        let mut pubsub = self.redis.client().get_async_pubsub().await?;
        pubsub
            .subscribe(&[self.channel(), self.node_channel(&self.node)])
            .await?;
        if let Some(ready) = ready.take() {
            let _ = ready.send(());
        }
        tracing::info!(node = %self.node, "cluster bus subscribed");
        let mut messages = pubsub.into_on_message();
        while let Some(message) = messages.next().await {
            let envelope: Envelope = match serde_json::from_slice(message.get_payload_bytes()) {
                Ok(envelope) => envelope,
                Err(e) => {
                    tracing::error!(error = %e, "unreadable cluster bus message");
                    continue;
                }
            };
            if envelope.origin == self.node.0 {
                continue;
            }
            metrics::counter!("chatchit_bus_dispatches_received_total").increment(1);
            if let Err(e) = local.dispatch(envelope.dispatch).await {
                tracing::warn!(error = %e, "cluster delivery failed on this node");
            }
        }
        Ok(())
    }
}

#[async_trait]
impl ClusterBus for RedisBus {
    async fn publish(&self, dispatch: &Dispatch, reach: &Reach) -> Result<(), DeliveryError> {
        let payload = serde_json::to_string(&Outgoing {
            origin: &self.node.0,
            dispatch,
        })
        .map_err(|e| DeliveryError(format!("unwritable dispatch: {e}")))?;
        let mut pipe = redis::pipe();
        match reach {
            Reach::Everyone => {
                pipe.cmd("PUBLISH")
                    .arg(self.channel())
                    .arg(&payload)
                    .ignore();
            }
            Reach::Nodes(nodes) => {
                for node in nodes {
                    pipe.cmd("PUBLISH")
                        .arg(self.node_channel(node))
                        .arg(&payload)
                        .ignore();
                }
            }
        }
        let mut conn = self.redis.commands();
        pipe.query_async::<()>(&mut conn)
            .await
            .map_err(|e| DeliveryError(format!("redis: {e}")))
    }
}
