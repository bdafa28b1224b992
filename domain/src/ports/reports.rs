//! The report store port.

use crate::StoreError;
use crate::ids::UserId;
use crate::report::{Report, ReportAction, ReportId, ReportStatus};
use crate::time::Timestamp;
use async_trait::async_trait;

/// Keeps reports.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait ReportStore: Send + Sync {
    /// Files a report.
    ///
    /// # Errors
    /// Store failures.
    async fn create(&self, report: Report) -> Result<(), StoreError>;

    /// Finds a report.
    ///
    /// # Errors
    /// Store failures.
    async fn find(&self, id: ReportId) -> Result<Option<Report>, StoreError>;

    /// Reports with `status` (`open` / `resolved`), oldest first.
    ///
    /// # Errors
    /// Store failures.
    async fn list(&self, status: ReportStatus, limit: u32) -> Result<Vec<Report>, StoreError>;

    /// Resolves an open report; `false` when it was not open.
    ///
    /// # Errors
    /// Store failures.
    async fn resolve(
        &self,
        id: ReportId,
        action: ReportAction,
        note: Option<String>,
        by: UserId,
        at: Timestamp,
    ) -> Result<bool, StoreError>;
}
