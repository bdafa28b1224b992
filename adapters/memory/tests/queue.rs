//! The queue contract on the in-process queue: the same tests the RabbitMQ
//! queue passes.

use chatchit_domain::ports::{EventConsumer, RetryPolicy};
use chatchit_memory::InProcessQueue;
use chatchit_testkit::queue::Running;
use chatchit_testkit::queue_contract;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A fresh in-process queue feeding `consumer`.
fn in_process(
    retry: RetryPolicy,
    consumer: Arc<dyn EventConsumer>,
) -> Pin<Box<dyn Future<Output = Option<Running>> + Send>> {
    Box::pin(async move {
        let (queue, worker) = InProcessQueue::new(retry);
        let worker = worker.spawn(consumer);
        let stop = queue.clone();
        Some(Running {
            queue: Arc::new(queue),
            finish: Box::pin(async move {
                stop.shut_down();
                worker.await.expect("worker ended");
            }),
        })
    })
}

queue_contract!(in_process_queue, super::in_process);
