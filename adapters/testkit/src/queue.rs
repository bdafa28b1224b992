//! The queue contract: what every `EventQueue` adapter must do with its
//! consumer, as test functions over a way to start one ([`Start`]). An
//! adapter's tests run them all with [`queue_contract!`](crate::queue_contract).

#![allow(clippy::missing_panics_doc)]

use async_trait::async_trait;
use chatchit_domain::events::DomainEvent;
use chatchit_domain::ids::{ConversationId, MessageId, UserId};
use chatchit_domain::ports::{ConsumeError, EventConsumer, EventQueue, RetryPolicy};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc};

/// How long a contract test waits for an event that should come.
pub const PATIENCE: Duration = Duration::from_secs(15);

/// The retries every contract test runs with: three, quickly.
pub fn retry() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(40),
    }
}

/// A queue feeding its consumer, and how to end it (and remove what it left
/// in a broker).
pub struct Running {
    /// Where events are published.
    pub queue: Arc<dyn EventQueue>,
    /// Stops the consumer and cleans up.
    pub finish: Pin<Box<dyn Future<Output = ()> + Send>>,
}

/// What an adapter gives the contract: a fresh queue with [`retry`] feeding
/// `consumer`, or `None` when its service is not here.
pub type Start = fn(
    RetryPolicy,
    Arc<dyn EventConsumer>,
) -> Pin<Box<dyn Future<Output = Option<Running>> + Send>>;

/// Records what it is given; fails every event when told to; when gated,
/// says it took an event and waits for a permit before recording it.
struct Recorder {
    /// Each event as it is taken, before the gate.
    taken: mpsc::UnboundedSender<()>,
    /// Each event once past the gate.
    seen: mpsc::UnboundedSender<DomainEvent>,
    /// Holds the consumer until the test lets it go on.
    gate: Option<Arc<Semaphore>>,
    /// Whether every event fails.
    fail: bool,
}

#[async_trait]
impl EventConsumer for Recorder {
    async fn consume(&self, event: DomainEvent) -> Result<(), ConsumeError> {
        let _ = self.taken.send(());
        if let Some(gate) = &self.gate {
            gate.acquire()
                .await
                .map_err(|e| ConsumeError(e.to_string()))?
                .forget();
        }
        let _ = self.seen.send(event);
        if self.fail {
            return Err(ConsumeError("always".into()));
        }
        Ok(())
    }
}

/// A low-priority event in conversation `c`.
fn typing(c: ConversationId) -> DomainEvent {
    DomainEvent::Typing {
        conversation_id: c,
        user_id: UserId::generate(),
        typing: true,
    }
}

/// A medium-priority event.
pub fn created() -> DomainEvent {
    created_in(ConversationId::generate())
}

/// A medium-priority event in conversation `c`.
fn created_in(c: ConversationId) -> DomainEvent {
    DomainEvent::ConversationCreated { conversation_id: c }
}

/// A high-priority event in conversation `c`.
fn read(c: ConversationId) -> DomainEvent {
    DomainEvent::ConversationRead {
        conversation_id: c,
        user_id: UserId::generate(),
        message_id: MessageId::generate(),
    }
}

/// The next value on `rx`, within [`PATIENCE`].
pub async fn next<T>(rx: &mut mpsc::UnboundedReceiver<T>) -> T {
    tokio::time::timeout(PATIENCE, rx.recv())
        .await
        .expect("in time")
        .expect("open")
}

/// A consumer that records what it is given (failing every event when
/// `fail`; held before each by `gate` when there is one), and the ends of
/// its channels: one signal per event taken, then each event once past the
/// gate.
pub fn recorder(
    gate: Option<Arc<Semaphore>>,
    fail: bool,
) -> (
    Arc<dyn EventConsumer>,
    mpsc::UnboundedReceiver<()>,
    mpsc::UnboundedReceiver<DomainEvent>,
) {
    let (taken, took) = mpsc::unbounded_channel();
    let (seen, saw) = mpsc::unbounded_channel();
    let consumer = Recorder {
        taken,
        seen,
        gate,
        fail,
    };
    (Arc::new(consumer), took, saw)
}

