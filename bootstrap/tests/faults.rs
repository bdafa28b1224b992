//! The fault suite: a group chats through one fault at a time and the
//! ledger (`chatchit_tests::ledger`) checks what the protocol promises:
//! every acknowledged message stored exactly once, every member's
//! `message:new` in strictly increasing seq with nothing missing (after a
//! `sync` where its socket died), every send answered. Each test prints its
//! row of the table in `docs/reliability.md` (`FAULT-FIGURES {…}`);
//! `scripts/faults.sh` runs them all and prints the table. The services are
//! taken away through proxies, so the suite can run beside other tests.

use chatchit_tests::TestSocket;
use chatchit_tests::cluster::{Cluster, NodeOptions, NodeProcess};
use chatchit_tests::ledger::{Chat, Sends, received, synced};
use chatchit_tests::proxy::Proxy;
use std::path::Path;
use std::time::Duration;

/// Members of the group.
const MEMBERS: usize = 6;

/// Sends per member in a round, one every [`PAUSE`]: the round spans the
/// outage.
const EACH: usize = 120;

/// The pause between a member's two sends.
const PAUSE: Duration = Duration::from_millis(30);

/// How long a service stays away.
const OUTAGE: Duration = Duration::from_secs(3);

fn binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_chatchit"))
}

/// A round of sends while `fault` happens, then the ledger's check.
async fn chat_through(
    name: &str,
    node: &NodeProcess,
    fault: impl std::future::Future<Output = ()>,
) {
    let chat = Chat::new(node, MEMBERS).await;
    let mut sockets = chat.sockets(&[node]).await;
    let round = chat.send_paced(&sockets, EACH, name, PAUSE, Duration::from_secs(20));
    let (sends, ()) = tokio::join!(round, fault);
    let after = chat.send(&sockets, 2, &format!("{name}-after")).await;
    let mut all = sends;
    all.merge(after);
    check(name, &chat, node, &mut sockets, &all, false).await;
}

/// Reads what each socket got and what was stored, counts, asserts.
async fn check(
    name: &str,
    chat: &Chat,
    node: &NodeProcess,
    sockets: &mut [TestSocket],
    sends: &Sends,
    node_died: bool,
) {
    let live = futures_util::future::join_all(sockets.iter_mut().map(received)).await;
    let mut by_sync = Vec::new();
    for (socket, seqs) in sockets.iter().zip(&live) {
        let last = seqs.iter().copied().max().unwrap_or(0);
        by_sync.push(synced(socket, &chat.group, if node_died { 0 } else { last }).await);
    }
    let stored = chat.stored(node).await;
    let mut figures = chat.figures(name, sends, &stored, &live, &by_sync);
    figures.node_died = node_died;
    figures.check();
}

/// The embedded node killed (`kill -9`) in the middle of the sends, and
/// started again on its data directory: what was acknowledged is there once,
/// and every member has every message (live after the restart, the rest by
/// `sync`).
#[tokio::test]
async fn kill_9_of_the_embedded_node() {
    let cluster = Cluster::embedded(binary());
    let data = tempfile::tempdir().expect("data dir");
    let options = || NodeOptions {
        data_dir: Some(data.path().to_path_buf()),
        ..NodeOptions::default()
    };
    let mut first = cluster.node_with(options()).await;
    let chat = Chat::new(&first, MEMBERS).await;
    let sockets = chat.sockets(&[&first]).await;
    let (mut sends, ()) = tokio::join!(
        chat.send_paced(
            &sockets,
            EACH * 4,
            "kill",
            Duration::ZERO,
            Duration::from_secs(3)
        ),
        async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            first.kill().await;
        }
    );
    drop(sockets);
    let second = cluster.node_with(options()).await;
    let mut sockets = chat.sockets(&[&second]).await;
    sends.merge(chat.send(&sockets, 5, "kill-after").await);
    check(
        "kill -9 of the embedded node",
        &chat,
        &second,
        &mut sockets,
        &sends,
        true,
    )
    .await;
}

/// PostgreSQL away for 3 s under a node on PostgreSQL, Redis and RabbitMQ:
/// sends during it are answered `unavailable`, the rest as usual.
#[tokio::test]
async fn postgresql_away() {
    service_away("PostgreSQL away for 3 s", "CHATCHIT_DATABASE_URL").await;
}

