//! Sharing the event stream's partitions among the nodes. Each partition is
//! a queue with a single active consumer, so its events are handled one at a
//! time, in order, by one node. Which node should consume it is decided by
//! rendezvous hashing over the live nodes: every node computes the same
//! ranking, takes the partitions it ranks first for (the owner) and
//! subscribes as a standby to those it ranks second for, so that when an
//! owner dies the broker hands its partitions to their standbys at once, and
//! a node joining or leaving moves only the partitions it ranks first or
//! second for.
//!
//! The broker makes the first subscriber of a queue its active consumer,
//! whatever node it is. A standby that finds itself active while the owner
//! has been live for a whole round steps back: it closes its channel (the
//! events it held but had not acked return to the queue in their places) and
//! subscribes again behind the owner. Handing over that way keeps a
//! partition's order; an event handled but not yet acked at the handover is
//! handled again by the next consumer (at least once, as after a crash).

use super::{Inner, SessionError};
use amqprs::channel::{BasicConsumeArguments, BasicQosArguments, Channel};
use amqprs::connection::Connection;
use chatchit_domain::ids::NodeId;
use chatchit_domain::ports::EventConsumer;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError};
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How long giving a partition up may take (its current event, then the
/// channel's close) before its task is dropped.
const STOP_WITHIN: Duration = Duration::from_secs(10);

/// What a node is to one partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    /// Ranked first: its consumer.
    Owner,
    /// Ranked second: subscribed, takes over when the owner goes.
    Standby,
    /// Neither: not subscribed.
    Idle,
}

/// Each partition's owner and this node's role in it, for the live `nodes`
/// (`me` among them even before the directory has heard of it).
pub(super) fn plan(nodes: &[NodeId], me: &NodeId, partitions: u16) -> Vec<(NodeId, Role)> {
    let mut nodes: Vec<&NodeId> = nodes.iter().collect();
    if !nodes.contains(&me) {
        nodes.push(me);
    }
    (0..partitions.max(1))
        .map(|partition| {
            let mut ranked: Vec<(u64, &NodeId)> = nodes
                .iter()
                .map(|node| (score(node, partition), *node))
                .collect();
            ranked.sort_unstable_by(|a, b| b.cmp(a));
            let role = match ranked.iter().position(|(_, node)| *node == me) {
                Some(0) => Role::Owner,
                Some(1) => Role::Standby,
                _ => Role::Idle,
            };
            (ranked[0].1.clone(), role)
        })
        .collect()
}

/// A node's rendezvous score for a partition: FNV-1a over both, then
/// mixed (the same on every node and every build).
fn score(node: &NodeId, partition: u16) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in node.0.bytes().chain(partition.to_le_bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash ^= hash >> 33;
    hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
    hash ^ (hash >> 33)
}

/// One partition's consumer on its own channel.
struct Running {
    /// Fires to make it step down (close its channel).
    stop: oneshot::Sender<()>,
    /// The task reading the partition.
    task: JoinHandle<()>,
    /// Set when it handled an event (it is the active consumer).
    handled: Arc<AtomicBool>,
}

/// This node's partition consumers on one connection.
pub(super) struct Consumers {
    inner: Arc<Inner>,
    consumer: Arc<dyn EventConsumer>,
    connection: Connection,
    running: HashMap<u16, Running>,
    /// Each partition's owner at the previous round.
    previous: Vec<NodeId>,
}

impl Consumers {
    pub(super) fn new(
        inner: Arc<Inner>,
        consumer: Arc<dyn EventConsumer>,
        connection: Connection,
    ) -> Self {
        Self {
            inner,
            consumer,
            connection,
            running: HashMap::new(),
            previous: Vec::new(),
        }
    }

    /// Asks the directory who is live and takes up, keeps or gives up each
    /// partition accordingly. A directory that cannot answer changes
    /// nothing (the broker still fails over between subscribed nodes).
    pub(super) async fn rebalance(&mut self) -> Result<(), SessionError> {
        if self.running.values().any(|r| r.task.is_finished()) {
            return Err(SessionError::Lost);
        }
        let inner = self.inner.clone();
        let membership = &inner.membership;
        let nodes = match &membership.directory {
            None => Vec::new(),
            Some(directory) => match directory.live_nodes().await {
                Ok(nodes) => nodes,
                Err(e) if !self.previous.is_empty() => {
                    tracing::warn!(error = %e, "live nodes unknown; keeping the partitions as they are");
                    return Ok(());
                }
                // Nothing planned yet: start as if alone, so events flow.
                Err(_) => Vec::new(),
            },
        };
        let plan = plan(&nodes, &membership.node, self.inner.settings.partitions);
        let mut owned = Vec::new();
        for (partition, (owner, role)) in (0u16..).zip(&plan) {
            let active = self
                .running
                .get(&partition)
                .map(|r| r.handled.swap(false, Ordering::Relaxed));
            let owner_stayed = self.previous.get(usize::from(partition)) == Some(owner);
            match (role, active) {
                (Role::Idle, Some(_)) => self.stop(partition).await,
                (Role::Owner | Role::Standby, None) => self.start(partition).await?,
                (Role::Standby, Some(true)) if owner_stayed => {
                    tracing::info!(partition, owner = %owner, "stepping back from a partition its owner can take");
                    self.stop(partition).await;
                    self.start(partition).await?;
                }
                _ => {}
            }
            if *role == Role::Owner {
                owned.push(partition);
            }
        }
        if owned
            != *self
                .inner
                .owned
                .read()
                .unwrap_or_else(PoisonError::into_inner)
        {
            tracing::info!(node = %membership.node, partitions = ?owned, "event partitions owned");
        }
        metrics::gauge!("chatchit_queue_partitions_owned").set(owned.len() as f64);
        *self
            .inner
            .owned
            .write()
            .unwrap_or_else(PoisonError::into_inner) = owned;
        self.previous = plan.into_iter().map(|(owner, _)| owner).collect();
        Ok(())
    }

