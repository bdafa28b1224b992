//! Presence: online with the first socket, offline (with `lastSeenAt`) after
//! the last, `presence:set` for away / dnd / invisible. Announcements go to
//! friends only, on the low lane; only changes others can see are announced.

use crate::context::Actor;
use crate::error::AppError;
use crate::handler::Codec;
use crate::typing::Empty;
use chatchit_domain::events::{ConnectionId, DomainEvent, PresencePayload};
use chatchit_domain::ids::UserId;
use chatchit_domain::ports::{Clock, EventQueue, PresenceStore};
use chatchit_domain::presence::{Presence, PresenceStatus};
use std::sync::Arc;

/// A status a client may choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChosenStatus {
    /// Available.
    Online,
    /// Away.
    Away,
    /// Do not disturb.
    Dnd,
    /// Connected, shown as offline.
    Invisible,
}

/// `presence:set` payload.
#[derive(Debug, Clone)]
pub struct PresenceInput {
    /// The status to show.
    pub status: ChosenStatus,
}

/// What a transport reads and writes for the presence command.
pub trait PresenceWire: Codec<PresenceInput, Empty> {}

impl<W: Codec<PresenceInput, Empty>> PresenceWire for W {}

/// Presence use cases.
pub struct PresenceService {
    /// Socket counts and statuses.
    presence: Arc<dyn PresenceStore>,
    /// Announcements travel the low lane.
    queue: Arc<dyn EventQueue>,
    /// Now.
    clock: Arc<dyn Clock>,
}

impl PresenceService {
    /// The realtime events of presence.
    pub fn events<W: PresenceWire>(self: &Arc<Self>, registry: &mut crate::handlers::Registry<W>) {
        crate::events!(registry, self, { "presence:set" => set });
    }

    /// Wires the service.
    pub fn new(
        presence: Arc<dyn PresenceStore>,
        queue: Arc<dyn EventQueue>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            presence,
            queue,
            clock,
        }
    }

    /// A socket of the caller connected: announce them if that changes what
    /// friends see, and queue the friends' presence for that socket.
    ///
    /// # Errors
    /// When the presence store is unreachable.
    pub async fn connected(&self, actor: &Actor, connection: ConnectionId) -> Result<(), AppError> {
        let before = self.presence.get(actor.user_id).await?;
        let after = self.presence.connected(actor.user_id).await?;
        self.announce_if_seen(actor.user_id, before, after).await;
        let snapshot = DomainEvent::PresenceSnapshot {
            user_id: actor.user_id,
            connection,
        };
        if let Err(e) = self.queue.publish(snapshot).await {
            tracing::warn!(error = %e, "presence snapshot dropped");
        }
        Ok(())
    }

    /// A socket of the caller closed.
    ///
    /// # Errors
    /// When the presence store is unreachable.
    pub async fn disconnected(&self, actor: &Actor) -> Result<(), AppError> {
        let before = self.presence.get(actor.user_id).await?;
        let after = self
            .presence
            .disconnected(actor.user_id, self.clock.now())
            .await?;
        self.announce_if_seen(actor.user_id, before, after).await;
        Ok(())
    }

    /// `presence:set`.
    ///
    /// # Errors
    /// When the presence store is unreachable.
    pub async fn set(&self, actor: &Actor, input: PresenceInput) -> Result<Empty, AppError> {
        let status = match input.status {
            ChosenStatus::Online => PresenceStatus::Online,
            ChosenStatus::Away => PresenceStatus::Away,
            ChosenStatus::Dnd => PresenceStatus::Dnd,
            ChosenStatus::Invisible => PresenceStatus::Invisible,
        };
        let before = self.presence.get(actor.user_id).await?;
        let after = self
            .presence
            .set_status(actor.user_id, status, self.clock.now())
            .await?;
        self.announce_if_seen(actor.user_id, before, after).await;
        Ok(Empty {})
    }

    /// Takes the sockets of crashed nodes off the books and announces the
    /// users that left offline. Every node runs this now and then; announcing
    /// twice is harmless (presence is state, and versions coalesce).
    ///
    /// # Errors
    /// When the presence store is unreachable.
    pub async fn reap_departed_nodes(&self) -> Result<usize, AppError> {
        let changes = self.presence.reap(self.clock.now()).await?;
        for change in &changes {
            self.announce_if_seen(change.user, change.before, change.after)
                .await;
        }
        Ok(changes.len())
    }

    async fn announce_if_seen(&self, user_id: UserId, before: Presence, after: Presence) {
        if before.status.seen_by_others() == after.status.seen_by_others() {
            return;
        }
        let event = DomainEvent::PresenceChanged {
            user_id,
            version: after.version,
        };
        if let Err(e) = self.queue.publish(event).await {
            tracing::warn!(error = %e, "presence announcement dropped");
        }
    }
}

