//! Call signaling: invite, accept, reject, end, and relaying WebRTC signals
//! between the participants of a call. An invite nobody answers ends as
//! `missed` after the ring timeout (30 s in production), a delayed event on
//! the queue.

use crate::context::Actor;
use crate::error::AppError;
use crate::handler::Codec;
use crate::handler::check_rate;
use crate::typing::Empty;
use chatchit_domain::call::{Call, CallId, CallKind, CallRefusal, CallState, Step};
use chatchit_domain::conversation::ConversationKind;
use chatchit_domain::events::DomainEvent;
use chatchit_domain::ids::{ConversationId, UserId};
use chatchit_domain::ports::{
    CallStore, Clock, ConversationStore, EventQueue, IdGenerator, RateLimiter, SocialStore,
    TimeOrderedIds,
};
use std::sync::Arc;
use std::time::Duration;

/// A step the call refused, as the protocol answers it: `forbidden` for who
/// may not take it, `conflict` for a call no longer in that state.
fn refused(refusal: CallRefusal) -> AppError {
    match refusal {
        CallRefusal::NotAParticipant | CallRefusal::BadRecipient => AppError::forbidden(),
        CallRefusal::OwnCall => AppError::Forbidden(refusal.to_string()),
        CallRefusal::NotRinging | CallRefusal::Ended => AppError::Conflict(refusal.to_string()),
    }
}

/// Largest signal payload relayed (SDP offers are a few KiB).
const MAX_SIGNAL_BYTES: usize = 64 * 1024;

/// `call:invite` payload.
#[derive(Debug, Clone)]
pub struct InviteInput {
    /// Where to call.
    pub conversation_id: ConversationId,
    /// Audio or video.
    pub kind: CallKind,
}

/// `call:invite` answer.
#[derive(Debug, Clone)]
pub struct Invited {
    /// The new call.
    pub call_id: CallId,
}

/// `call:accept` / `call:reject` / `call:end` payload.
#[derive(Debug, Clone)]
pub struct CallRef {
    /// Which call.
    pub call_id: CallId,
}

/// `call:accept` / `call:reject` / `call:end` answer.
#[derive(Debug, Clone)]
pub struct CallStateResult {
    /// Which call.
    pub call_id: CallId,
    /// Its state now.
    pub state: CallState,
}

/// What kind of WebRTC signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignalKind {
    /// SDP offer.
    Offer,
    /// SDP answer.
    Answer,
    /// ICE candidate.
    Ice,
}

/// `call:signal` payload.
#[derive(Debug, Clone)]
pub struct SignalInput {
    /// Which call.
    pub call_id: CallId,
    /// The participant it is for.
    pub to_user_id: UserId,
    /// Offer, answer or ICE.
    pub kind: SignalKind,
    /// Opaque SDP / ICE data, relayed as given.
    pub payload: serde_json::Value,
}

/// The answer to an invite that would put someone in two calls.
fn busy() -> AppError {
    AppError::Conflict("busy".into())
}

/// Call use cases.
pub struct CallService {
    /// Calls.
    calls: Arc<dyn CallStore>,
    /// Members: who is called.
    conversations: Arc<dyn ConversationStore>,
    /// Blocks stop calls in direct conversations.
    social: Arc<dyn SocialStore>,
    /// Call events travel the high lane.
    queue: Arc<dyn EventQueue>,
    /// Now.
    clock: Arc<dyn Clock>,
    /// How long an invite rings before it is `missed`.
    ring_timeout: Duration,
    /// How often one caller may ring the same callee (`call:ring`).
    limiter: Arc<dyn RateLimiter>,
    /// Where new ids come from.
    ids: Arc<dyn IdGenerator>,
}

/// What a transport reads and writes for the call commands.
pub trait CallWire:
    Codec<InviteInput, Invited> + Codec<CallRef, CallStateResult> + Codec<SignalInput, Empty>
{
}

impl<W> CallWire for W where
    W: Codec<InviteInput, Invited> + Codec<CallRef, CallStateResult> + Codec<SignalInput, Empty>
{
}

