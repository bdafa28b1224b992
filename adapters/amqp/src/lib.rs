//! RabbitMQ adapter: the `EventQueue` as one durable priority queue shared by
//! every node, with publisher confirms, manual acks, retries counted in a
//! header, a dead-letter parking queue, and a circuit breaker that hands
//! events to the in-process queue while the broker is away.

mod confirms;
mod queue;
mod topology;

pub use queue::{AmqpQueue, AmqpSettings, Supervisor};
