//! Layered configuration: built-in defaults < `chatchit.toml` < `CHATCHIT_*`
//! environment variables (e.g. `CHATCHIT_BIND`, `CHATCHIT_DATABASE_URL`).

use chatchit_domain::ports::RateQuota;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Every setting of a ChatChit node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port.
    pub bind: String,
    /// Where the embedded database and the generated JWT secret live.
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`; unset means a SQLite file in `data_dir`.
    pub database_url: Option<String>,
    /// Largest database connection pool.
    pub database_max_connections: u32,
    /// `redis://host:port`; set, it holds presence, rate-limit counters and
    /// carries deliveries between nodes. Unset means all of that stays in
    /// this process (one node).
    pub redis_url: Option<String>,
    /// `amqp://user:password@host:port`; set, RabbitMQ carries the event queue
    /// shared by every node. Unset means the in-process queue.
    pub amqp_url: Option<String>,
    /// Prefix of every Redis key and RabbitMQ queue name, so several
    /// deployments can share the services.
    pub namespace: String,
    /// A node silent this long (ms) is taken for crashed: its users go offline.
    pub node_timeout_ms: u64,
    /// Events RabbitMQ may hand a node before it acknowledges them.
    pub queue_prefetch: u16,
    /// When set, RabbitMQ deletes this namespace's queues once unused this
    /// long (ms). For short-lived namespaces such as test runs only: in
    /// production it would drop the queued events of a stopped cluster.
    pub queue_idle_expiry_ms: Option<u64>,
    /// HS256 secret for access tokens (at least 16 bytes); unset means one
    /// generated once and kept in the database, shared by every node.
    pub jwt_secret: Option<String>,
    /// bcrypt cost factor.
    pub bcrypt_cost: u32,
    /// Access-token lifetime in seconds.
    pub access_token_ttl_secs: i64,
    /// Refresh-token lifetime in days.
    pub refresh_token_ttl_days: i64,
    /// How long `typing: true` lasts without renewal, in milliseconds.
    pub typing_timeout_ms: u64,
    /// How long a call invite rings before it ends as `missed`, in milliseconds.
    pub call_ring_timeout_ms: u64,
    /// Time between the server's Engine.IO pings, in milliseconds.
    pub ping_interval_ms: u64,
    /// How long a pong may take before the socket is dropped, in milliseconds.
    pub ping_timeout_ms: u64,
    /// Log filter (`RUST_LOG` syntax), e.g. `info` or `chatchit=debug`.
    pub log: String,
    /// `text` or `json` log lines.
    pub log_format: String,
    /// Per-user (per-IP for `auth`) allowances.
    pub rate_limits: RateLimits,
    /// Take the client address from the last `X-Forwarded-For` entry (only
    /// behind a load balancer that sets it, such as `deploy/nginx.conf`).
    pub trust_forwarded_for: bool,
    /// Threads that run sockets, handlers and queued events; unset means one
    /// fewer than the machine's CPUs (at least one). The CPU left over runs
    /// what is not on those threads: the message writer's commits (its own
    /// thread on SQLite), the database or generator sharing the box, and the
    /// kernel's network work. Measured in `docs/benchmarks.md`.
    pub worker_threads: Option<usize>,
}

/// One allowance: a sustained rate and a burst; 0 in either means unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limit {
    /// Sustained allowance per minute.
    pub per_minute: u32,
    /// How many may come at once.
    pub burst: u32,
}

/// The allowances, per user and event (per IP for `auth`). Set one with e.g.
/// `CHATCHIT_RATE_LIMITS__MESSAGE_SEND__PER_MINUTE=120`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RateLimits {
    /// `message:send` per user.
    pub message_send: Limit,
    /// `typing` per user.
    pub typing: Limit,
    /// Friend requests per user.
    pub friend_request: Limit,
    /// Register, login, refresh and logout per client IP.
    pub auth: Limit,
    /// Reports per user.
    pub report: Limit,
    /// Every other realtime event per user, each counted on its own.
    pub other_events: Limit,
}

