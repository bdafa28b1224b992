//! Reports of abuse and their resolution by admins.

use crate::ids::UserId;
use crate::time::Timestamp;
use uuid::Uuid;

pub use crate::ids::ReportId;

/// What is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportTarget {
    /// An account.
    User,
    /// A message.
    Message,
    /// A story.
    Story,
}

/// What an admin did about a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportAction {
    /// Nothing wrong.
    Dismiss,
    /// The content is taken down.
    RemoveContent,
    /// The author is banned.
    BanUser,
}

/// Where a report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportStatus {
    /// Waiting for an admin.
    Open,
    /// An admin acted on it.
    Resolved,
}

impl ReportStatus {
    /// The status named `text` (`open`, `resolved`).
    ///
    /// # Errors
    /// `Validation` for any other text.
    pub fn parse(text: &str) -> Result<Self, crate::ValidationError> {
        match text {
            "open" => Ok(Self::Open),
            "resolved" => Ok(Self::Resolved),
            _ => Err(crate::ValidationError::new(
                "status",
                "must be open or resolved",
            )),
        }
    }

    /// Its name, as stored and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Resolved => "resolved",
        }
    }
}

/// A report (the `GET /admin/reports` item).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Identifier.
    pub id: ReportId,
    /// Who reported.
    pub reporter_id: UserId,
    /// What kind of thing.
    pub target_type: ReportTarget,
    /// Its id.
    pub target_id: Uuid,
    /// Short reason.
    pub reason: String,
    /// Longer text.
    pub details: Option<String>,
    /// Open or resolved.
    pub status: ReportStatus,
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
