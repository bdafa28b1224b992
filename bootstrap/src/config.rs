//! Layered configuration: built-in defaults < `chatchit.toml` < `CHATCHIT_*`
//! environment variables (e.g. `CHATCHIT_BIND`, `CHATCHIT_DATABASE_URL`).

use chatchit_domain::ports::{ANY_OTHER_ACTION, RateQuota};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Every setting of a ChatChit node. A key it does not have, in the file or
/// in a `CHATCHIT_*` variable naming a section, is an error (a typo must not
/// start a server on defaults).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
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
    /// Events RabbitMQ may hand a node before it acknowledges them, per
    /// partition it consumes.
    pub queue_prefetch: u16,
    /// Partitions of the event stream on RabbitMQ: events are routed by
    /// conversation (or call, user, friendship) to one of them and the nodes
    /// share them out, each handled by one node at a time in order. Every
    /// node of a cluster must use the same number.
    pub queue_partitions: u16,
    /// Retries of an event whose processing failed, before it is
    /// dead-lettered.
    pub queue_retries: u32,
    /// The first retry's delay (ms); each next one doubles, with jitter.
    pub queue_retry_base_ms: u64,
    /// The longest delay between two retries (ms).
    pub queue_retry_max_ms: u64,
    /// How often (ms) a node looks for messages whose `message:new` was
    /// never handed out (a node died between the commit and the relay).
    pub relay_sweep_ms: u64,
    /// How old (ms) such a message must be to be relayed again: longer than
    /// an event's retries take.
    pub relay_orphaned_after_ms: u64,
    /// A fault to inject, for the fault suite only (see [`crate::faults`]).
    pub fault: Option<crate::faults::Fault>,
    /// When set, RabbitMQ deletes this namespace's queues once unused this
    /// long (ms). For short-lived namespaces such as test runs only: in
    /// production it would drop the queued events of a stopped cluster.
    pub queue_idle_expiry_ms: Option<u64>,
    /// HS256 secret for access tokens (at least 16 bytes); unset means one
    /// generated once and kept in the database, shared by every node.
    pub jwt_secret: Option<String>,
    /// Let a host's own users in with the host's tokens (see
    /// `docs/embedding.md`); unset means ChatChit accounts only.
    pub external_identity: Option<ExternalIdentity>,
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
    /// HTTP connections served at once (each is a file descriptor; the
    /// process may hold 20,000 here). Past it new ones wait to be accepted.
    pub max_connections: usize,
    /// How long a client may take to send a request's headers, in
    /// milliseconds (a slowloris client is cut off after it).
    pub header_read_timeout_ms: u64,
    /// How long an Engine.IO session may stay without joining namespace `/`
    /// (authenticating), in milliseconds; the reference server's 45 s.
    pub connect_timeout_ms: u64,
    /// Engine.IO sessions one client address (IPv6: one /64) may hold at
    /// once; 0 means no limit.
    pub max_sessions_per_ip: usize,
    /// Threads that run sockets, handlers and queued events; unset means one
    /// fewer than the machine's CPUs (at least one). The CPU left over runs
    /// what is not on those threads: the message writer's commits (its own
    /// thread on SQLite), the database or generator sharing the box, and the
    /// kernel's network work. Measured in `docs/benchmarks.md`.
    pub worker_threads: Option<usize>,
    /// Browser origins allowed to call the REST API and long-poll the
    /// socket from pages they serve (`["https://chat.example.com"]`, or
    /// `["*"]` for any); none by default.
    pub cors: Cors,
}

/// Cross-origin access (`[cors]`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Cors {
    /// `scheme://host[:port]` of each page origin allowed, or `*`.
    pub allowed_origins: Vec<String>,
}

/// Tokens a host's identity provider issues, taken as bearer tokens beside
/// (or instead of) ChatChit's own: `CHATCHIT_EXTERNAL_IDENTITY__ISSUER=…`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalIdentity {
    /// The `iss` every token must carry.
    pub issuer: String,
    /// The `aud` every token must carry, when set.
    pub audience: Option<String>,
    /// HS256 secret shared with the host (at least 32 bytes).
    pub hs256_secret: Option<String>,
    /// A JWKS file with the host's RS256 / ES256 public keys.
    pub jwks_file: Option<PathBuf>,
    /// Whether ChatChit's own accounts still log in (admins made with
    /// `chatchit admin create`, say); `false` leaves the host's users only.
    #[serde(default = "keep_accounts")]
    pub keep_accounts: bool,
}

