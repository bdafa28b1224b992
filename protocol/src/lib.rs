//! ChatChit's wire contract: every type a client sends or receives, over
//! REST and over Socket.IO, with its serde form and its JSON Schema (field
//! limits included). The server maps its use cases' results to these types;
//! the clients (`chatchit-client`, `clients/js`) and both API documents
//! (`/api/openapi.json`, `/api/asyncapi.json`) are made from them, so a
//! change to the wire is a change here, checked by the compiler.

pub mod admin;
pub mod asyncapi;
pub mod auth;
pub mod calls;
pub mod conversations;
mod error;
pub mod events;
pub mod messages;
pub mod ops;
pub mod presence;
pub mod schema;
pub mod social;
pub mod stories;
mod time;
pub mod users;

pub use error::{Ack, ErrorBody, ErrorCode, ErrorDetail, False, True};
pub use time::Timestamp;

use serde::{Deserialize, Deserializer};

/// Reads a field that tells "absent" (`None`) from "set to null"
/// (`Some(None)`), for `PATCH` bodies; use with `#[serde(default)]`.
///
/// # Errors
/// When the value is not of the field's type.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}
