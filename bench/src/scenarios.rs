//! The scenarios: `idle` (how many sockets, at what memory), `chat`
//! (open-loop sends in groups: throughput and latency), `fanout` (one large
//! room).

use crate::client;
use crate::rest::{self, User};
use crate::server::{self, Usage};
use crate::socket_task::{self, Seen, Sends};
use futures_util::StreamExt;
use serde_json::{Value, json};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

/// Where the server is and how to watch it.
pub struct Target {
    /// `http://host:port`.
    pub base: String,
    /// The same, as a socket address.
    pub addr: SocketAddr,
    /// The server's process, for memory and CPU figures.
    pub pid: Option<u32>,
    /// Loopback source addresses to spread sockets over.
    pub sources: u8,
}

impl Target {
    fn usage(&self) -> Option<Usage> {
        self.pid.and_then(server::usage)
    }

    fn source(&self, n: usize) -> IpAddr {
        if !self.addr.ip().is_loopback() || self.sources <= 1 {
            return IpAddr::V4(Ipv4Addr::UNSPECIFIED);
        }
        let last = u8::try_from(n % usize::from(self.sources)).unwrap_or(0) + 1;
        IpAddr::V4(Ipv4Addr::new(127, 0, 0, last))
    }
}

fn run_prefix() -> String {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    format!("b{}p{}", millis % 100_000_000_000, std::process::id())
}

/// Connects one socket per token, `parallel` at a time, and hands each to
/// `start` as soon as it is connected (its task must answer the server's
/// pings from then on, however long the other connects take); progress on
/// stderr. Returns the started tasks, the connect errors and the time taken.
async fn connect_all<F>(
    target: &Target,
    tokens: Vec<String>,
    parallel: usize,
    mut start: F,
) -> (Vec<JoinHandle<Seen>>, usize, Duration)
where
    F: FnMut(usize, client::Socket) -> JoinHandle<Seen>,
{
    let started = Instant::now();
    let total = tokens.len();
    let (mut done, mut errors) = (0usize, 0usize);
    let mut tasks = Vec::with_capacity(total);
    let mut stream = futures_util::stream::iter(tokens.into_iter().enumerate())
        .map(|(n, token)| {
            let source = target.source(n);
            async move { (n, client::connect(target.addr, source, &token).await) }
        })
        .buffered(parallel);
    while let Some((n, socket)) = stream.next().await {
        match socket {
            Ok(ws) => tasks.push(start(n, ws)),
            Err(e) => {
                if errors == 0 {
                    eprintln!("  first connect error: {e:#}");
                }
                errors += 1;
            }
        }
        done += 1;
        if done % 1000 == 0 || done == total {
            eprintln!("  connected {}/{total} ({errors} errors)", done - errors);
        }
    }
    eprintln!(
        "  all {total} attempted: {} connected, {errors} errors",
        total - errors
    );
    (tasks, errors, started.elapsed())
}

/// `idle`: holds `conns` authenticated sockets and reports the server's
/// memory per socket.
///
/// # Errors
/// When the setup (registration) fails.
pub async fn idle(
    target: &Target,
    conns: usize,
    users: usize,
    hold: Duration,
) -> anyhow::Result<Value> {
    let http = reqwest::Client::new();
    let users = rest::register(&http, &target.base, &run_prefix(), users.max(1), 32).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = target.usage();
    let tokens = (0..conns)
        .map(|n| users[n % users.len()].token.clone())
        .collect();
    let (stop, stopped) = watch::channel(false);
    let epoch = Instant::now();
    let (tasks, errors, took) = connect_all(target, tokens, 256, |_, ws| {
        tokio::spawn(socket_task::run(
            ws,
            None,
            Seen::empty(),
            epoch,
            stopped.clone(),
        ))
    })
    .await;
    let held = tasks.len();
    tokio::time::sleep(hold).await;
    let after = target.usage();
    stop.send_replace(true);
    let mut dropped = 0;
    for task in tasks {
        if task.await.map_or(true, |seen| seen.dropped) {
            dropped += 1;
        }
    }
    let per_socket = match (&before, &after) {
        (Some(b), Some(a)) if held > 0 => {
            Some(a.rss_kib.saturating_sub(b.rss_kib) as f64 / held as f64)
        }
        _ => None,
    };
    Ok(json!({
        "scenario": "idle",
        "sockets": held,
        "connect_errors": errors,
        "dropped_while_idle": dropped,
        "connect_seconds": took.as_secs_f64(),
        "connects_per_second": held as f64 / took.as_secs_f64().max(1e-9),
        "server_rss_before_kib": before.as_ref().map(|u| u.rss_kib),
        "server_rss_after_kib": after.as_ref().map(|u| u.rss_kib),
        "server_kib_per_socket": per_socket,
    }))
}

/// How a `chat` run is shaped.
pub struct ChatShape {
    /// Users (one socket each).
    pub users: usize,
    /// Members per group (the sender and `group_size - 1` recipients).
    pub group_size: usize,
    /// How many of each group's members send (all when `None`).
    pub senders_per_group: Option<usize>,
    /// Messages per second, all senders together.
    pub rate: f64,
    /// How long to send.
    pub duration: Duration,
    /// Name in the report.
    pub name: &'static str,
}

