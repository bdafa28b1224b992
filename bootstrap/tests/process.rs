//! The `chatchit serve` process on the embedded default, as an operator
//! starts it: what a fresh node shows before anything has happened.

use chatchit_tests::cluster::{Cluster, NodeOptions};
use serde_json::json;
use std::path::Path;

/// The node's `/metrics` text.
async fn scrape(http: &reqwest::Client, base: &str) -> String {
    http.get(format!("{base}/metrics"))
        .send()
        .await
        .expect("scrape")
        .text()
        .await
        .expect("text")
}

/// Every metric the node exports, with its `# HELP` and `# TYPE`, on the
/// very first scrape (before, a fresh node's `/metrics` was 0 bytes until
/// the first socket or event).
#[tokio::test]
async fn a_fresh_nodes_first_scrape_describes_every_metric() {
    let node = Cluster::embedded(Path::new(env!("CARGO_BIN_EXE_chatchit")))
        .node()
        .await;
    let text = scrape(&node.http, &node.base).await;
    for (name, kind) in [
        ("chatchit_connected_sockets", "gauge"),
        ("chatchit_dead_letters_total", "counter"),
        ("chatchit_panics_total", "counter"),
        ("chatchit_append_batch_size", "histogram"),
        ("chatchit_append_commit_seconds", "histogram"),
        ("chatchit_build_info", "gauge"),
        ("chatchit_queue_wait_seconds", "histogram"),
        ("chatchit_queue_processing_seconds", "histogram"),
        ("chatchit_dependency_status", "gauge"),
        ("chatchit_queue_depth", "gauge"),
        ("chatchit_dead_letters", "gauge"),
        ("process_resident_memory_bytes", "gauge"),
        ("process_open_fds", "gauge"),
        ("process_max_fds", "gauge"),
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
    for service in ["database", "cache", "queue"] {
        assert!(
            text.contains(&format!(
                r#"chatchit_dependency_status{{service="{service}"}} 1"#
            )),
            "{service}: {text}"
        );
    }
    assert!(
        text.contains(r#"chatchit_queue_depth{lane="high"} 0"#),
        "{text}"
    );
    assert!(
        text.contains(r#"chatchit_panics_total{task="socket"} 0"#),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            r#"chatchit_build_info{{version="{}"}} 1"#,
            env!("CARGO_PKG_VERSION")
        )),
        "{text}"
    );
    // A request is counted by its route's template, not its path.
    let user = uuid::Uuid::now_v7();
    node.http
        .get(format!("{}/api/v1/users/{user}", node.base))
        .send()
        .await
        .expect("asked");
    let text = scrape(&node.http, &node.base).await;
    assert!(
        text.contains(r#"chatchit_http_requests_total{method="GET",route="/api/v1/users/{id}",status="401"} 1"#),
        "{text}"
    );
    assert!(
        text.contains("# HELP chatchit_http_request_duration_seconds "),
        "{text}"
    );
    assert!(!text.contains(&user.to_string()), "no series per resource");
}

/// The embedded node dies between a message's commit and its relay (an
/// injected abort, as `kill -9` would end it): after a restart on the same
/// data directory, the member's reconnected socket still gets the message
/// as `message:new` (before, it was stored and never pushed; only a `sync`
/// found it).
#[tokio::test]
async fn a_message_committed_just_before_a_crash_is_delivered_after_the_restart() {
    let cluster = Cluster::embedded(Path::new(env!("CARGO_BIN_EXE_chatchit")));
    let data = tempfile::tempdir().expect("data dir");
    let options = |fault: bool| NodeOptions {
        data_dir: Some(data.path().to_path_buf()),
        env: [
            ("CHATCHIT_RELAY_SWEEP_MS", "200"),
            ("CHATCHIT_RELAY_ORPHANED_AFTER_MS", "500"),
        ]
        .into_iter()
        .chain(fault.then_some(("CHATCHIT_FAULT", "abort-before-relay")))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect(),
        ..NodeOptions::default()
    };
    let mut first = cluster.node_with(options(true)).await;
    let alice = first.register("alice").await;
    let bob = first.register("bob").await;
    let group = first.group(&alice, &[&bob]).await;
    let sent = first
        .http
        .post(format!(
            "{}/api/v1/conversations/{group}/messages",
            first.base
        ))
        .bearer_auth(&alice.token)
        .json(&json!({"clientMsgId": "before-the-crash", "body": "still there"}))
        .send()
        .await;
    assert!(sent.is_err(), "the node died before it answered: {sent:?}");
    assert!(!first.exited().await.success(), "it aborted");

    let second = cluster.node_with(options(false)).await;
    let mut socket = second.socket(&bob.token).await;
    let message = socket.expect("message:new").await;
    assert_eq!(message["body"], "still there");
    assert_eq!(message["seq"], 1);
    let stored = second.stored_bodies(&group, &bob.token).await;
    assert_eq!(stored, [json!("still there")], "stored once");
}

/// A node stopped gracefully (SIGTERM) right after it delivered a message
/// deletes that message's relay note before it exits: after a restart the
/// sweep relays nothing again (before, the note waited a second to be
/// deleted with others, the shutdown did not wait for it, and the restarted
/// node sent the message as new once more).
#[tokio::test]
async fn a_graceful_stop_leaves_no_relay_note_behind() {
    let cluster = Cluster::embedded(Path::new(env!("CARGO_BIN_EXE_chatchit")));
    let data = tempfile::tempdir().expect("data dir");
    let options = || NodeOptions {
        data_dir: Some(data.path().to_path_buf()),
        env: [
            ("CHATCHIT_RELAY_SWEEP_MS", "100"),
            ("CHATCHIT_RELAY_ORPHANED_AFTER_MS", "200"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect(),
        ..NodeOptions::default()
    };
    let mut first = cluster.node_with(options()).await;
    let alice = first.register("alice").await;
    let bob = first.register("bob").await;
    let group = first.group(&alice, &[&bob]).await;
    let mut socket = first.socket(&bob.token).await;
    let (status, _) = first
        .post(
            &format!("/api/v1/conversations/{group}/messages"),
            &alice.token,
            json!({"clientMsgId": "once", "body": "just once"}),
        )
        .await;
    assert!(status.is_success(), "{status}");
    assert_eq!(socket.expect("message:new").await["body"], "just once");
    first.terminate();
    assert!(first.exited().await.success(), "a clean exit");

    let second = cluster.node_with(options()).await;
    let mut socket = second.socket(&bob.token).await;
    socket
        .expect_none("message:new", std::time::Duration::from_secs(2))
        .await;
}

/// `chatchit admin create` reads the password from stdin (never from the
/// command line), and a taken name is said as such, not as SQL.
#[tokio::test]
async fn admin_create_takes_the_password_on_stdin_and_names_a_taken_name() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().expect("dir");
    let create = || {
        let mut child = Command::new(env!("CARGO_BIN_EXE_chatchit"))
            .args(["admin", "create", "--username", "root"])
            .env("CHATCHIT_DATA_DIR", dir.path())
            .env("CHATCHIT_BCRYPT_COST", "4")
            .env("CHATCHIT_LOG", "error")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("chatchit runs");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(b"correct horse battery\n")
            .expect("password written");
        child.wait_with_output().expect("it ends")
    };
    let first = create();
    assert!(first.status.success(), "{first:?}");
    assert!(String::from_utf8_lossy(&first.stdout).contains("created admin root"));
    let again = create();
    assert!(!again.status.success());
    let said = String::from_utf8_lossy(&again.stderr);
    assert!(said.contains("the name root is taken"), "{said}");
    assert!(!said.to_ascii_lowercase().contains("unique"), "{said}");
}

/// `chatchit admin list|ban|unban` on the seeded demo users.
#[tokio::test]
async fn admins_list_ban_and_unban_from_the_command_line() {
    use std::process::Command;
    let dir = tempfile::tempdir().expect("dir");
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_chatchit"))
            .args(args)
            .env("CHATCHIT_DATA_DIR", dir.path())
            .env("CHATCHIT_BCRYPT_COST", "4")
            .env("CHATCHIT_LOG", "error")
            .output()
            .expect("chatchit runs");
        assert!(output.status.success(), "{args:?}: {output:?}");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    assert!(run(&["seed"]).contains("ann, bob, cat, dan"));
    assert!(
        run(&["seed"]).contains("demo data ready"),
        "a second seed runs too"
    );
    assert!(run(&["admin", "ban", "bob"]).contains("bob"));
    let listed = run(&["admin", "list", "--query", "b"]);
    let bob = listed
        .lines()
        .find(|l| l.contains(" bob "))
        .expect("bob listed");
    assert!(bob.ends_with("banned"), "{listed}");
    run(&["admin", "unban", "bob"]);
    let listed = run(&["admin", "list"]);
    assert_eq!(listed.lines().count(), 4, "{listed}");
    assert!(!listed.contains("banned"), "{listed}");
}

/// `chatchit healthcheck` (the image's HEALTHCHECK) exits 0 against a
/// ready node and fails where nothing answers.
#[tokio::test]
async fn healthcheck_says_whether_the_node_is_ready() {
    let node = Cluster::embedded(Path::new(env!("CARGO_BIN_EXE_chatchit")))
        .node()
        .await;
    let bind = node.base.trim_start_matches("http://").to_owned();
    let check = |bind: String| {
        std::process::Command::new(env!("CARGO_BIN_EXE_chatchit"))
            .arg("healthcheck")
            .env("CHATCHIT_BIND", bind)
            .env("CHATCHIT_LOG", "error")
            .output()
            .expect("chatchit runs")
    };
    let ready = tokio::task::spawn_blocking(move || check(bind))
        .await
        .expect("ran");
    assert!(ready.status.success(), "{ready:?}");
    let idle = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let free = idle.local_addr().expect("addr").to_string();
    drop(idle);
    let down = tokio::task::spawn_blocking(move || check(free))
        .await
        .expect("ran");
    assert!(!down.status.success());
}

/// Every metric the committed alert rules and Grafana dashboard read is one
/// a node exports (a renamed metric would leave them silently empty).
#[tokio::test]
async fn the_alert_rules_and_the_dashboard_read_metrics_the_node_exports() {
    // The cluster owns the node's data directory: it must outlive the node.
    let cluster = Cluster::embedded(Path::new(env!("CARGO_BIN_EXE_chatchit")));
    let node = cluster.node().await;
    // Something of each kind happens: a socket command, a REST write, a
    // message commit and the fan-out of its event.
    let alice = node.register("alice").await;
    let bob = node.register("bob").await;
    let direct = node.direct(&alice, &bob).await;
    let socket = node.socket(&bob.token).await;
    socket
        .emit("presence:set", json!({"status": "online"}))
        .await;
    let (status, _) = node
        .post(
            &format!("/api/v1/conversations/{direct}/messages"),
            &alice.token,
            json!({"clientMsgId": "m1", "body": "hello"}),
        )
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED);
    let text = scrape(&node.http, &node.base).await;
    let exported: std::collections::BTreeSet<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("# TYPE "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for file in [
        "deploy/prometheus/alerts.yml",
        "deploy/grafana/chatchit.json",
    ] {
        let source = std::fs::read_to_string(root.join(file)).expect(file);
        let mut read = 0;
        for word in source.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')) {
            if !(word.starts_with("chatchit_") || word.starts_with("process_")) {
                continue;
            }
            let name = ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|suffix| word.strip_suffix(suffix))
                .filter(|base| exported.contains(base))
                .unwrap_or(word);
            assert!(
                exported.contains(name),
                "{file} reads {word}, which the node does not export: {exported:?}"
            );
            read += 1;
        }
        assert!(read >= 10, "{file} reads {read} metrics");
    }
}
