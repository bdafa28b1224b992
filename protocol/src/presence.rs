//! Presence and typing.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A user's presence as friends and fellow members see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PresenceStatus {
    /// Connected.
    Online,
    /// Connected, away.
    Away,
    /// Connected, do not disturb.
    Dnd,
    /// Connected, shown to others as offline (never sent to others).
    Invisible,
    /// No socket open.
    Offline,
}

/// A status a user can choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChosenStatus {
    /// Connected.
    Online,
    /// Away.
    Away,
    /// Do not disturb.
    Dnd,
    /// Shown as offline.
    Invisible,
}

/// `presence:set`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetPresence {
    /// The new status.
    pub status: ChosenStatus,
}

/// `typing`: starts or stops the caller's typing indicator; it stops by
/// itself after a few seconds without another `typing: true`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SetTyping {
    /// Which conversation.
    pub conversation_id: Uuid,
    /// Typing or not.
    pub typing: bool,
}

/// An answer with nothing in it: `{}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Empty {}
