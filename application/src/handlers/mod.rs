//! The realtime commands, one `BaseEventHandler` each, and the list the
//! gateway registers. Adding an event is one struct and one line in [`all`].

mod call;
mod conversation;
mod message;

pub use call::{AcceptCall, EndCall, InviteToCall, RejectCall, RelaySignal};
pub use conversation::{ReadConversation, SetPresence, SetTyping, SyncConversation};
pub use message::{DeleteMessage, EditMessage, ReactToMessage, SendMessage};

use crate::calls::CallService;
use crate::handler::{EventEndpoint, endpoint};
use crate::messages::MessageService;
use crate::presence::PresenceService;
use crate::typing::TypingService;
use chatchit_domain::ports::RateLimiter;
use std::sync::Arc;

/// Every realtime command the server answers.
pub fn all(
    messages: Arc<MessageService>,
    typing: Arc<TypingService>,
    presence: Arc<PresenceService>,
    calls: Arc<CallService>,
    limiter: Arc<dyn RateLimiter>,
) -> Vec<Arc<dyn EventEndpoint>> {
    let l = || limiter.clone();
    vec![
        endpoint(SendMessage(messages.clone()), l()),
        endpoint(EditMessage(messages.clone()), l()),
        endpoint(DeleteMessage(messages.clone()), l()),
        endpoint(ReactToMessage(messages.clone()), l()),
        endpoint(ReadConversation(messages.clone()), l()),
        endpoint(SyncConversation(messages), l()),
        endpoint(SetTyping(typing), l()),
        endpoint(SetPresence(presence), l()),
        endpoint(InviteToCall(calls.clone()), l()),
        endpoint(AcceptCall(calls.clone()), l()),
        endpoint(RejectCall(calls.clone()), l()),
        endpoint(EndCall(calls.clone()), l()),
        endpoint(RelaySignal(calls), l()),
    ]
}
