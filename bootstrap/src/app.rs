//! Wiring and lifecycle: config → adapters → application → transport, once.

use crate::config::Config;
use crate::health::{BrokerHealth, DatabaseHealth, InProcess, RedisHealth};
use crate::secrets::jwt_secret;
use anyhow::Context;
use chatchit_amqp::{AmqpQueue, AmqpSettings};
use chatchit_application::admin::{AdminService, ReportedContent};
use chatchit_application::auth::{AuthService, TokenLifetimes};
use chatchit_application::blocks::BlockService;
use chatchit_application::calls::CallService;
use chatchit_application::cluster::ClusterDelivery;
use chatchit_application::conversations::ConversationService;
use chatchit_application::friends::FriendService;
use chatchit_application::graph::{CachedConversations, CachedSocial};
use chatchit_application::handlers;
use chatchit_application::messages::MessageService;
use chatchit_application::presence::PresenceService;
use chatchit_application::processor::EventProcessor;
use chatchit_application::relay::{RelaySettings, RelayTasks, Relays};
use chatchit_application::stories::StoryService;
use chatchit_application::typing::TypingService;
use chatchit_application::users::UserService;
use chatchit_application::views::ConversationViews;
use chatchit_crypto::{BcryptHasher, JwtIssuer};
use chatchit_domain::ports::{
    Clock, ConversationStore, Delivery, EventQueue, GraphCache, MessageStore, PresenceStore,
    RateLimiter, RetryPolicy, SessionStore, SocialStore, StoryStore, UserStore,
};
use chatchit_http::{AppState, Gateway, HealthCheck, Heartbeat, SessionLimits};
use chatchit_memory::{
    InMemoryGraphCache, InMemoryPresence, InProcessQueue, LocalRateLimiter, SystemClock,
};
use chatchit_redis::{NodeId, Redis, RedisBus, RedisGraphCache, RedisPresence, RedisRateLimiter};
use chatchit_sql::{
    SqlCallStore, SqlConversationStore, SqlDatabase, SqlMessageStore, SqlReportStore,
    SqlSessionStore, SqlSocialStore, SqlStoryStore, SqlUserStore,
};
use chrono::TimeDelta;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// A built server, bound to its port, not yet serving.
pub struct Application {
    /// The bound listener.
    listener: TcpListener,
    /// The port actually bound (useful with port 0).
    port: u16,
    /// REST + Socket.IO.
    router: axum::Router,
    /// For closing sockets on shutdown.
    gateway: Gateway,
    /// The event queues and their workers, drained on shutdown.
    queues: Queues,
    /// Periodic and cluster tasks (the limiter's and the stories' sweeps,
    /// the bus listener, the presence reaper), ended on shutdown.
    background: Vec<JoinHandle<()>>,
    /// The relay log's tasks, finished once the queues are drained.
    relay_tasks: RelayTasks,
    /// For closing the pool on shutdown.
    database: SqlDatabase,
    /// Fires to stop the server.
    stop: watch::Sender<bool>,
    /// Connection cap and header deadline.
    limits: crate::serve::ConnectionLimits,
    /// The realtime events the gateway answers, from its registry.
    events: Vec<&'static str>,
}

/// The in-process queue (the only one, or the broker's fallback) and, when
/// configured, the RabbitMQ queue, with their worker tasks.
struct Queues {
    /// In process.
    memory: InProcessQueue,
    /// Its worker.
    memory_worker: JoinHandle<()>,
    /// RabbitMQ and its supervisor.
    broker: Option<(AmqpQueue, JoinHandle<()>)>,
}

impl Queues {
    /// Stops consuming from the broker, then drains the in-process queue.
    async fn shut_down(self) {
        if let Some((broker, supervisor)) = self.broker {
            broker.shut_down();
            if let Err(e) = supervisor.await {
                tracing::error!(error = %e, "broker supervisor ended badly");
            }
        }
        self.memory.shut_down();
        if let Err(e) = self.memory_worker.await {
            tracing::error!(error = %e, "queue worker ended badly");
        }
    }
}

/// Stops a running [`Application`] as SIGTERM would.
#[derive(Clone)]
pub struct StopHandle(watch::Sender<bool>);

impl StopHandle {
    /// Starts the graceful shutdown.
    pub fn stop(&self) {
        self.0.send_replace(true);
    }
}

