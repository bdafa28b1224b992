//! Errors of the domain: invalid values and failed store operations.

use thiserror::Error;

/// A value that broke one of its rules; `field` names the offending input field
/// so the edge can tell the client exactly what to fix.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {message}")]
pub struct ValidationError {
    /// The protocol field name (camelCase) the rule belongs to.
    pub field: &'static str,
    /// What is wrong, in words a client developer understands.
    pub message: String,
}

impl ValidationError {
    /// Builds a validation error for `field`.
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

/// What a store adapter can report, in business terms; adapters map their
/// driver errors into these.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StoreError {
    /// A uniqueness rule was broken (e.g. the username is taken).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The record the operation needs does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// The backing service cannot be reached right now.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// Anything else; the text is for logs, never for clients.
    #[error("store failure: {0}")]
    Internal(String),
}
