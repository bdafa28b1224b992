//! The wiring steps that pick an adapter for each port: the host's, else
//! what the configuration names (SQL, Redis, RabbitMQ), else in process.

use crate::chatchit::Queues;
use crate::config::Config;
use crate::health::{BrokerHealth, InProcess};
use crate::ports::{HostQueue, Overrides};
use anyhow::Context;
use chatchit_amqp::{AmqpQueue, AmqpSettings, Membership};
use chatchit_application::cluster::{ClusterDelivery, Targeting};
use chatchit_application::graph::{CachedConversations, CachedSocial};
use chatchit_application::processor::EventProcessor;
use chatchit_domain::ports::{
    CallStore, ClusterBus, ConversationStore, Delivery, EventQueue, GraphCache, MessageStore,
    NodeDirectory, PresenceStore, RateLimiter, ReportStore, RetryPolicy, SessionStore, SocialStore,
    StoryStore, UserStore,
};
use chatchit_http::{Gateway, HealthCheck, Heartbeat, SessionLimits};
use chatchit_memory::{InMemoryGraphCache, InMemoryPresence, InProcessQueue, LocalRateLimiter};
use chatchit_redis::{NodeId, Redis, RedisBus, RedisGraphCache, RedisPresence, RedisRateLimiter};
use chatchit_sql::{
    SqlCallStore, SqlConversationStore, SqlDatabase, SqlMessageStore, SqlReportStore,
    SqlSessionStore, SqlSocialStore, SqlStoryStore, SqlUserStore,
};
use std::sync::Arc;
use std::time::Duration;
use tokio::task::JoinHandle;

/// How long a graph-cache answer may live: the bound on staleness should an
/// invalidation ever be lost (a Redis outage during a change).
pub(super) const GRAPH_TTL: Duration = Duration::from_secs(60);

/// Answers the in-process graph cache holds at most.
pub(super) const GRAPH_CAPACITY: usize = 100_000;

/// How long a starting node waits for RabbitMQ before it serves degraded.
pub(super) const BROKER_PATIENCE: Duration = Duration::from_secs(3);

/// How often a node looks at the live nodes and takes up or gives up event
/// partitions (and counts the broker's queues).
pub(super) const REBALANCE_EVERY: Duration = Duration::from_secs(2);

/// Who this node is to the others: the live nodes are those the Redis
/// presence map has heard from (without Redis, a node consumes every
/// partition).
pub(super) fn membership(config: &Config, redis: Option<&Redis>, node: &NodeId) -> Membership {
    Membership {
        node: node.clone(),
        directory: redis.map(|redis| {
            Arc::new(RedisPresence::new(
                redis.clone(),
                node.clone(),
                Duration::from_millis(config.node_timeout_ms),
            )) as Arc<dyn NodeDirectory>
        }),
    }
}

/// Redis, when configured.
pub(super) async fn connect_redis(config: &Config) -> anyhow::Result<Option<Redis>> {
    match &config.redis_url {
        Some(url) => Ok(Some(
            Redis::connect(url, &format!("{}:", config.namespace))
                .await
                .context("connecting to Redis")?,
        )),
        None => Ok(None),
    }
}

/// Every store, as supplied or on the database; the conversation and social
/// stores behind the graph cache.
pub(super) struct Stores {
    /// Accounts.
    pub(super) users: Arc<dyn UserStore>,
    /// Sessions.
    pub(super) sessions: Arc<dyn SessionStore>,
    /// Conversations, cached.
    pub(super) conversations: Arc<dyn ConversationStore>,
    /// Messages.
    pub(super) messages: Arc<dyn MessageStore>,
    /// Friendships and blocks, cached.
    pub(super) social: Arc<dyn SocialStore>,
    /// Stories.
    pub(super) stories: Arc<dyn StoryStore>,
    /// Reports.
    pub(super) reports: Arc<dyn ReportStore>,
    /// Calls.
    pub(super) calls: Arc<dyn CallStore>,
}

