//! Ports: the traits the application drives and the adapters implement, one
//! module per concern. Each is used as `Arc<dyn Port>`; with the `mocks` feature
//! every port also has a mockall mock (`MockUserStore`, ...).

pub mod calls;
pub mod clock;
pub mod conversations;
pub mod delivery;
pub mod graph;
pub mod ids;
pub mod messages;
pub mod presence;
pub mod queue;
pub mod rate_limit;
pub mod reports;
pub mod security;
pub mod sessions;
pub mod social;
pub mod stories;
pub mod users;

pub use calls::CallStore;
pub use clock::Clock;
pub use conversations::{ConversationCursor, ConversationStore};
pub use delivery::{
    Audience, ClusterBus, Delivery, DeliveryError, Dispatch, Exclude, Outbound, Reach,
};
pub use graph::{GraphAnswer, GraphCache, GraphKey};
pub use ids::{IdGenerator, TimeOrderedIds};
pub use messages::MessageStore;
pub use presence::{NodeDirectory, PresenceChange, PresenceStore};
pub use queue::{
    ConsumeError, EventConsumer, EventQueue, LaneWaits, QueueError, QueueStats, RetryPolicy,
    WaitSummary,
};
pub use rate_limit::{ANY_OTHER_ACTION, RateLimiter, RateQuota};
pub use reports::ReportStore;
pub use security::{IdentityVerifier, PasswordHasher, SecurityError, TokenIssuer};
pub use sessions::SessionStore;
pub use social::SocialStore;
pub use stories::StoryStore;
pub use users::UserStore;
