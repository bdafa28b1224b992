//! The event processor: consumes queued domain events and fans them out to
//! sockets through the `Delivery` port, keeping rooms in step with memberships.

use crate::calls::CallService;
use crate::relay::Relays;
use crate::views::ConversationViews;
use async_trait::async_trait;
use chatchit_domain::call::{CallState, EndReason};
use chatchit_domain::events::StoryLikedPayload;
use chatchit_domain::events::{
    CallIncomingPayload, CallSignalPayload, CallStatePayload, DomainEvent, FriendPayload,
    FriendRequestPayload, MembershipPayload, MessageRef, ReactionsPayload, ReadReceipt,
    ServerEvent, TypingPayload, UnfriendedPayload,
};
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
        let event = Outbound::of(&event).map_err(failed)?.following(seq);
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

#[async_trait]
impl EventConsumer for EventProcessor {
    async fn consume(&self, event: DomainEvent) -> Result<(), ConsumeError> {
        match event {
            DomainEvent::MessageCreated { message, origin } => {
                let exclude = origin.map_or(Exclude::Nobody, Exclude::Connection);
                let id = message.id;
                self.to_room(
                    message.conversation_id,
                    exclude,
                    ServerEvent::MessageNew(message),
                )
                .await?;
                if let Some(relays) = &self.relays {
                    relays.done(id);
                }
                Ok(())
            }
            DomainEvent::MessageEdited { message } => {
                let seq = message.seq;
                self.about_message(
                    message.conversation_id,
                    seq,
                    ServerEvent::MessageUpdated(message),
                )
                .await
            }
            DomainEvent::MessageDeleted {
                message_id,
                conversation_id,
                seq,
            } => {
                let payload = MessageRef {
                    message_id,
                    conversation_id,
                };
                self.about_message(conversation_id, seq, ServerEvent::MessageDeleted(payload))
                    .await
            }
            DomainEvent::ReactionsChanged {
                message_id,
                conversation_id,
                seq,
                reactions,
            } => {
                let payload = ReactionsPayload {
                    message_id,
                    conversation_id,
                    reactions,
                };
                self.about_message(conversation_id, seq, ServerEvent::MessageReactions(payload))
                    .await
            }
            DomainEvent::ConversationRead {
                conversation_id,
                user_id,
                message_id,
            } => {
                let payload = ReadReceipt {
                    conversation_id,
                    user_id,
                    message_id,
                };
                self.to_room(
                    conversation_id,
                    Exclude::Nobody,
                    ServerEvent::ConversationRead(payload),
                )
                .await
            }
            DomainEvent::Typing {
                conversation_id,
                user_id,
                typing,
            } => {
                let payload = TypingPayload {
                    conversation_id,
                    user_id,
                    typing,
                };
                self.to_room(
                    conversation_id,
                    Exclude::User(user_id),
                    ServerEvent::Typing(payload),
                )
                .await
            }
            DomainEvent::ConversationCreated { conversation_id } => {
                let members = self
                    .conversations
                    .members(conversation_id)
                    .await
                    .map_err(failed)?;
                let ids = members.iter().map(|m| m.user_id).collect();
                self.delivery
                    .join(ids, conversation_id)
                    .await
                    .map_err(failed)?;
                match self.view(conversation_id).await? {
                    Some(view) => {
                        self.to_room(
                            conversation_id,
                            Exclude::Nobody,
                            ServerEvent::ConversationNew(view),
                        )
                        .await
                    }
                    None => Ok(()),
                }
            }
            DomainEvent::ConversationUpdated { conversation_id } => {
                match self.view(conversation_id).await? {
                    Some(view) => {
                        self.to_room(
                            conversation_id,
                            Exclude::Nobody,
                            ServerEvent::ConversationUpdated(view),
                        )
                        .await
                    }
                    None => Ok(()),
                }
            }
            DomainEvent::MemberAdded {
                conversation_id,
                user_id,
                by,
            } => {
                // Only a member still: an addition that reaches here after a
                // later removal (which took the sockets out of the room as
                // it committed) must not put them back.
                let still_member = self
                    .conversations
                    .role(conversation_id, user_id)
                    .await
                    .map_err(failed)?
                    .is_some();
                if still_member {
                    self.delivery
                        .join(vec![user_id], conversation_id)
                        .await
                        .map_err(failed)?;
                }
                let payload = MembershipPayload {
                    conversation_id,
                    user_id,
                    by,
                };
                self.to_room(
                    conversation_id,
                    Exclude::Nobody,
                    ServerEvent::MemberAdded(payload),
                )
                .await
            }
            DomainEvent::MemberRemoved {
                conversation_id,
                user_id,
                by,
            } => {
                let payload = MembershipPayload {
                    conversation_id,
                    user_id,
                    by,
                };
                // The removed user's sockets left the room as the removal
                // committed (and leave again here, should that have been
                // lost on the way); they hear of it as a user.
                self.to_room(
                    conversation_id,
                    Exclude::User(user_id),
                    ServerEvent::MemberRemoved(payload.clone()),
                )
                .await?;
                self.delivery
                    .leave(vec![user_id], conversation_id)
                    .await
                    .map_err(failed)?;
                self.to_users(vec![user_id], ServerEvent::MemberRemoved(payload))
                    .await
            }
            DomainEvent::FriendRequested { request } => {
                let users = vec![request.from.id, request.to.id];
                let payload = FriendRequestPayload { request: *request };
                self.to_users(users, ServerEvent::FriendRequest(Box::new(payload)))
                    .await
            }
            DomainEvent::FriendAccepted {
                requester,
                accepter,
            } => {
                let (requester_id, accepter_id) = (requester.id, accepter.id);
                let to_requester = FriendPayload { user: *accepter };
                let to_accepter = FriendPayload { user: *requester };
                self.to_users(
                    vec![requester_id],
                    ServerEvent::FriendAccepted(Box::new(to_requester)),
                )
                .await?;
                self.to_users(
                    vec![accepter_id],
                    ServerEvent::FriendAccepted(Box::new(to_accepter)),
                )
                .await
            }
            DomainEvent::PresenceChanged { user_id, version } => {
                let now = self.presence.get(user_id).await.map_err(failed)?;
                if now.version != version {
                    return Ok(()); // superseded: a later announcement carries the news
                }
                let friends = self.friend_ids(user_id).await?;
                if friends.is_empty() {
                    return Ok(());
                }
                let event = ServerEvent::Presence(crate::presence::payload(user_id, now));
                self.to_users(friends, event).await
            }
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
            DomainEvent::PresenceSnapshot {
                user_id,
                connection,
            } => {
                for friend in self.friend_ids(user_id).await? {
                    let now = self.presence.get(friend).await.map_err(failed)?;
                    let payload = crate::presence::payload(friend, now);
                    if payload.status == chatchit_domain::presence::PresenceStatus::Offline {
                        continue;
                    }
                    self.delivery
                        .send(
                            Audience::Connection(connection.clone()),
                            Exclude::Nobody,
                            ServerEvent::Presence(payload),
                        )
                        .await
                        .map_err(failed)?;
                }
                Ok(())
            }
            DomainEvent::StoryPosted { story } => {
                let friends = self.friend_ids(story.author_id).await?;
                if friends.is_empty() {
                    return Ok(());
                }
                self.to_users(friends, ServerEvent::StoryNew(story)).await
            }
            DomainEvent::StoryLiked {
                story_id,
                author_id,
                user_id,
            } => {
                let payload = StoryLikedPayload { story_id, user_id };
                self.to_users(vec![author_id], ServerEvent::StoryLiked(payload))
                    .await
            }
            DomainEvent::StoryCommented { author_id, comment } => {
                self.to_users(vec![author_id], ServerEvent::StoryCommented(comment))
                    .await
            }
            DomainEvent::FriendRemoved { a, b } => {
                let to_a = UnfriendedPayload { user_id: b };
                let to_b = UnfriendedPayload { user_id: a };
                self.to_users(vec![a], ServerEvent::FriendRemoved(to_a))
                    .await?;
                self.to_users(vec![b], ServerEvent::FriendRemoved(to_b))
                    .await
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chatchit_domain::events::ConnectionId;
    use chatchit_domain::ids::{MessageId, UserId};
    use chatchit_domain::message::Message;
    use chatchit_domain::ports::EventQueue;
    use chatchit_domain::ports::conversations::MockConversationStore;
    use chatchit_domain::ports::delivery::MockDelivery;
    use chatchit_domain::ports::messages::MockMessageStore;
    use chatchit_domain::ports::presence::MockPresenceStore;
    use chatchit_domain::ports::queue::MockEventQueue;
    use chatchit_domain::ports::social::MockSocialStore;
    use chatchit_domain::ports::users::MockUserStore;
    use chatchit_domain::time::Timestamp;

    fn processor(conversations: MockConversationStore, delivery: MockDelivery) -> EventProcessor {
        let conversations = Arc::new(conversations);
        let views = Arc::new(ConversationViews::new(
            Arc::new(MockUserStore::new()),
            conversations.clone(),
            Arc::new(MockMessageStore::new()),
        ));
        EventProcessor::new(
            conversations,
            views,
            Arc::new(delivery),
            Arc::new(MockPresenceStore::new()),
            Arc::new(MockSocialStore::new()),
            CallService::new(
                Arc::new(chatchit_domain::ports::calls::MockCallStore::new()),
                Arc::new(MockConversationStore::new()),
                Arc::new(MockSocialStore::new()),
                Arc::new(chatchit_domain::ports::queue::MockEventQueue::new()),
                Arc::new(chatchit_domain::ports::clock::MockClock::new()),
                std::time::Duration::from_secs(30),
                Arc::new(chatchit_domain::ports::rate_limit::MockRateLimiter::new()),
            ),
        )
    }

    #[tokio::test]
    async fn a_new_message_reaches_the_room_except_the_sending_socket() {
        let conversation_id = ConversationId::generate();
        let message = Message {
            id: MessageId::generate(),
            conversation_id,
            seq: 1,
            sender_id: UserId::generate(),
            client_msg_id: "c1".into(),
            body: "hi".into(),
            reply_to_id: None,
            attachments: vec![],
            created_at: Timestamp::from_millis(0),
            edited_at: None,
            deleted_at: None,
        };
        let mut delivery = MockDelivery::new();
        delivery
            .expect_send()
            .withf(move |audience, exclude, event| {
                *audience == Audience::Conversation(conversation_id)
                    && *exclude == Exclude::Connection(ConnectionId("s1".into()))
                    && event.name() == "message:new"
            })
            .times(1)
            .returning(|_, _, _| Ok(()));
        // Once handed out, the message's relay note is deleted.
        let id = message.id;
        let (deleted_tx, mut deleted) = tokio::sync::mpsc::unbounded_channel();
        let mut store = MockMessageStore::new();
        store.expect_relayed().returning(move |ids| {
            let _ = deleted_tx.send(ids);
            Ok(())
        });
        let queue: Arc<dyn EventQueue> = Arc::new(MockEventQueue::new());
        let (relays, _tasks) = Relays::start(
            Arc::new(store),
            &queue,
            Arc::new(chatchit_domain::ports::clock::MockClock::new()),
            crate::relay::RelaySettings {
                sweep_every: std::time::Duration::from_secs(3600),
                orphaned_after: std::time::Duration::from_secs(3600),
            },
        );
        let p = processor(MockConversationStore::new(), delivery).relaying(relays);
        let event = DomainEvent::MessageCreated {
            message,
            origin: Some(ConnectionId("s1".into())),
        };
        p.consume(event).await.expect("delivered");
        assert_eq!(deleted.recv().await, Some(vec![id]));
    }

    #[tokio::test]
    async fn an_addition_that_arrives_after_a_removal_does_not_rejoin_the_room() {
        let (c, u) = (ConversationId::generate(), UserId::generate());
        let mut conversations = MockConversationStore::new();
        conversations.expect_role().returning(|_, _| Ok(None));
        let mut delivery = MockDelivery::new();
        delivery.expect_join().times(0);
        delivery
            .expect_send()
            .withf(|_, _, e| e.name() == "member:added")
            .times(1)
            .returning(|_, _, _| Ok(()));
        let p = processor(conversations, delivery);
        let event = DomainEvent::MemberAdded {
            conversation_id: c,
            user_id: u,
            by: u,
        };
        p.consume(event).await.expect("delivered");
    }

    #[tokio::test]
    async fn the_room_and_the_removed_member_hear_of_a_removal_apart() {
        let (c, u) = (ConversationId::generate(), UserId::generate());
        let mut seq = mockall::Sequence::new();
        let mut delivery = MockDelivery::new();
        delivery
            .expect_send()
            .withf(move |to, exclude, e| {
                e.name() == "member:removed"
                    && *to == Audience::Conversation(c)
                    && *exclude == Exclude::User(u)
            })
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_, _, _| Ok(()));
        delivery
            .expect_leave()
            .withf(move |users, conv| users == &vec![u] && *conv == c)
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_, _| Ok(()));
        delivery
            .expect_send()
            .withf(move |to, _, e| e.name() == "member:removed" && *to == Audience::Users(vec![u]))
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_, _, _| Ok(()));
        let p = processor(MockConversationStore::new(), delivery);
        let event = DomainEvent::MemberRemoved {
            conversation_id: c,
            user_id: u,
            by: u,
        };
        p.consume(event).await.expect("delivered");
    }

    #[tokio::test]
    async fn typing_skips_the_typist_and_failures_are_reported_for_retry() {
        let (c, u) = (ConversationId::generate(), UserId::generate());
        let mut delivery = MockDelivery::new();
        delivery
            .expect_send()
            .withf(move |_, exclude, _| *exclude == Exclude::User(u))
            .times(1)
            .returning(|_, _, _| Err(chatchit_domain::ports::DeliveryError("down".into())));
        let p = processor(MockConversationStore::new(), delivery);
        let event = DomainEvent::Typing {
            conversation_id: c,
            user_id: u,
            typing: true,
        };
        assert!(p.consume(event).await.is_err());
    }
}
