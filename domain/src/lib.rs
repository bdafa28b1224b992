//! ChatChit's domain: entities, validated values, domain events and the ports
//! (traits) that every adapter implements.
//!
//! This crate knows no framework, runtime or database: the use cases in
//! `chatchit-application` are written against it alone, and every adapter maps
//! its own types into these.

pub mod auth;
pub mod call;
pub mod conversation;
pub mod error;
pub mod events;
pub mod ids;
pub mod message;
pub mod ports;
pub mod presence;
pub mod report;
pub mod social;
pub mod story;
pub mod time;
pub mod user;
pub mod values;

pub use error::{StoreError, ValidationError};