/// Connects to the configured database and applies pending migrations.
///
/// # Errors
/// When the database is unreachable or a migration fails.
pub async fn migrate(config: &Config) -> anyhow::Result<SqlDatabase> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating the data directory {}", config.data_dir.display()))?;
    let database = SqlDatabase::connect(
        &config.effective_database_url(),
        config.database_max_connections,
    )
    .await
    .context("connecting to the database")?;
    chatchit_migrations::apply(database.connection())
        .await
        .context("applying migrations")?;
    Ok(database)
}

impl Application {
    /// Connects, migrates, wires every adapter and binds the listener.
    ///
    /// # Errors
    /// When the database, the data directory or the address is unusable.
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let database = migrate(&config).await?;
        let secret = jwt_secret(config.jwt_secret.as_deref(), &config.data_dir, &database).await?;

        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let users: Arc<dyn UserStore> = Arc::new(SqlUserStore::new(database.clone()));
        let node = NodeId::generate();
        let redis = match &config.redis_url {
            Some(url) => Some(
                Redis::connect(url, &format!("{}:", config.namespace))
                    .await
                    .context("connecting to Redis")?,
            ),
            None => None,
        };
        let graph: Arc<dyn GraphCache> = match &redis {
            Some(redis) => Arc::new(RedisGraphCache::new(redis.clone(), GRAPH_TTL)),
            None => Arc::new(InMemoryGraphCache::new(GRAPH_TTL, GRAPH_CAPACITY)),
        };
        let conversations: Arc<dyn ConversationStore> = Arc::new(CachedConversations::new(
            Arc::new(SqlConversationStore::new(database.clone())),
            graph.clone(),
        ));
        let messages: Arc<dyn MessageStore> = Arc::new(SqlMessageStore::new(database.clone()));
        let social: Arc<dyn SocialStore> = Arc::new(CachedSocial::new(
            Arc::new(SqlSocialStore::new(database.clone())),
            graph,
        ));
        let node_timeout = Duration::from_millis(config.node_timeout_ms);
        let presence_store: Arc<dyn PresenceStore> = match &redis {
            Some(redis) => Arc::new(RedisPresence::new(
                redis.clone(),
                node.clone(),
                node_timeout,
            )),
            None => Arc::new(InMemoryPresence::default()),
        };
        let (limiter, forget_idle) = rate_limiter(&config, redis.as_ref());
        let retry = RetryPolicy {
            max_retries: config.queue_retries,
            base_delay: Duration::from_millis(config.queue_retry_base_ms),
            max_delay: Duration::from_millis(config.queue_retry_max_ms),
        };
        let (memory_queue, memory_worker) = InProcessQueue::new(retry);
        let broker = config.amqp_url.as_ref().map(|url| {
            AmqpQueue::new(
                AmqpSettings {
                    url: url.clone(),
                    prefix: format!("{}.", config.namespace),
                    prefetch: config.queue_prefetch,
                    retry,
                    idle_expiry: config.queue_idle_expiry_ms.map(Duration::from_millis),
                },
                Arc::new(memory_queue.clone()),
            )
        });
        let events: Arc<dyn EventQueue> = match &broker {
            Some((queue, _)) => Arc::new(queue.clone()),
            None => Arc::new(memory_queue.clone()),
        };
        let gateway = Gateway::new(
            Heartbeat {
                interval: Duration::from_millis(config.ping_interval_ms),
                timeout: Duration::from_millis(config.ping_timeout_ms),
            },
            SessionLimits {
                connect_timeout: Duration::from_millis(config.connect_timeout_ms),
                max_per_client: config.max_sessions_per_ip,
                trust_forwarded_for: config.trust_forwarded_for,
            },
        );
        let local: Arc<dyn Delivery> = Arc::new(gateway.delivery());
        let mut background = vec![forget_idle];
        let (delivery, cluster): (Arc<dyn Delivery>, _) = match &redis {
            Some(redis) => {
                let bus = RedisBus::new(redis.clone(), node.clone());
                background.push(bus.listen(local.clone()).await);
                let cluster = Arc::new(ClusterDelivery::new(local, Arc::new(bus)));
                (cluster.clone(), Some(cluster))
            }
            None => (local, None),
        };

