//! The front door: configuration plus any port the host supplies, wired into
//! a [`ChatChit`] that has bound nothing. Each wiring step is a function of
//! its own, in the order `build` calls them.

mod adapters;
mod services;

use crate::chatchit::ChatChit;
use crate::config::Config;
use crate::health::{DatabaseHealth, InProcess, RedisHealth};
use crate::ports::{HostQueue, Overrides};
use crate::secrets::{configured_secret, jwt_secret};
use adapters::{
    connect_redis, delivery, gateway, membership, presence_store, queues, rate_limiter, stores,
};
use chatchit_crypto::JwtIssuer;
use chatchit_domain::ports::{
    CallStore, Clock, ClusterBus, ConversationStore, GraphCache, IdGenerator, IdentityVerifier,
    MessageStore, PasswordHasher, PresenceStore, RateLimiter, ReportStore, SessionStore,
    SocialStore, StoryStore, TokenIssuer, UserStore,
};
use chatchit_http::HealthCheck;
use chatchit_memory::SystemClock;
use chatchit_redis::NodeId;
use services::{Wiring, reap_departed_nodes, sweep_expired_stories};
use std::sync::Arc;
use std::time::Duration;

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
        /// New identifiers.
        ids: dyn IdGenerator;
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
        let node = NodeId::generate();
        let membership = membership(&config, redis.as_ref(), &node);
        let (queues, events) = queues(&config, overrides.queue.clone(), membership.clone());
        let gateway = gateway(&config);
        let (delivery, cluster) = delivery(
            &gateway,
            &overrides,
            redis.as_ref(),
            &membership,
            stores.conversations.clone(),
            &mut background,
        )
        .await;
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
        let sampled_queue = events.clone();
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
        let health = Arc::new(health);
        let state = services.state(&config, health.clone());
        let events = state.events.iter().map(|e| e.event()).collect();
        gateway.register(state.clone());
        let mut router = chatchit_http::router(state).merge(gateway.routes());
        if let Some(cors) = chatchit_http::cors(&config.cors.allowed_origins)? {
            router = router.layer(cors);
        }
        if prometheus {
            chatchit_http::prometheus();
            router = router.merge(chatchit_http::metrics_route());
        } else {
            chatchit_http::describe_metrics();
        }
        // After the recorder is installed, so its first values are kept.
        background.push(crate::gauges::sample(health, sampled_queue).await);
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
