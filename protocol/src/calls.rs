//! Calls: WebRTC signaling relayed through the server, and call history.

use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Audio only, or with video.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CallKind {
    /// Voice.
    Audio,
    /// Voice and picture.
    Video,
}

/// Where a call is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CallState {
    /// Waiting for an answer (30 s at most).
    Ringing,
    /// Answered.
    Active,
    /// Over.
    Ended,
}

/// Why a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum EndReason {
    /// Answered, then hung up.
    Completed,
    /// Every callee rejected it.
    Rejected,
    /// Nobody answered in time.
    Missed,
    /// The caller hung up while it rang.
    Cancelled,
}

/// A call, as history lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Call {
    /// Stable id.
    pub id: Uuid,
    /// In which conversation.
    pub conversation_id: Uuid,
    /// Audio or video.
    pub kind: CallKind,
    /// Who called.
    pub initiator_id: Uuid,
    /// Everyone in it.
    pub participants: Vec<Uuid>,
    /// Where it is.
    pub state: CallState,
    /// When it began ringing.
    pub started_at: Timestamp,
    /// When it was answered.
    pub answered_at: Option<Timestamp>,
    /// When it ended.
    pub ended_at: Option<Timestamp>,
    /// Why it ended.
    pub end_reason: Option<EndReason>,
}

/// `call:invite`: rings the other members of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InviteCall {
    /// Which conversation.
    pub conversation_id: Uuid,
    /// Audio or video.
    pub kind: CallKind,
}

/// `call:invite` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CallInvited {
    /// The new call.
    pub call_id: Uuid,
}

/// `call:accept`, `call:reject` and `call:end`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CallRef {
    /// Which call.
    pub call_id: Uuid,
}

/// `call:accept`, `call:reject` and `call:end` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CallStatus {
    /// Which call.
    pub call_id: Uuid,
    /// Where it is now.
    pub state: CallState,
}

/// What a signal carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SignalKind {
    /// An SDP offer.
    Offer,
    /// An SDP answer.
    Answer,
    /// An ICE candidate.
    Ice,
}

/// `call:signal`: relayed as is to one other participant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SendSignal {
    /// Which call.
    pub call_id: Uuid,
    /// Another participant.
    pub to_user_id: Uuid,
    /// Offer, answer or ICE candidate.
    #[serde(rename = "type")]
    pub kind: SignalKind,
    /// The SDP or candidate, any JSON up to 64 KiB; the server does not read it.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}
