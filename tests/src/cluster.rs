//! Several `chatchit serve` processes sharing one PostgreSQL database, one
//! Redis and one RabbitMQ under a namespace of the test's own: what a cluster
//! behind a load balancer is, minus the load balancer. Set
//! `CHATCHIT_TEST_NODE_LOGS` to see the nodes' logs on stderr.

use crate::Endpoint;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// What every node of one test cluster shares.
pub struct Cluster {
    /// The `chatchit` binary.
    binary: PathBuf,
    /// `CHATCHIT_*` settings common to all nodes.
    env: Vec<(String, String)>,
    /// Data directories live here.
    dir: TempDir,
}

/// The service URLs a cluster test needs, from `CHATCHIT_TEST_E2E_*_URL`;
/// `None` (skip) locally without them, a failure under CI.
fn service_urls() -> Option<(String, String)> {
    let redis = std::env::var("CHATCHIT_TEST_E2E_REDIS_URL").ok();
    let amqp = std::env::var("CHATCHIT_TEST_E2E_AMQP_URL").ok();
    let postgres = std::env::var("CHATCHIT_TEST_E2E_POSTGRES_URL").ok();
    match (redis, amqp, postgres) {
        (Some(redis), Some(amqp), Some(_)) => Some((redis, amqp)),
        _ => chatchit_testkit::unavailable(
            "the cluster tests need CHATCHIT_TEST_E2E_POSTGRES_URL, \
             CHATCHIT_TEST_E2E_REDIS_URL and CHATCHIT_TEST_E2E_AMQP_URL",
        ),
    }
}

/// Settings of one node: a service URL to reach through a proxy, say.
#[derive(Default)]
pub struct NodeOptions {
    /// Replaces the shared Redis URL.
    pub redis_url: Option<String>,
    /// Replaces the shared RabbitMQ URL.
    pub amqp_url: Option<String>,
    /// The node's data directory, kept across its restarts (a fresh one in
    /// the cluster's directory when unset).
    pub data_dir: Option<PathBuf>,
    /// More `CHATCHIT_*` settings of this node.
    pub env: Vec<(String, String)>,
}

