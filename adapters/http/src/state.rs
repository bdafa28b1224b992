//! The one concrete state every route and the gateway share.

use crate::error::ApiError;
use async_trait::async_trait;
use chatchit_application::Actor;
use chatchit_application::admin::AdminService;
use chatchit_application::auth::AuthService;
use chatchit_application::blocks::BlockService;
use chatchit_application::calls::CallService;
use chatchit_application::conversations::ConversationService;
use chatchit_application::friends::FriendService;
use chatchit_application::handler::EventEndpoint;
use chatchit_application::identity::Authenticator;
use chatchit_application::messages::MessageService;
use chatchit_application::presence::PresenceService;
use chatchit_application::stories::StoryService;
use chatchit_application::users::UserService;
use chatchit_domain::ports::RateLimiter;
use std::sync::Arc;

/// What `/health/ready` reports for one backing service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HealthStatus {
    /// Working.
    Ok,
    /// Working on a fallback; the node still serves.
    Degraded,
    /// Down; the node cannot serve.
    Down,
}

/// A readiness probe of one backing service (database, cache, queue).
#[async_trait]
pub trait HealthCheck: Send + Sync {
    /// The name in the `checks` object.
    fn name(&self) -> &'static str;
    /// Probes the service.
    async fn check(&self) -> HealthStatus;
}

/// Services and probes, cloned into every handler.
#[derive(Clone)]
pub struct AppState {
    /// Registration, login, refresh and logout of ChatChit's own accounts,
    /// and the look at revoked sessions.
    pub auth: Arc<AuthService>,
    /// Who a bearer token stands for: ChatChit's accounts, or a host's own
    /// users (`ExternalAuth`); every route and the socket handshake ask it.
    pub identity: Arc<dyn Authenticator>,
    /// Profiles.
    pub users: Arc<UserService>,
    /// Conversations and members.
    pub conversations: Arc<ConversationService>,
    /// Messages.
    pub messages: Arc<MessageService>,
    /// Friend requests and friendships.
    pub friends: Arc<FriendService>,
    /// Blocks.
    pub blocks: Arc<BlockService>,
    /// Online / offline and chosen statuses.
    pub presence: Arc<PresenceService>,
    /// Call history.
    pub calls: Arc<CallService>,
    /// Stories.
    pub stories: Arc<StoryService>,
    /// Reports, bans, stats.
    pub admin: Arc<AdminService>,
    /// Live sockets on this node.
    pub sockets: Arc<std::sync::atomic::AtomicU64>,
    /// The realtime commands the gateway registers.
    pub events: Arc<Vec<Arc<dyn EventEndpoint<crate::wire::Json>>>>,
    /// Readiness probes; the first is the database, which decides 503.
    pub health: Arc<Vec<Arc<dyn HealthCheck>>>,
    /// Limits on REST actions (auth per IP, friend requests per user).
    pub limiter: Arc<dyn RateLimiter>,
    /// Whether the client address is the last `X-Forwarded-For` entry (set
    /// behind a load balancer that appends it) rather than the TCP peer.
    pub trust_forwarded_for: bool,
    /// Seconds until each action's quota allows one more once spent (one
    /// emission interval of its rate), for `Retry-After`, keyed as the
    /// quotas are (the default under `ANY_OTHER_ACTION`).
    pub retry_after: Arc<std::collections::HashMap<String, u64>>,
}

impl AppState {
    /// Counts one `action` for `key`; 429 `rate_limited` when over the quota.
    ///
    /// # Errors
    /// `rate_limited` when over the quota.
    pub async fn check_rate(&self, action: &str, key: String) -> Result<(), ApiError> {
        chatchit_application::handler::check_rate(&*self.limiter, action, key)
            .await
            .map_err(|e| {
                let seconds = self
                    .retry_after
                    .get(action)
                    .or_else(|| {
                        self.retry_after
                            .get(chatchit_domain::ports::ANY_OTHER_ACTION)
                    })
                    .copied()
                    .unwrap_or(1);
                ApiError::from(e).retry_after(seconds)
            })
    }

    /// Counts one `action` of `actor`'s; 429 `rate_limited` when over the
    /// quota. The action names are the socket events' where both transports
    /// carry it, so each user has one budget per action.
    ///
    /// # Errors
    /// `rate_limited` when over the quota.
    pub async fn limit(&self, action: &str, actor: &Actor) -> Result<(), ApiError> {
        self.check_rate(action, actor.user_id.to_string()).await
    }
}
