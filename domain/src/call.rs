//! Calls: WebRTC signaling sessions with states `ringing → active → ended`.

use crate::ids::{ConversationId, UserId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

pub use crate::ids::CallId;

/// Audio only, or with video.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum CallKind {
    /// Voice.
    Audio,
    /// Voice and video.
    Video,
}

/// Where a call is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum CallState {
    /// Invited, nobody answered yet.
    Ringing,
    /// Answered.
    Active,
    /// Over; see the end reason.
    Ended,
}

/// Why a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum EndReason {
    /// Answered, then hung up.
    Completed,
    /// A callee declined.
    Rejected,
    /// Nobody answered in time.
    Missed,
    /// The caller hung up while it rang.
    Cancelled,
}

macro_rules! names {
    ($ty:ident { $($variant:ident => $name:literal),* $(,)? }) => {
        impl $ty {
            /// The stored and wire name.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $name),* }
            }

            /// Reads a stored name.
            pub fn from_name(name: &str) -> Option<Self> {
                match name { $($name => Some(Self::$variant),)* _ => None }
            }
        }
    };
}

names!(CallKind { Audio => "audio", Video => "video" });
names!(CallState { Ringing => "ringing", Active => "active", Ended => "ended" });
names!(EndReason { Completed => "completed", Rejected => "rejected", Missed => "missed", Cancelled => "cancelled" });

/// A call (the `GET /calls` item).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Call {
    /// Identifier.
    pub id: CallId,
    /// Where it was placed.
    pub conversation_id: ConversationId,
    /// Audio or video.
    pub kind: CallKind,
    /// Who called.
    pub initiator_id: UserId,
    /// Everyone invited, the initiator first.
    pub participants: Vec<UserId>,
    /// Ringing, active or ended.
    pub state: CallState,
    /// When the invite went out.
    pub started_at: Timestamp,
    /// When someone answered.
    pub answered_at: Option<Timestamp>,
    /// When it ended.
    pub ended_at: Option<Timestamp>,
    /// Why it ended.
    pub end_reason: Option<EndReason>,
}

impl Call {
    /// Whether `user` was invited to (or placed) the call.
    pub fn has(&self, user: UserId) -> bool {
        self.participants.contains(&user)
    }
}