impl Default for RateLimits {
    fn default() -> Self {
        let limit = |per_minute, burst| Limit { per_minute, burst };
        Self {
            message_send: limit(600, 60),
            typing: limit(120, 20),
            friend_request: limit(20, 10),
            auth: limit(60, 20),
            report: limit(10, 5),
            other_events: limit(600, 60),
        }
    }
}

impl RateLimits {
    /// The quotas by action name, as the rate limiter takes them.
    pub fn quotas(&self, other_events: &[&str]) -> HashMap<String, RateQuota> {
        let quota = |l: Limit| RateQuota {
            per_minute: l.per_minute,
            burst: l.burst,
        };
        let mut quotas: HashMap<String, RateQuota> = other_events
            .iter()
            .map(|e| ((*e).to_owned(), quota(self.other_events)))
            .collect();
        quotas.insert("message:send".into(), quota(self.message_send));
        quotas.insert("typing".into(), quota(self.typing));
        quotas.insert("friend:request".into(), quota(self.friend_request));
        quotas.insert("auth".into(), quota(self.auth));
        quotas.insert("report".into(), quota(self.report));
        quotas
    }
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("data"),
            database_url: None,
            database_max_connections: 10,
            redis_url: None,
            amqp_url: None,
            namespace: "chatchit".into(),
            node_timeout_ms: 15_000,
            queue_prefetch: 64,
            queue_idle_expiry_ms: None,
            jwt_secret: None,
            bcrypt_cost: 12,
            access_token_ttl_secs: 15 * 60,
            refresh_token_ttl_days: 30,
            typing_timeout_ms: 6000,
            call_ring_timeout_ms: 30_000,
            ping_interval_ms: 25_000,
            ping_timeout_ms: 20_000,
            log: "info".into(),
            log_format: "text".into(),
            rate_limits: RateLimits::default(),
            trust_forwarded_for: false,
            worker_threads: None,
        }
    }
}

impl Config {
    /// Reads defaults, then `file` (if it exists), then `CHATCHIT_*` variables.
    ///
    /// # Errors
    /// When a source holds a value of the wrong type.
    pub fn load(file: &Path) -> Result<Self, Box<figment::Error>> {
        Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(file))
            .merge(Env::prefixed("CHATCHIT_").split("__"))
            .extract()
            .map_err(Box::new)
    }

    /// The number of runtime worker threads in force: the configured one, or
    /// one fewer than `cpus` (at least one).
    pub fn effective_worker_threads(&self, cpus: usize) -> usize {
        self.worker_threads
            .unwrap_or_else(|| cpus.saturating_sub(1))
            .max(1)
    }

    /// The database URL in force: the configured one, or the embedded SQLite file.
    pub fn effective_database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join("chatchit.db").display()
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::result_large_err)] // figment's Jail API fixes the closure's error type
    fn env_overrides_file_overrides_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("chatchit.toml", "bind = \"0.0.0.0:9000\"\nbcrypt_cost = 10")?;
            jail.set_env("CHATCHIT_BCRYPT_COST", "4");
            jail.set_env("CHATCHIT_RATE_LIMITS__TYPING__BURST", "3");
            let config = Config::load(Path::new("chatchit.toml")).map_err(|e| e.to_string())?;
            assert_eq!(config.bind, "0.0.0.0:9000");
            assert_eq!(config.bcrypt_cost, 4);
            assert_eq!(config.typing_timeout_ms, 6000);
            assert_eq!(config.rate_limits.typing.burst, 3);
            assert_eq!(config.rate_limits.typing.per_minute, 120);
            assert!(config.effective_database_url().starts_with("sqlite://data"));
            Ok(())
        });
    }

    #[test]
    fn worker_threads_leave_a_cpu_unless_set() {
        let mut config = Config::default();
        assert_eq!(config.effective_worker_threads(8), 7);
        assert_eq!(config.effective_worker_threads(2), 1);
        assert_eq!(config.effective_worker_threads(1), 1);
        config.worker_threads = Some(4);
        assert_eq!(config.effective_worker_threads(2), 4);
        config.worker_threads = Some(0);
        assert_eq!(config.effective_worker_threads(2), 1);
    }
}
