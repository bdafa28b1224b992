//! The front door: configuration plus any port the host supplies, wired into
//! a [`ChatChit`] that has bound nothing. Each wiring step is a function of
//! its own, in the order `build` calls them.

use crate::chatchit::{ChatChit, Queues, Services};
use crate::config::{Config, ExternalIdentity};
use crate::health::{BrokerHealth, DatabaseHealth, InProcess, RedisHealth};
use crate::ports::{HostQueue, Overrides};
use crate::secrets::{configured_secret, jwt_secret};
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
use chatchit_application::identity::{Authenticator, ExternalAuth};
use chatchit_application::messages::MessageService;
use chatchit_application::presence::PresenceService;
use chatchit_application::processor::EventProcessor;
use chatchit_application::relay::{RelaySettings, Relays};
use chatchit_application::stories::StoryService;
use chatchit_application::typing::TypingService;
use chatchit_application::users::UserService;
use chatchit_application::views::ConversationViews;
use chatchit_crypto::{BcryptHasher, ExternalJwt, ExternalKeys, ExternalTokenSettings, JwtIssuer};
use chatchit_domain::ports::{
    CallStore, Clock, ClusterBus, ConversationStore, Delivery, EventQueue, GraphCache,
    IdentityVerifier, MessageStore, PasswordHasher, PresenceStore, RateLimiter, ReportStore,
    RetryPolicy, SessionStore, SocialStore, StoryStore, TokenIssuer, UserStore,
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
use tokio::task::JoinHandle;

/// Builds a [`ChatChit`] from a [`Config`] and the ports a host supplies;
/// every port left alone comes from the configuration.
///
/// ```no_run
/// # async fn host() -> anyhow::Result<()> {
/// use chatchit::{ChatChit, Config};
///
/// let config = Config { data_dir: "/tmp/chat".into(), ..Config::default() };
/// let chat = ChatChit::builder(config).build().await?;
/// let app = axum::Router::new()
///     .route("/", axum::routing::get(|| async { "the host's own page" }))
///     .nest("/chat", chat.router());
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
/// axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
///     .await?;
/// chat.shutdown().await;
/// # Ok(()) }
/// ```
#[must_use = "a builder does nothing until built"]
pub struct Builder {
    /// The settings.
    config: Config,
    /// What the host supplies.
    overrides: Overrides,
    /// Whether to install the Prometheus recorder and serve `/metrics`.
    prometheus: bool,
}

/// One setter per port of [`Overrides`].
macro_rules! overrides {
    ($($(#[$doc:meta])* $name:ident: $port:ty;)*) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, port: Arc<$port>) -> Self {
                self.overrides.$name = Some(port);
                self
            }
        )*
    };
}

impl Builder {
    /// A builder over `config`, with no override and no metrics exporter.
    pub fn new(config: Config) -> Self {
        Self {
            config,
            overrides: Overrides::default(),
            prometheus: false,
        }
    }

    overrides! {
        /// Accounts.
        users: dyn UserStore;
        /// Login sessions and refresh tokens.
        sessions: dyn SessionStore;
        /// Conversations and memberships (put behind the graph cache).
        conversations: dyn ConversationStore;
        /// Messages, reactions, read marks and the relay log.
        messages: dyn MessageStore;
        /// Friendships and blocks (put behind the graph cache).
        social: dyn SocialStore;
        /// Stories.
        stories: dyn StoryStore;
        /// Abuse reports.
        reports: dyn ReportStore;
        /// Call history.
        calls: dyn CallStore;
        /// The cache in front of the conversation and social stores.
        graph: dyn GraphCache;
        /// The event queue and its consumers.
        queue: dyn HostQueue;
        /// The bus to the other nodes of a cluster.
        bus: dyn ClusterBus;
        /// Who is online.
        presence: dyn PresenceStore;
        /// Per-user allowances.
        rate_limiter: dyn RateLimiter;
        /// Password hashing.
        hasher: dyn PasswordHasher;
        /// ChatChit's own access tokens.
        tokens: dyn TokenIssuer;
        /// A host's own tokens: its users need no ChatChit account.
        identity: dyn IdentityVerifier;
        /// Time.
        clock: dyn Clock;
    }

    /// Every store from one value that implements them all, such as
    /// [`chatchit_memory::InMemoryStore`]: ChatChit then needs no database
    /// (give it a `jwt_secret`, or a token issuer, as none is kept anywhere).
    pub fn all_stores<S>(self, store: S) -> Self
    where
        S: UserStore
            + SessionStore
            + ConversationStore
            + MessageStore
            + SocialStore
            + StoryStore
            + ReportStore
            + CallStore
            + Clone
            + 'static,
    {
        self.users(Arc::new(store.clone()))
            .sessions(Arc::new(store.clone()))
            .conversations(Arc::new(store.clone()))
            .messages(Arc::new(store.clone()))
            .social(Arc::new(store.clone()))
            .stories(Arc::new(store.clone()))
            .reports(Arc::new(store.clone()))
            .calls(Arc::new(store))
    }

    /// Installs the Prometheus recorder as the process's global `metrics`
    /// recorder and serves `/metrics`. Off by default: a host that records
    /// metrics itself keeps its own recorder, and ChatChit's metrics go to it
    /// through the `metrics` facade.
    pub fn prometheus(mut self) -> Self {
        self.prometheus = true;
        self
    }

    /// Connects to what the configuration names (database, Redis,
    /// RabbitMQ) for each port not supplied, migrates the database, wires the
    /// use cases and starts the background tasks. Binds no socket: serve
    /// [`ChatChit::router`] yourself or call [`ChatChit::serve`].
    ///
    /// # Errors
    /// When a configured service is unusable or a setting is invalid.
    pub async fn build(self) -> anyhow::Result<ChatChit> {
        let Self {
            config,
            overrides,
            prometheus,
        } = self;
        let keys_in_database = overrides.tokens.is_none() && config.jwt_secret.is_none();
        let database = match overrides.needs_database() || keys_in_database {
            true => Some(crate::app::migrate(&config).await?),
            false => None,
        };
        let redis = connect_redis(&config).await?;
        let clock = overrides
            .clock
            .clone()
            .unwrap_or_else(|| Arc::new(SystemClock));
        let stores = stores(&overrides, database.as_ref(), redis.as_ref())?;
        let mut background = Vec::new();
        let limiter = match overrides.rate_limiter.clone() {
            Some(limiter) => limiter,
            None => {
                let (limiter, forget_idle) = rate_limiter(&config, redis.as_ref());
                background.push(forget_idle);
                limiter
            }
        };
        let (queues, events) = queues(&config, overrides.queue.clone());
        let gateway = gateway(&config);
        let node = NodeId::generate();
        let (delivery, cluster) =
            delivery(&gateway, &overrides, redis.as_ref(), &node, &mut background).await;
        let presence_store = presence_store(&config, &overrides, redis.as_ref(), &node);
        let tokens: Arc<dyn TokenIssuer> = match (&overrides.tokens, &database) {
            (Some(tokens), _) => tokens.clone(),
            (None, Some(database)) => Arc::new(JwtIssuer::new(
                &jwt_secret(config.jwt_secret.as_deref(), &config.data_dir, database).await?,
            )),
            (None, None) => Arc::new(JwtIssuer::new(&configured_secret(
                config.jwt_secret.as_deref().unwrap_or_default(),
            )?)),
        };
        let wiring = Wiring {
            config: &config,
            stores,
            clock,
            events,
            delivery,
            limiter,
            presence_store,
        };
        let (services, processor, relay_tasks) = wiring.services(&overrides, tokens)?;
        background.push(sweep_expired_stories(&services.stories));
        let queues = queues.start(processor).await;
        let mut health: Vec<Arc<dyn HealthCheck>> = Vec::new();
        if let Some(database) = &database {
            health.push(Arc::new(DatabaseHealth(database.clone())));
        }
        match (&redis, cluster) {
            (Some(redis), Some(cluster)) => {
                let timeout = Duration::from_millis(config.node_timeout_ms);
                background.push(reap_departed_nodes(&services.presence, timeout));
                health.push(Arc::new(RedisHealth {
                    redis: redis.clone(),
                    cluster,
                }));
            }
            _ => health.push(Arc::new(InProcess("cache"))),
        }
        health.push(queues.health());
        let state = services.state(&config, Arc::new(health));
        let events = state.events.iter().map(|e| e.event()).collect();
        gateway.register(state.clone());
        let mut router = chatchit_http::router(state).merge(gateway.routes());
        if prometheus {
            chatchit_http::prometheus();
            router = router.merge(chatchit_http::metrics_route());
        } else {
            chatchit_http::describe_metrics();
        }
        Ok(ChatChit {
            router,
            gateway,
            services,
            queues,
            background,
            relay_tasks,
            database,
            events,
            limits: crate::serve::ConnectionLimits {
                max_connections: config.max_connections,
                header_read_timeout: Duration::from_millis(config.header_read_timeout_ms),
            },
        })
    }
}

/// How long a graph-cache answer may live: the bound on staleness should an
/// invalidation ever be lost (a Redis outage during a change).
const GRAPH_TTL: Duration = Duration::from_secs(60);

/// Answers the in-process graph cache holds at most.
const GRAPH_CAPACITY: usize = 100_000;

/// How long a starting node waits for RabbitMQ before it serves degraded.
const BROKER_PATIENCE: Duration = Duration::from_secs(3);

/// Redis, when configured.
async fn connect_redis(config: &Config) -> anyhow::Result<Option<Redis>> {
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
struct Stores {
    /// Accounts.
    users: Arc<dyn UserStore>,
    /// Sessions.
    sessions: Arc<dyn SessionStore>,
    /// Conversations, cached.
    conversations: Arc<dyn ConversationStore>,
    /// Messages.
    messages: Arc<dyn MessageStore>,
    /// Friendships and blocks, cached.
    social: Arc<dyn SocialStore>,
    /// Stories.
    stories: Arc<dyn StoryStore>,
    /// Reports.
    reports: Arc<dyn ReportStore>,
    /// Calls.
    calls: Arc<dyn CallStore>,
}

/// Picks each store: the host's, else SQL on `database` (which `build`
/// connected whenever one is missing).
fn stores(
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

/// The queues not yet consuming: the host's, or the in-process one with
/// RabbitMQ in front of it when configured; and the port events are
/// published through.
fn queues(
    config: &Config,
    hosted: Option<Arc<dyn HostQueue>>,
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
            },
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
enum PendingQueues {
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
    async fn start(self, processor: Arc<EventProcessor>) -> Queues {
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
    fn health(&self) -> Arc<dyn HealthCheck> {
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
fn gateway(config: &Config) -> Gateway {
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
async fn delivery(
    gateway: &Gateway,
    overrides: &Overrides,
    redis: Option<&Redis>,
    node: &NodeId,
    background: &mut Vec<JoinHandle<()>>,
) -> (Arc<dyn Delivery>, Option<Arc<ClusterDelivery>>) {
    let local: Arc<dyn Delivery> = Arc::new(gateway.delivery());
    let bus: Arc<dyn ClusterBus> = match (&overrides.bus, redis) {
        (Some(bus), _) => bus.clone(),
        (None, Some(redis)) => {
            let bus = RedisBus::new(redis.clone(), node.clone());
            background.push(bus.listen(local.clone()).await);
            Arc::new(bus)
        }
        (None, None) => return (local, None),
    };
    let cluster = Arc::new(ClusterDelivery::new(local, bus));
    (cluster.clone(), Some(cluster))
}

/// Who is online: the host's store, Redis, or in process.
fn presence_store(
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

/// What the use cases are built from.
struct Wiring<'a> {
    /// Settings.
    config: &'a Config,
    /// Stores.
    stores: Stores,
    /// Time.
    clock: Arc<dyn Clock>,
    /// Where events are published.
    events: Arc<dyn EventQueue>,
    /// Where server events go.
    delivery: Arc<dyn Delivery>,
    /// Allowances.
    limiter: Arc<dyn RateLimiter>,
    /// Who is online.
    presence_store: Arc<dyn PresenceStore>,
}

impl Wiring<'_> {
    /// Every use case, the event processor and the relay log's tasks.
    fn services(
        self,
        overrides: &Overrides,
        tokens: Arc<dyn TokenIssuer>,
    ) -> anyhow::Result<(
        Services,
        Arc<EventProcessor>,
        chatchit_application::relay::RelayTasks,
    )> {
        let Self {
            config,
            stores: s,
            clock,
            events,
            delivery,
            limiter,
            presence_store,
        } = self;
        let ms = Duration::from_millis;
        let hasher = overrides
            .hasher
            .clone()
            .unwrap_or_else(|| Arc::new(BcryptHasher::new(config.bcrypt_cost)));
        let auth = Arc::new(AuthService::new(
            s.users.clone(),
            s.sessions.clone(),
            hasher,
            tokens,
            delivery.clone(),
            clock.clone(),
            TokenLifetimes {
                access: TimeDelta::seconds(config.access_token_ttl_secs),
                refresh: TimeDelta::days(config.refresh_token_ttl_days),
            },
        ));
        let identity = identity(config, overrides, &auth, &s, &clock)?;
        let views = Arc::new(ConversationViews::new(
            s.users.clone(),
            s.conversations.clone(),
            s.messages.clone(),
        ));
        let (relays, relay_tasks) = Relays::start(
            s.messages.clone(),
            &events,
            clock.clone(),
            RelaySettings {
                sweep_every: ms(config.relay_sweep_ms),
                orphaned_after: ms(config.relay_orphaned_after_ms),
            },
        );
        let typing = TypingService::new(
            s.conversations.clone(),
            s.social.clone(),
            events.clone(),
            ms(config.typing_timeout_ms),
        );
        let admin = Arc::new(AdminService::new(
            s.users.clone(),
            s.reports.clone(),
            ReportedContent {
                messages: s.messages.clone(),
                conversations: s.conversations.clone(),
                stories: s.stories.clone(),
            },
            s.sessions.clone(),
            delivery.clone(),
            events.clone(),
            clock.clone(),
        ));
        let messages = Arc::new(MessageService::new(
            s.conversations.clone(),
            s.messages.clone(),
            s.social.clone(),
            crate::faults::inject(events.clone(), config.fault),
            typing.clone(),
            clock.clone(),
        ));
        let conversations = Arc::new(ConversationService::new(
            s.users.clone(),
            s.conversations.clone(),
            s.social.clone(),
            views.clone(),
            events.clone(),
            delivery.clone(),
            clock.clone(),
        ));
        let friends = Arc::new(FriendService::new(
            s.users.clone(),
            s.social.clone(),
            events.clone(),
            clock.clone(),
        ));
        let presence = Arc::new(PresenceService::new(
            presence_store.clone(),
            events.clone(),
            clock.clone(),
        ));
        let calls = CallService::new(
            s.calls.clone(),
            s.conversations.clone(),
            s.social.clone(),
            events.clone(),
            clock.clone(),
            ms(config.call_ring_timeout_ms),
            limiter.clone(),
        );
        let stories = Arc::new(StoryService::new(
            s.stories.clone(),
            s.social.clone(),
            s.users.clone(),
            events.clone(),
            clock.clone(),
        ));
        let blocks = Arc::new(BlockService::new(s.users.clone(), s.social.clone(), clock));
        let processor = Arc::new(
            EventProcessor::new(
                s.conversations,
                views,
                delivery.clone(),
                presence_store,
                s.social,
                calls.clone(),
            )
            .relaying(relays),
        );
        let services = Services {
            auth,
            identity,
            users: Arc::new(UserService::new(s.users)),
            conversations,
            messages,
            typing,
            friends,
            blocks,
            presence,
            calls,
            stories,
            admin,
            limiter,
            delivery,
        };
        Ok((services, processor, relay_tasks))
    }
}

/// Who bearer tokens stand for: the host's verifier (supplied, or from
/// `external_identity`) with ChatChit's accounts beside unless turned off, or
/// the accounts alone.
fn identity(
    config: &Config,
    overrides: &Overrides,
    auth: &Arc<AuthService>,
    stores: &Stores,
    clock: &Arc<dyn Clock>,
) -> anyhow::Result<Arc<dyn Authenticator>> {
    let (verifier, keep_accounts) = match (&overrides.identity, &config.external_identity) {
        (Some(verifier), external) => (
            verifier.clone(),
            external.as_ref().is_none_or(|e| e.keep_accounts),
        ),
        (None, Some(external)) => (external_verifier(external)?, external.keep_accounts),
        (None, None) => return Ok(auth.clone()),
    };
    let external = ExternalAuth::new(
        verifier,
        stores.users.clone(),
        stores.sessions.clone(),
        clock.clone(),
    );
    Ok(Arc::new(match keep_accounts {
        true => external.beside(auth.clone()),
        false => external,
    }))
}

/// The verifier `external_identity` describes.
fn external_verifier(external: &ExternalIdentity) -> anyhow::Result<Arc<dyn IdentityVerifier>> {
    let keys = match (&external.hs256_secret, &external.jwks_file) {
        (Some(secret), None) => ExternalKeys::Secret(secret.as_bytes().to_vec()),
        (None, Some(file)) => ExternalKeys::Jwks(
            std::fs::read_to_string(file)
                .with_context(|| format!("reading the JWKS file {}", file.display()))?,
        ),
        _ => anyhow::bail!("external_identity needs exactly one of hs256_secret and jwks_file"),
    };
    let verifier = ExternalJwt::new(ExternalTokenSettings {
        keys,
        issuer: external.issuer.clone(),
        audience: external.audience.clone(),
    })
    .context("external_identity")?;
    Ok(Arc::new(verifier))
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

impl Services {
    /// The state every route and the gateway share.
    fn state(&self, config: &Config, health: Arc<Vec<Arc<dyn HealthCheck>>>) -> AppState {
        AppState {
            auth: self.auth.clone(),
            identity: self.identity.clone(),
            users: self.users.clone(),
            conversations: self.conversations.clone(),
            messages: self.messages.clone(),
            friends: self.friends.clone(),
            blocks: self.blocks.clone(),
            events: Arc::new(handlers::all(
                &self.messages,
                &self.typing,
                &self.presence,
                &self.calls,
                self.limiter.clone(),
            )),
            calls: self.calls.clone(),
            stories: self.stories.clone(),
            admin: self.admin.clone(),
            sockets: Arc::default(),
            limiter: self.limiter.clone(),
            trust_forwarded_for: config.trust_forwarded_for,
            presence: self.presence.clone(),
            health,
        }
    }
}