/// `chat` / `fanout`: open-loop sends at `rate` (each send is scheduled by
/// the clock and timed from its schedule, so a stalled server shows up as
/// latency, not as a lower offered rate).
///
/// # Errors
/// When the setup (registration, groups, sockets) fails.
pub async fn chat(target: &Target, shape: &ChatShape) -> anyhow::Result<Value> {
    let http = reqwest::Client::new();
    eprintln!("  registering {} users", shape.users);
    let users = rest::register(&http, &target.base, &run_prefix(), shape.users, 32).await?;
    let groups: Vec<&[User]> = users.chunks(shape.group_size.max(2)).collect();
    eprintln!("  creating {} groups", groups.len());
    let mut conversation_of = Vec::with_capacity(users.len());
    for group in &groups {
        let id = rest::group(&http, &target.base, &group[0], &group[1..]).await?;
        let senders = shape.senders_per_group.unwrap_or(group.len());
        for n in 0..group.len() {
            conversation_of.push((n < senders).then(|| id.clone()));
        }
    }
    let tokens = users.iter().map(|u| u.token.clone()).collect();
    let epoch = Instant::now();
    let (stop, stopped) = watch::channel(false);
    let mut inboxes: Vec<Option<mpsc::UnboundedSender<u64>>> = vec![None; conversation_of.len()];
    let (tasks, errors, _) = connect_all(target, tokens, 256, |n, ws| {
        let sends = conversation_of[n].clone().map(|conversation| {
            let (tx, times) = mpsc::unbounded_channel();
            inboxes[n] = Some(tx);
            Sends {
                conversation,
                times,
            }
        });
        tokio::spawn(socket_task::run(
            ws,
            sends,
            Seen::timing(),
            epoch,
            stopped.clone(),
        ))
    })
    .await;
    anyhow::ensure!(errors == 0, "{errors} sockets could not connect");
    let senders: Vec<mpsc::UnboundedSender<u64>> = inboxes.into_iter().flatten().collect();
    anyhow::ensure!(!senders.is_empty(), "no sender");
    tokio::time::sleep(Duration::from_millis(500)).await;

    eprintln!("  sending {} msg/s for {:?}", shape.rate, shape.duration);
    let before = target.usage();
    let start = epoch.elapsed();
    let interval_us = 1_000_000.0 / shape.rate;
    let mut sent = 0u64;
    let mut tick = tokio::time::interval(Duration::from_millis(1));
    loop {
        tick.tick().await;
        let elapsed = epoch.elapsed() - start;
        if elapsed >= shape.duration {
            break;
        }
        let due = (elapsed.as_secs_f64() * shape.rate) as u64;
        while sent < due {
            let scheduled = start.as_micros() as f64 + sent as f64 * interval_us;
            let sender = &senders[usize::try_from(sent).unwrap_or(0) % senders.len()];
            let _ = sender.send(scheduled as u64);
            sent += 1;
        }
    }
    let sending = epoch.elapsed() - start;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = target.usage();
    stop.send_replace(true);
    let mut seen = Seen::empty();
    for task in tasks {
        if let Ok(one) = task.await {
            seen.merge(&one);
        }
    }
    let (cpu, threads) = match (before, after) {
        (Some(b), Some(a)) => (Some(a.cpu_since(&b)), a.threads_since(&b)),
        _ => (None, Default::default()),
    };
    let per =
        |count: u64, part: fn((u64, u64)) -> u64| cpu.map(|c| part(c) as f64 / count.max(1) as f64);
    let delivered = seen.delivered.max(1) as f64;
    let by_thread: serde_json::Map<String, Value> = threads
        .into_iter()
        .map(|(name, (user, system))| {
            let each =
                json!({"user": user as f64 / delivered, "system": system as f64 / delivered});
            (name, each)
        })
        .collect();
    let seconds = sending.as_secs_f64();
    Ok(json!({
        "scenario": shape.name,
        "users": shape.users,
        "group_size": shape.group_size,
        "offered_per_second": shape.rate,
        "sent": sent,
        "acked": seen.acked,
        "refused": seen.refused,
        "unanswered": seen.unanswered,
        "acked_per_second": seen.acked as f64 / seconds,
        "deliveries": seen.delivered,
        "deliveries_per_second": seen.delivered as f64 / seconds,
        "ack_ms": Seen::millis(&seen.ack),
        "receive_ms": Seen::millis(&seen.receive),
        "server_cpu_us_per_message": per(seen.acked, |(u, s)| u + s),
        "server_cpu_us_per_delivery": per(seen.delivered, |(u, s)| u + s),
        "server_user_cpu_us_per_delivery": per(seen.delivered, |(u, _)| u),
        "server_system_cpu_us_per_delivery": per(seen.delivered, |(_, s)| s),
        "server_cpu_us_per_delivery_by_thread": by_thread,
        "sockets_dropped": seen.dropped,
    }))
}
