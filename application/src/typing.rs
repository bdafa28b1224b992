//! Typing indicators: coalesced (a renewal sends nothing), lapsing after a
//! quiet period, and ended by the typist's next message.

use crate::context::Actor;
use crate::error::AppError;
use crate::handler::Codec;
use chatchit_domain::events::DomainEvent;
use chatchit_domain::ids::{ConversationId, UserId};
use chatchit_domain::ports::{ConversationStore, EventQueue, SocialStore};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

/// `typing` payload.
#[derive(Debug, Clone)]
pub struct TypingInput {
    /// Where.
    pub conversation_id: ConversationId,
    /// Started or stopped.
    pub typing: bool,
}

/// The empty ack data `{}`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Empty {}

type Key = (ConversationId, UserId);

/// What a transport reads and writes for the typing command.
pub trait TypingWire: Codec<TypingInput, Empty> {}

impl<W: Codec<TypingInput, Empty>> TypingWire for W {}

/// Tracks who is typing where.
pub struct TypingService {
    /// Membership checks.
    conversations: Arc<dyn ConversationStore>,
    /// Blocks: typing does not cross one in a direct conversation.
    social: Arc<dyn SocialStore>,
    /// Typing events travel the low lane.
    queue: Arc<dyn EventQueue>,
    /// Quiet time after which `typing: true` lapses (6 s in production).
    lapse: Duration,
    /// Who is typing, with the generation of their latest renewal.
    active: Mutex<HashMap<Key, u64>>,
    /// Source of generations, so a stale timer knows it is stale.
    generations: AtomicU64,
    /// Lets timers reach the service without keeping it alive.
    this: Weak<TypingService>,
}

impl TypingService {
    /// The realtime events of typing.
    pub fn events<W: TypingWire>(self: &Arc<Self>, registry: &mut crate::handlers::Registry<W>) {
        crate::events!(registry, self, { "typing" => set });
    }

    /// Wires the service; `lapse` is how long `typing: true` lasts unrenewed.
    pub fn new(
        conversations: Arc<dyn ConversationStore>,
        social: Arc<dyn SocialStore>,
        queue: Arc<dyn EventQueue>,
        lapse: Duration,
    ) -> Arc<Self> {
        Arc::new_cyclic(|this| Self {
            conversations,
            social,
            queue,
            lapse,
            active: Mutex::new(HashMap::new()),
            generations: AtomicU64::new(0),
            this: this.clone(),
        })
    }

    /// Records that the caller started or stopped typing; only changes are
    /// announced.
    ///
    /// # Errors
    /// `Forbidden` for non-members, and for `typing: true` across a block in
    /// a direct conversation.
    pub async fn set(&self, actor: &Actor, input: TypingInput) -> Result<Empty, AppError> {
        self.conversations
            .role(input.conversation_id, actor.user_id)
            .await?
            .ok_or_else(AppError::forbidden)?;
        let key = (input.conversation_id, actor.user_id);
        if input.typing {
            crate::blocks::refuse_across_direct_block(
                &*self.conversations,
                &*self.social,
                actor.user_id,
                input.conversation_id,
            )
            .await?;
            let generation = self.generations.fetch_add(1, Ordering::Relaxed) + 1;
            let was_typing = self.lock().insert(key, generation).is_some();
            if !was_typing {
                self.announce(key, true).await;
            }
            self.schedule_lapse(key, generation);
        } else {
            self.stop(key).await;
        }
        Ok(Empty {})
    }

    /// The typist's message arrived: their indicator ends now.
    pub async fn message_sent(&self, conversation: ConversationId, user: UserId) {
        self.stop((conversation, user)).await;
    }

    async fn stop(&self, key: Key) {
        let was_typing = self.lock().remove(&key).is_some();
        if was_typing {
            self.announce(key, false).await;
        }
    }

    fn schedule_lapse(&self, key: Key, generation: u64) {
        let this = self.this.clone();
        let lapse = self.lapse;
        tokio::spawn(async move {
            tokio::time::sleep(lapse).await;
            let Some(service) = this.upgrade() else {
                return;
            };
            let lapsed = {
                let mut active = service.lock();
                let current = active.get(&key) == Some(&generation);
                if current {
                    active.remove(&key);
                }
                current
            };
            if lapsed {
                service.announce(key, false).await;
            }
        });
    }

