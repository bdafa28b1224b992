//! Calls: WebRTC signaling sessions with states `ringing → active → ended`.

use crate::ids::{ConversationId, UserId};
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};

pub use crate::ids::CallId;

/// Audio only, or with video.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CallKind {
    /// Voice.
    Audio,
    /// Voice and video.
    Video,
}

/// Where a call is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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

/// Why a call refuses a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CallRefusal {
    /// The user takes no part in the call.
    #[error("not a participant of the call")]
    NotAParticipant,
    /// The caller tried to answer their own call.
    #[error("the caller cannot answer their own call")]
    OwnCall,
    /// Only a ringing call can be answered or declined.
    #[error("the call is not ringing")]
    NotRinging,
    /// The call is over.
    #[error("the call has ended")]
    Ended,
    /// A signal to oneself, or to someone outside the call.
    #[error("the signal's recipient is not another participant")]
    BadRecipient,
}

/// A call after one step, and the state it must still be in when stored (so
/// that two steps racing on one call cannot both happen).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The call as the step leaves it.
    pub call: Call,
    /// The state it was in.
    pub from: CallState,
}

impl Call {
    /// Call `id`, which `initiator` places to `participants` (the caller
    /// first), ringing from `at`.
    pub fn ring(
        id: CallId,
        conversation_id: ConversationId,
        kind: CallKind,
        initiator: UserId,
        participants: Vec<UserId>,
        at: Timestamp,
    ) -> Self {
        Self {
            id,
            conversation_id,
            kind,
            initiator_id: initiator,
            participants,
            state: CallState::Ringing,
            started_at: at,
            answered_at: None,
            ended_at: None,
            end_reason: None,
        }
    }

    /// Whether `user` was invited to (or placed) the call.
    pub fn has(&self, user: UserId) -> bool {
        self.participants.contains(&user)
    }

    /// A callee answers: `ringing → active`.
    ///
    /// # Errors
    /// Not a participant, the caller, or no longer ringing.
    pub fn accept(&self, by: UserId, at: Timestamp) -> Result<Step, CallRefusal> {
        self.answerable_by(by)?;
        let mut call = self.clone();
        call.state = CallState::Active;
        call.answered_at = Some(at);
        Ok(Step {
            call,
            from: CallState::Ringing,
        })
    }

    /// A callee declines: it ends as `rejected`.
    ///
    /// # Errors
    /// As [`Call::accept`].
    pub fn reject(&self, by: UserId, at: Timestamp) -> Result<Step, CallRefusal> {
        self.answerable_by(by)?;
        Ok(self.end_as(EndReason::Rejected, at))
    }

    /// A participant hangs up: `cancelled` while ringing (the caller),
    /// `rejected` while ringing (a callee), `completed` once active.
    ///
    /// # Errors
    /// Not a participant, or already ended.
    pub fn hang_up(&self, by: UserId, at: Timestamp) -> Result<Step, CallRefusal> {
        if !self.has(by) {
            return Err(CallRefusal::NotAParticipant);
        }
        let reason = match self.state {
            CallState::Ringing if self.initiator_id == by => EndReason::Cancelled,
            CallState::Ringing => EndReason::Rejected,
            CallState::Active => EndReason::Completed,
            CallState::Ended => return Err(CallRefusal::Ended),
        };
        Ok(self.end_as(reason, at))
    }

    /// The ring timeout: a call still ringing ends as `missed`; any other is
    /// left as it is (`None`).
    pub fn time_out(&self, at: Timestamp) -> Option<Step> {
        (self.state == CallState::Ringing).then(|| self.end_as(EndReason::Missed, at))
    }

    /// Whether `from` may send `to` a WebRTC signal in this call.
    ///
    /// # Errors
    /// Not participants both, to oneself, or the call ended.
    pub fn relay(&self, from: UserId, to: UserId) -> Result<(), CallRefusal> {
        if !self.has(from) {
            return Err(CallRefusal::NotAParticipant);
        }
        if !self.has(to) || to == from {
            return Err(CallRefusal::BadRecipient);
        }
        if self.state == CallState::Ended {
            return Err(CallRefusal::Ended);
        }
        Ok(())
    }

