//! `ReportStore` on SQL.

use crate::database::SqlDatabase;
use crate::entity::report;
use crate::error::StoreResult;
use async_trait::async_trait;
use chatchit_domain::StoreError;
use chatchit_domain::ids::UserId;
use chatchit_domain::ports::ReportStore;
use chatchit_domain::report::{Report, ReportAction, ReportId, ReportStatus, ReportTarget};
use chatchit_domain::time::Timestamp;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// Reports.
pub struct SqlReportStore {
    /// The pool.
    db: SqlDatabase,
}

impl SqlReportStore {
    /// A store over `db`.
    pub fn new(db: SqlDatabase) -> Self {
        Self { db }
    }
}

fn target_name(t: ReportTarget) -> &'static str {
    match t {
        ReportTarget::User => "user",
        ReportTarget::Message => "message",
        ReportTarget::Story => "story",
    }
}

fn action_name(a: ReportAction) -> &'static str {
    match a {
        ReportAction::Dismiss => "dismiss",
        ReportAction::RemoveContent => "remove_content",
        ReportAction::BanUser => "ban_user",
    }
}

fn to_report(r: report::Model) -> Report {
    let target_type = match r.target_type.as_str() {
        "message" => ReportTarget::Message,
        "story" => ReportTarget::Story,
        _ => ReportTarget::User,
    };
    let action = match r.action.as_deref() {
        Some("dismiss") => Some(ReportAction::Dismiss),
        Some("remove_content") => Some(ReportAction::RemoveContent),
        Some("ban_user") => Some(ReportAction::BanUser),
        _ => None,
    };
    Report {
        id: ReportId(r.id),
        reporter_id: UserId(r.reporter_id),
        target_type,
        target_id: r.target_id,
        reason: r.reason,
        details: r.details,
        status: match r.status.as_str() {
            "resolved" => ReportStatus::Resolved,
            _ => ReportStatus::Open,
        },
        action,
        note: r.note,
        created_at: Timestamp::from_millis(r.created_at),
        resolved_at: r.resolved_at.map(Timestamp::from_millis),
        resolved_by: r.resolved_by.map(UserId),
    }
}

#[async_trait]
impl ReportStore for SqlReportStore {
    async fn create(&self, r: Report) -> Result<(), StoreError> {
        let row = report::ActiveModel {
            id: Set(r.id.0),
            reporter_id: Set(r.reporter_id.0),
            target_type: Set(target_name(r.target_type).to_owned()),
            target_id: Set(r.target_id),
            reason: Set(r.reason),
            details: Set(r.details),
            status: Set(r.status.as_str().to_owned()),
            action: Set(r.action.map(|a| action_name(a).to_owned())),
            note: Set(r.note),
            created_at: Set(r.created_at.millis()),
            resolved_at: Set(r.resolved_at.map(Timestamp::millis)),
            resolved_by: Set(r.resolved_by.map(|u| u.0)),
        };
        let _turn = self.db.write_turn().await;
        report::Entity::insert(row)
            .exec(self.db.connection())
            .await
            .store()?;
        Ok(())
    }

    async fn find(&self, id: ReportId) -> Result<Option<Report>, StoreError> {
        let row = report::Entity::find_by_id(id.0)
            .one(self.db.connection())
            .await
            .store()?;
        Ok(row.map(to_report))
    }

    async fn list(&self, status: ReportStatus, limit: u32) -> Result<Vec<Report>, StoreError> {
        let rows = report::Entity::find()
            .filter(report::Column::Status.eq(status.as_str()))
            .order_by_asc(report::Column::CreatedAt)
            .limit(u64::from(limit))
            .all(self.db.connection())
            .await
            .store()?;
        Ok(rows.into_iter().map(to_report).collect())
    }

    async fn resolve(
        &self,
        id: ReportId,
        action: ReportAction,
        note: Option<String>,
        by: UserId,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let _turn = self.db.write_turn().await;
        let done = report::Entity::update_many()
            .col_expr(
                report::Column::Status,
                Expr::value(ReportStatus::Resolved.as_str()),
            )
            .col_expr(report::Column::Action, Expr::value(action_name(action)))
            .col_expr(report::Column::Note, Expr::value(note))
            .col_expr(report::Column::ResolvedAt, Expr::value(at.millis()))
            .col_expr(report::Column::ResolvedBy, Expr::value(by.0))
            .filter(report::Column::Id.eq(id.0))
            .filter(report::Column::Status.eq(ReportStatus::Open.as_str()))
            .exec(self.db.connection())
            .await
            .store()?;
        Ok(done.rows_affected == 1)
    }
}
