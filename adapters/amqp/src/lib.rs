//! RabbitMQ adapter.
