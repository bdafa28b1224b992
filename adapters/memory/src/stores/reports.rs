//! `ReportStore` in memory.

use super::{InMemoryStore, taken, up_to};
use async_trait::async_trait;
use chatchit_domain::StoreError;
use chatchit_domain::ids::UserId;
use chatchit_domain::ports::ReportStore;
use chatchit_domain::report::{Report, ReportAction, ReportId, ReportStatus};
use chatchit_domain::time::Timestamp;
use std::collections::HashMap;

/// Reports by id.
#[derive(Default)]
pub(super) struct Reports {
    /// By id.
    by_id: HashMap<ReportId, Report>,
}

#[async_trait]
impl ReportStore for InMemoryStore {
    async fn create(&self, report: Report) -> Result<(), StoreError> {
        let mut t = self.tables();
        if t.reports.by_id.contains_key(&report.id) {
            return Err(taken("reports.id"));
        }
        t.reports.by_id.insert(report.id, report);
        Ok(())
    }

    async fn find(&self, id: ReportId) -> Result<Option<Report>, StoreError> {
        Ok(self.tables().reports.by_id.get(&id).cloned())
    }

    async fn list(&self, status: ReportStatus, limit: u32) -> Result<Vec<Report>, StoreError> {
        let t = self.tables();
        let mut found: Vec<&Report> = t
            .reports
            .by_id
            .values()
            .filter(|r| r.status == status)
            .collect();
        found.sort_by_key(|r| (r.created_at, r.id));
        Ok(up_to(found.into_iter().cloned(), limit))
    }

    async fn resolve(
        &self,
        id: ReportId,
        action: ReportAction,
        note: Option<String>,
        by: UserId,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut t = self.tables();
        let Some(report) = t
            .reports
            .by_id
            .get_mut(&id)
            .filter(|r| r.status == ReportStatus::Open)
        else {
            return Ok(false);
        };
        report.status = ReportStatus::Resolved;
        report.action = Some(action);
        report.note = note;
        report.resolved_at = Some(at);
        report.resolved_by = Some(by);
        Ok(true)
    }
}