impl CallService {
    /// The realtime events of calls.
    pub fn events<W: CallWire>(self: &Arc<Self>, registry: &mut crate::handlers::Registry<W>) {
        crate::events!(registry, self, {
            "call:invite" => invite,
            "call:accept" => accept,
            "call:reject" => reject,
            "call:end" => end,
            "call:signal" => signal,
        });
    }

    /// Wires the service.
    pub fn new(
        calls: Arc<dyn CallStore>,
        conversations: Arc<dyn ConversationStore>,
        social: Arc<dyn SocialStore>,
        queue: Arc<dyn EventQueue>,
        clock: Arc<dyn Clock>,
        ring_timeout: Duration,
        limiter: Arc<dyn RateLimiter>,
    ) -> Self {
        Self {
            ids: Arc::new(TimeOrderedIds),
            calls,
            conversations,
            social,
            queue,
            clock,
            ring_timeout,
            limiter,
        }
    }

    /// Takes new ids from `ids` instead of time-ordered UUIDs.
    #[must_use]
    pub fn with_ids(mut self, ids: Arc<dyn IdGenerator>) -> Self {
        self.ids = ids;
        self
    }

    /// Places a call to the other members of a conversation.
    ///
    /// # Errors
    /// `Forbidden` for non-members and across a block in a direct
    /// conversation; `Conflict` ("busy") when anyone is already in a call;
    /// `RateLimited` when the caller rang one of the callees too often.
    pub async fn invite(&self, actor: &Actor, input: InviteInput) -> Result<Invited, AppError> {
        let c = input.conversation_id;
        self.conversations
            .member(c, actor.user_id)
            .await?
            .ok_or_else(AppError::forbidden)?;
        let conversation = self
            .conversations
            .find(c)
            .await?
            .ok_or_else(AppError::forbidden)?;
        let members: Vec<UserId> = self
            .conversations
            .members(c)
            .await?
            .into_iter()
            .map(|m| m.user_id)
            .filter(|&u| u != actor.user_id)
            .collect();
        // Across a block nobody is rung: a direct call is refused, and a
        // group call leaves out whoever stands on the other side of one.
        let mut callees = Vec::with_capacity(members.len());
        for callee in members {
            if self
                .social
                .blocked_either_way(actor.user_id, callee)
                .await?
            {
                if conversation.kind == ConversationKind::Direct {
                    return Err(AppError::forbidden());
                }
            } else {
                callees.push(callee);
            }
        }
        if callees.is_empty() {
            return Err(AppError::validation(
                "conversationId",
                "nobody else to call",
            ));
        }
        // Ringing someone over and over would keep them `busy` for good: each
        // caller may ring each callee only so often.
        for &callee in &callees {
            check_rate(
                &*self.limiter,
                "call:ring",
                format!("{}:{callee}", actor.user_id),
            )
            .await?;
        }
        let mut participants = vec![actor.user_id];
        participants.extend(callees);
        for &user in &participants {
            if self.calls.live_for(user).await?.is_some() {
                return Err(busy());
            }
        }
        let id = CallId(self.ids.next());
        let call = Call::ring(
            id,
            c,
            input.kind,
            actor.user_id,
            participants,
            self.clock.now(),
        );
        // The store refuses the call if anyone joined another one since the
        // check above (two invites racing for the same person).
        self.calls.create(call.clone()).await.map_err(|e| match e {
            chatchit_domain::StoreError::Conflict(_) => busy(),
            other => other.into(),
        })?;
        let call_id = call.id;
        self.publish(DomainEvent::CallInvited {
            call: Box::new(call),
        })
        .await;
        self.schedule_missed(call_id).await;
        Ok(Invited { call_id })
    }

    /// Answers a ringing call (a callee).
    ///
    /// # Errors
    /// `Forbidden` for non-participants and the caller; `Conflict` when it no
    /// longer rings. (Nobody can be in two live calls: invites check everyone.)
    pub async fn accept(&self, actor: &Actor, input: CallRef) -> Result<CallStateResult, AppError> {
        let call = self.find(input.call_id).await?;
        let step = call
            .accept(actor.user_id, self.clock.now())
            .map_err(refused)?;
        self.change(step, actor.user_id).await
    }

