//! The `EventQueue` on RabbitMQ. A supervisor task keeps one connection (and
//! reconnects with backoff when it drops); while it is down the circuit
//! breaker is open and events go to the in-process fallback queue, so the node
//! keeps working and reports itself degraded. Events are persistent and every
//! publication waits for the broker's confirm; the consumer acks each event
//! after its processor succeeded, retries a failed one as its `RetryPolicy`
//! says (the count travels in the `x-retries` header), then rejects it to the
//! dead-letter exchange, whose parking queue an admin can replay.

mod consumer;
mod partitions;
mod supervisor;

pub use supervisor::Supervisor;

use crate::confirms::{PublishError, Publisher};
use crate::topology::{self, Names};
use amqprs::channel::{BasicAckArguments, BasicGetArguments};
use amqprs::connection::Connection;
use amqprs::{BasicProperties, FieldTable, FieldValue};
use async_trait::async_trait;
use chatchit_domain::events::{DomainEvent, Priority};
use chatchit_domain::ids::NodeId;
use chatchit_domain::ports::{
    EventQueue, LaneWaits, NodeDirectory, QueueError, QueueStats, RetryPolicy,
};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;
use tokio::sync::watch;

/// The header that counts retries.
const RETRIES: &str = "x-retries";

/// Where the broker is and how this node uses it.
#[derive(Debug, Clone)]
pub struct AmqpSettings {
    /// `amqp://user:password@host:port/vhost`.
    pub url: String,
    /// Put before every queue and exchange name.
    pub prefix: String,
    /// Unacknowledged events the broker may hand this node at once.
    pub prefetch: u16,
    /// How failed events are retried before they are parked.
    pub retry: RetryPolicy,
    /// When set, the broker deletes the queues after they went unused this
    /// long (short-lived namespaces such as test runs); never in production,
    /// where it would drop the events of a stopped cluster.
    pub idle_expiry: Option<Duration>,
    /// How many partitions the event stream has: events are routed by
    /// [`DomainEvent::partition`], each partition is one queue with its own
    /// single active consumer, and the nodes share the partitions. Every
    /// node of a cluster must use the same number.
    pub partitions: u16,
    /// How often this node looks at the live nodes and takes up or gives up
    /// partitions.
    pub rebalance_every: Duration,
}

/// Who this node is among the others, for sharing the partitions.
#[derive(Clone)]
pub struct Membership {
    /// This node.
    pub node: NodeId,
    /// The live nodes; without it this node consumes every partition (the
    /// broker makes the first node to subscribe each one's consumer).
    pub directory: Option<Arc<dyn NodeDirectory>>,
}

/// The broker-backed queue; clones share one connection.
#[derive(Clone)]
pub struct AmqpQueue {
    inner: Arc<Inner>,
}

struct Inner {
    settings: AmqpSettings,
    names: Names,
    /// Who this node is.
    membership: Membership,
    /// The partitions this node is the chosen consumer of, as last planned.
    owned: RwLock<Vec<u16>>,
    /// Takes events while the breaker is open.
    fallback: Arc<dyn EventQueue>,
    /// The live connection; `None` while the breaker is open.
    link: RwLock<Option<Link>>,
    /// Events this node handled, per lane.
    processed: [AtomicU64; 3],
    /// The waits of the latest events this node handled, per lane.
    waits: [LaneWaits; 3],
    /// Events in the work queue, as last counted.
    depth: AtomicU64,
    /// Events in the parking queue, as last counted.
    dead: AtomicU64,
    /// Fires to stop the supervisor.
    stop: watch::Sender<bool>,
    /// Whether the breaker is closed (the broker in use).
    connected: watch::Sender<bool>,
}

#[derive(Clone)]
struct Link {
    connection: Connection,
    publisher: Publisher,
}