    /// Subscribes to `partition` on a channel of its own.
    async fn start(&mut self, partition: u16) -> Result<(), SessionError> {
        let Some(queue) = self.inner.names.events.get(usize::from(partition)) else {
            return Ok(());
        };
        let channel = self.connection.open_channel(None).await?;
        channel
            .basic_qos(BasicQosArguments::new(
                0,
                self.inner.settings.prefetch,
                false,
            ))
            .await?;
        let (_, deliveries) = channel
            .basic_consume_rx(
                BasicConsumeArguments::new(queue, "")
                    .manual_ack(true)
                    .finish(),
            )
            .await?;
        let (stop, stopped) = oneshot::channel();
        let handled = Arc::new(AtomicBool::new(false));
        let task = tokio::spawn(consume(
            self.inner.clone(),
            self.consumer.clone(),
            channel,
            deliveries,
            stopped,
            handled.clone(),
        ));
        self.running.insert(
            partition,
            Running {
                stop,
                task,
                handled,
            },
        );
        Ok(())
    }

    /// Gives `partition` up once its current event is handled.
    async fn stop(&mut self, partition: u16) {
        if let Some(mut running) = self.running.remove(&partition) {
            let _ = running.stop.send(());
            // Bounded: a channel on a dead connection may never answer its close.
            if tokio::time::timeout(STOP_WITHIN, &mut running.task)
                .await
                .is_err()
            {
                running.task.abort();
            }
        }
    }

    /// Gives every partition up (the connection is closing).
    pub(super) async fn stop_all(&mut self) {
        let partitions: Vec<u16> = self.running.keys().copied().collect();
        for partition in partitions {
            self.stop(partition).await;
        }
        self.inner
            .owned
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

/// Handles one partition's deliveries one at a time until told to stop or
/// the channel ends; then closes the channel, which returns what it held
/// unacked to the queue.
async fn consume(
    inner: Arc<Inner>,
    consumer: Arc<dyn EventConsumer>,
    channel: Channel,
    mut deliveries: tokio::sync::mpsc::UnboundedReceiver<amqprs::channel::ConsumerMessage>,
    mut stop: oneshot::Receiver<()>,
    handled: Arc<AtomicBool>,
) {
    loop {
        tokio::select! {
            biased;
            _ = &mut stop => break,
            message = deliveries.recv() => match message {
                Some(message) => {
                    handled.store(true, Ordering::Relaxed);
                    inner.handle(&channel, &consumer, message).await;
                }
                None => return,
            },
        }
    }
    let _ = channel.close().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nodes(n: usize) -> Vec<NodeId> {
        (0..n).map(|_| NodeId::generate()).collect()
    }

    #[test]
    fn every_partition_has_one_owner_and_one_standby_among_the_nodes() {
        let live = nodes(4);
        let plans: Vec<_> = live.iter().map(|me| plan(&live, me, 16)).collect();
        for partition in 0..16 {
            let roles: Vec<Role> = plans.iter().map(|p| p[partition].1).collect();
            assert_eq!(roles.iter().filter(|r| **r == Role::Owner).count(), 1);
            assert_eq!(roles.iter().filter(|r| **r == Role::Standby).count(), 1);
            // Every node names the same owner.
            assert!(
                plans
                    .iter()
                    .all(|p| p[partition].0 == plans[0][partition].0)
            );
        }
    }

    #[test]
    fn a_node_leaving_hands_its_partitions_to_their_standbys_and_moves_nothing_else() {
        let live = nodes(4);
        let before: Vec<_> = live.iter().map(|me| plan(&live, me, 64)).collect();
        let gone = &live[0];
        let rest: Vec<NodeId> = live[1..].to_vec();
        for (i, me) in rest.iter().enumerate() {
            let after = plan(&rest, me, 64);
            for partition in 0..64 {
                let (owner, role) = &before[i + 1][partition];
                if owner == gone {
                    // The standby becomes the owner.
                    assert_eq!(after[partition].1 == Role::Owner, *role == Role::Standby);
                } else {
                    assert_eq!(&after[partition].0, owner);
                }
            }
        }
    }

    #[test]
    fn alone_a_node_owns_every_partition() {
        let me = NodeId::generate();
        assert!(
            plan(&[], &me, 8)
                .iter()
                .all(|(owner, role)| *role == Role::Owner && *owner == me)
        );
    }

    #[test]
    fn four_nodes_each_own_a_share_of_sixty_four_partitions() {
        let live = nodes(4);
        for me in &live {
            let owned = plan(&live, me, 64)
                .iter()
                .filter(|(_, role)| *role == Role::Owner)
                .count();
            assert!((4..=28).contains(&owned), "{owned} of 64");
        }
    }
}