/// ChatChit accounts stay by default.
fn keep_accounts() -> bool {
    true
}

/// One allowance: a sustained rate and a burst; 0 in either means unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    /// Sustained allowance per minute.
    pub per_minute: u32,
    /// How many may come at once.
    pub burst: u32,
}

/// The allowances, per user and action (per IP for `auth`), each the same
/// whichever transport carries the action (a REST send and a socket send
/// share `message_send`). Set one with e.g.
/// `CHATCHIT_RATE_LIMITS__MESSAGE_SEND__PER_MINUTE=120`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateLimits {
    /// `message:send` (socket or REST) per user.
    pub message_send: Limit,
    /// `typing` per user.
    pub typing: Limit,
    /// Friend requests per user.
    pub friend_request: Limit,
    /// Register, login, refresh and logout per client IP (IPv6 per /64).
    pub auth: Limit,
    /// Logins per username, whatever the address: guessing one account's
    /// password from many addresses costs time too. Counted before the
    /// password is checked, so a locked-out guess costs no bcrypt work.
    pub login_attempt: Limit,
    /// Reports per user.
    pub report: Limit,
    /// Stories posted per user.
    pub story_post: Limit,
    /// Story comments per user.
    pub story_comment: Limit,
    /// Groups created per user.
    pub group_create: Limit,
    /// Member additions (requests, each adding up to 256) per user.
    pub member_add: Limit,
    /// `call:invite` per caller.
    pub call_invite: Limit,
    /// Rings of the same callee by the same caller: a caller cannot keep
    /// someone `busy` by ringing them over and over.
    pub call_ring: Limit,
    /// Every other REST write (POST, PATCH, PUT, DELETE) per user.
    pub rest_write: Limit,
    /// Every other realtime event per user, each counted on its own; an
    /// event added later is limited by this too.
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
            login_attempt: limit(10, 10),
            report: limit(10, 5),
            story_post: limit(10, 5),
            story_comment: limit(60, 20),
            group_create: limit(20, 10),
            member_add: limit(60, 20),
            call_invite: limit(20, 10),
            call_ring: limit(3, 3),
            rest_write: limit(300, 60),
            other_events: limit(600, 60),
        }
    }
}

impl RateLimits {
    /// The quotas by action name, as the rate limiter takes them; every
    /// action not named here has the `other_events` quota.
    pub fn quotas(&self) -> HashMap<String, RateQuota> {
        let quota = |l: Limit| RateQuota {
            per_minute: l.per_minute,
            burst: l.burst,
        };
        [
            ("message:send", self.message_send),
            ("typing", self.typing),
            ("friend:request", self.friend_request),
            ("auth", self.auth),
            ("login:attempt", self.login_attempt),
            ("report", self.report),
            ("story:post", self.story_post),
            ("story:comment", self.story_comment),
            ("group:create", self.group_create),
            ("member:add", self.member_add),
            ("call:invite", self.call_invite),
            ("call:ring", self.call_ring),
            ("rest:write", self.rest_write),
            (ANY_OTHER_ACTION, self.other_events),
        ]
        .into_iter()
        .map(|(action, limit)| (action.to_owned(), quota(limit)))
        .collect()
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
            queue_partitions: 16,
            queue_retries: 10,
            queue_retry_base_ms: 100,
            queue_retry_max_ms: 10_000,
            relay_sweep_ms: 10_000,
            relay_orphaned_after_ms: 60_000,
            fault: None,
            queue_idle_expiry_ms: None,
            jwt_secret: None,
            external_identity: None,
            bcrypt_cost: 12,
            access_token_ttl_secs: 15 * 60,
            refresh_token_ttl_days: 30,
            typing_timeout_ms: 6000,
            call_ring_timeout_ms: 30_000,
            ping_interval_ms: 25_000,
            ping_timeout_ms: 20_000,
            log: "info,sea_orm=warn,sea_orm_migration=warn,sqlx=warn".into(),
            log_format: "text".into(),
            rate_limits: RateLimits::default(),
            trust_forwarded_for: false,
            worker_threads: None,
            cors: Cors::default(),
            max_connections: 16_000,
            header_read_timeout_ms: 10_000,
            connect_timeout_ms: 45_000,
            max_sessions_per_ip: 500,
        }
    }
}

