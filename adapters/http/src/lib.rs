//! The HTTP edge of ChatChit: the REST API under `/api/v1`, the Socket.IO
//! gateway on `/socket.io/`, health, Prometheus metrics, OpenAPI docs, and
//! the web chat and admin dashboard ([`web`]).
//!
//! Protocol error codes become HTTP statuses here and only here ([`error`]).

mod client;
mod cors;
mod docs;
pub mod error;
mod extract;
pub mod gateway;
mod metrics_endpoint;
mod openapi;
mod routes;
mod state;
mod text_guard;
pub mod web;
pub mod wire;

pub use cors::{InvalidOrigin, cors};
pub use gateway::{Gateway, Heartbeat, SessionLimits, SocketDelivery};
pub use metrics_endpoint::{describe_metrics, prometheus};
pub use routes::{metrics_route, router};
pub use state::{AppState, HealthCheck, HealthStatus};
