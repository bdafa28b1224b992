//! Presence: whether a user is connected and what they show others.

use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

/// What a user chose to show (`presence:set`), or `Offline` with no socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PresenceStatus {
    /// Connected and available.
    Online,
    /// Connected, away.
    Away,
    /// Connected, do not disturb.
    Dnd,
    /// Connected but shown to others as offline.
    Invisible,
    /// No socket connected.
    Offline,
}

impl PresenceStatus {
    /// What others see: `invisible` looks `offline`.
    pub fn seen_by_others(self) -> Self {
        match self {
            Self::Invisible => Self::Offline,
            other => other,
        }
    }
}

/// A user's presence right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Presence {
    /// Current status (`Offline` when no socket is connected).
    pub status: PresenceStatus,
    /// When the last socket closed, if it has.
    pub last_seen_at: Option<Timestamp>,
    /// Bumped on every change, so a queued announcement that a later change
    /// superseded can be dropped (coalescing).
    pub version: u64,
}

impl Presence {
    /// Someone never seen.
    pub const UNKNOWN: Self = Self {
        status: PresenceStatus::Offline,
        last_seen_at: None,
        version: 0,
    };
}