    /// Whether `by` may answer (accept or decline) the call.
    fn answerable_by(&self, by: UserId) -> Result<(), CallRefusal> {
        if !self.has(by) {
            return Err(CallRefusal::NotAParticipant);
        }
        if self.initiator_id == by {
            return Err(CallRefusal::OwnCall);
        }
        if self.state != CallState::Ringing {
            return Err(CallRefusal::NotRinging);
        }
        Ok(())
    }

    /// The call ended for `reason` at `at`.
    fn end_as(&self, reason: EndReason, at: Timestamp) -> Step {
        let mut call = self.clone();
        call.state = CallState::Ended;
        call.ended_at = Some(at);
        call.end_reason = Some(reason);
        Step {
            call,
            from: self.state,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ringing() -> (Call, UserId, UserId) {
        let (caller, callee) = (UserId::generate(), UserId::generate());
        let call = Call::ring(
            CallId::generate(),
            ConversationId::generate(),
            CallKind::Audio,
            caller,
            vec![caller, callee],
            Timestamp::from_millis(1),
        );
        (call, caller, callee)
    }

    fn at() -> Timestamp {
        Timestamp::from_millis(5)
    }

    #[test]
    fn a_callee_answers_a_ringing_call_and_either_hangs_up_after() {
        let (call, caller, callee) = ringing();
        assert_eq!(call.accept(caller, at()), Err(CallRefusal::OwnCall));
        assert_eq!(
            call.accept(UserId::generate(), at()),
            Err(CallRefusal::NotAParticipant)
        );
        let step = call.accept(callee, at()).expect("answered");
        assert_eq!(
            (step.from, step.call.state),
            (CallState::Ringing, CallState::Active)
        );
        assert_eq!(step.call.answered_at, Some(at()));
        let active = step.call;
        assert_eq!(active.accept(callee, at()), Err(CallRefusal::NotRinging));
        let done = active.hang_up(caller, at()).expect("hung up");
        assert_eq!(done.call.end_reason, Some(EndReason::Completed));
        assert_eq!(done.from, CallState::Active);
        assert_eq!(done.call.hang_up(callee, at()), Err(CallRefusal::Ended));
    }

    #[test]
    fn hanging_up_while_ringing_is_cancelled_by_the_caller_and_rejected_by_a_callee() {
        let (call, caller, callee) = ringing();
        let reason = |step: Step| step.call.end_reason;
        assert_eq!(
            reason(call.hang_up(caller, at()).expect("caller")),
            Some(EndReason::Cancelled)
        );
        assert_eq!(
            reason(call.hang_up(callee, at()).expect("callee")),
            Some(EndReason::Rejected)
        );
        assert_eq!(
            reason(call.reject(callee, at()).expect("declined")),
            Some(EndReason::Rejected)
        );
    }

    #[test]
    fn only_a_ringing_call_times_out_and_signals_stay_inside_a_live_call() {
        let (call, caller, callee) = ringing();
        let missed = call.time_out(at()).expect("missed");
        assert_eq!(missed.call.end_reason, Some(EndReason::Missed));
        assert_eq!(missed.call.time_out(at()), None);
        assert_eq!(call.relay(caller, callee), Ok(()));
        assert_eq!(call.relay(caller, caller), Err(CallRefusal::BadRecipient));
        assert_eq!(
            call.relay(caller, UserId::generate()),
            Err(CallRefusal::BadRecipient)
        );
        assert_eq!(
            call.relay(UserId::generate(), callee),
            Err(CallRefusal::NotAParticipant)
        );
        assert_eq!(missed.call.relay(caller, callee), Err(CallRefusal::Ended));
    }
}
