//! ChatChit's composition root: configuration, adapter selection, wiring and
//! the server's lifecycle.
//!
//! Embed ChatChit in another Rust service with [`ChatChit::builder`]: supply
//! any port yourself ([`Builder::users`], [`Builder::identity`], …), mount
//! [`ChatChit::router`] in your own axum app, call the use cases through
//! [`ChatChit::services`], and end with [`ChatChit::shutdown`]. The
//! `chatchit` binary is [`Application`], a thin wrapper over the same.
//! `docs/embedding.md` walks through it; `examples/` has two hosts.

mod admin_cli;
mod app;
mod builder;
mod chatchit;
pub mod config;
pub mod faults;
mod health;
mod ports;
mod secrets;
mod serve;
pub mod telemetry;

pub use admin_cli::{create_admin, promote};
pub use app::{Application, StopHandle, migrate};
pub use builder::Builder;
pub use chatchit::{ChatChit, Services};
pub use config::{Config, ExternalIdentity, Limit, RateLimits};
pub use ports::{HostQueue, Overrides};
