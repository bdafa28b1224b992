//! The in-process `EventQueue`: three lanes drained most-urgent-first by one
//! worker (so events of a conversation are handled in the order they were
//! queued), retries with exponential backoff, and a dead-letter list.

use async_trait::async_trait;
use chatchit_domain::events::{DomainEvent, Priority};
use chatchit_domain::ports::{
    EventConsumer, EventQueue, LaneWaits, QueueError, QueueStats, RetryPolicy,
};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// An event that failed every retry, kept so it can be counted and inspected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    /// The event.
    pub event: DomainEvent,
    /// The last failure.
    pub error: String,
}

struct Envelope {
    event: DomainEvent,
    attempt: u32,
    /// When it was put in its lane (its wait is measured from here).
    queued_at: std::time::Instant,
}

/// Counters shared by the queue handle and its worker.
#[derive(Default)]
struct Counters {
    depth: [AtomicU64; 3],
    processed: [AtomicU64; 3],
    waits: [LaneWaits; 3],
    dead: Mutex<Vec<DeadLetter>>,
}

fn lane(p: Priority) -> usize {
    match p {
        Priority::High => 0,
        Priority::Medium => 1,
        Priority::Low => 2,
    }
}

/// The publishing side; cheap to share.
#[derive(Clone)]
pub struct InProcessQueue {
    /// One sender per lane, indexed by [`lane`].
    lanes: [mpsc::UnboundedSender<Envelope>; 3],
    /// Depths, throughput and dead letters.
    counters: Arc<Counters>,
    /// Tells the worker to drain and stop.
    stop: Arc<watch::Sender<bool>>,
}

/// The consuming side, started once the consumer exists.
pub struct QueueWorker {
    lanes: [mpsc::UnboundedReceiver<Envelope>; 3],
    retry_into: [mpsc::UnboundedSender<Envelope>; 3],
    counters: Arc<Counters>,
    stop: watch::Receiver<bool>,
    policy: RetryPolicy,
}

impl InProcessQueue {
    /// A queue and the worker that will drain it.
    pub fn new(policy: RetryPolicy) -> (Self, QueueWorker) {
        let (h_tx, h_rx) = mpsc::unbounded_channel();
        let (m_tx, m_rx) = mpsc::unbounded_channel();
        let (l_tx, l_rx) = mpsc::unbounded_channel();
        let counters = Arc::new(Counters::default());
        let (stop_tx, stop_rx) = watch::channel(false);
        let senders = [h_tx, m_tx, l_tx];
        let queue = Self {
            lanes: senders.clone(),
            counters: counters.clone(),
            stop: Arc::new(stop_tx),
        };
        let worker = QueueWorker {
            lanes: [h_rx, m_rx, l_rx],
            retry_into: senders,
            counters,
            stop: stop_rx,
            policy,
        };
        (queue, worker)
    }

    /// Asks the worker to handle what is queued and stop.
    pub fn shut_down(&self) {
        self.stop.send_replace(true);
    }

    /// The parked events.
    pub fn dead_letters(&self) -> Vec<DeadLetter> {
        self.counters
            .dead
            .lock()
            .map(|d| d.clone())
            .unwrap_or_default()
    }
}

#[async_trait]
impl EventQueue for InProcessQueue {
    async fn publish(&self, event: DomainEvent) -> Result<(), QueueError> {
        let i = lane(event.priority());
        self.counters.depth[i].fetch_add(1, Ordering::Relaxed);
        self.lanes[i]
            .send(Envelope {
                event,
                attempt: 0,
                queued_at: std::time::Instant::now(),
            })
            .map_err(|_| {
                self.counters.depth[i].fetch_sub(1, Ordering::Relaxed);
                QueueError::Unavailable("the queue worker has stopped".into())
            })
    }

