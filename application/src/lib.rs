//! ChatChit's use cases: authentication, users, conversations and messaging,
//! the `BaseEventHandler` every realtime command implements, and the event
//! processor that fans domain events out to sockets.
//!
//! Depends on `chatchit-domain` alone among our crates: every effect goes
//! through a port, so each use case is testable with mockall mocks.

pub mod admin;
pub mod auth;
pub mod blocks;
pub mod calls;
pub mod cluster;
pub mod context;
pub mod conversations;
pub mod error;
pub mod friends;
pub mod graph;
pub mod handler;
pub mod handlers;
pub mod identity;
pub mod messages;
pub mod paging;
pub mod presence;
pub mod processor;
pub mod relay;
pub mod stories;
pub mod throughput;
pub mod typing;
pub mod users;
pub mod views;

pub use context::{Actor, EventContext};
pub use error::AppError;

/// Helpers shared by the unit tests.
#[cfg(test)]
pub(crate) mod test_support {
    use crate::Actor;
    use chatchit_domain::ids::{SessionId, UserId};
    use chatchit_domain::user::Role;

    /// A plain user with a fresh session.
    pub fn actor() -> Actor {
        Actor {
            user_id: UserId::generate(),
            session_id: SessionId::generate(),
            role: Role::User,
        }
    }
}