/// Picks each store: the host's, else SQL on `database` (which `build`
/// connected whenever one is missing).
pub(super) fn stores(
    overrides: &Overrides,
    database: Option<&SqlDatabase>,
    redis: Option<&Redis>,
) -> anyhow::Result<Stores> {
    /// The host's store, else the SQL one.
    fn pick<P: ?Sized>(
        supplied: &Option<Arc<P>>,
        database: Option<&SqlDatabase>,
        sql: impl FnOnce(SqlDatabase) -> Arc<P>,
    ) -> anyhow::Result<Arc<P>> {
        match (supplied, database) {
            (Some(port), _) => Ok(port.clone()),
            (None, Some(database)) => Ok(sql(database.clone())),
            (None, None) => anyhow::bail!("a store was neither supplied nor given a database"),
        }
    }
    let graph: Arc<dyn GraphCache> = match (&overrides.graph, redis) {
        (Some(graph), _) => graph.clone(),
        (None, Some(redis)) => Arc::new(RedisGraphCache::new(redis.clone(), GRAPH_TTL)),
        (None, None) => Arc::new(InMemoryGraphCache::new(GRAPH_TTL, GRAPH_CAPACITY)),
    };
    let conversations = pick(&overrides.conversations, database, |db| {
        Arc::new(SqlConversationStore::new(db))
    })?;
    let social = pick(&overrides.social, database, |db| {
        Arc::new(SqlSocialStore::new(db))
    })?;
    Ok(Stores {
        users: pick(&overrides.users, database, |db| {
            Arc::new(SqlUserStore::new(db))
        })?,
        sessions: pick(&overrides.sessions, database, |db| {
            Arc::new(SqlSessionStore::new(db))
        })?,
        conversations: Arc::new(CachedConversations::new(conversations, graph.clone())),
        messages: pick(&overrides.messages, database, |db| {
            Arc::new(SqlMessageStore::new(db))
        })?,
        social: Arc::new(CachedSocial::new(social, graph)),
        stories: pick(&overrides.stories, database, |db| {
            Arc::new(SqlStoryStore::new(db))
        })?,
        reports: pick(&overrides.reports, database, |db| {
            Arc::new(SqlReportStore::new(db))
        })?,
        calls: pick(&overrides.calls, database, |db| {
            Arc::new(SqlCallStore::new(db))
        })?,
    })
}

/// The rate limiter with the configured quotas: shared by every node through
/// Redis when it is configured (with the in-process one as its fallback),
/// else in process, with a task that forgets idle keys every minute so memory
/// stays bounded.
pub(super) fn rate_limiter(
    config: &Config,
    redis: Option<&Redis>,
) -> (Arc<dyn RateLimiter>, JoinHandle<()>) {
    let quotas = config.rate_limits.quotas();
    let limiter = Arc::new(LocalRateLimiter::new(quotas.clone()));
    let weak = Arc::downgrade(&limiter);
    let forget_idle = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            match weak.upgrade() {
                Some(limiter) => limiter.forget_idle(),
                None => break,
            }
        }
    });
    let limiter: Arc<dyn RateLimiter> = match redis {
        Some(redis) => Arc::new(RedisRateLimiter::new(redis.clone(), quotas, limiter)),
        None => limiter,
    };
    (limiter, forget_idle)
}

/// The queues not yet consuming: the host's, or the in-process one with
/// RabbitMQ in front of it when configured; and the port events are
/// published through.
pub(super) fn queues(
    config: &Config,
    hosted: Option<Arc<dyn HostQueue>>,
    membership: Membership,
) -> (PendingQueues, Arc<dyn EventQueue>) {
    if let Some(hosted) = hosted {
        let events = hosted.queue();
        return (PendingQueues::Hosted(hosted), events);
    }
    let retry = RetryPolicy {
        max_retries: config.queue_retries,
        base_delay: Duration::from_millis(config.queue_retry_base_ms),
        max_delay: Duration::from_millis(config.queue_retry_max_ms),
    };
    let (memory, worker) = InProcessQueue::new(retry);
    let broker = config.amqp_url.as_ref().map(|url| {
        AmqpQueue::new(
            AmqpSettings {
                url: url.clone(),
                prefix: format!("{}.", config.namespace),
                prefetch: config.queue_prefetch,
                retry,
                idle_expiry: config.queue_idle_expiry_ms.map(Duration::from_millis),
                partitions: config.queue_partitions,
                rebalance_every: REBALANCE_EVERY,
            },
            membership,
            Arc::new(memory.clone()),
        )
    });
    let events: Arc<dyn EventQueue> = match &broker {
        Some((queue, _)) => Arc::new(queue.clone()),
        None => Arc::new(memory.clone()),
    };
    (
        PendingQueues::Own {
            memory,
            worker,
            broker,
        },
        events,
    )
}

