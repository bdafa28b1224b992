//! The Prometheus recorder. The `metrics` facade is process-global by design,
//! so the recorder is installed once per process and shared by every server
//! instance in it (tests start several).

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;

/// Group-commit sizes: a histogram (not a summary) so that nodes aggregate.
const BATCH_BUCKETS: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0];

const LATENCY_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 2.5, 5.0,
];

/// The process's Prometheus handle, installing the recorder on first use.
pub fn prometheus() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), LATENCY_BUCKETS)
                .and_then(|b| {
                    b.set_buckets_for_metric(
                        Matcher::Full("chatchit_append_batch_size".into()),
                        BATCH_BUCKETS,
                    )
                })
                .map(PrometheusBuilder::build_recorder)
                .unwrap_or_else(|_| PrometheusBuilder::new().build_recorder());
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("a metrics recorder was already installed");
            }
            describe_metrics();
            handle
        })
        .clone()
}

/// Where a panic can be caught: the `task` label of `chatchit_panics_total`.
const PANIC_TASKS: [&str; 3] = ["request", "socket", "event"];

/// Describes every metric the process exports and registers each series
/// whose labels are known in advance at zero, so that the first scrape of a
/// fresh node already lists them all with `# HELP` and `# TYPE` (a series
/// that appears only once something happened cannot be told from a node
/// that does not export it, and `rate()` over it misses its first step).
pub fn describe_metrics() {
    use metrics::Unit;
    metrics::describe_gauge!(
        "chatchit_connected_sockets",
        "Socket.IO sockets connected to this node."
    );
    metrics::gauge!("chatchit_connected_sockets").increment(0.0);
    metrics::describe_counter!(
        "chatchit_events_handled_total",
        "Client events handled, by event name and outcome (ok or an error code)."
    );
    metrics::describe_histogram!(
        "chatchit_event_duration_seconds",
        Unit::Seconds,
        "Time to handle one client event, by event name."
    );
    metrics::describe_histogram!(
        "chatchit_append_batch_size",
        Unit::Count,
        "Messages written by one group commit of the message writer."
    );
    let _registered = metrics::histogram!("chatchit_append_batch_size");
    metrics::describe_histogram!(
        "chatchit_append_commit_seconds",
        Unit::Seconds,
        "Time to commit one group of messages."
    );
    let _registered = metrics::histogram!("chatchit_append_commit_seconds");
    metrics::describe_counter!(
        "chatchit_dead_letters_total",
        "Events that failed every retry and were parked as dead letters."
    );
    metrics::counter!("chatchit_dead_letters_total").increment(0);
    metrics::describe_histogram!(
        "chatchit_queue_wait_seconds",
        Unit::Seconds,
        "Time an event waited in its lane, from publish (or due time) to processing, by lane; the targets are high < 0.1 s, medium < 0.5 s, low < 2 s."
    );
    metrics::describe_histogram!(
        "chatchit_queue_processing_seconds",
        Unit::Seconds,
        "Time to process one queued event (fan-out), by lane."
    );
    for lane in ["high", "medium", "low"] {
        let _registered = metrics::histogram!("chatchit_queue_wait_seconds", "lane" => lane);
        let _registered = metrics::histogram!("chatchit_queue_processing_seconds", "lane" => lane);
    }
    metrics::describe_gauge!(
        "chatchit_build_info",
        "Always 1; its version label says which build this node runs."
    );
    metrics::gauge!("chatchit_build_info", "version" => env!("CARGO_PKG_VERSION")).set(1.0);
    metrics::describe_counter!(
        "chatchit_http_requests_total",
        "REST requests answered, by method, route template and status."
    );
    metrics::describe_histogram!(
        "chatchit_http_request_duration_seconds",
        Unit::Seconds,
        "Time to answer one REST request, by method and route template."
    );
    metrics::describe_counter!(
        "chatchit_panics_total",
        "Panics caught and contained, by the kind of task they ended."
    );
    for task in PANIC_TASKS {
        metrics::counter!("chatchit_panics_total", "task" => task).increment(0);
    }
}

/// `GET /metrics`: Prometheus text format.
pub async fn render() -> String {
    process_metrics().collect();
    prometheus().render()
}

/// The process's own figures (resident memory, CPU seconds, open file
/// descriptors against their limit, threads, start time), read at each
/// scrape: the open-file limit is ChatChit's documented ceiling.
fn process_metrics() -> &'static metrics_process::Collector {
    static COLLECTOR: OnceLock<metrics_process::Collector> = OnceLock::new();
    COLLECTOR.get_or_init(|| {
        let collector = metrics_process::Collector::default();
        collector.describe();
        collector
    })
}

/// Counts and times each REST request by method, route (the path template,
/// never the path itself: ids would make a series per resource) and status.
pub async fn track(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::histogram!("chatchit_http_request_duration_seconds", "method" => method.clone(), "route" => route.clone())
        .record(started.elapsed().as_secs_f64());
    metrics::counter!("chatchit_http_requests_total", "method" => method, "route" => route, "status" => status)
        .increment(1);
    response
}
