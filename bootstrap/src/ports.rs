//! What a host may supply in place of ChatChit's own adapters: one optional
//! override per port, each taken as it is (ChatChit wraps none of them except
//! the conversation and social stores, which it always puts behind its graph
//! cache).

use async_trait::async_trait;
use chatchit_domain::ports::{
    CallStore, Clock, ClusterBus, ConversationStore, EventConsumer, EventQueue, GraphCache,
    IdGenerator, IdentityVerifier, MessageStore, PasswordHasher, PresenceStore, RateLimiter,
    ReportStore, SessionStore, SocialStore, StoryStore, TokenIssuer, UserStore,
};
use std::sync::Arc;
use tokio::task::JoinHandle;

/// A queue the host brings instead of the in-process one and RabbitMQ:
/// ChatChit publishes through [`HostQueue::queue`], hands its event processor
/// to [`HostQueue::start`] once everything is wired, and at shutdown calls
/// [`HostQueue::stop`] and awaits the task `start` returned, so every event
/// taken is processed before the stores close.
#[async_trait]
pub trait HostQueue: Send + Sync + 'static {
    /// Where events are published.
    fn queue(&self) -> Arc<dyn EventQueue>;

    /// Starts feeding `consumer`; the task ends once [`HostQueue::stop`] was
    /// called and what was taken is processed.
    fn start(&self, consumer: Arc<dyn EventConsumer>) -> JoinHandle<()>;

    /// Stops taking new events.
    fn stop(&self);
}

/// The overrides, all empty by default: an empty one is filled from the
/// configuration (SQL stores on the configured database, Redis and RabbitMQ
/// when their URLs are set, in-process adapters otherwise).
#[derive(Default, Clone)]
pub(crate) struct Overrides {
    /// Accounts.
    pub(crate) users: Option<Arc<dyn UserStore>>,
    /// Login sessions and refresh tokens.
    pub(crate) sessions: Option<Arc<dyn SessionStore>>,
    /// Conversations and memberships.
    pub(crate) conversations: Option<Arc<dyn ConversationStore>>,
    /// Messages, reactions, read marks and the relay log.
    pub(crate) messages: Option<Arc<dyn MessageStore>>,
    /// Friendships and blocks.
    pub(crate) social: Option<Arc<dyn SocialStore>>,
    /// Stories, views, likes and comments.
    pub(crate) stories: Option<Arc<dyn StoryStore>>,
    /// Abuse reports.
    pub(crate) reports: Option<Arc<dyn ReportStore>>,
    /// Call history.
    pub(crate) calls: Option<Arc<dyn CallStore>>,
    /// The cache in front of the conversation and social stores.
    pub(crate) graph: Option<Arc<dyn GraphCache>>,
    /// The event queue and its consumers.
    pub(crate) queue: Option<Arc<dyn HostQueue>>,
    /// The bus to the other nodes of a cluster; the host delivers what it
    /// receives with [`crate::ChatChit::local_delivery`].
    pub(crate) bus: Option<Arc<dyn ClusterBus>>,
    /// Who is online.
    pub(crate) presence: Option<Arc<dyn PresenceStore>>,
    /// Per-user allowances.
    pub(crate) rate_limiter: Option<Arc<dyn RateLimiter>>,
    /// Password hashing.
    pub(crate) hasher: Option<Arc<dyn PasswordHasher>>,
    /// ChatChit's own access tokens.
    pub(crate) tokens: Option<Arc<dyn TokenIssuer>>,
    /// Tokens the host issues to its own users (see `docs/embedding.md`).
    pub(crate) identity: Option<Arc<dyn IdentityVerifier>>,
    /// Time.
    pub(crate) clock: Option<Arc<dyn Clock>>,
    /// New identifiers.
    pub(crate) ids: Option<Arc<dyn IdGenerator>>,
}

impl Overrides {
    /// Whether some store is left to the configured database.
    pub(crate) fn needs_database(&self) -> bool {
        self.users.is_none()
            || self.sessions.is_none()
            || self.conversations.is_none()
            || self.messages.is_none()
            || self.social.is_none()
            || self.stories.is_none()
            || self.reports.is_none()
            || self.calls.is_none()
    }
}