/// Why the connection ended.
#[derive(Debug, thiserror::Error)]
enum SessionError {
    #[error("{0}")]
    Amqp(#[from] amqprs::error::Error),
    #[error("the connection to the broker was lost")]
    Lost,
}

fn lane(priority: Priority) -> usize {
    match priority {
        Priority::High => 0,
        Priority::Medium => 1,
        Priority::Low => 2,
    }
}

impl AmqpQueue {
    /// The queue, and the supervisor that will connect, declare the queues
    /// and feed the consumer once spawned. Until the broker is in use, events
    /// go to `fallback`.
    pub fn new(
        settings: AmqpSettings,
        membership: Membership,
        fallback: Arc<dyn EventQueue>,
    ) -> (Self, Supervisor) {
        let names = Names::new(&settings.prefix, settings.partitions);
        let inner = Arc::new(Inner {
            settings,
            names,
            membership,
            owned: RwLock::new(Vec::new()),
            fallback,
            link: RwLock::new(None),
            processed: Default::default(),
            waits: Default::default(),
            depth: AtomicU64::new(0),
            dead: AtomicU64::new(0),
            stop: watch::channel(false).0,
            connected: watch::channel(false).0,
        });
        (
            Self {
                inner: inner.clone(),
            },
            Supervisor { inner },
        )
    }

    /// Waits until the broker is in use, at most `limit`; says whether it is.
    pub async fn wait_connected(&self, limit: Duration) -> bool {
        let mut connected = self.inner.connected.subscribe();
        tokio::time::timeout(limit, connected.wait_for(|c| *c))
            .await
            .is_ok_and(|r| r.is_ok())
    }

    /// The partitions this node is the chosen consumer of (those it
    /// consumes as a standby are not listed), as last planned.
    pub fn owned_partitions(&self) -> Vec<u16> {
        self.inner
            .owned
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Whether events currently bypass the broker (the breaker is open).
    pub fn is_degraded(&self) -> bool {
        self.inner.current().is_none()
    }

    /// Stops consuming and closes the connection; later events go to the
    /// fallback queue.
    pub fn shut_down(&self) {
        self.inner.stop.send_replace(true);
    }

    /// Deletes this prefix's queues (tests and decommissioning).
    ///
    /// # Errors
    /// `Unavailable` when the broker is not connected.
    pub async fn delete_topology(&self) -> Result<(), QueueError> {
        let link = self.inner.current().ok_or_else(broker_down)?;
        // On a channel of its own: the queues going may fail the periodic
        // count on the publishing channel, which the broker then closes.
        let channel = link
            .connection
            .open_channel(None)
            .await
            .map_err(unavailable)?;
        let deleted = topology::delete(&channel, &self.inner.names)
            .await
            .map_err(unavailable);
        let _ = channel.close().await;
        deleted
    }
}

/// The header carrying when an event is due, in Unix milliseconds.
pub(crate) const DUE_AT: &str = "x-due-at-ms";

/// Now, in Unix milliseconds (0 before 1970, which no clock here is).
pub(crate) fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

fn broker_down() -> QueueError {
    QueueError::Unavailable("the broker is not connected".into())
}

fn unavailable(e: impl std::fmt::Display) -> QueueError {
    QueueError::Unavailable(e.to_string())
}

fn properties(priority: Priority, retries: u32, delay: Option<Duration>) -> BasicProperties {
    let mut headers = FieldTable::new();
    if let Ok(key) = RETRIES.try_into() {
        headers.insert(
            key,
            FieldValue::I(i32::try_from(retries).unwrap_or(i32::MAX)),
        );
    }
    // When the event is due (now, or after its delay), in Unix milliseconds:
    // the consumer measures its wait in the queue from it.
    if let Ok(key) = DUE_AT.try_into() {
        let due = now_millis() + delay.map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(0));
        headers.insert(key, FieldValue::l(due));
    }
    let mut properties = BasicProperties::default();
    properties
        .with_persistence(true)
        .with_priority(priority.weight())
        .with_content_type("application/json")
        .with_headers(headers);
    if let Some(delay) = delay {
        properties.with_expiration(&delay.as_millis().to_string());
    }
    properties.finish()
}

impl Inner {
    fn current(&self) -> Option<Link> {
        self.link
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn set_link(&self, link: Option<Link>) {
        let up = link.is_some();
        *self.link.write().unwrap_or_else(PoisonError::into_inner) = link;
        self.connected.send_replace(up);
    }

    /// Publishes `event` to the work queue, or to the delay queue when `delay` is set.
    async fn send(
        &self,
        link: &Link,
        event: &DomainEvent,
        retries: u32,
        delay: Option<Duration>,
    ) -> Result<(), PublishError> {
        let body = serde_json::to_vec(event).map_err(|_| PublishError::Refused)?;
        let partition = usize::from(event.partition(self.settings.partitions.max(1)));
        let queues = if delay.is_some() {
            &self.names.delayed
        } else {
            &self.names.events
        };
        let queue = queues.get(partition).ok_or(PublishError::Refused)?;
        link.publisher
            .publish(
                properties(event.priority(), retries, delay),
                body,
                "",
                queue,
            )
            .await
    }

    /// Publishes through the broker, or opens the breaker and hands the event
    /// to the fallback queue.
    async fn publish_or_fall_back(
        &self,
        event: DomainEvent,
        delay: Option<Duration>,
    ) -> Result<(), QueueError> {
        if let Some(link) = self.current() {
            match self.send(&link, &event, 0, delay).await {
                Ok(()) => return Ok(()),
                Err(e) => self.trip(link, &e),
            }
        }
        match delay {
            Some(delay) => self.fallback.publish_after(event, delay).await,
            None => self.fallback.publish(event).await,
        }
    }

    /// Opens the breaker and drops the connection; the supervisor reconnects.
    fn trip(&self, link: Link, error: &PublishError) {
        tracing::warn!(error = %error, "publishing to the broker failed; opening the circuit breaker");
        self.set_link(None);
        tokio::spawn(async move {
            let _ = link.connection.close().await;
        });
    }
}

#[async_trait]
impl EventQueue for AmqpQueue {
    async fn publish(&self, event: DomainEvent) -> Result<(), QueueError> {
        self.inner.publish_or_fall_back(event, None).await
    }

