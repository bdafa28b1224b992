//! Delivery across a cluster: each operation is carried out on this node's
//! sockets and published on the cluster bus for the other nodes that hold a
//! recipient's socket (every other node when that is not known).

use async_trait::async_trait;
use chatchit_domain::ids::{NodeId, UserId};
use chatchit_domain::ports::{
    Audience, ClusterBus, ConversationStore, Delivery, DeliveryError, Dispatch, NodeDirectory,
    Reach,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// What lets a node address only the nodes with a recipient: where users'
/// sockets are, and who is in a conversation.
pub struct Targeting {
    /// This node (left out of its own publications).
    pub node: NodeId,
    /// Which nodes hold which users' sockets.
    pub directory: Arc<dyn NodeDirectory>,
    /// A conversation's members (the cached store).
    pub conversations: Arc<dyn ConversationStore>,
}

/// A `Delivery` that reaches sockets on every node. When the bus is down the
/// node keeps delivering to its own sockets and reports itself degraded;
/// clients on other nodes catch up with `sync` (history is in the database).
pub struct ClusterDelivery {
    /// This node's sockets.
    local: Arc<dyn Delivery>,
    /// The other nodes.
    bus: Arc<dyn ClusterBus>,
    /// Without it, every publication reaches every node.
    targeting: Option<Targeting>,
    /// Whether the last publication failed.
    degraded: AtomicBool,
}

impl ClusterDelivery {
    /// Local delivery plus the bus, every publication to every node.
    pub fn new(local: Arc<dyn Delivery>, bus: Arc<dyn ClusterBus>) -> Self {
        Self {
            local,
            bus,
            targeting: None,
            degraded: AtomicBool::new(false),
        }
    }

    /// Publishes each dispatch only to the nodes holding a recipient.
    #[must_use]
    pub fn targeted(mut self, targeting: Targeting) -> Self {
        self.targeting = Some(targeting);
        self
    }

    /// Whether the bus failed on the last publication (for health).
    pub fn is_degraded(&self) -> bool {
        self.degraded.load(Ordering::Relaxed)
    }

    /// The other nodes `dispatch` must reach. Revocations go everywhere (a
    /// session must end wherever its sockets are, even one the directory
    /// has not heard of yet), and so does anything when the directory or
    /// the store cannot answer.
    async fn reach(&self, dispatch: &Dispatch) -> Reach {
        let Some(targeting) = &self.targeting else {
            return Reach::Everyone;
        };
        let users: Vec<UserId> = match dispatch {
            Dispatch::Send {
                audience: Audience::Users(users),
                ..
            }
            | Dispatch::Join { users, .. }
            | Dispatch::Leave { users, .. } => users.clone(),
            Dispatch::Send {
                audience: Audience::Conversation(conversation),
                ..
            } => match targeting.conversations.member_ids(*conversation).await {
                Ok(members) => members,
                Err(e) => {
                    tracing::debug!(error = %e, "members unknown; publishing to every node");
                    return Reach::Everyone;
                }
            },
            Dispatch::Send {
                audience: Audience::Connection(_),
                ..
            }
            | Dispatch::RevokeUser { .. }
            | Dispatch::RevokeSession { .. } => return Reach::Everyone,
        };
        match targeting.directory.nodes_of(&users).await {
            Ok(mut nodes) => {
                nodes.retain(|node| *node != targeting.node);
                Reach::Nodes(nodes)
            }
            Err(e) => {
                tracing::debug!(error = %e, "sockets' nodes unknown; publishing to every node");
                Reach::Everyone
            }
        }
    }

    /// Publishes to the nodes `dispatch` must reach (none: nothing to do).
    async fn publish(&self, dispatch: &Dispatch) -> Result<(), DeliveryError> {
        let reach = self.reach(dispatch).await;
        if reach == Reach::Nodes(Vec::new()) {
            return Ok(());
        }
        self.bus.publish(dispatch, &reach).await
    }
}

#[async_trait]
impl Delivery for ClusterDelivery {
    async fn dispatch(&self, dispatch: Dispatch) -> Result<(), DeliveryError> {
        // This node's sockets do not wait for the bus round trip; the next
        // dispatch starts after both, so every node sees them in order.
        let (published, delivered) = futures_util::join!(
            self.publish(&dispatch),
            self.local.dispatch(dispatch.clone())
        );
        let was_degraded = self.degraded.swap(published.is_err(), Ordering::Relaxed);
        match &published {
            Err(e) if !was_degraded => {
                tracing::warn!(error = %e, "cluster bus down: delivering to this node only");
            }
            Ok(()) if was_degraded => tracing::info!("cluster bus back"),
            _ => {}
        }
        delivered
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chatchit_domain::events::{RevokedPayload, ServerEvent};
    use chatchit_domain::ids::ConversationId;
    use chatchit_domain::ports::conversations::MockConversationStore;
    use chatchit_domain::ports::delivery::{MockClusterBus, MockDelivery};
    use chatchit_domain::ports::presence::MockNodeDirectory;
    use chatchit_domain::ports::{Exclude, Outbound};

    fn revoke() -> Dispatch {
        Dispatch::RevokeUser {
            user: UserId::generate(),
            reason: "banned".into(),
        }
    }

    #[tokio::test]
    async fn every_operation_goes_to_this_node_and_the_others() {
        let dispatch = revoke();
        let mut local = MockDelivery::new();
        let expected = dispatch.clone();
        local
            .expect_dispatch()
            .withf(move |d| *d == expected)
            .times(1)
            .returning(|_| Ok(()));
        let mut bus = MockClusterBus::new();
        let expected = dispatch.clone();
        bus.expect_publish()
            .withf(move |d, reach| *d == expected && *reach == Reach::Everyone)
            .times(1)
            .returning(|_, _| Ok(()));
        let cluster = ClusterDelivery::new(Arc::new(local), Arc::new(bus));
        cluster.dispatch(dispatch).await.expect("delivered");
        assert!(!cluster.is_degraded());
    }

    #[tokio::test]
    async fn a_bus_outage_degrades_but_still_delivers_locally_and_recovers() {
        let mut local = MockDelivery::new();
        local.expect_dispatch().times(2).returning(|_| Ok(()));
        let mut bus = MockClusterBus::new();
        let mut seq = mockall::Sequence::new();
        bus.expect_publish()
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_, _| Err(DeliveryError("connection refused".into())));
        bus.expect_publish()
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_, _| Ok(()));
        let cluster = ClusterDelivery::new(Arc::new(local), Arc::new(bus));
        cluster.dispatch(revoke()).await.expect("local delivery");
        assert!(cluster.is_degraded());
        cluster.dispatch(revoke()).await.expect("local delivery");
        assert!(!cluster.is_degraded());
    }

    fn targeting(node: &NodeId, members: Vec<UserId>, nodes: Vec<NodeId>) -> Targeting {
        let mut directory = MockNodeDirectory::new();
        directory
            .expect_nodes_of()
            .withf({
                let members = members.clone();
                move |users| users == members.as_slice()
            })
            .returning(move |_| Ok(nodes.clone()));
        let mut conversations = MockConversationStore::new();
        conversations
            .expect_member_ids()
            .returning(move |_| Ok(members.clone()));
        Targeting {
            node: node.clone(),
            directory: Arc::new(directory),
            conversations: Arc::new(conversations),
        }
    }

    fn to_room() -> Dispatch {
        Dispatch::Join {
            users: Vec::new(),
            conversation: ConversationId::generate(),
        }
    }

    #[tokio::test]
    async fn a_conversations_event_goes_only_to_the_other_nodes_holding_a_member() {
        let me = NodeId::generate();
        let other = NodeId::generate();
        let members = vec![UserId::generate(), UserId::generate()];
        let dispatch = Dispatch::Send {
            audience: Audience::Conversation(ConversationId::generate()),
            exclude: Exclude::Nobody,
            event: Outbound::of(ServerEvent::SessionRevoked(RevokedPayload {
                reason: "x".into(),
            })),
        };
        let mut local = MockDelivery::new();
        local.expect_dispatch().times(1).returning(|_| Ok(()));
        let mut bus = MockClusterBus::new();
        let expected = Reach::Nodes(vec![other.clone()]);
        bus.expect_publish()
            .withf(move |_, reach| *reach == expected)
            .times(1)
            .returning(|_, _| Ok(()));
        let cluster = ClusterDelivery::new(Arc::new(local), Arc::new(bus)).targeted(targeting(
            &me,
            members,
            vec![me.clone(), other.clone()],
        ));
        cluster.dispatch(dispatch).await.expect("delivered");
    }

    #[tokio::test]
    async fn nothing_is_published_when_no_other_node_holds_a_recipient() {
        let me = NodeId::generate();
        let mut local = MockDelivery::new();
        local.expect_dispatch().times(1).returning(|_| Ok(()));
        let mut bus = MockClusterBus::new();
        bus.expect_publish().times(0);
        let cluster = ClusterDelivery::new(Arc::new(local), Arc::new(bus)).targeted(targeting(
            &me,
            Vec::new(),
            vec![me.clone()],
        ));
        cluster.dispatch(to_room()).await.expect("delivered");
    }

    #[tokio::test]
    async fn a_revocation_reaches_every_node_whatever_the_directory_says() {
        let me = NodeId::generate();
        let mut local = MockDelivery::new();
        local.expect_dispatch().times(1).returning(|_| Ok(()));
        let mut bus = MockClusterBus::new();
        bus.expect_publish()
            .withf(|_, reach| *reach == Reach::Everyone)
            .times(1)
            .returning(|_, _| Ok(()));
        let cluster = ClusterDelivery::new(Arc::new(local), Arc::new(bus)).targeted(targeting(
            &me,
            Vec::new(),
            Vec::new(),
        ));
        cluster.dispatch(revoke()).await.expect("delivered");
    }
}
