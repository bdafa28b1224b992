//! Redis adapters for running many nodes as one: presence across nodes (with
//! crashed nodes reaped), rate-limit counters shared by every node, the graph
//! cache every node reads and invalidates, and the cluster bus that carries
//! deliveries to the sockets of the other nodes.
//!
//! Every key starts with a configurable prefix, so several deployments (or
//! test runs) can share one Redis.

mod bus;
mod connection;
mod graph;
mod presence;
mod rate_limit;

pub use bus::RedisBus;
pub use connection::{NodeId, Redis};
pub use graph::RedisGraphCache;
pub use presence::RedisPresence;
pub use rate_limit::RedisRateLimiter;
