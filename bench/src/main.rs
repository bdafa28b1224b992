//! `chatchit-bench`: a load generator for ChatChit (and for any Socket.IO v4
//! server with the same subset: register, group create, `message:send` with
//! an ack, `message:new`). See `docs/benchmarks.md`.

mod client;
mod rest;
mod scenarios;
mod server;
mod socket_task;

use anyhow::Context;
use clap::{Parser, Subcommand};
use scenarios::{ChatShape, Target};
use std::net::ToSocketAddrs;
use std::time::Duration;

/// Command line.
#[derive(Parser)]
#[command(version, about = "Load generator for Socket.IO chat servers")]
struct Cli {
    /// The server's base URL.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    server: String,
    /// The server's process id, for its memory and CPU figures.
    #[arg(long)]
    pid: Option<u32>,
    /// Loopback source addresses to spread sockets over (127.0.0.1..N).
    #[arg(long, default_value_t = 16)]
    sources: u8,
    /// What to run.
    #[command(subcommand)]
    scenario: Scenario,
}

/// The scenarios.
#[derive(Subcommand)]
enum Scenario {
    /// Hold N authenticated idle sockets; report memory per socket.
    Idle {
        /// Sockets to open.
        #[arg(long)]
        conns: usize,
        /// Users they belong to (sockets are spread over them).
        #[arg(long, default_value_t = 200)]
        users: usize,
        /// Seconds to hold them before measuring.
        #[arg(long, default_value_t = 5)]
        hold: u64,
    },
    /// Open-loop chat in groups.
    Chat {
        /// Users, one socket each.
        #[arg(long, default_value_t = 1000)]
        users: usize,
        /// Members per group.
        #[arg(long, default_value_t = 5)]
        group_size: usize,
        /// Messages per second, all senders together.
        #[arg(long, default_value_t = 4000.0)]
        rate: f64,
        /// Seconds of sending.
        #[arg(long, default_value_t = 20)]
        duration: u64,
    },
    /// A few senders into large rooms.
    Fanout {
        /// Members per room.
        #[arg(long, default_value_t = 1000)]
        members: usize,
        /// Rooms.
        #[arg(long, default_value_t = 1)]
        rooms: usize,
        /// Senders per room.
        #[arg(long, default_value_t = 5)]
        senders: usize,
        /// Messages per second, all senders together.
        #[arg(long, default_value_t = 200.0)]
        rate: f64,
        /// Seconds of sending.
        #[arg(long, default_value_t = 20)]
        duration: u64,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Err(e) = rlimit::increase_nofile_limit(u64::MAX) {
        eprintln!("could not raise the open-file limit: {e}");
    }
    let authority = cli
        .server
        .trim_start_matches("http://")
        .trim_end_matches('/');
    let addr = authority
        .to_socket_addrs()
        .context("resolving the server address")?
        .next()
        .context("no address for the server")?;
    let target = Target {
        base: cli.server.trim_end_matches('/').to_owned(),
        addr,
        pid: cli.pid,
        sources: cli.sources,
    };
    let report = match cli.scenario {
        Scenario::Idle { conns, users, hold } => {
            scenarios::idle(&target, conns, users, Duration::from_secs(hold)).await?
        }
        Scenario::Chat {
            users,
            group_size,
            rate,
            duration,
        } => {
            let shape = ChatShape {
                users,
                group_size,
                senders_per_group: None,
                rate,
                duration: Duration::from_secs(duration),
                name: "chat",
            };
            scenarios::chat(&target, &shape).await?
        }
        Scenario::Fanout {
            members,
            rooms,
            senders,
            rate,
            duration,
        } => {
            let shape = ChatShape {
                users: members * rooms,
                group_size: members,
                senders_per_group: Some(senders),
                rate,
                duration: Duration::from_secs(duration),
                name: "fanout",
            };
            scenarios::chat(&target, &shape).await?
        }
    };
    println!("{report}");
    Ok(())
}