    async fn publish_after(&self, event: DomainEvent, delay: Duration) -> Result<(), QueueError> {
        if self.stop.borrow().to_owned() {
            return Err(QueueError::Unavailable("the queue is shutting down".into()));
        }
        let queue = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            if let Err(e) = queue.publish(event).await {
                tracing::warn!(error = %e, "a delayed event found the queue stopped");
            }
        });
        Ok(())
    }

    async fn replay_dead_letters(&self) -> Result<u64, QueueError> {
        let parked = match self.counters.dead.lock() {
            Ok(mut dead) => std::mem::take(&mut *dead),
            Err(_) => Vec::new(),
        };
        let count = parked.len() as u64;
        for letter in parked {
            self.publish(letter.event).await?;
        }
        Ok(count)
    }

    fn stats(&self) -> QueueStats {
        let mut stats = QueueStats::default();
        for p in Priority::ALL {
            let i = lane(p);
            stats
                .depth
                .insert(p.as_str(), self.counters.depth[i].load(Ordering::Relaxed));
            stats.processed.insert(
                p.as_str(),
                self.counters.processed[i].load(Ordering::Relaxed),
            );
            if let Some(wait) = self.counters.waits[i].summary() {
                stats.wait.insert(p.as_str(), wait);
            }
        }
        stats.dead_letters = self
            .counters
            .dead
            .lock()
            .map(|d| d.len() as u64)
            .unwrap_or(0);
        stats
    }
}

impl QueueWorker {
    /// Starts draining into `consumer`; the task ends after a shut-down request,
    /// once every queued event has been handled.
    pub fn spawn(self, consumer: Arc<dyn EventConsumer>) -> JoinHandle<()> {
        tokio::spawn(self.run(consumer))
    }

    async fn run(mut self, consumer: Arc<dyn EventConsumer>) {
        loop {
            let [high, medium, low] = &mut self.lanes;
            let next = tokio::select! {
                biased;
                Some(e) = high.recv() => Some((0, e)),
                Some(e) = medium.recv() => Some((1, e)),
                Some(e) = low.recv() => Some((2, e)),
                _ = self.stop.changed() => None,
            };
            match next {
                Some((i, envelope)) => self.handle(&*consumer, i, envelope).await,
                None => break,
            }
        }
        for i in 0..3 {
            while let Ok(envelope) = self.lanes[i].try_recv() {
                self.handle(&*consumer, i, envelope).await;
            }
        }
    }