    async fn announce(&self, (conversation_id, user_id): Key, typing: bool) {
        let event = DomainEvent::Typing {
            conversation_id,
            user_id,
            typing,
        };
        if let Err(e) = self.queue.publish(event).await {
            tracing::warn!(error = %e, "typing event dropped");
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, u64>> {
        self.active
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::actor;
    use chatchit_domain::conversation::{Conversation, ConversationKind, MemberRole};
    use chatchit_domain::ports::conversations::MockConversationStore;
    use chatchit_domain::ports::queue::MockEventQueue;
    use chatchit_domain::ports::social::MockSocialStore;
    use chatchit_domain::ports::{QueueError, QueueStats};
    use chatchit_domain::time::Timestamp;

    /// Membership in a conversation of `kind` with one other member.
    fn store_of(kind: ConversationKind) -> MockConversationStore {
        let mut store = MockConversationStore::new();
        store
            .expect_role()
            .returning(|_, _| Ok(Some(MemberRole::Member)));
        store.expect_find().returning(move |id| {
            Ok(Some(Conversation {
                id,
                kind,
                title: None,
                avatar_url: None,
                created_at: Timestamp::from_millis(0),
            }))
        });
        store
            .expect_member_ids()
            .returning(|_| Ok(vec![UserId::generate()]));
        store
    }

    fn member_store() -> MockConversationStore {
        store_of(ConversationKind::Group)
    }

    fn no_blocks() -> Arc<dyn SocialStore> {
        Arc::new(MockSocialStore::new())
    }

    #[tokio::test]
    async fn typing_does_not_cross_a_block_in_a_direct_conversation() {
        let mut social = MockSocialStore::new();
        social
            .expect_blocked_either_way()
            .returning(|_, _| Ok(true));
        let service = TypingService::new(
            Arc::new(store_of(ConversationKind::Direct)),
            Arc::new(social),
            Arc::new(MockEventQueue::new()),
            Duration::from_secs(6),
        );
        let input = TypingInput {
            conversation_id: ConversationId::generate(),
            typing: true,
        };
        let err = service.set(&actor(), input).await.expect_err("refused");
        assert_eq!(err.code(), "forbidden");
    }

    fn typing_events(queue: &mut MockEventQueue, expected: Vec<bool>) {
        let mut seq = mockall::Sequence::new();
        for flag in expected {
            queue
                .expect_publish()
                .withf(move |e| matches!(e, DomainEvent::Typing { typing, .. } if *typing == flag))
                .times(1)
                .in_sequence(&mut seq)
                .returning(|_| Ok(()));
        }
    }

    #[tokio::test(start_paused = true)]
    async fn renewals_are_coalesced_and_typing_lapses() {
        let mut queue = MockEventQueue::new();
        typing_events(&mut queue, vec![true, false]);
        let service = TypingService::new(
            Arc::new(member_store()),
            no_blocks(),
            Arc::new(queue),
            Duration::from_secs(6),
        );
        let (a, c) = (actor(), ConversationId::generate());
        let input = TypingInput {
            conversation_id: c,
            typing: true,
        };
        service.set(&a, input.clone()).await.expect("typing");
        tokio::time::sleep(Duration::from_secs(4)).await;
        service.set(&a, input).await.expect("renewal");
        tokio::time::sleep(Duration::from_secs(4)).await;
        assert!(
            service.lock().contains_key(&(c, a.user_id)),
            "renewal extends the lapse"
        );
        tokio::time::sleep(Duration::from_secs(3)).await;
        assert!(service.lock().is_empty());
    }

    /// Keeps what is published, for the test itself to check: a mock's
    /// expectations would be checked inside the lapse timer's task, where a
    /// failed one panics unseen.
    #[derive(Default)]
    struct Published(std::sync::Mutex<Vec<bool>>);

    #[async_trait::async_trait]
    impl EventQueue for Published {
        async fn publish(&self, event: DomainEvent) -> Result<(), QueueError> {
            if let DomainEvent::Typing { typing, .. } = event {
                self.0.lock().expect("lock").push(typing);
            }
            Ok(())
        }

        async fn publish_after(&self, event: DomainEvent, _: Duration) -> Result<(), QueueError> {
            self.publish(event).await
        }

        async fn replay_dead_letters(&self) -> Result<u64, QueueError> {
            Ok(0)
        }

        fn stats(&self) -> QueueStats {
            QueueStats::default()
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_message_ends_typing_once() {
        let queue = Arc::new(Published::default());
        let service = TypingService::new(
            Arc::new(member_store()),
            no_blocks(),
            queue.clone(),
            Duration::from_secs(6),
        );
        let (a, c) = (actor(), ConversationId::generate());
        service
            .set(
                &a,
                TypingInput {
                    conversation_id: c,
                    typing: true,
                },
            )
            .await
            .expect("typing");
        service.message_sent(c, a.user_id).await;
        service.message_sent(c, a.user_id).await;
        tokio::time::sleep(Duration::from_secs(10)).await;
        assert_eq!(
            *queue.0.lock().expect("lock"),
            [true, false],
            "typing, then one end: not a second on the next message, nor a lapse"
        );
    }

    #[tokio::test]
    async fn non_members_may_not_type() {
        let mut store = MockConversationStore::new();
        store.expect_role().returning(|_, _| Ok(None));
        let service = TypingService::new(
            Arc::new(store),
            no_blocks(),
            Arc::new(MockEventQueue::new()),
            Duration::from_secs(6),
        );
        let input = TypingInput {
            conversation_id: ConversationId::generate(),
            typing: true,
        };
        let err = service.set(&actor(), input).await.expect_err("refused");
        assert_eq!(err.code(), "forbidden");
    }
}
