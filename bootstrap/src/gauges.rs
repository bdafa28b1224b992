//! Gauges sampled on a timer rather than where things happen: the health of
//! each service the node depends on, and its queues' depth and dead
//! letters, so a scrape (and an alert rule) sees them without asking
//! `/health/ready` or `/admin/stats`.

use chatchit_domain::ports::EventQueue;
use chatchit_http::{HealthCheck, HealthStatus};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// How often the gauges are refreshed.
const EVERY: Duration = Duration::from_secs(5);

/// Names the gauges, and the bus's counter (so the first scrape has their
/// `# HELP`).
pub(crate) fn describe() {
    metrics::describe_counter!(
        "chatchit_bus_dispatches_received_total",
        "Deliveries other nodes published for this node's sockets, received on the cluster bus."
    );
    metrics::describe_gauge!(
        "chatchit_dependency_status",
        "Each service this node depends on, by service: 1 working, 0.5 on its fallback (degraded), 0 down."
    );
    metrics::describe_gauge!(
        "chatchit_queue_depth",
        "Events waiting in each lane of this node's queue, by lane."
    );
    metrics::describe_gauge!(
        "chatchit_queue_partitions_owned",
        "Partitions of the RabbitMQ event stream this node is the chosen consumer of."
    );
    metrics::describe_gauge!(
        "chatchit_dead_letters",
        "Events parked after failing every retry, waiting for a replay."
    );
}

/// Refreshes the gauges once (so the first scrape has them), then every
/// few seconds until the task is aborted.
pub(crate) async fn sample(
    checks: Arc<Vec<Arc<dyn HealthCheck>>>,
    queue: Arc<dyn EventQueue>,
) -> JoinHandle<()> {
    describe();
    refresh(&checks, queue.as_ref()).await;
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tick.tick().await;
            refresh(&checks, queue.as_ref()).await;
        }
    })
}

/// Reads every check and the queue's figures into the gauges.
async fn refresh(checks: &[Arc<dyn HealthCheck>], queue: &dyn EventQueue) {
    for check in checks {
        let value = match check.check().await {
            HealthStatus::Ok => 1.0,
            HealthStatus::Degraded => 0.5,
            HealthStatus::Down => 0.0,
        };
        metrics::gauge!("chatchit_dependency_status", "service" => check.name()).set(value);
    }
    let stats = queue.stats();
    for (lane, depth) in stats.depth {
        metrics::gauge!("chatchit_queue_depth", "lane" => lane).set(depth as f64);
    }
    metrics::gauge!("chatchit_dead_letters").set(stats.dead_letters as f64);
}
