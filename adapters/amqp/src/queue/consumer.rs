//! The consumer: each delivery is decoded and processed, then acked; a
//! failure is retried as the policy says (the count in the `x-retries`
//! header), and dead-lettered after the last retry.

use super::{Inner, RETRIES, lane};
use crate::confirms::Publisher;
use crate::topology;
use amqprs::channel::{BasicAckArguments, BasicNackArguments, Channel, ConsumerMessage};
use amqprs::{BasicProperties, FieldValue};
use chatchit_domain::events::DomainEvent;
use chatchit_domain::ports::EventConsumer;
use std::sync::Arc;
use std::sync::atomic::Ordering;

impl Inner {
    pub(super) async fn handle(
        self: &Arc<Self>,
        channel: &Channel,
        consumer: &Arc<dyn EventConsumer>,
        message: ConsumerMessage,
    ) {
        let Some(deliver) = message.deliver else {
            return;
        };
        let tag = deliver.delivery_tag();
        let retries = message.basic_properties.as_ref().map_or(0, retries_of);
        let event: DomainEvent = match serde_json::from_slice(&message.content.unwrap_or_default())
        {
            Ok(event) => event,
            Err(e) => {
                tracing::error!(error = %e, "unreadable event; dead-lettered");
                park(channel, tag).await;
                return;
            }
        };
        let kind = event.kind();
        match consumer.consume(event.clone()).await {
            Ok(()) => {
                self.processed[lane(event.priority())].fetch_add(1, Ordering::Relaxed);
                ack(channel, tag).await;
            }
            Err(e) if self.settings.retry.allows_retry(retries) => {
                tracing::warn!(kind, attempt = retries + 1, error = %e, "event failed; retrying");
                let delay = self.settings.retry.delay(retries, rand::random());
                let (inner, channel) = (self.clone(), channel.clone());
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    let requeued = match inner.current() {
                        Some(link) => inner.send(&link, &event, retries + 1, None).await.is_ok(),
                        None => false,
                    };
                    if requeued {
                        ack(&channel, tag).await;
                    } else if let Err(e) = channel
                        .basic_nack(BasicNackArguments::new(tag, false, true))
                        .await
                    {
                        tracing::warn!(error = %e, "could not return a failed event to the queue");
                    }
                });
            }
            Err(e) => {
                tracing::error!(kind, error = %e, "event failed every retry; dead-lettered");
                metrics::counter!("chatchit_dead_letters_total").increment(1);
                park(channel, tag).await;
            }
        }
    }

    /// Refreshes the depth figures.
    pub(super) async fn count(&self, publisher: &Publisher) -> Result<(), amqprs::error::Error> {
        let channel = publisher.channel();
        let depth = topology::depth(channel, &self.names.events).await?;
        let dead = topology::depth(channel, &self.names.dead_letters).await?;
        self.depth.store(depth, Ordering::Relaxed);
        self.dead.store(dead, Ordering::Relaxed);
        Ok(())
    }
}

fn retries_of(properties: &BasicProperties) -> u32 {
    let Ok(key) = RETRIES.try_into() else {
        return 0;
    };
    match properties.headers().and_then(|h| h.get(&key)) {
        Some(FieldValue::I(n)) => u32::try_from(*n).unwrap_or(0),
        Some(FieldValue::l(n)) => u32::try_from(*n).unwrap_or(0),
        _ => 0,
    }
}

async fn ack(channel: &Channel, tag: u64) {
    if let Err(e) = channel.basic_ack(BasicAckArguments::new(tag, false)).await {
        tracing::warn!(error = %e, "ack lost; the broker will redeliver the event");
    }
}

/// Rejects without requeueing: the dead-letter exchange parks it.
async fn park(channel: &Channel, tag: u64) {
    if let Err(e) = channel
        .basic_nack(BasicNackArguments::new(tag, false, false))
        .await
    {
        tracing::warn!(error = %e, "could not dead-letter an event");
    }
}
