//! The broker objects this node declares (idempotently) on every connection.

use amqprs::channel::{
    Channel, ExchangeDeclareArguments, QueueBindArguments, QueueDeclareArguments,
};
use amqprs::{FieldTable, FieldValue};

/// Largest priority the queue honours; events use 10 / 5 / 1.
const MAX_PRIORITY: i32 = 10;

/// Names of the queues and exchanges, all under one prefix.
#[derive(Debug, Clone)]
pub(crate) struct Names {
    /// The work queue.
    pub events: String,
    /// Holds delayed events until their time, then hands them to `events`.
    pub delayed: String,
    /// Where failed events are dead-lettered.
    pub dead_exchange: String,
    /// The parking queue for events that failed every retry.
    pub dead_letters: String,
}

impl Names {
    pub(crate) fn new(prefix: &str) -> Self {
        Self {
            events: format!("{prefix}events"),
            delayed: format!("{prefix}delayed"),
            dead_exchange: format!("{prefix}dead"),
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

/// Declares the work queue (priorities, one active consumer at a time so
/// events are handled in order, dead letters to the parking queue), the delay
/// queue and the parking queue.
pub(crate) async fn declare(channel: &Channel, names: &Names) -> Result<(), amqprs::error::Error> {
    channel
        .exchange_declare(
            ExchangeDeclareArguments::new(&names.dead_exchange, "fanout")
                .durable(true)
                .finish(),
        )
        .await?;
    channel
        .queue_declare(QueueDeclareArguments::durable_client_named(&names.dead_letters).finish())
        .await?;
    channel
        .queue_bind(QueueBindArguments::new(
            &names.dead_letters,
            &names.dead_exchange,
            "",
        ))
        .await?;
    channel
        .queue_declare(
            QueueDeclareArguments::durable_client_named(&names.events)
                .arguments(table(&[
                    ("x-max-priority", FieldValue::I(MAX_PRIORITY)),
                    ("x-single-active-consumer", FieldValue::t(true)),
                    (
                        "x-dead-letter-exchange",
                        names.dead_exchange.as_str().into(),
                    ),
                ]))
                .finish(),
        )
        .await?;
    channel
        .queue_declare(
            QueueDeclareArguments::durable_client_named(&names.delayed)
                .arguments(table(&[
                    ("x-dead-letter-exchange", "".into()),
                    ("x-dead-letter-routing-key", names.events.as_str().into()),
                ]))
                .finish(),
        )
        .await?;
    Ok(())
}

/// How many messages `queue` holds now.
pub(crate) async fn depth(channel: &Channel, queue: &str) -> Result<u64, amqprs::error::Error> {
    let declared = channel
        .queue_declare(QueueDeclareArguments::new(queue).passive(true).finish())
        .await?;
    Ok(declared.map_or(0, |(_, count, _)| u64::from(count)))
}

/// Deletes the queues and the exchange.
pub(crate) async fn delete(channel: &Channel, names: &Names) -> Result<(), amqprs::error::Error> {
    for queue in [&names.events, &names.delayed, &names.dead_letters] {
        channel
            .queue_delete(amqprs::channel::QueueDeleteArguments::new(queue))
            .await?;
    }
    channel
        .exchange_delete(amqprs::channel::ExchangeDeleteArguments::new(
            &names.dead_exchange,
        ))
        .await
}