/// Queues wired but not consuming yet: the processor is built after them.
pub(super) enum PendingQueues {
    /// The host's.
    Hosted(Arc<dyn HostQueue>),
    /// In process, with RabbitMQ in front when configured.
    Own {
        /// In process.
        memory: InProcessQueue,
        /// Its worker, not started.
        worker: chatchit_memory::QueueWorker,
        /// RabbitMQ and its supervisor, not started.
        broker: Option<(AmqpQueue, chatchit_amqp::Supervisor)>,
    },
}

impl PendingQueues {
    /// Starts consuming into `processor`; waits a little for RabbitMQ.
    pub(super) async fn start(self, processor: Arc<EventProcessor>) -> Queues {
        match self {
            Self::Hosted(hosted) => {
                let task = hosted.start(processor);
                Queues::Hosted { hosted, task }
            }
            Self::Own {
                memory,
                worker,
                broker,
            } => {
                let worker = worker.spawn(processor.clone());
                let broker = match broker {
                    Some((queue, supervisor)) => {
                        let supervisor = supervisor.spawn(processor);
                        if !queue.wait_connected(BROKER_PATIENCE).await {
                            tracing::warn!(
                                "RabbitMQ unreachable; starting degraded (in-process queue)"
                            );
                        }
                        Some((queue, supervisor))
                    }
                    None => None,
                };
                Queues::Own {
                    memory,
                    worker,
                    broker,
                }
            }
        }
    }
}

impl Queues {
    /// The queue's readiness probe.
    pub(super) fn health(&self) -> Arc<dyn HealthCheck> {
        match self {
            Self::Own {
                broker: Some((queue, _)),
                ..
            } => Arc::new(BrokerHealth(queue.clone())),
            _ => Arc::new(InProcess("queue")),
        }
    }
}

/// The Socket.IO gateway with the configured heartbeat and session limits.
pub(super) fn gateway(config: &Config) -> Gateway {
    Gateway::new(
        Heartbeat {
            interval: Duration::from_millis(config.ping_interval_ms),
            timeout: Duration::from_millis(config.ping_timeout_ms),
        },
        SessionLimits {
            connect_timeout: Duration::from_millis(config.connect_timeout_ms),
            max_per_client: config.max_sessions_per_ip,
            trust_forwarded_for: config.trust_forwarded_for,
        },
    )
}

/// Delivery to this node's sockets, and to the other nodes' through the bus
/// (the host's, or Redis when configured; its listener joins `background`).
/// With `membership`'s directory, a dispatch is published only to the nodes
/// holding a recipient's socket.
pub(super) async fn delivery(
    gateway: &Gateway,
    overrides: &Overrides,
    redis: Option<&Redis>,
    membership: &Membership,
    conversations: Arc<dyn ConversationStore>,
    background: &mut Vec<JoinHandle<()>>,
) -> (Arc<dyn Delivery>, Option<Arc<ClusterDelivery>>) {
    let local: Arc<dyn Delivery> = Arc::new(gateway.delivery());
    let bus: Arc<dyn ClusterBus> = match (&overrides.bus, redis) {
        (Some(bus), _) => bus.clone(),
        (None, Some(redis)) => {
            let bus = RedisBus::new(redis.clone(), membership.node.clone());
            background.push(bus.listen(local.clone()).await);
            Arc::new(bus)
        }
        (None, None) => return (local, None),
    };
    let mut cluster = ClusterDelivery::new(local, bus);
    if let Some(directory) = &membership.directory {
        cluster = cluster.targeted(Targeting {
            node: membership.node.clone(),
            directory: directory.clone(),
            conversations,
        });
    }
    let cluster = Arc::new(cluster);
    (cluster.clone(), Some(cluster))
}

/// Who is online: the host's store, Redis, or in process.
pub(super) fn presence_store(
    config: &Config,
    overrides: &Overrides,
    redis: Option<&Redis>,
    node: &NodeId,
) -> Arc<dyn PresenceStore> {
    match (&overrides.presence, redis) {
        (Some(presence), _) => presence.clone(),
        (None, Some(redis)) => Arc::new(RedisPresence::new(
            redis.clone(),
            node.clone(),
            Duration::from_millis(config.node_timeout_ms),
        )),
        (None, None) => Arc::new(InMemoryPresence::default()),
    }
}
