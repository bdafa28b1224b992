//! RabbitMQ adapter: the `EventQueue` as a partitioned stream of durable
//! priority queues that the nodes share (each partition handled by one node
//! at a time, in order), with publisher confirms, manual acks, retries counted in a
//! header, a dead-letter parking queue, and a circuit breaker that hands
//! events to the in-process queue while the broker is away.

mod confirms;
mod queue;
mod topology;

pub use queue::{AmqpQueue, AmqpSettings, Membership, Supervisor};
