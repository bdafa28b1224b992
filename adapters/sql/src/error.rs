//! Maps sea-orm errors into the domain's `StoreError`, in one place.

use chatchit_domain::StoreError;
use sea_orm::{DbErr, SqlErr};

/// Translates a driver error: uniqueness → `Conflict`, connection trouble →
/// `Unavailable`, everything else → `Internal`.
pub fn store_error(e: DbErr) -> StoreError {
    if let Some(SqlErr::UniqueConstraintViolation(m)) = e.sql_err() {
        return StoreError::Conflict(m);
    }
    match e {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => StoreError::Unavailable(e.to_string()),
        DbErr::RecordNotFound(m) => StoreError::NotFound(m),
        other => StoreError::Internal(other.to_string()),
    }
}

/// `Result` with the error already translated.
pub trait StoreResult<T> {
    /// Translates the error.
    fn store(self) -> Result<T, StoreError>;
}

impl<T> StoreResult<T> for Result<T, DbErr> {
    fn store(self) -> Result<T, StoreError> {
        self.map_err(store_error)
    }
}
