//! The application's error type and its mapping to protocol codes.

use chatchit_domain::ports::{DeliveryError, QueueError, SecurityError};
use chatchit_domain::{StoreError, ValidationError};
use thiserror::Error;

/// What a use case can answer instead of a result. Each variant is one
/// protocol error code (docs/protocol.md); the transport maps codes to statuses in one place.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AppError {
    /// The request could not be read at all (unparseable JSON).
    #[error("{0}")]
    BadRequest(String),
    /// A field broke a rule; `field` names it.
    #[error("{field}: {message}")]
    Validation {
        /// The offending field (camelCase, dotted path for nested ones).
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// Missing, bad or revoked credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// The caller may not see or do this.
    #[error("{0}")]
    Forbidden(String),
    /// The thing does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The request clashes with the current state.
    #[error("{0}")]
    Conflict(String),
    /// Over a rate limit; the connection stays up.
    #[error("{0}")]
    RateLimited(String),
    /// The request body is too large.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// A backing service is down.
    #[error("{0}")]
    Unavailable(String),
    /// A bug or an unexpected failure; the text is logged, never shown.
    #[error("{0}")]
    Internal(String),
}

impl AppError {
    /// The protocol's error code (docs/protocol.md).
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "bad_request",
            Self::Validation { .. } => "validation",
            Self::Unauthorized(_) => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound(_) => "not_found",
            Self::Conflict(_) => "conflict",
            Self::RateLimited(_) => "rate_limited",
            Self::PayloadTooLarge(_) => "payload_too_large",
            Self::Unavailable(_) => "unavailable",
            Self::Internal(_) => "internal",
        }
    }

    /// The text a client may see: internal details stay in the logs.
    pub fn client_message(&self) -> String {
        match self {
            Self::Internal(_) => "internal error".to_owned(),
            Self::Unavailable(_) => "service unavailable, try again".to_owned(),
            other => other.to_string(),
        }
    }

    /// A validation error on `field`.
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The answer for anything the caller may not see.
    pub fn forbidden() -> Self {
        Self::Forbidden("you may not access this".to_owned())
    }
}

impl From<ValidationError> for AppError {
    fn from(e: ValidationError) -> Self {
        Self::validation(e.field, e.message)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(m) => Self::Conflict(m),
            StoreError::NotFound(m) => Self::NotFound(m),
            StoreError::Unavailable(m) => Self::Unavailable(m),
            StoreError::Internal(m) => Self::Internal(m),
        }
    }
}

impl From<SecurityError> for AppError {
    fn from(e: SecurityError) -> Self {
        match e {
            SecurityError::InvalidToken => Self::Unauthorized("invalid or expired token".into()),
            SecurityError::Internal(m) => Self::Internal(m),
        }
    }
}

impl From<QueueError> for AppError {
    fn from(e: QueueError) -> Self {
        Self::Unavailable(e.to_string())
    }
}

impl From<DeliveryError> for AppError {
    fn from(e: DeliveryError) -> Self {
        Self::Internal(e.to_string())
    }
}
