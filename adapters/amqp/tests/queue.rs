//! The RabbitMQ queue against a real broker (`CHATCHIT_TEST_AMQP_URL`; skipped
//! locally without it, failing under CI). Each test declares its own queues
//! under a random prefix and deletes them at the end.

use async_trait::async_trait;
use chatchit_amqp::{AmqpQueue, AmqpSettings};
use chatchit_domain::events::DomainEvent;
use chatchit_domain::ids::{ConversationId, UserId};
use chatchit_domain::ports::{ConsumeError, EventConsumer, EventQueue, RetryPolicy};
use chatchit_memory::InProcessQueue;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Semaphore, mpsc};

const PATIENCE: Duration = Duration::from_secs(15);

fn settings(url: &str) -> AmqpSettings {
    AmqpSettings {
        url: url.to_owned(),
        prefix: format!("chatchit_test.{}.", uuid::Uuid::now_v7().simple()),
        prefetch: 1,
        retry: RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(40),
        },
        idle_expiry: Some(Duration::from_secs(60)),
    }
}

fn broker_url() -> Option<String> {
    chatchit_testkit::service_url("CHATCHIT_TEST_AMQP_URL")
}

/// Records the events it is given; fails on the ones it is told to, and
/// waits for a permit before each event when gated.
struct Recorder {
    seen: mpsc::UnboundedSender<DomainEvent>,
    gate: Option<Arc<Semaphore>>,
    fail: bool,
}

#[async_trait]
impl EventConsumer for Recorder {
    async fn consume(&self, event: DomainEvent) -> Result<(), ConsumeError> {
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

fn typing() -> DomainEvent {
    DomainEvent::Typing {
        conversation_id: ConversationId::generate(),
        user_id: UserId::generate(),
        typing: true,
    }
}

fn created() -> DomainEvent {
    DomainEvent::ConversationCreated {
        conversation_id: ConversationId::generate(),
    }
}

fn read() -> DomainEvent {
    DomainEvent::ConversationRead {
        conversation_id: ConversationId::generate(),
        user_id: UserId::generate(),
        message_id: chatchit_domain::ids::MessageId::generate(),
    }
}

async fn next(seen: &mut mpsc::UnboundedReceiver<DomainEvent>) -> DomainEvent {
    tokio::time::timeout(PATIENCE, seen.recv())
        .await
        .expect("an event in time")
        .expect("open")
}

fn fallback() -> Arc<dyn EventQueue> {
    Arc::new(InProcessQueue::new(RetryPolicy::default()).0)
}

async fn started(
    settings: AmqpSettings,
    consumer: Recorder,
) -> (AmqpQueue, tokio::task::JoinHandle<()>) {
    let (queue, supervisor) = AmqpQueue::new(settings, fallback());
    let supervisor = supervisor.spawn(Arc::new(consumer));
    assert!(queue.wait_connected(PATIENCE).await, "broker connected");
    (queue, supervisor)
}

async fn finish(queue: AmqpQueue, supervisor: tokio::task::JoinHandle<()>) {
    queue.delete_topology().await.expect("queues deleted");
    queue.shut_down();
    supervisor.await.expect("supervisor ended");
}

#[tokio::test]
async fn waiting_events_are_handled_most_urgent_first() {
    let Some(url) = broker_url() else { return };
    let (tx, mut seen) = mpsc::unbounded_channel();
    let gate = Arc::new(Semaphore::new(0));
    let consumer = Recorder {
        seen: tx,
        gate: Some(gate.clone()),
        fail: false,
    };
    let (queue, supervisor) = started(settings(&url), consumer).await;
    let first = typing();
    queue.publish(first.clone()).await.expect("published");
    // The consumer holds `first` (prefetch 1); the rest wait in the broker.
    let waiting = [typing(), created(), read(), typing(), read()];
    for event in &waiting {
        queue.publish(event.clone()).await.expect("published");
    }
    gate.add_permits(waiting.len() + 1);
    assert_eq!(next(&mut seen).await, first);
    let mut order = Vec::new();
    for _ in &waiting {
        order.push(next(&mut seen).await.priority().weight());
    }
    assert_eq!(order, vec![10, 10, 5, 1, 1]);
    assert!(!queue.is_degraded());
    finish(queue, supervisor).await;
}

#[tokio::test]
async fn a_failing_event_is_retried_three_times_parked_then_replayed() {
    let Some(url) = broker_url() else { return };
    let (tx, mut seen) = mpsc::unbounded_channel();
    let consumer = Recorder {
        seen: tx,
        gate: None,
        fail: true,
    };
    let (queue, supervisor) = started(settings(&url), consumer).await;
    let event = created();
    queue.publish(event.clone()).await.expect("published");
    for _ in 0..4 {
        assert_eq!(next(&mut seen).await, event, "first try and three retries");
    }
    let parked = tokio::time::timeout(PATIENCE, async {
        while queue.stats().dead_letters == 0 {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
    .await;
    assert!(parked.is_ok(), "counted in the parking queue");
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
    finish(queue, supervisor).await;
}

#[tokio::test]
async fn a_delayed_event_arrives_after_its_delay() {
    let Some(url) = broker_url() else { return };
    let (tx, mut seen) = mpsc::unbounded_channel();
    let consumer = Recorder {
        seen: tx,
        gate: None,
        fail: false,
    };
    let (queue, supervisor) = started(settings(&url), consumer).await;
    let event = read();
    let sent = std::time::Instant::now();
    queue
        .publish_after(event.clone(), Duration::from_millis(300))
        .await
        .expect("scheduled");
    assert_eq!(next(&mut seen).await, event);
    assert!(
        sent.elapsed() >= Duration::from_millis(300),
        "not before its time"
    );
    finish(queue, supervisor).await;
}

#[tokio::test]
async fn without_a_broker_events_go_in_process_and_the_queue_says_degraded() {
    // Nothing listens on this port: the breaker stays open.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let (tx, mut seen) = mpsc::unbounded_channel();
    let (fallback, worker) = InProcessQueue::new(RetryPolicy::default());
    let worker = worker.spawn(Arc::new(Recorder {
        seen: tx.clone(),
        gate: None,
        fail: false,
    }));
    let mut settings = settings("amqp://guest:guest@127.0.0.1:5672");
    settings.url = format!("amqp://guest:guest@127.0.0.1:{port}");
    let (queue, supervisor) = AmqpQueue::new(settings, Arc::new(fallback.clone()));
    let supervisor = supervisor.spawn(Arc::new(Recorder {
        seen: tx,
        gate: None,
        fail: false,
    }));
    assert!(!queue.wait_connected(Duration::from_millis(300)).await);
    assert!(queue.is_degraded());
    let event = created();
    queue
        .publish(event.clone())
        .await
        .expect("taken in process");
    assert_eq!(next(&mut seen).await, event);
    queue.shut_down();
    supervisor.await.expect("supervisor ended");
    fallback.shut_down();
    worker.await.expect("worker ended");
}
