//! The `chatchit serve` process on the embedded default, as an operator
//! starts it: what a fresh node shows before anything has happened.

use chatchit_tests::cluster::Cluster;
use std::path::Path;

/// Every metric the node exports, with its `# HELP` and `# TYPE`, on the
/// very first scrape (before, a fresh node's `/metrics` was 0 bytes until
/// the first socket or event).
#[tokio::test]
async fn a_fresh_nodes_first_scrape_describes_every_metric() {
    let node = Cluster::embedded(Path::new(env!("CARGO_BIN_EXE_chatchit")))
        .node()
        .await;
    let text = node
        .http
        .get(format!("{}/metrics", node.base))
        .send()
        .await
        .expect("scrape")
        .text()
        .await
        .expect("text");
    for (name, kind) in [
        ("chatchit_connected_sockets", "gauge"),
        ("chatchit_dead_letters_total", "counter"),
        ("chatchit_panics_total", "counter"),
        ("chatchit_append_batch_size", "histogram"),
        ("chatchit_append_commit_seconds", "histogram"),
    ] {
        assert!(
            text.contains(&format!("# HELP {name} ")),
            "no help for {name}: {text}"
        );
        assert!(
            text.contains(&format!("# TYPE {name} {kind}")),
            "no {kind} type for {name}: {text}"
        );
    }
    assert!(text.contains("chatchit_connected_sockets 0"), "{text}");
    assert!(
        text.contains(r#"chatchit_panics_total{task="socket"} 0"#),
        "{text}"
    );
}
