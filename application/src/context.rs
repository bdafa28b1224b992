//! Who is calling: the authenticated actor, and for realtime events the
//! connection the event came from.

use chatchit_domain::events::ConnectionId;
use chatchit_domain::ids::{SessionId, UserId};
use chatchit_domain::user::Role;

/// An authenticated caller, established from a valid access token of a live
/// session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user.
    pub user_id: UserId,
    /// Their session (device).
    pub session_id: SessionId,
    /// Their current role.
    pub role: Role,
}

/// The context of one realtime event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventContext {
    /// Who sent it.
    pub actor: Actor,
    /// From which connection (left out of the sender's own fan-out).
    pub connection: Option<ConnectionId>,
}