impl Cluster {
    /// A fresh database and namespace for nodes run from `binary`, or `None`
    /// when the services are not configured (see [`service_urls`]).
    pub async fn new(binary: &Path) -> Option<Self> {
        let (redis, amqp) = service_urls()?;
        let database = crate::fresh_postgres_database()
            .await
            .expect("a PostgreSQL URL");
        let namespace = format!("chatchit_e2e_{}", uuid::Uuid::now_v7().simple());
        let env = [
            ("CHATCHIT_BIND", "127.0.0.1:0".to_owned()),
            ("CHATCHIT_DATABASE_URL", database),
            ("CHATCHIT_REDIS_URL", redis),
            ("CHATCHIT_AMQP_URL", amqp),
            ("CHATCHIT_NAMESPACE", namespace),
            (
                "CHATCHIT_JWT_SECRET",
                format!("secret-{}", uuid::Uuid::now_v7().simple()),
            ),
            ("CHATCHIT_BCRYPT_COST", "4".to_owned()),
            ("CHATCHIT_NODE_TIMEOUT_MS", "3000".to_owned()),
            ("CHATCHIT_QUEUE_IDLE_EXPIRY_MS", "60000".to_owned()),
            ("CHATCHIT_RATE_LIMITS__AUTH__PER_MINUTE", "0".to_owned()),
            (
                "CHATCHIT_RATE_LIMITS__MESSAGE_SEND__PER_MINUTE",
                "0".to_owned(),
            ),
            ("CHATCHIT_LOG", "info".to_owned()),
            ("CHATCHIT_LOG_FORMAT", "text".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        Some(Self {
            binary: binary.to_path_buf(),
            env,
            dir: tempfile::tempdir().expect("temp dir"),
        })
    }

    /// One node's worth of settings on the embedded default (SQLite in each
    /// node's data directory, the in-process queue): for tests of the
    /// process itself, such as what a fresh node exports. Needs no service.
    pub fn embedded(binary: &Path) -> Self {
        let env = [
            ("CHATCHIT_BIND", "127.0.0.1:0".to_owned()),
            (
                "CHATCHIT_JWT_SECRET",
                format!("secret-{}", uuid::Uuid::now_v7().simple()),
            ),
            ("CHATCHIT_BCRYPT_COST", "4".to_owned()),
            ("CHATCHIT_LOG", "info".to_owned()),
            ("CHATCHIT_LOG_FORMAT", "text".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        Self {
            binary: binary.to_path_buf(),
            env,
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    /// A setting every node shares, e.g. `CHATCHIT_DATABASE_URL`.
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.env
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn command(&self, options: &NodeOptions) -> Command {
        let mut command = Command::new(&self.binary);
        command.envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        if let Some(url) = &options.redis_url {
            command.env("CHATCHIT_REDIS_URL", url);
        }
        if let Some(url) = &options.amqp_url {
            command.env("CHATCHIT_AMQP_URL", url);
        }
        command.envs(options.env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        command.env_remove("RUST_LOG").kill_on_drop(true);
        command
    }

    /// Starts a node and waits until it listens.
    pub async fn node(&self) -> NodeProcess {
        self.node_with(NodeOptions::default()).await
    }

    /// Starts a node with `options` and waits until it listens.
    pub async fn node_with(&self, options: NodeOptions) -> NodeProcess {
        let data = tempfile::tempdir_in(self.dir.path()).expect("data dir");
        let data_dir = options
            .data_dir
            .clone()
            .unwrap_or_else(|| data.path().to_path_buf());
        let mut child = self
            .command(&options)
            .arg("serve")
            .env("CHATCHIT_DATA_DIR", &data_dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chatchit serve");
        let stdout = child.stdout.take().expect("stdout");
        let (port_tx, port_rx) = tokio::sync::oneshot::channel();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stdout).lines();
            let mut port_tx = Some(port_tx);
            // Keep reading for the node's whole life so its pipe never fills.
            while let Ok(Some(line)) = lines.next_line().await {
                if std::env::var_os("CHATCHIT_TEST_NODE_LOGS").is_some() {
                    eprintln!("[node] {line}");
                }
                if let Some(port) = listening_port(&line)
                    && let Some(tx) = port_tx.take()
                {
                    let _ = tx.send(port);
                }
            }
        });
        let port = tokio::time::timeout(Duration::from_secs(60), port_rx)
            .await
            .expect("the node listens in time")
            .expect("the node started");
        NodeProcess {
            child,
            endpoint: Endpoint::new(format!("http://127.0.0.1:{port}")),
            _data: data,
        }
    }

    /// Runs `chatchit admin create` against the cluster's database, the
    /// password on its stdin.
    pub async fn create_admin(&self, username: &str, password: &str) {
        use tokio::io::AsyncWriteExt;
        let mut child = self
            .command(&NodeOptions::default())
            .args(["admin", "create", "--username", username])
            .env("CHATCHIT_DATA_DIR", self.dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("run chatchit admin create");
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(format!("{password}\n").as_bytes())
            .await
            .expect("password written");
        drop(stdin);
        let status = child.wait().await.expect("admin create ends");
        assert!(status.success(), "admin create failed");
    }
}

/// The port in the node's `chatchit listening port=N` log line.
fn listening_port(line: &str) -> Option<u16> {
    if !line.contains("chatchit listening") {
        return None;
    }
    let (_, rest) = line.split_once("port=")?;
    rest.trim_matches(|c: char| !c.is_ascii_digit())
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// One running `chatchit serve` process.
pub struct NodeProcess {
    /// The process (killed if the test drops it).
    child: Child,
    /// Where it listens.
    endpoint: Endpoint,
    /// Its data directory.
    _data: TempDir,
}

impl NodeProcess {
    /// `kill -9`: no goodbye to anyone.
    pub async fn kill(&mut self) {
        self.child.kill().await.expect("kill -9");
    }

    /// SIGTERM: the node shuts down gracefully.
    pub fn terminate(&self) {
        if let Some(pid) = self.child.id() {
            let _sent = std::process::Command::new("kill")
                .args(["-TERM", &pid.to_string()])
                .status();
        }
    }

    /// Waits (up to a minute) for the process to end by itself; how it ended.
    pub async fn exited(&mut self) -> std::process::ExitStatus {
        tokio::time::timeout(Duration::from_secs(60), self.child.wait())
            .await
            .expect("the node ends in time")
            .expect("its exit status")
    }
}

impl std::ops::Deref for NodeProcess {
    type Target = Endpoint;

    fn deref(&self) -> &Endpoint {
        &self.endpoint
    }
}