/// What others see of `user`'s presence.
pub fn payload(user_id: UserId, p: Presence) -> PresencePayload {
    PresencePayload {
        user_id,
        status: p.status.seen_by_others(),
        last_seen_at: p.last_seen_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::actor;
    use chatchit_domain::ports::PresenceChange;
    use chatchit_domain::ports::clock::MockClock;
    use chatchit_domain::ports::presence::MockPresenceStore;
    use chatchit_domain::ports::queue::MockEventQueue;
    use chatchit_domain::time::Timestamp;

    fn at(status: PresenceStatus, version: u64) -> Presence {
        Presence {
            status,
            last_seen_at: None,
            version,
        }
    }

    fn service(store: MockPresenceStore, queue: MockEventQueue) -> PresenceService {
        let mut clock = MockClock::new();
        clock.expect_now().returning(|| Timestamp::from_millis(1));
        PresenceService::new(Arc::new(store), Arc::new(queue), Arc::new(clock))
    }

    #[tokio::test]
    async fn going_invisible_is_announced_as_going_offline_once() {
        let mut store = MockPresenceStore::new();
        store
            .expect_get()
            .returning(|_| Ok(at(PresenceStatus::Online, 1)));
        store.expect_set_status().returning(|_, s, _| Ok(at(s, 2)));
        let mut queue = MockEventQueue::new();
        queue
            .expect_publish()
            .withf(|e| matches!(e, DomainEvent::PresenceChanged { version: 2, .. }))
            .times(1)
            .returning(|_| Ok(()));
        let s = service(store, queue);
        let input = PresenceInput {
            status: ChosenStatus::Invisible,
        };
        s.set(&actor(), input).await.expect("set");
    }

    #[tokio::test]
    async fn a_second_socket_announces_nothing_but_gets_its_snapshot() {
        let mut store = MockPresenceStore::new();
        store
            .expect_get()
            .returning(|_| Ok(at(PresenceStatus::Online, 1)));
        store
            .expect_connected()
            .returning(|_| Ok(at(PresenceStatus::Online, 1)));
        let mut queue = MockEventQueue::new();
        queue
            .expect_publish()
            .withf(|e| matches!(e, DomainEvent::PresenceSnapshot { .. }))
            .times(1)
            .returning(|_| Ok(()));
        let s = service(store, queue);
        s.connected(&actor(), ConnectionId("k".into()))
            .await
            .expect("connected");
    }

    #[tokio::test]
    async fn users_of_a_crashed_node_are_announced_offline_unless_invisible() {
        let (seen, hidden) = (UserId::generate(), UserId::generate());
        let mut store = MockPresenceStore::new();
        store.expect_reap().returning(move |_| {
            let gone = at(PresenceStatus::Offline, 9);
            Ok(vec![
                PresenceChange {
                    user: seen,
                    before: at(PresenceStatus::Away, 8),
                    after: gone,
                },
                PresenceChange {
                    user: hidden,
                    before: at(PresenceStatus::Invisible, 8),
                    after: gone,
                },
            ])
        });
        let mut queue = MockEventQueue::new();
        queue
            .expect_publish()
            .withf(move |e| {
                *e == DomainEvent::PresenceChanged {
                    user_id: seen,
                    version: 9,
                }
            })
            .times(1)
            .returning(|_| Ok(()));
        let reaped = service(store, queue)
            .reap_departed_nodes()
            .await
            .expect("reaped");
        assert_eq!(reaped, 2);
    }
}
