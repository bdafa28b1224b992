//! Reports and moderation.

use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// What a report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReportTarget {
    /// A user.
    User,
    /// A message.
    Message,
    /// A story.
    Story,
}

/// What an admin did with a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportAction {
    /// Nothing to do.
    Dismiss,
    /// The message or story is deleted.
    RemoveContent,
    /// The user (or the content's author) is banned.
    BanUser,
}

/// Open or resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReportStatus {
    /// Waiting for an admin.
    Open,
    /// Handled.
    Resolved,
}

/// `POST /reports`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"targetType": "message", "targetId": "0193a1c2-8000-7000-8000-000000000001", "reason": "spam"}))]
pub struct NewReport {
    /// What kind of thing.
    pub target_type: ReportTarget,
    /// Its id.
    pub target_id: Uuid,
    /// 1–200 characters.
    #[schema(min_length = 1, max_length = 200)]
    pub reason: String,
    /// Up to 2000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 2000)]
    pub details: Option<String>,
}

/// A report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// Stable id.
    pub id: Uuid,
    /// Who reported.
    pub reporter_id: Uuid,
    /// What kind of thing.
    pub target_type: ReportTarget,
    /// Its id.
    pub target_id: Uuid,
    /// Why.
    pub reason: String,
    /// More words.
    pub details: Option<String>,
    /// Open or resolved.
    pub status: ReportStatus,
    /// What was done.
    pub action: Option<ReportAction>,
    /// The admin's note.
    pub note: Option<String>,
    /// When reported.
    pub created_at: Timestamp,
    /// When resolved.
    pub resolved_at: Option<Timestamp>,
    /// By which admin.
    pub resolved_by: Option<Uuid>,
}

/// `POST /admin/reports/{id}/resolve`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResolveReport {
    /// What to do.
    pub action: ReportAction,
    /// Up to 2000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 2000)]
    pub note: Option<String>,
}

/// `GET /admin/reports` query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportsQuery {
    /// Only reports in this state; all when left out.
    pub status: Option<ReportStatus>,
}

/// `GET /admin/stats`: this node's queues and sockets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AdminStats {
    /// Events waiting, per lane (`high`, `medium`, `low`).
    pub queue_depth: BTreeMap<String, u64>,
    /// Events processed since start, per lane.
    pub processed: BTreeMap<String, u64>,
    /// Events per second over the last minute, per lane.
    pub processing_rate: BTreeMap<String, f64>,
    /// Events that failed every retry.
    #[schema(minimum = 0)]
    pub dead_letters: u64,
    /// Sockets open on this node.
    #[schema(minimum = 0)]
    pub connected_sockets: u64,
    /// Seconds since this node started.
    #[schema(minimum = 0)]
    pub uptime_seconds: u64,
    /// 0–100: 100 when queues are empty and nothing is dead-lettered.
    #[schema(minimum = 0, maximum = 100)]
    pub health_score: u8,
    /// Messages this node stored since it started (a rate is two readings
    /// apart).
    #[schema(minimum = 0)]
    pub messages_stored: u64,
    /// Each lane's latest waits against its target, per lane that has
    /// processed an event since the node started.
    pub queue_wait: BTreeMap<String, LaneWait>,
}

/// How long a lane's latest events (up to 1024) waited before processing,
/// against the lane's target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LaneWait {
    /// Median, milliseconds.
    #[schema(minimum = 0)]
    pub p50_ms: f64,
    /// 99th percentile, milliseconds.
    #[schema(minimum = 0)]
    pub p99_ms: f64,
    /// The target: high 100, medium 500, low 2000.
    pub target_ms: u64,
    /// Whether the 99th percentile is within the target.
    pub within_target: bool,
    /// Events the figures are made of.
    #[schema(minimum = 0)]
    pub samples: u64,
}

/// `GET /admin/users` query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct UsersQuery {
    /// Username prefix, any case; all users when left out.
    #[param(max_length = 32)]
    pub query: Option<String>,
    /// 1–100, default 50.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

/// An account as admins see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    /// The user.
    pub user: crate::users::User,
    /// Whether the account is banned.
    pub banned: bool,
}

/// `POST /admin/dead-letters/replay` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Replayed {
    /// Events put back on the queue.
    #[schema(minimum = 0)]
    pub replayed: u64,
}
