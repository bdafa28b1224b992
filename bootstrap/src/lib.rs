//! ChatChit's composition root: configuration, adapter selection, wiring and
//! the server's lifecycle. Embed ChatChit in another Rust service with
//! [`Application::build`], then [`Application::port`] and
//! [`Application::run_until_stopped`].

mod admin_cli;
mod app;
pub mod config;
pub mod faults;
mod health;
mod secrets;
mod serve;
pub mod telemetry;

pub use admin_cli::{create_admin, promote};
pub use app::{Application, StopHandle, migrate};
pub use config::{Config, Limit, RateLimits};