/// While the consumer is busy, what waits is handed to it most urgent first
/// (and in publication order within a lane). The events share a
/// conversation: a partitioned queue orders by priority within a partition
/// and handles partitions side by side.
pub async fn waiting_events_are_handled_most_urgent_first(start: Start) {
    let gate = Arc::new(Semaphore::new(0));
    let (consumer, mut taken, mut seen) = recorder(Some(gate.clone()), false);
    let Some(running) = start(retry(), consumer).await else {
        return;
    };
    let c = ConversationId::generate();
    let first = typing(c);
    running
        .queue
        .publish(first.clone())
        .await
        .expect("published");
    next(&mut taken).await;
    let waiting = [typing(c), created_in(c), read(c), typing(c), read(c)];
    for event in &waiting {
        running
            .queue
            .publish(event.clone())
            .await
            .expect("published");
    }
    gate.add_permits(waiting.len() + 1);
    assert_eq!(next(&mut seen).await, first);
    let mut order = Vec::new();
    for _ in &waiting {
        order.push(next(&mut seen).await.priority().weight());
    }
    assert_eq!(order, vec![10, 10, 5, 1, 1]);
    (running.finish).await;
}

/// A failing event is tried once and retried three times, parked as a dead
/// letter, and replayed with fresh retries.
pub async fn a_failing_event_is_retried_parked_then_replayed(start: Start) {
    let (consumer, _taken, mut seen) = recorder(None, true);
    let Some(running) = start(retry(), consumer).await else {
        return;
    };
    let queue = &running.queue;
    let event = created();
    queue.publish(event.clone()).await.expect("published");
    for _ in 0..4 {
        assert_eq!(next(&mut seen).await, event, "first try and three retries");
    }
    let parked = tokio::time::timeout(PATIENCE, async {
        while queue.stats().dead_letters == 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    assert!(parked.is_ok(), "counted as a dead letter");
    assert!(
        tokio::time::timeout(Duration::from_millis(300), seen.recv())
            .await
            .is_err(),
        "no fifth try"
    );
    assert_eq!(queue.replay_dead_letters().await.expect("replayed"), 1);
    assert_eq!(queue.stats().dead_letters, 0);
    for _ in 0..4 {
        assert_eq!(next(&mut seen).await, event, "replayed with fresh retries");
    }
    (running.finish).await;
}

/// A delayed event reaches the consumer, and not before its delay.
pub async fn a_delayed_event_arrives_after_its_delay(start: Start) {
    let (consumer, _taken, mut seen) = recorder(None, false);
    let Some(running) = start(retry(), consumer).await else {
        return;
    };
    let event = read(ConversationId::generate());
    let sent = std::time::Instant::now();
    running
        .queue
        .publish_after(event.clone(), Duration::from_millis(300))
        .await
        .expect("scheduled");
    assert_eq!(next(&mut seen).await, event);
    assert!(
        sent.elapsed() >= Duration::from_millis(300),
        "not before its time"
    );
    (running.finish).await;
}

/// Runs every queue contract test in a module `$module` on the queues
/// `$start` (a [`Start`]) gives.
#[macro_export]
macro_rules! queue_contract {
    ($module:ident, $start:expr) => {
        mod $module {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn waiting_events_are_handled_most_urgent_first() {
                $crate::queue::waiting_events_are_handled_most_urgent_first($start).await;
            }

            #[tokio::test]
            async fn a_failing_event_is_retried_parked_then_replayed() {
                $crate::queue::a_failing_event_is_retried_parked_then_replayed($start).await;
            }

            #[tokio::test]
            async fn a_delayed_event_arrives_after_its_delay() {
                $crate::queue::a_delayed_event_arrives_after_its_delay($start).await;
            }
        }
    };
}
