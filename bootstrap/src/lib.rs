//! ChatChit's composition root: configuration, adapter selection, wiring and
//! the server's lifecycle.
//!
//! Embed ChatChit in another Rust service with [`ChatChit::builder`]: supply
//! any port yourself ([`Builder::users`], [`Builder::identity`], …), mount
//! [`ChatChit::router`] in your own axum app, call the use cases through
//! [`ChatChit::services`], and end with [`ChatChit::shutdown`]. The
//! `chatchit` binary is [`Application`], a thin wrapper over the same.
//! `docs/embedding.md` walks through it; `examples/` has two hosts.

pub mod admin_cli;
mod app;
mod builder;
mod chatchit;
pub mod config;
pub mod faults;
mod gauges;
mod health;
pub mod healthcheck;
mod ports;
mod secrets;
pub mod seed;
mod serve;
pub mod telemetry;

pub use admin_cli::{create_admin, promote};
pub use app::{Application, StopHandle, migrate};
pub use builder::Builder;
pub use chatchit::{ChatChit, Services};
pub use config::{Config, ConfigError, Cors, ExternalIdentity, Limit, RateLimits};
pub use ports::HostQueue;

/// The crates a host needs besides this one, so that one dependency on
/// `chatchit` is enough: the entities and ports, the use cases, and the
/// adapters a host may pick from when it supplies some ports itself.
pub mod parts {
    pub use chatchit_application as application;
    pub use chatchit_crypto as crypto;
    pub use chatchit_domain as domain;
    pub use chatchit_http as http;
    pub use chatchit_memory as memory;
    pub use chatchit_protocol as protocol;
    pub use chatchit_sql as sql;
}
