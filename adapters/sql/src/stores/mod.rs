//! One store struct per port, all sharing one `SqlDatabase`.

mod calls;
mod conversations;
mod messages;
mod reports;
mod sessions;
mod social;
mod stories;
mod users;

pub use calls::SqlCallStore;
pub use conversations::SqlConversationStore;
pub use messages::SqlMessageStore;
pub use reports::SqlReportStore;
pub use sessions::SqlSessionStore;
pub use social::SqlSocialStore;
pub use stories::SqlStoryStore;
pub use users::SqlUserStore;
