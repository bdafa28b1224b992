//! Reports of abuse and their resolution by admins.

use crate::ids::UserId;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use crate::ids::ReportId;

/// What is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ReportTarget {
    /// An account.
    User,
    /// A message.
    Message,
    /// A story.
    Story,
}

/// What an admin did about a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportAction {
    /// Nothing wrong.
    Dismiss,
    /// The content is taken down.
    RemoveContent,
    /// The author is banned.
    BanUser,
}

/// A report (the `GET /admin/reports` item).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// Identifier.
    pub id: ReportId,
    /// Who reported.
    pub reporter_id: UserId,
    /// What kind of thing.
    pub target_type: ReportTarget,
    /// Its id.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = "uuid"))]
    pub target_id: Uuid,
    /// Short reason.
    pub reason: String,
    /// Longer text.
    pub details: Option<String>,
    /// `open` or `resolved`.
    pub status: String,
    /// The action taken, once resolved.
    pub action: Option<ReportAction>,
    /// The admin's note.
    pub note: Option<String>,
    /// When filed.
    pub created_at: Timestamp,
    /// When resolved.
    pub resolved_at: Option<Timestamp>,
    /// By whom.
    pub resolved_by: Option<UserId>,
}
