//! Delivery across a cluster: each operation is carried out on this node's
//! sockets and published on the cluster bus for every other node's.

use async_trait::async_trait;
use chatchit_domain::ports::{ClusterBus, Delivery, DeliveryError, Dispatch};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A `Delivery` that reaches sockets on every node. When the bus is down the
/// node keeps delivering to its own sockets and reports itself degraded;
/// clients on other nodes catch up with `sync` (history is in the database).
pub struct ClusterDelivery {
    /// This node's sockets.
    local: Arc<dyn Delivery>,
    /// The other nodes.
    bus: Arc<dyn ClusterBus>,
    /// Whether the last publication failed.
    degraded: AtomicBool,
}

impl ClusterDelivery {
    /// Local delivery plus the bus.
    pub fn new(local: Arc<dyn Delivery>, bus: Arc<dyn ClusterBus>) -> Self {
        Self {
            local,
            bus,
            degraded: AtomicBool::new(false),
        }
    }

    /// Whether the bus failed on the last publication (for health).
    pub fn is_degraded(&self) -> bool {
        self.degraded.load(Ordering::Relaxed)
    }
}

#[async_trait]
impl Delivery for ClusterDelivery {
    async fn dispatch(&self, dispatch: Dispatch) -> Result<(), DeliveryError> {
        // This node's sockets do not wait for the bus round trip; the next
        // dispatch starts after both, so every node sees them in order.
        let (published, delivered) = futures_util::join!(
            self.bus.publish(&dispatch),
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
    use chatchit_domain::ids::UserId;
    use chatchit_domain::ports::delivery::{MockClusterBus, MockDelivery};

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
            .withf(move |d| *d == expected)
            .times(1)
            .returning(|_| Ok(()));
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
            .returning(|_| Err(DeliveryError("connection refused".into())));
        bus.expect_publish()
            .times(1)
            .in_sequence(&mut seq)
            .returning(|_| Ok(()));
        let cluster = ClusterDelivery::new(Arc::new(local), Arc::new(bus));
        cluster.dispatch(revoke()).await.expect("local delivery");
        assert!(cluster.is_degraded());
        cluster.dispatch(revoke()).await.expect("local delivery");
        assert!(!cluster.is_degraded());
    }
}
