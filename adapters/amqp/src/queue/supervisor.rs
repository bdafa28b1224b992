//! The supervisor: keeps one broker connection, reconnecting with backoff,
//! declares the topology and feeds the consumer while it is up.

use super::partitions::Consumers;
use super::{Inner, Link, SessionError};
use crate::confirms::Publisher;
use crate::topology;
use amqprs::connection::{Connection, OpenConnectionArguments};
use chatchit_domain::ports::EventConsumer;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Keeps the broker connection; spawned once the consumer exists (the
/// consumer's services publish to the queue, so the queue comes first).
pub struct Supervisor {
    pub(super) inner: Arc<Inner>,
}

impl Supervisor {
    /// Connects (and reconnects) and feeds `consumer` until shut down.
    pub fn spawn(self, consumer: Arc<dyn EventConsumer>) -> JoinHandle<()> {
        tokio::spawn(supervise(self.inner, consumer))
    }
}

/// Keeps a connection up: reconnects with backoff whenever it drops.
async fn supervise(inner: Arc<Inner>, consumer: Arc<dyn EventConsumer>) {
    let mut stop = inner.stop.subscribe();
    let mut backoff = Duration::from_millis(100);
    loop {
        match session(&inner, &consumer, &mut stop).await {
            Ok(()) => break,
            Err(e) => {
                if inner.current().is_some() {
                    backoff = Duration::from_millis(100);
                }
                inner.set_link(None);
                tracing::warn!(error = %e, retry_in = ?backoff, "broker unavailable; events are handled in process (degraded)");
            }
        }
        tokio::select! {
            () = tokio::time::sleep(backoff) => {}
            () = stopped(&mut stop) => break,
        }
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
    inner.set_link(None);
}

/// One connection's life: connect, declare, consume until it drops or stop.
async fn session(
    inner: &Arc<Inner>,
    consumer: &Arc<dyn EventConsumer>,
    stop: &mut watch::Receiver<bool>,
) -> Result<(), SessionError> {
    let mut args = OpenConnectionArguments::try_from(inner.settings.url.as_str())?;
    args.heartbeat(10).connection_name("chatchit");
    let connection = Connection::open(&args).await?;
    let publisher = Publisher::new(connection.open_channel(None).await?).await?;
    topology::declare(
        publisher.channel(),
        &inner.names,
        inner.settings.idle_expiry,
    )
    .await?;
    inner.set_link(Some(Link {
        connection: connection.clone(),
        publisher: publisher.clone(),
    }));
    tracing::info!("broker connected; events travel RabbitMQ");
    let mut consumers = Consumers::new(inner.clone(), consumer.clone(), connection.clone());
    let ended = run(inner, &mut consumers, &connection, &publisher, stop).await;
    consumers.stop_all().await;
    if ended.is_ok() {
        inner.set_link(None);
        let _ = connection.close().await;
    }
    ended
}

/// Keeps the partitions shared out and the depth figures fresh until the
/// connection drops or the node stops.
async fn run(
    inner: &Arc<Inner>,
    consumers: &mut Consumers,
    connection: &Connection,
    publisher: &Publisher,
    stop: &mut watch::Receiver<bool>,
) -> Result<(), SessionError> {
    // A zero period would panic the timer; a few milliseconds is plenty.
    let every = inner
        .settings
        .rebalance_every
        .max(Duration::from_millis(10));
    let mut tick = tokio::time::interval(every);
    loop {
        tokio::select! {
            () = stopped(stop) => return Ok(()),
            _ = tick.tick() => {
                if !connection.is_open() {
                    return Err(SessionError::Lost);
                }
                consumers.rebalance().await?;
                inner.count(publisher).await?;
            }
        }
    }
}

/// Resolves once the stop flag is set (holding no borrow of it afterwards).
async fn stopped(stop: &mut watch::Receiver<bool>) {
    if stop.wait_for(|s| *s).await.is_err() {
        std::future::pending::<()>().await;
    }
}
