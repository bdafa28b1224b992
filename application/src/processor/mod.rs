//! The event processor: consumes queued domain events and fans them out to
//! sockets through the `Delivery` port, keeping rooms in step with memberships.
//! Each feature's events are projected in its own module.

mod calls;
mod conversations;
mod messages;
mod social;
mod stories;

use crate::calls::CallService;
use crate::relay::Relays;
use crate::views::ConversationViews;
use async_trait::async_trait;
use chatchit_domain::events::{DomainEvent, ServerEvent};
use chatchit_domain::ids::{ConversationId, UserId};
use chatchit_domain::ports::{
    Audience, ConsumeError, ConversationStore, Delivery, Dispatch, EventConsumer, Exclude,
    Outbound, PresenceStore, SocialStore,
};
use std::sync::Arc;

/// Turns domain events into server events for the right sockets.
pub struct EventProcessor {
    /// Members of a new conversation.
    conversations: Arc<dyn ConversationStore>,
    /// Views for `conversation:new` / `conversation:updated`.
    views: Arc<ConversationViews>,
    /// Writes to sockets.
    delivery: Arc<dyn Delivery>,
    /// Current presence, read when announcing it.
    presence: Arc<dyn PresenceStore>,
    /// Friends: the audience of presence.
    social: Arc<dyn SocialStore>,
    /// Ends calls whose ring timeout fired.
    calls: Arc<CallService>,
    /// Told when a message's event was handed out (see [`crate::relay`]).
    relays: Option<Relays>,
}

impl EventProcessor {
    /// Wires the processor.
    pub fn new(
        conversations: Arc<dyn ConversationStore>,
        views: Arc<ConversationViews>,
        delivery: Arc<dyn Delivery>,
        presence: Arc<dyn PresenceStore>,
        social: Arc<dyn SocialStore>,
        calls: Arc<CallService>,
    ) -> Self {
        Self {
            conversations,
            views,
            delivery,
            presence,
            social,
            calls,
            relays: None,
        }
    }

    /// Tells `relays` of every message whose event it handed out, so that
    /// its relay note goes.
    #[must_use]
    pub fn relaying(mut self, relays: Relays) -> Self {
        self.relays = Some(relays);
        self
    }

    /// The audience of a user's presence and stories.
    async fn friend_ids(&self, user: UserId) -> Result<Vec<UserId>, ConsumeError> {
        let friends = self.social.friends_of(user).await.map_err(failed)?;
        Ok(friends.into_iter().map(|f| f.user_id).collect())
    }

    async fn to_users(&self, users: Vec<UserId>, event: ServerEvent) -> Result<(), ConsumeError> {
        self.delivery
            .send(Audience::Users(users), Exclude::Nobody, event)
            .await
            .map_err(failed)
    }

    async fn to_room(
        &self,
        id: ConversationId,
        exclude: Exclude,
        event: ServerEvent,
    ) -> Result<(), ConsumeError> {
        self.delivery
            .send(Audience::Conversation(id), exclude, event)
            .await
            .map_err(|e| ConsumeError(e.to_string()))
    }

    /// An event about message `seq` of conversation `id` (an edit, a delete,
    /// reactions) to its room: every node sends it after that message's
    /// own `message:new`.
    async fn about_message(
        &self,
        id: ConversationId,
        seq: i64,
        event: ServerEvent,
    ) -> Result<(), ConsumeError> {
        let event = Outbound::of(event).following(seq);
        self.delivery
            .dispatch(Dispatch::Send {
                audience: Audience::Conversation(id),
                exclude: Exclude::Nobody,
                event,
            })
            .await
            .map_err(failed)
    }

    async fn view(
        &self,
        id: ConversationId,
    ) -> Result<Option<Box<chatchit_domain::conversation::ConversationView>>, ConsumeError> {
        let Some(conversation) = self.conversations.find(id).await.map_err(failed)? else {
            return Ok(None);
        };
        let view = self.views.build(conversation, None).await.map_err(failed)?;
        Ok(Some(Box::new(view)))
    }
}

fn failed(e: impl std::fmt::Display) -> ConsumeError {
    ConsumeError(e.to_string())
}

/// What a feature's projection leaves: `None` when it projected the event,
/// the event itself when it is another feature's.
type Unhandled = Result<Option<DomainEvent>, ConsumeError>;

#[async_trait]
impl EventConsumer for EventProcessor {
    /// Offers the event to each feature's projection in turn; the one it
    /// belongs to sends it. No event is named here: a feature's events are
    /// projected in its own module.
    async fn consume(&self, event: DomainEvent) -> Result<(), ConsumeError> {
        let Some(event) = self.messages(event).await? else {
            return Ok(());
        };
        let Some(event) = self.conversations(event).await? else {
            return Ok(());
        };
        let Some(event) = self.social(event).await? else {
            return Ok(());
        };
        let Some(event) = self.stories(event).await? else {
            return Ok(());
        };
        match self.calls(event).await? {
            None => Ok(()),
            Some(event) => Err(ConsumeError(format!("no projection for {}", event.kind()))),
        }
    }
}

#[cfg(test)]
mod tests;