    /// Declines a ringing call (a callee): it ends as `rejected`.
    ///
    /// # Errors
    /// As [`Self::accept`].
    pub async fn reject(&self, actor: &Actor, input: CallRef) -> Result<CallStateResult, AppError> {
        let call = self.find(input.call_id).await?;
        let step = call
            .reject(actor.user_id, self.clock.now())
            .map_err(refused)?;
        self.change(step, actor.user_id).await
    }

    /// Hangs up: `cancelled` while ringing (caller), `rejected` while ringing
    /// (callee), `completed` once active.
    ///
    /// # Errors
    /// `Forbidden` for non-participants, `Conflict` when already ended.
    pub async fn end(&self, actor: &Actor, input: CallRef) -> Result<CallStateResult, AppError> {
        let call = self.find(input.call_id).await?;
        let step = call
            .hang_up(actor.user_id, self.clock.now())
            .map_err(refused)?;
        self.change(step, actor.user_id).await
    }

    /// Relays a WebRTC signal to one other participant of a live call.
    ///
    /// # Errors
    /// `Forbidden` unless both are participants; `Conflict` once it ended.
    pub async fn signal(&self, actor: &Actor, input: SignalInput) -> Result<Empty, AppError> {
        let call = self.find(input.call_id).await?;
        call.relay(actor.user_id, input.to_user_id)
            .map_err(refused)?;
        if input.payload.to_string().len() > MAX_SIGNAL_BYTES {
            return Err(AppError::validation("payload", "at most 64 KiB"));
        }
        let kind = match input.kind {
            SignalKind::Offer => "offer",
            SignalKind::Answer => "answer",
            SignalKind::Ice => "ice",
        };
        self.publish(DomainEvent::CallSignal {
            call_id: call.id,
            from: actor.user_id,
            to: input.to_user_id,
            kind: kind.to_owned(),
            payload: input.payload,
        })
        .await;
        Ok(Empty {})
    }

    /// The caller's calls, newest first (at most 100).
    ///
    /// # Errors
    /// Store failures.
    pub async fn history(&self, actor: &Actor) -> Result<Vec<Call>, AppError> {
        Ok(self.calls.history(actor.user_id, 100).await?)
    }

    /// Ends a call that still rings as `missed`; the queue delivers the ring
    /// timeout here.
    ///
    /// # Errors
    /// Store failures.
    pub async fn ring_timed_out(&self, id: CallId) -> Result<(), AppError> {
        let Some(call) = self.calls.find(id).await? else {
            return Ok(());
        };
        let Some(step) = call.time_out(self.clock.now()) else {
            return Ok(());
        };
        match self.change(step, call.initiator_id).await {
            Ok(_) | Err(AppError::Conflict(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    async fn schedule_missed(&self, call_id: CallId) {
        let timeout = DomainEvent::CallRingTimeout { call_id };
        if let Err(e) = self.queue.publish_after(timeout, self.ring_timeout).await {
            tracing::error!(call = %call_id, error = %e, "could not schedule the ring timeout");
        }
    }

    /// Stores `step` unless the call changed meanwhile, and announces it.
    async fn change(&self, step: Step, by: UserId) -> Result<CallStateResult, AppError> {
        let Step { call, from } = step;
        if !self.calls.transition(call.clone(), from).await? {
            return Err(AppError::Conflict("the call changed meanwhile".into()));
        }
        let result = CallStateResult {
            call_id: call.id,
            state: call.state,
        };
        self.publish(DomainEvent::CallChanged {
            call: Box::new(call),
            by,
        })
        .await;
        Ok(result)
    }

    /// The call, or `Forbidden` (an unknown call and someone else's look alike).
    async fn find(&self, id: CallId) -> Result<Call, AppError> {
        self.calls.find(id).await?.ok_or_else(AppError::forbidden)
    }

    async fn publish(&self, event: DomainEvent) {
        if let Err(e) = self.queue.publish(event).await {
            tracing::error!(error = %e, "could not queue a call event");
        }
    }
}

#[cfg(test)]
mod tests;
