//! Publisher confirms: each publication waits until the broker has taken
//! responsibility for it (written it to the durable queue).

use amqprs::callbacks::ChannelCallback;
use amqprs::channel::{BasicPublishArguments, Channel, ConfirmSelectArguments};
use amqprs::{Ack, BasicProperties, Cancel, CloseChannel, Nack, Return};
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::oneshot;

/// How long the broker may take to confirm before the publication counts as failed.
const CONFIRM_TIMEOUT: Duration = Duration::from_secs(5);

/// Publications waiting for their confirm, by delivery tag.
#[derive(Default)]
struct Pending {
    /// The tag the next publication gets (the broker numbers from 1).
    next: u64,
    /// Who waits for which tag.
    waiting: BTreeMap<u64, oneshot::Sender<bool>>,
}

/// A channel in confirm mode.
#[derive(Clone)]
pub(crate) struct Publisher {
    channel: Channel,
    pending: Arc<Mutex<Pending>>,
    /// Tags must be taken in the order publications reach the broker.
    order: Arc<tokio::sync::Mutex<()>>,
}

/// Why a publication failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum PublishError {
    /// The channel refused it.
    #[error("publish failed: {0}")]
    Channel(#[from] amqprs::error::Error),
    /// The broker said no, or the channel closed first.
    #[error("the broker did not take the event")]
    Refused,
    /// No confirm in time.
    #[error("no confirm from the broker in time")]
    Timeout,
}

impl Publisher {
    /// Puts `channel` in confirm mode.
    pub(crate) async fn new(channel: Channel) -> Result<Self, amqprs::error::Error> {
        let pending = Arc::new(Mutex::new(Pending {
            next: 1,
            waiting: BTreeMap::new(),
        }));
        channel.register_callback(Confirms(pending.clone())).await?;
        channel
            .confirm_select(ConfirmSelectArguments::default())
            .await?;
        Ok(Self {
            channel,
            pending,
            order: Arc::default(),
        })
    }

    /// The channel, for declarations and queries.
    pub(crate) fn channel(&self) -> &Channel {
        &self.channel
    }

    /// Publishes and waits for the broker's confirm.
    pub(crate) async fn publish(
        &self,
        properties: BasicProperties,
        body: Vec<u8>,
        exchange: &str,
        routing_key: &str,
    ) -> Result<(), PublishError> {
        let confirmed = {
            let _order = self.order.lock().await;
            let (tx, rx) = oneshot::channel();
            let tag = {
                let mut pending = lock(&self.pending);
                let tag = pending.next;
                pending.next += 1;
                pending.waiting.insert(tag, tx);
                tag
            };
            let args = BasicPublishArguments::new(exchange, routing_key);
            if let Err(e) = self.channel.basic_publish(properties, body, args).await {
                lock(&self.pending).waiting.remove(&tag);
                return Err(e.into());
            }
            rx
        };
        match tokio::time::timeout(CONFIRM_TIMEOUT, confirmed).await {
            Ok(Ok(true)) => Ok(()),
            Ok(Ok(false) | Err(_)) => Err(PublishError::Refused),
            Err(_) => Err(PublishError::Timeout),
        }
    }
}

fn lock(pending: &Mutex<Pending>) -> std::sync::MutexGuard<'_, Pending> {
    pending.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Resolves waiting publications as the broker acks or nacks them.
struct Confirms(Arc<Mutex<Pending>>);

impl Confirms {
    fn settle(&self, tag: u64, multiple: bool, taken: bool) {
        let mut pending = lock(&self.0);
        let settled = if multiple {
            let later = pending.waiting.split_off(&(tag + 1));
            std::mem::replace(&mut pending.waiting, later)
        } else {
            pending
                .waiting
                .remove(&tag)
                .map(|tx| BTreeMap::from([(tag, tx)]))
                .unwrap_or_default()
        };
        for (_, waiter) in settled {
            let _ = waiter.send(taken);
        }
    }
}

#[async_trait]
impl ChannelCallback for Confirms {
    async fn close(
        &mut self,
        _channel: &Channel,
        close: CloseChannel,
    ) -> Result<(), amqprs::error::Error> {
        tracing::warn!(reason = %close, "broker closed the publishing channel");
        lock(&self.0).waiting.clear();
        Ok(())
    }

    async fn cancel(
        &mut self,
        _channel: &Channel,
        _cancel: Cancel,
    ) -> Result<(), amqprs::error::Error> {
        Ok(())
    }

    async fn flow(
        &mut self,
        _channel: &Channel,
        active: bool,
    ) -> Result<bool, amqprs::error::Error> {
        Ok(active)
    }

    async fn publish_ack(&mut self, _channel: &Channel, ack: Ack) {
        self.settle(ack.delivery_tag(), ack.mutiple(), true);
    }

    async fn publish_nack(&mut self, _channel: &Channel, nack: Nack) {
        self.settle(nack.delivery_tag(), nack.multiple(), false);
    }

    async fn publish_return(
        &mut self,
        _channel: &Channel,
        _ret: Return,
        _basic_properties: BasicProperties,
        _content: Vec<u8>,
    ) {
    }
}