impl Config {
    /// Reads defaults, then the file, then `CHATCHIT_*` variables. The file
    /// is `file` when one is named (it must exist), else `chatchit.toml` in
    /// the working directory if there is one. Variables are read for the
    /// settings that exist (`CHATCHIT_BIND`, `CHATCHIT_RATE_LIMITS__TYPING__BURST`);
    /// others of the prefix (`CHATCHIT_CONFIG`, a test's URLs) are not
    /// settings and are left alone.
    ///
    /// # Errors
    /// A named file that does not exist, a key the configuration does not
    /// have, or a value of the wrong type.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let path = match file {
            Some(path) if !path.exists() => return Err(ConfigError::Missing(path.to_path_buf())),
            Some(path) => path.to_path_buf(),
            None => PathBuf::from("chatchit.toml"),
        };
        let settings = match serde_json::to_value(Config::default()) {
            Ok(serde_json::Value::Object(keys)) => keys.into_iter().map(|(k, _)| k).collect(),
            _ => Vec::new(),
        };
        Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(&path))
            .merge(Env::prefixed("CHATCHIT_").split("__").filter(move |key| {
                let top = key.as_str().split('.').next().unwrap_or_default();
                settings.iter().any(|s| s.eq_ignore_ascii_case(top))
            }))
            .extract()
            .map_err(|e| ConfigError::Invalid(Box::new(e)))
    }

    /// This configuration with its secrets masked (`jwt_secret`, the
    /// external identity's secret, passwords in URLs), for printing.
    #[must_use]
    pub fn masked(&self) -> Self {
        let mut shown = self.clone();
        let hide = |value: &mut Option<String>| {
            if value.is_some() {
                *value = Some("********".into());
            }
        };
        hide(&mut shown.jwt_secret);
        if let Some(identity) = shown.external_identity.as_mut() {
            hide(&mut identity.hs256_secret);
        }
        for url in [
            &mut shown.database_url,
            &mut shown.redis_url,
            &mut shown.amqp_url,
        ]
        .into_iter()
        .flatten()
        {
            *url = without_password(url);
        }
        shown
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

/// `scheme://user:password@host…` with the password masked.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let Some((credentials, host)) = rest.rsplit_once('@') else {
        return url.to_owned();
    };
    match credentials.split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:********@{host}"),
        None => url.to_owned(),
    }
}

/// Why the configuration could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// `--config` names a file that is not there.
    #[error("configuration file {} not found", .0.display())]
    Missing(PathBuf),
    /// A key it does not have, or a value of the wrong type.
    #[error(transparent)]
    Invalid(Box<figment::Error>),
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
            jail.set_env("CHATCHIT_TEST_POSTGRES_URL", "not a setting");
            let config = Config::load(None).map_err(|e| e.to_string())?;
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
    #[allow(clippy::result_large_err)] // figment's Jail API fixes the closure's error type
    fn a_typo_or_a_missing_file_is_an_error() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("chatchit.toml", "bnd = \"0.0.0.0:9000\"")?;
            let error = Config::load(None)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(error.contains("bnd"), "{error}");
            jail.create_file("typo.toml", "[rate_limits.typing]\nburts = 3")?;
            let error = Config::load(Some(Path::new("typo.toml")))
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(error.contains("burts"), "{error}");
            let missing = Config::load(Some(Path::new("/nonexistent.toml")));
            assert!(matches!(missing, Err(ConfigError::Missing(_))));
            jail.create_file("chatchit.toml", "")?;
            jail.set_env("CHATCHIT_RATE_LIMITS__TYPO__BURST", "3");
            assert!(
                Config::load(None).is_err(),
                "a typo inside a section's variable"
            );
            Ok(())
        });
    }

    #[test]
    fn secrets_are_masked_for_printing() {
        let config = Config {
            jwt_secret: Some("s3cret-s3cret".into()),
            database_url: Some("postgres://chat:pw@db:5432/chat".into()),
            redis_url: Some("redis://cache:6379".into()),
            ..Config::default()
        };
        let shown = config.masked();
        assert_eq!(shown.jwt_secret.as_deref(), Some("********"));
        assert_eq!(
            shown.database_url.as_deref(),
            Some("postgres://chat:********@db:5432/chat")
        );
        assert_eq!(shown.redis_url.as_deref(), Some("redis://cache:6379"));
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
