//! A built ChatChit: its router, its use cases, and the tasks it started,
//! which [`ChatChit::shutdown`] ends in order.

use crate::ports::HostQueue;
use chatchit_amqp::AmqpQueue;
use chatchit_application::admin::AdminService;
use chatchit_application::auth::AuthService;
use chatchit_application::blocks::BlockService;
use chatchit_application::calls::CallService;
use chatchit_application::conversations::ConversationService;
use chatchit_application::friends::FriendService;
use chatchit_application::identity::Authenticator;
use chatchit_application::messages::MessageService;
use chatchit_application::presence::PresenceService;
use chatchit_application::relay::RelayTasks;
use chatchit_application::stories::StoryService;
use chatchit_application::typing::TypingService;
use chatchit_application::users::UserService;
use chatchit_domain::ports::{Delivery, RateLimiter};
use chatchit_http::Gateway;
use chatchit_memory::InProcessQueue;
use chatchit_sql::SqlDatabase;
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// ChatChit's use cases, for a host that calls them in process (its own
/// routes, jobs or admin tools) as well as through the router. Each checks
/// its caller's rights itself; pass an [`chatchit_application::Actor`]
/// obtained from [`Services::identity`].
#[derive(Clone)]
pub struct Services {
    /// Registration, login, refresh and logout of ChatChit accounts.
    pub auth: Arc<AuthService>,
    /// Who a bearer token stands for (accounts, or the host's own users).
    pub identity: Arc<dyn Authenticator>,
    /// Profiles and search.
    pub users: Arc<UserService>,
    /// Conversations, members and roles.
    pub conversations: Arc<ConversationService>,
    /// Messages, reactions, read marks, history.
    pub messages: Arc<MessageService>,
    /// Typing indicators.
    pub typing: Arc<TypingService>,
    /// Friend requests and friendships.
    pub friends: Arc<FriendService>,
    /// Blocks.
    pub blocks: Arc<BlockService>,
    /// Presence.
    pub presence: Arc<PresenceService>,
    /// Call signaling.
    pub calls: Arc<CallService>,
    /// Stories.
    pub stories: Arc<StoryService>,
    /// Reports and moderation.
    pub admin: Arc<AdminService>,
    /// The allowances every write is counted against.
    pub limiter: Arc<dyn RateLimiter>,
    /// Server events to sockets, on this node and the others.
    pub delivery: Arc<dyn Delivery>,
}

/// The event queues and their consumers, drained at shutdown.
pub(crate) enum Queues {
    /// The host's queue and the task feeding the processor.
    Hosted {
        /// The queue.
        hosted: Arc<dyn HostQueue>,
        /// Its consumer task.
        task: JoinHandle<()>,
    },
    /// The in-process queue, with RabbitMQ in front of it when configured.
    Own {
        /// In process (the only one, or the broker's fallback).
        memory: InProcessQueue,
        /// Its worker.
        worker: JoinHandle<()>,
        /// RabbitMQ and its supervisor.
        broker: Option<(AmqpQueue, JoinHandle<()>)>,
    },
}

impl Queues {
    /// Stops taking events and waits for the ones taken to be processed.
    async fn shut_down(self) {
        let (memory, worker, broker) = match self {
            Self::Hosted { hosted, task } => {
                hosted.stop();
                if let Err(e) = task.await {
                    tracing::error!(error = %e, "the host queue's consumer ended badly");
                }
                return;
            }
            Self::Own {
                memory,
                worker,
                broker,
            } => (memory, worker, broker),
        };
        if let Some((broker, supervisor)) = broker {
            broker.shut_down();
            if let Err(e) = supervisor.await {
                tracing::error!(error = %e, "broker supervisor ended badly");
            }
        }
        memory.shut_down();
        if let Err(e) = worker.await {
            tracing::error!(error = %e, "queue worker ended badly");
        }
    }
}

