//! The broker objects this node declares (idempotently) on every connection.

use amqprs::channel::{Channel, QueueDeclareArguments, QueueDeleteArguments};
use amqprs::{FieldTable, FieldValue};
use std::time::Duration;

/// Largest priority the queue honours; events use 10 / 5 / 1.
const MAX_PRIORITY: i32 = 10;

/// Names of the queues, all under one prefix.
#[derive(Debug, Clone)]
pub(crate) struct Names {
    /// The work queues, one per partition of the event stream.
    pub events: Vec<String>,
    /// Per partition, holds delayed events until their time, then hands
    /// them to that partition's work queue.
    pub delayed: Vec<String>,
    /// The parking queue for events that failed every retry.
    pub dead_letters: String,
}

impl Names {
    /// The names for `partitions` partitions (at least one).
    pub(crate) fn new(prefix: &str, partitions: u16) -> Self {
        let each = |what: &str| {
            (0..partitions.max(1))
                .map(|p| format!("{prefix}{what}.{p}"))
                .collect()
        };
        Self {
            events: each("events"),
            delayed: each("delayed"),
            dead_letters: format!("{prefix}dead-letters"),
        }
    }
}

fn table(entries: &[(&str, FieldValue)]) -> FieldTable {
    let mut table = FieldTable::new();
    for (key, value) in entries {
        if let Ok(key) = (*key).try_into() {
            table.insert(key, value.clone());
        }
    }
    table
}

/// Declares each partition's work queue (priorities, one active consumer
/// at a time so its events are handled in order, failed events
/// dead-lettered through the default exchange to the parking queue) and
/// delay queue, and the parking queue. With `idle_expiry`, the broker deletes each queue once it has gone
/// unused that long (for short-lived namespaces such as test runs).
pub(crate) async fn declare(
    channel: &Channel,
    names: &Names,
    idle_expiry: Option<Duration>,
) -> Result<(), amqprs::error::Error> {
    let expiry: Vec<(&str, FieldValue)> = idle_expiry
        .map(|d| {
            (
                "x-expires",
                FieldValue::I(i32::try_from(d.as_millis()).unwrap_or(i32::MAX)),
            )
        })
        .into_iter()
        .collect();
    let queue = |name: &str, arguments: &[(&str, FieldValue)]| {
        let all: Vec<(&str, FieldValue)> = arguments
            .iter()
            .cloned()
            .chain(expiry.iter().cloned())
            .collect();
        QueueDeclareArguments::durable_client_named(name)
            .arguments(table(&all))
            .finish()
    };
    channel
        .queue_declare(queue(&names.dead_letters, &[]))
        .await?;
    for (events, delayed) in names.events.iter().zip(&names.delayed) {
        channel
            .queue_declare(queue(
                events,
                &[
                    ("x-max-priority", FieldValue::I(MAX_PRIORITY)),
                    ("x-single-active-consumer", FieldValue::t(true)),
                    ("x-dead-letter-exchange", "".into()),
                    (
                        "x-dead-letter-routing-key",
                        names.dead_letters.as_str().into(),
                    ),
                ],
            ))
            .await?;
        channel
            .queue_declare(queue(
                delayed,
                &[
                    ("x-dead-letter-exchange", "".into()),
                    ("x-dead-letter-routing-key", events.as_str().into()),
                ],
            ))
            .await?;
    }
    Ok(())
}

/// How many messages `queue` holds now.
pub(crate) async fn depth(channel: &Channel, queue: &str) -> Result<u64, amqprs::error::Error> {
    let declared = channel
        .queue_declare(QueueDeclareArguments::new(queue).passive(true).finish())
        .await?;
    Ok(declared.map_or(0, |(_, count, _)| u64::from(count)))
}

/// Deletes the queues.
pub(crate) async fn delete(channel: &Channel, names: &Names) -> Result<(), amqprs::error::Error> {
    let all = names.events.iter().chain(&names.delayed);
    for queue in all.chain(std::iter::once(&names.dead_letters)) {
        channel
            .queue_delete(QueueDeleteArguments::new(queue))
            .await?;
    }
    Ok(())
}