    async fn handle(&self, consumer: &dyn EventConsumer, i: usize, envelope: Envelope) {
        self.counters.depth[i].fetch_sub(1, Ordering::Relaxed);
        let kind = envelope.event.kind();
        let lane_name = envelope.event.priority().as_str();
        let waited = envelope.queued_at.elapsed();
        self.counters.waits[i].record(waited);
        metrics::histogram!("chatchit_queue_wait_seconds", "lane" => lane_name)
            .record(waited.as_secs_f64());
        let started = std::time::Instant::now();
        let outcome = consumer.consume(envelope.event.clone()).await;
        metrics::histogram!("chatchit_queue_processing_seconds", "lane" => lane_name)
            .record(started.elapsed().as_secs_f64());
        match outcome {
            Ok(()) => {
                self.counters.processed[i].fetch_add(1, Ordering::Relaxed);
            }
            Err(e) if self.policy.allows_retry(envelope.attempt) => {
                let delay = self.policy.delay(envelope.attempt, rand::random());
                tracing::warn!(kind, attempt = envelope.attempt + 1, error = %e, "event failed; retrying");
                let sender = self.retry_into[i].clone();
                let counters = self.counters.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(delay).await;
                    counters.depth[i].fetch_add(1, Ordering::Relaxed);
                    let retry = Envelope {
                        event: envelope.event,
                        attempt: envelope.attempt + 1,
                        queued_at: std::time::Instant::now(),
                    };
                    if sender.send(retry).is_err() {
                        counters.depth[i].fetch_sub(1, Ordering::Relaxed);
                    }
                });
            }
            Err(e) => {
                tracing::error!(kind, error = %e, "event failed every retry; dead-lettered");
                metrics::counter!("chatchit_dead_letters_total").increment(1);
                if let Ok(mut dead) = self.counters.dead.lock() {
                    dead.push(DeadLetter {
                        event: envelope.event,
                        error: e.to_string(),
                    });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chatchit_domain::ids::{ConversationId, UserId};
    use chatchit_domain::ports::ConsumeError;
    use std::sync::atomic::AtomicU32;

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

    struct Recorder(Mutex<Vec<Priority>>);

    #[async_trait]
    impl EventConsumer for Recorder {
        async fn consume(&self, event: DomainEvent) -> Result<(), ConsumeError> {
            if let Ok(mut seen) = self.0.lock() {
                seen.push(event.priority());
            }
            Ok(())
        }
    }

    struct Failing(AtomicU32);

    #[async_trait]
    impl EventConsumer for Failing {
        async fn consume(&self, _: DomainEvent) -> Result<(), ConsumeError> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Err(ConsumeError("always".into()))
        }
    }

    /// Fails until a moment (a database that is restarting), then succeeds.
    struct DownUntil(tokio::time::Instant, AtomicU32);

    #[async_trait]
    impl EventConsumer for DownUntil {
        async fn consume(&self, _: DomainEvent) -> Result<(), ConsumeError> {
            if tokio::time::Instant::now() < self.0 {
                return Err(ConsumeError("database restarting".into()));
            }
            self.1.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
    }

    /// A 20-second outage of what processing needs: the event is handled
    /// once it is over, not dead-lettered (the old schedule, 100/200/400 ms,
    /// dead-lettered it after 0.7 s).
    #[tokio::test(start_paused = true)]
    async fn an_event_rides_out_a_twenty_second_outage() {
        let (queue, worker) = InProcessQueue::new(RetryPolicy::default());
        let until = tokio::time::Instant::now() + Duration::from_secs(20);
        let consumer = Arc::new(DownUntil(until, AtomicU32::new(0)));
        let handle = worker.spawn(consumer.clone());
        queue.publish(typing()).await.expect("publish");
        tokio::time::sleep(RetryPolicy::default().longest()).await;
        assert_eq!(consumer.1.load(Ordering::SeqCst), 1, "handled");
        assert_eq!(queue.stats().dead_letters, 0);
        queue.shut_down();
        handle.await.expect("worker");
    }

    #[tokio::test]
    async fn urgent_lanes_are_drained_first() {
        let (queue, worker) = InProcessQueue::new(RetryPolicy::default());
        queue.publish(typing()).await.expect("low");
        queue.publish(created()).await.expect("medium");
        assert_eq!(queue.stats().depth["low"], 1);
        let recorder = Arc::new(Recorder(Mutex::new(Vec::new())));
        queue.shut_down();
        worker.spawn(recorder.clone()).await.expect("worker");
        let seen = recorder.0.lock().expect("lock").clone();
        assert_eq!(seen, vec![Priority::Medium, Priority::Low]);
        assert_eq!(queue.stats().processed["medium"], 1);
    }

    #[tokio::test(start_paused = true)]
    async fn a_delayed_event_is_queued_when_its_time_comes() {
        let (queue, worker) = InProcessQueue::new(RetryPolicy::default());
        let recorder = Arc::new(Recorder(Mutex::new(Vec::new())));
        let handle = worker.spawn(recorder.clone());
        queue
            .publish_after(created(), Duration::from_secs(30))
            .await
            .expect("scheduled");
        tokio::time::sleep(Duration::from_secs(29)).await;
        assert!(recorder.0.lock().expect("lock").is_empty(), "not yet");
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(recorder.0.lock().expect("lock").len(), 1);
        queue.shut_down();
        handle.await.expect("worker");
    }

    #[tokio::test(start_paused = true)]
    async fn failures_are_retried_for_the_whole_schedule_then_dead_lettered() {
        let policy = RetryPolicy::default();
        let (queue, worker) = InProcessQueue::new(policy);
        let failing = Arc::new(Failing(AtomicU32::new(0)));
        let handle = worker.spawn(failing.clone());
        queue.publish(typing()).await.expect("publish");
        tokio::time::sleep(policy.longest() / 4).await;
        assert_eq!(queue.stats().dead_letters, 0, "still retrying");
        tokio::time::sleep(policy.longest()).await;
        assert_eq!(
            failing.0.load(Ordering::SeqCst),
            11,
            "first try and ten retries"
        );
        assert_eq!(queue.stats().dead_letters, 1);
        assert_eq!(queue.dead_letters()[0].error, "consumer failed: always");

        assert_eq!(queue.replay_dead_letters().await.expect("replayed"), 1);
        assert_eq!(queue.stats().dead_letters, 0);
        tokio::time::sleep(policy.longest() * 2).await;
        assert_eq!(
            failing.0.load(Ordering::SeqCst),
            22,
            "replayed with fresh retries"
        );
        assert_eq!(queue.stats().dead_letters, 1);
        queue.shut_down();
        handle.await.expect("worker");
    }
}