    async fn publish_after(&self, event: DomainEvent, delay: Duration) -> Result<(), QueueError> {
        self.inner.publish_or_fall_back(event, Some(delay)).await
    }

    async fn replay_dead_letters(&self) -> Result<u64, QueueError> {
        let mut replayed = self.inner.fallback.replay_dead_letters().await?;
        let link = self.inner.current().ok_or_else(broker_down)?;
        let channel = link.publisher.channel();
        let parking = &self.inner.names.dead_letters;
        while let Some((get, _, body)) = channel
            .basic_get(BasicGetArguments::new(parking))
            .await
            .map_err(unavailable)?
        {
            let tag = get.delivery_tag();
            match serde_json::from_slice::<DomainEvent>(&body) {
                Ok(event) => {
                    self.inner
                        .send(&link, &event, 0, None)
                        .await
                        .map_err(unavailable)?;
                    replayed += 1;
                }
                Err(e) => tracing::error!(error = %e, "unreadable parked event dropped"),
            }
            channel
                .basic_ack(BasicAckArguments::new(tag, false))
                .await
                .map_err(unavailable)?;
        }
        self.inner
            .count(&link.publisher)
            .await
            .map_err(unavailable)?;
        Ok(replayed)
    }

    fn stats(&self) -> QueueStats {
        let mut stats = self.inner.fallback.stats();
        stats
            .depth
            .insert("broker", self.inner.depth.load(Ordering::Relaxed));
        for p in Priority::ALL {
            *stats.processed.entry(p.as_str()).or_default() +=
                self.inner.processed[lane(p)].load(Ordering::Relaxed);
        }
        stats.dead_letters += self.inner.dead.load(Ordering::Relaxed);
        for p in Priority::ALL {
            // What the broker carried, when it did: the fallback's figures
            // only while the broker is away.
            if let Some(wait) = self.inner.waits[lane(p)].summary() {
                stats.wait.insert(p.as_str(), wait);
            }
        }
        stats
    }
}