        let lifetimes = TokenLifetimes {
            access: TimeDelta::seconds(config.access_token_ttl_secs),
            refresh: TimeDelta::days(config.refresh_token_ttl_days),
        };
        let sessions: Arc<dyn SessionStore> = Arc::new(SqlSessionStore::new(database.clone()));
        let auth = Arc::new(AuthService::new(
            users.clone(),
            sessions.clone(),
            Arc::new(BcryptHasher::new(config.bcrypt_cost)),
            Arc::new(JwtIssuer::new(&secret)),
            delivery.clone(),
            clock.clone(),
            lifetimes,
        ));
        let views = Arc::new(ConversationViews::new(
            users.clone(),
            conversations.clone(),
            messages.clone(),
        ));
        let (relays, relay_tasks) = Relays::start(
            messages.clone(),
            &events,
            clock.clone(),
            RelaySettings {
                sweep_every: Duration::from_millis(config.relay_sweep_ms),
                orphaned_after: Duration::from_millis(config.relay_orphaned_after_ms),
            },
        );
        let typing = TypingService::new(
            conversations.clone(),
            social.clone(),
            events.clone(),
            Duration::from_millis(config.typing_timeout_ms),
        );
        let story_store: Arc<dyn StoryStore> = Arc::new(SqlStoryStore::new(database.clone()));
        let admin = Arc::new(AdminService::new(
            users.clone(),
            Arc::new(SqlReportStore::new(database.clone())),
            ReportedContent {
                messages: messages.clone(),
                conversations: conversations.clone(),
                stories: story_store.clone(),
            },
            sessions,
            delivery.clone(),
            events.clone(),
            clock.clone(),
        ));
        let message_service = Arc::new(MessageService::new(
            conversations.clone(),
            messages,
            social.clone(),
            crate::faults::inject(events.clone(), config.fault),
            typing.clone(),
            clock.clone(),
        ));
        let conversation_service = Arc::new(ConversationService::new(
            users.clone(),
            conversations.clone(),
            social.clone(),
            views.clone(),
            events.clone(),
            delivery.clone(),
            clock.clone(),
        ));
        let friends = Arc::new(FriendService::new(
            users.clone(),
            social.clone(),
            events.clone(),
            clock.clone(),
        ));
        let presence = Arc::new(PresenceService::new(
            presence_store.clone(),
            events.clone(),
            clock.clone(),
        ));
        let calls = CallService::new(
            Arc::new(SqlCallStore::new(database.clone())),
            conversations.clone(),
            social.clone(),
            events.clone(),
            clock.clone(),
            Duration::from_millis(config.call_ring_timeout_ms),
            limiter.clone(),
        );
        let stories = Arc::new(StoryService::new(
            story_store,
            social.clone(),
            users.clone(),
            events.clone(),
            clock.clone(),
        ));
        background.push(sweep_expired_stories(&stories));
        let blocks = Arc::new(BlockService::new(users.clone(), social.clone(), clock));
        let processor = Arc::new(
            EventProcessor::new(
                conversations,
                views,
                delivery,
                presence_store,
                social,
                calls.clone(),
            )
            .relaying(relays),
        );
        let memory_worker = memory_worker.spawn(processor.clone());
        let broker = match broker {
            Some((queue, supervisor)) => {
                let supervisor = supervisor.spawn(processor);
                if !queue.wait_connected(BROKER_PATIENCE).await {
                    tracing::warn!("RabbitMQ unreachable; starting degraded (in-process queue)");
                }
                Some((queue, supervisor))
            }
            None => None,
        };