/// ChatChit, wired and running its background work, serving nothing yet:
/// mount [`ChatChit::router`] in a host's axum app (under any prefix) or
/// [`ChatChit::serve`] it on a listener; then [`ChatChit::shutdown`].
pub struct ChatChit {
    /// REST, docs and Socket.IO (and `/metrics` with the exporter).
    pub(crate) router: axum::Router,
    /// For closing sockets on shutdown.
    pub(crate) gateway: Gateway,
    /// The use cases.
    pub(crate) services: Services,
    /// The event queues and their workers.
    pub(crate) queues: Queues,
    /// Periodic and cluster tasks (sweeps, the bus listener, the reaper).
    pub(crate) background: Vec<JoinHandle<()>>,
    /// The relay log's tasks, finished once the queues are drained.
    pub(crate) relay_tasks: RelayTasks,
    /// The database, when a store uses it.
    pub(crate) database: Option<SqlDatabase>,
    /// The realtime events the gateway answers.
    pub(crate) events: Vec<&'static str>,
    /// What [`ChatChit::serve`] lets clients hold.
    pub(crate) limits: crate::serve::ConnectionLimits,
}

impl ChatChit {
    /// The builder: configuration plus the ports a host supplies.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> anyhow::Result<()> {
    /// use chatchit::parts::memory::InMemoryStore;
    /// use chatchit::{ChatChit, Config};
    ///
    /// // No database: every store in memory, the token secret configured.
    /// let config = Config {
    ///     jwt_secret: Some("a secret of sixteen bytes or more".into()),
    ///     ..Config::default()
    /// };
    /// let chat = ChatChit::builder(config)
    ///     .all_stores(InMemoryStore::new())
    ///     .build()
    ///     .await?;
    /// assert!(chat.events().contains(&"message:send"));
    /// let host = axum::Router::new().nest("/chat", chat.router());
    /// # drop(host);
    /// chat.shutdown().await;
    /// # Ok(()) }
    /// ```
    pub fn builder(config: crate::Config) -> crate::Builder {
        crate::Builder::new(config)
    }

    /// REST under `/api/v1`, `/api/openapi.json`, `/docs`, health under
    /// `/health/*` and Socket.IO under `/socket.io/`, with no fallback:
    /// `host.nest("/chat", chat.router())` puts them under `/chat` (clients
    /// then use the Socket.IO path `/chat/socket.io/`). Serve the host's
    /// router with `into_make_service_with_connect_info::<SocketAddr>()`:
    /// rate limits and session caps key on the client address.
    pub fn router(&self) -> axum::Router {
        self.router.clone()
    }

    /// The use cases.
    pub fn services(&self) -> &Services {
        &self.services
    }

    /// Delivery to this node's sockets only: where a host's own cluster bus
    /// (see [`crate::Builder::bus`]) hands what other nodes sent.
    pub fn local_delivery(&self) -> Arc<dyn Delivery> {
        Arc::new(self.gateway.delivery())
    }

    /// Every realtime event the server answers, as its handler registry
    /// lists them.
    pub fn events(&self) -> &[&'static str] {
        &self.events
    }

    /// Serves the router alone on `listener` (with the connection cap and
    /// header deadline of the configuration) until `stop` resolves, then
    /// shuts down.
    pub async fn serve(self, listener: TcpListener, stop: impl Future<Output = ()>) {
        let gateway = self.gateway.clone();
        let stop = async move {
            stop.await;
            tracing::info!("shutting down: closing sockets");
            gateway.close().await;
        };
        crate::serve::serve(listener, self.router.clone(), self.limits, stop).await;
        self.shutdown().await;
    }

    /// Closes every socket, processes the events already queued, finishes
    /// the relay log's work, ends every task it started and closes the
    /// database. Stop serving the router first (requests still in flight
    /// afterwards find the queues closed).
    pub async fn shutdown(self) {
        self.gateway.close().await;
        self.queues.shut_down().await;
        self.relay_tasks.finish().await;
        for task in self.background {
            task.abort();
            let _ended = task.await;
        }
        if let Some(database) = self.database {
            database.close().await;
        }
        tracing::info!("stopped");
    }
}
