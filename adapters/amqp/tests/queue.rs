//! The RabbitMQ queue against a real broker (`CHATCHIT_TEST_AMQP_URL`; skipped
//! locally without it, failing under CI): the queue contract every queue
//! passes (`chatchit_testkit::queue`), and what only this one does (fall back
//! in process while the broker is away). Each test declares its own queues
//! under a random prefix and deletes them at the end.

use chatchit_amqp::{AmqpQueue, AmqpSettings};
use chatchit_domain::ports::{EventConsumer, EventQueue, RetryPolicy};
use chatchit_memory::InProcessQueue;
use chatchit_testkit::queue::{PATIENCE, Running, created, next, recorder};
use chatchit_testkit::queue_contract;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

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

fn fallback() -> Arc<dyn EventQueue> {
    Arc::new(InProcessQueue::new(RetryPolicy::default()).0)
}

async fn finish(queue: AmqpQueue, supervisor: tokio::task::JoinHandle<()>) {
    queue.delete_topology().await.expect("queues deleted");
    queue.shut_down();
    supervisor.await.expect("supervisor ended");
}

/// A fresh RabbitMQ queue (under its own prefix) feeding `consumer`, once
/// connected; its queues are deleted when it finishes.
fn on_rabbitmq(
    retry: RetryPolicy,
    consumer: Arc<dyn EventConsumer>,
) -> Pin<Box<dyn Future<Output = Option<Running>> + Send>> {
    Box::pin(async move {
        let url = broker_url()?;
        let mut settings = settings(&url);
        settings.retry = retry;
        let (queue, supervisor) = AmqpQueue::new(settings, fallback());
        let supervisor = supervisor.spawn(consumer);
        assert!(queue.wait_connected(PATIENCE).await, "broker connected");
        let end = queue.clone();
        Some(Running {
            queue: Arc::new(queue),
            finish: Box::pin(finish(end, supervisor)),
        })
    })
}

queue_contract!(rabbitmq, super::on_rabbitmq);

#[tokio::test]
async fn without_a_broker_events_go_in_process_and_the_queue_says_degraded() {
    // Nothing listens on this port: the breaker stays open.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let (consumer, _taken, mut seen) = recorder(None, false);
    let (fallback, worker) = InProcessQueue::new(RetryPolicy::default());
    let worker = worker.spawn(consumer.clone());
    let mut settings = settings("amqp://guest:guest@127.0.0.1:5672");
    settings.url = format!("amqp://guest:guest@127.0.0.1:{port}");
    let (queue, supervisor) = AmqpQueue::new(settings, Arc::new(fallback.clone()));
    let supervisor = supervisor.spawn(consumer);
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