        let mut health: Vec<Arc<dyn HealthCheck>> =
            vec![Arc::new(DatabaseHealth(database.clone()))];
        match (&redis, cluster) {
            (Some(redis), Some(cluster)) => {
                background.push(reap_departed_nodes(&presence, node_timeout));
                health.push(Arc::new(RedisHealth {
                    redis: redis.clone(),
                    cluster,
                }));
            }
            _ => health.push(Arc::new(InProcess("cache"))),
        }
        match &broker {
            Some((queue, _)) => health.push(Arc::new(BrokerHealth(queue.clone()))),
            None => health.push(Arc::new(InProcess("queue"))),
        }
        let state = AppState {
            auth,
            users: Arc::new(UserService::new(users)),
            conversations: conversation_service,
            messages: message_service.clone(),
            friends,
            blocks,
            events: Arc::new(handlers::all(
                message_service,
                typing,
                presence.clone(),
                calls.clone(),
                limiter.clone(),
            )),
            calls,
            stories,
            admin,
            sockets: Arc::default(),
            limiter,
            trust_forwarded_for: config.trust_forwarded_for,
            presence,
            health: Arc::new(health),
        };
        let events = state.events.iter().map(|e| e.event()).collect();
        gateway.register(state.clone());
        chatchit_http::prometheus();
        let router = chatchit_http::router(state).merge(gateway.routes());

        let listener = TcpListener::bind(&config.bind)
            .await
            .with_context(|| format!("binding {}", config.bind))?;
        let port = listener.local_addr()?.port();
        let (stop, _) = watch::channel(false);
        Ok(Self {
            listener,
            port,
            router,
            gateway,
            queues: Queues {
                memory: memory_queue,
                memory_worker,
                broker,
            },
            background,
            relay_tasks,
            database,
            stop,
            events,
            limits: crate::serve::ConnectionLimits {
                max_connections: config.max_connections,
                header_read_timeout: Duration::from_millis(config.header_read_timeout_ms),
            },
        })
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Every realtime event the server answers, as its handler registry
    /// lists them (for documents and tests that must cover each one).
    pub fn events(&self) -> &[&'static str] {
        &self.events
    }

    /// A handle that stops the server gracefully.
    pub fn stop_handle(&self) -> StopHandle {
        StopHandle(self.stop.clone())
    }

    /// Serves until SIGINT, SIGTERM or the stop handle; then closes sockets,
    /// finishes in-flight requests and queued events, and closes the database.
    ///
    /// # Errors
    /// When the server fails.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        tracing::info!(port = self.port, "chatchit listening");
        let gateway = self.gateway.clone();
        let mut stop = self.stop.subscribe();
        let shutdown = async move {
            tokio::select! {
                () = signal() => {}
                _ = stop.wait_for(|s| *s) => {}
            }
            tracing::info!("shutting down: closing sockets");
            gateway.close().await;
        };
        crate::serve::serve(self.listener, self.router, self.limits, shutdown).await;
        self.queues.shut_down().await;
        self.relay_tasks.finish().await;
        for task in self.background {
            task.abort();
        }
        self.database.close().await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// How long a graph-cache answer may live: the bound on staleness should an
/// invalidation ever be lost (a Redis outage during a change).
const GRAPH_TTL: Duration = Duration::from_secs(60);

/// Answers the in-process graph cache holds at most.
const GRAPH_CAPACITY: usize = 100_000;

/// How long a starting node waits for RabbitMQ before it serves degraded.
const BROKER_PATIENCE: Duration = Duration::from_secs(3);

/// The rate limiter with the configured quotas: shared by every node through
/// Redis when it is configured (with the in-process one as its fallback),
/// else in process, with a task that forgets idle keys every minute so memory
/// stays bounded.
fn rate_limiter(config: &Config, redis: Option<&Redis>) -> (Arc<dyn RateLimiter>, JoinHandle<()>) {
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

/// Beats for this node and reaps crashed ones, a few times per timeout.
fn reap_departed_nodes(presence: &Arc<PresenceService>, timeout: Duration) -> JoinHandle<()> {
    let presence = presence.clone();
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(timeout / 3);
        loop {
            tick.tick().await;
            match presence.reap_departed_nodes().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(users = n, "took the users of a departed node offline"),
                Err(e) => tracing::warn!(error = %e, "presence reaping failed"),
            }
        }
    })
}

/// Deletes expired stories once a minute (reads already hide them).
fn sweep_expired_stories(stories: &Arc<StoryService>) -> JoinHandle<()> {
    let weak = Arc::downgrade(stories);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            let Some(stories) = weak.upgrade() else { break };
            match stories.sweep().await {
                Ok(0) => {}
                Ok(n) => tracing::info!(deleted = n, "expired stories swept"),
                Err(e) => tracing::warn!(error = %e, "story sweep failed"),
            }
        }
    })
}

/// Resolves on SIGINT or SIGTERM.
async fn signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