/// RabbitMQ away for 3 s: the node queues in process meanwhile.
#[tokio::test]
async fn rabbitmq_away() {
    service_away("RabbitMQ away for 3 s", "CHATCHIT_AMQP_URL").await;
}

/// Redis away for 3 s: presence, quotas and the bus fall back in process.
#[tokio::test]
async fn redis_away() {
    service_away("Redis away for 3 s", "CHATCHIT_REDIS_URL").await;
}

/// A node that reaches the service of setting `key` through a proxy chats
/// while the proxy is cut for [`OUTAGE`].
async fn service_away(name: &str, key: &str) {
    let Some(cluster) = Cluster::new(binary()).await else {
        return;
    };
    let url = cluster.setting(key).expect("a service URL").to_owned();
    let proxy = Proxy::to_service(&url).await;
    let node = cluster
        .node_with(NodeOptions {
            env: vec![(key.to_owned(), proxy.url_for(&url))],
            ..NodeOptions::default()
        })
        .await;
    chat_through(name, &node, outage(&proxy)).await;
}

/// After a moment of sending, the service behind `proxy` goes away for
/// [`OUTAGE`] and comes back.
async fn outage(proxy: &Proxy) {
    tokio::time::sleep(Duration::from_millis(300)).await;
    proxy.cut();
    tokio::time::sleep(OUTAGE).await;
    proxy.restore();
}

/// One node of two (PostgreSQL, Redis, RabbitMQ) killed in the middle of
/// the sends: its members reconnect to the other node and `sync`; the
/// other node's members never notice.
#[tokio::test]
async fn kill_9_of_one_node_of_two() {
    let Some(cluster) = Cluster::new(binary()).await else {
        return;
    };
    let (mut one, two) = (cluster.node().await, cluster.node().await);
    let chat = Chat::new(&two, MEMBERS).await;
    let mut sockets = chat.sockets(&[&one, &two]).await;
    let round = chat.send_paced(
        &sockets,
        EACH,
        "kill-one-of-two",
        PAUSE,
        Duration::from_secs(3),
    );
    let (mut sends, ()) = tokio::join!(round, async {
        tokio::time::sleep(Duration::from_millis(500)).await;
        one.kill().await;
    });
    for (n, member) in chat.members.iter().enumerate() {
        if n % 2 == 0 {
            sockets[n] = two.socket(&member.token).await;
        }
    }
    sends.merge(chat.send(&sockets, 2, "kill-one-of-two-after").await);
    check(
        "kill -9 of one node of two",
        &chat,
        &two,
        &mut sockets,
        &sends,
        true,
    )
    .await;
}

/// A small file system of its own (`tmpfs`), unmounted when dropped.
struct SmallDisk(tempfile::TempDir);

impl SmallDisk {
    /// Mounts `size` (e.g. `16m`) of `tmpfs`; `None` (skip) where mounting
    /// is not allowed, outside CI (CI runs as root).
    fn mount(size: &str) -> Option<Self> {
        let dir = tempfile::tempdir().expect("mount point");
        let mounted = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success());
        if !mounted {
            return chatchit_testkit::unavailable("the disk-full fault needs to mount a tmpfs");
        }
        Some(Self(dir))
    }

    fn path(&self) -> &Path {
        self.0.path()
    }

    /// Takes every free byte with a file; returns it.
    fn fill(&self) -> std::path::PathBuf {
        use std::io::Write;
        let filler = self.path().join("filler");
        let mut file = std::fs::File::create(&filler).expect("filler");
        let chunk = vec![0u8; 64 * 1024];
        while file.write_all(&chunk).is_ok() {}
        let _ = file.sync_all();
        filler
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.0.path())
            .status();
    }
}

/// The embedded node's disk fills up for 3 s (a file takes every free
/// byte, then is deleted): sends meanwhile are answered `unavailable`, the
/// node carries on when there is room again.
#[tokio::test]
async fn the_embedded_disk_full() {
    let Some(disk) = SmallDisk::mount("64m") else {
        return;
    };
    let cluster = Cluster::embedded(binary());
    let node = cluster
        .node_with(NodeOptions {
            data_dir: Some(disk.path().join("data")),
            ..NodeOptions::default()
        })
        .await;
    chat_through("the embedded disk full for 3 s", &node, async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let filler = disk.fill();
        tokio::time::sleep(OUTAGE).await;
        std::fs::remove_file(filler).expect("room again");
    })
    .await;
}
