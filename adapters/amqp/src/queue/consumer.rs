//! The consumer: each delivery is decoded and processed, then acked; a
//! failure is retried as the policy says (the count in the `x-retries`
//! header), and dead-lettered after the last retry.

use super::{DUE_AT, Inner, RETRIES, lane, now_millis};
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
        let lane_name = event.priority().as_str();
        if let Some(due) = message.basic_properties.as_ref().and_then(due_at) {
            // Across nodes this leans on their clocks agreeing (NTP).
            let waited =
                std::time::Duration::from_millis(u64::try_from(now_millis() - due).unwrap_or(0));
            self.waits[lane(event.priority())].record(waited);
            metrics::histogram!("chatchit_queue_wait_seconds", "lane" => lane_name)
                .record(waited.as_secs_f64());
        }
        let started = std::time::Instant::now();
        let outcome = consumer.consume(event.clone()).await;
        metrics::histogram!("chatchit_queue_processing_seconds", "lane" => lane_name)
            .record(started.elapsed().as_secs_f64());
        match outcome {
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
        let mut depth = 0;
        for queue in &self.names.events {
            depth += topology::depth(channel, queue).await?;
        }
        let dead = topology::depth(channel, &self.names.dead_letters).await?;
        self.depth.store(depth, Ordering::Relaxed);
        self.dead.store(dead, Ordering::Relaxed);
        Ok(())
    }
}

/// When the event was due, in Unix milliseconds, if its publisher said.
fn due_at(properties: &BasicProperties) -> Option<i64> {
    let key = DUE_AT.try_into().ok()?;
    match properties.headers()?.get(&key)? {
        FieldValue::l(ms) => Some(*ms),
        _ => None,
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
