//! Call events: invitations, state changes, signals, and ring timeouts (which end the call through `CallService`).

use super::{EventProcessor, Unhandled, failed};
use chatchit_domain::call::{CallState, EndReason};
use chatchit_domain::events::{
    CallIncomingPayload, CallSignalPayload, CallStatePayload, DomainEvent, ServerEvent,
};

impl EventProcessor {
    /// Projects the events of this feature; hands any other back.
    pub(super) async fn calls(&self, event: DomainEvent) -> Unhandled {
        let done = match event {
            DomainEvent::CallInvited { call } => {
                let payload = CallIncomingPayload {
                    call_id: call.id,
                    conversation_id: call.conversation_id,
                    kind: call.kind,
                    from: call.initiator_id,
                };
                let callees = call
                    .participants
                    .iter()
                    .copied()
                    .filter(|&u| u != call.initiator_id)
                    .collect();
                self.to_users(callees, ServerEvent::CallIncoming(payload))
                    .await
            }
            DomainEvent::CallChanged { call, by } => {
                let payload = CallStatePayload {
                    call_id: call.id,
                    user_id: by,
                    state: call.state,
                    reason: call.end_reason,
                };
                let event = match (call.state, call.end_reason) {
                    (CallState::Active, _) => ServerEvent::CallAccepted(payload),
                    (_, Some(EndReason::Rejected)) => ServerEvent::CallRejected(payload),
                    _ => ServerEvent::CallEnded(payload),
                };
                self.to_users(call.participants.clone(), event).await
            }
            DomainEvent::CallRingTimeout { call_id } => {
                self.calls.ring_timed_out(call_id).await.map_err(failed)
            }
            DomainEvent::CallSignal {
                call_id,
                from,
                to,
                kind,
                payload,
            } => {
                let signal = CallSignalPayload {
                    call_id,
                    from_user_id: from,
                    kind,
                    payload,
                };
                self.to_users(vec![to], ServerEvent::CallSignal(signal))
                    .await
            }
            other => return Ok(Some(other)),
        };
        done.map(|()| None)
    }
}
