//! The realtime commands, one `BaseEventHandler` each, and the list the
//! gateway registers. Adding an event is one struct and one line in [`all`].

mod conversation;
mod message;

pub use conversation::{ReadConversation, SetPresence, SetTyping, SyncConversation};
pub use message::{DeleteMessage, EditMessage, ReactToMessage, SendMessage};

use crate::handler::{EventEndpoint, endpoint};
use crate::messages::MessageService;
use crate::presence::PresenceService;
use crate::typing::TypingService;
use std::sync::Arc;

/// Every realtime command the server answers.
pub fn all(
    messages: Arc<MessageService>,
    typing: Arc<TypingService>,
    presence: Arc<PresenceService>,
) -> Vec<Arc<dyn EventEndpoint>> {
    vec![
        endpoint(SendMessage(messages.clone())),
        endpoint(EditMessage(messages.clone())),
        endpoint(DeleteMessage(messages.clone())),
        endpoint(ReactToMessage(messages.clone())),
        endpoint(ReadConversation(messages.clone())),
        endpoint(SyncConversation(messages)),
        endpoint(SetTyping(typing)),
        endpoint(SetPresence(presence)),
    ]
}
