//! The RabbitMQ queue against a real broker (`CHATCHIT_TEST_AMQP_URL`; skipped
//! locally without it, failing under CI): the queue contract every queue
//! passes (`chatchit_testkit::queue`), and what only this one does (fall back
//! in process while the broker is away). Each test declares its own queues
//! under a random prefix and deletes them at the end.

use async_trait::async_trait;
use chatchit_amqp::{AmqpQueue, AmqpSettings, Membership};
use chatchit_domain::StoreError;
use chatchit_domain::events::DomainEvent;
use chatchit_domain::ids::{ConversationId, MessageId, NodeId, UserId};
use chatchit_domain::ports::{ConsumeError, EventConsumer, EventQueue, NodeDirectory, RetryPolicy};
use chatchit_memory::InProcessQueue;
use chatchit_testkit::queue::{PATIENCE, Running, created, next, recorder};
use chatchit_testkit::queue_contract;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::Mutex;
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
        partitions: 4,
        rebalance_every: Duration::from_millis(100),
    }
}

/// A node on its own (no directory): it consumes every partition.
fn alone() -> Membership {
    Membership {
        node: NodeId::generate(),
        directory: None,
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
        let (queue, supervisor) = AmqpQueue::new(settings, alone(), fallback());
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
    let (queue, supervisor) = AmqpQueue::new(settings, alone(), Arc::new(fallback.clone()));
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

/// The live nodes, as a test says they are.
#[derive(Default)]
struct Live(Mutex<Vec<NodeId>>);

#[async_trait]
impl NodeDirectory for Live {
    async fn live_nodes(&self) -> Result<Vec<NodeId>, StoreError> {
        Ok(self.0.lock().expect("live").clone())
    }

    async fn nodes_of(&self, _: &[UserId]) -> Result<Vec<NodeId>, StoreError> {
        Ok(Vec::new())
    }
}

/// Which node handled what, in the order they handled it.
type Log = Arc<Mutex<Vec<(usize, ConversationId, MessageId)>>>;

struct Node {
    index: usize,
    log: Log,
}

#[async_trait]
impl EventConsumer for Node {
    async fn consume(&self, event: DomainEvent) -> Result<(), ConsumeError> {
        if let DomainEvent::ConversationRead {
            conversation_id,
            message_id,
            ..
        } = event
        {
            let mut log = self.log.lock().expect("log");
            log.push((self.index, conversation_id, message_id));
        }
        Ok(())
    }
}

/// Polls `done` until it holds, at most `PATIENCE`.
async fn eventually(mut done: impl FnMut() -> bool) -> bool {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while tokio::time::Instant::now() < deadline {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    done()
}

/// Publishes `rounds` read receipts in each conversation, in order; returns
/// each conversation's message ids in publication order.
async fn publish_reads(
    queue: &AmqpQueue,
    conversations: &[ConversationId],
    rounds: usize,
    sent: &mut HashMap<ConversationId, Vec<MessageId>>,
) {
    let reader = UserId::generate();
    for _ in 0..rounds {
        for conversation in conversations {
            let message = MessageId::generate();
            sent.entry(*conversation).or_default().push(message);
            queue
                .publish(DomainEvent::ConversationRead {
                    conversation_id: *conversation,
                    user_id: reader,
                    message_id: message,
                })
                .await
                .expect("published");
        }
    }
}

#[tokio::test]
async fn four_nodes_share_the_partitions_and_a_stopped_nodes_pass_to_the_others_in_order() {
    let Some(url) = broker_url() else { return };
    const PARTITIONS: u16 = 16;
    let mut shared = settings(&url);
    shared.partitions = PARTITIONS;
    shared.prefetch = 8;
    let live = Arc::new(Live::default());
    let log: Log = Arc::default();
    let mut nodes = Vec::new();
    for index in 0..4 {
        let node = NodeId::generate();
        live.0.lock().expect("live").push(node.clone());
        let membership = Membership {
            node,
            directory: Some(live.clone()),
        };
        let (queue, supervisor) = AmqpQueue::new(shared.clone(), membership, fallback());
        let supervisor = supervisor.spawn(Arc::new(Node {
            index,
            log: log.clone(),
        }));
        assert!(queue.wait_connected(PATIENCE).await, "broker connected");
        nodes.push((queue, supervisor));
    }
    let owned = |nodes: &[(AmqpQueue, tokio::task::JoinHandle<()>)]| {
        let mut all: Vec<u16> = nodes
            .iter()
            .flat_map(|(q, _)| q.owned_partitions())
            .collect();
        all.sort_unstable();
        all
    };
    let every: Vec<u16> = (0..PARTITIONS).collect();
    // The first node up may hold every partition until the others' first
    // rebalance; the spread is reached eventually, not at connection.
    let spread = |nodes: &[(AmqpQueue, tokio::task::JoinHandle<()>)]| {
        nodes.iter().all(|(q, _)| !q.owned_partitions().is_empty())
    };
    assert!(
        eventually(|| owned(&nodes) == every && spread(&nodes)).await,
        "each partition owned once and every node owns a share: {:?}",
        nodes
            .iter()
            .map(|(q, _)| q.owned_partitions())
            .collect::<Vec<_>>()
    );

    // Round one: every node handles the events of the partitions it owns.
    let conversations: Vec<ConversationId> = (0..64).map(|_| ConversationId::generate()).collect();
    let mut sent = HashMap::new();
    publish_reads(&nodes[0].0, &conversations, 5, &mut sent).await;
    let total = conversations.len() * 5;
    assert!(eventually(|| log.lock().expect("log").len() >= total).await);
    let handlers: Vec<usize> = {
        let log = log.lock().expect("log");
        let mut seen: Vec<usize> = log.iter().map(|(node, _, _)| *node).collect();
        seen.sort_unstable();
        seen.dedup();
        seen
    };
    assert_eq!(handlers, vec![0, 1, 2, 3], "all four nodes handled events");

    // Node 3 stops (its events still queued go back) and leaves the
    // directory; round two is published at once, while its partitions move.
    let (stopped, supervisor) = nodes.pop().expect("node 3");
    live.0.lock().expect("live").pop();
    stopped.shut_down();
    supervisor.await.expect("supervisor ended");
    publish_reads(&nodes[0].0, &conversations, 5, &mut sent).await;
    assert!(
        eventually(|| owned(&nodes) == every).await,
        "the three left own every partition: {:?}",
        owned(&nodes)
    );
    assert!(eventually(|| log.lock().expect("log").len() >= 2 * total).await);

    // Every conversation's events were handled in publication order (each
    // at least once), and after the handover none by the stopped node.
    let log = log.lock().expect("log").clone();
    for conversation in &conversations {
        let mut handled: Vec<MessageId> = Vec::new();
        for (_, _, message) in log.iter().filter(|(_, c, _)| c == conversation) {
            if !handled.contains(message) {
                handled.push(*message);
            }
        }
        assert_eq!(&handled, &sent[conversation], "{conversation} in order");
        let round_two = &sent[conversation][5..];
        assert!(
            !log.iter()
                .any(|(node, _, m)| *node == 3 && round_two.contains(m)),
            "the stopped node handled nothing of round two"
        );
    }
    let (first, supervisor) = nodes.remove(0);
    for (queue, supervisor) in nodes {
        queue.shut_down();
        supervisor.await.expect("supervisor ended");
    }
    finish(first, supervisor).await;
}
