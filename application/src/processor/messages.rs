//! Message events: new messages, edits, deletions and reactions, each to its conversation's room.

use super::{EventProcessor, Unhandled};
use chatchit_domain::events::{DomainEvent, MessageRef, ReactionsPayload, ServerEvent};
use chatchit_domain::ports::Exclude;

impl EventProcessor {
    /// Projects the events of this feature; hands any other back.
    pub(super) async fn messages(&self, event: DomainEvent) -> Unhandled {
        let done = match event {
            DomainEvent::MessageCreated { message, origin } => {
                let exclude = origin.map_or(Exclude::Nobody, Exclude::Connection);
                let id = message.id;
                self.to_room(
                    message.conversation_id,
                    exclude,
                    ServerEvent::MessageNew(message),
                )
                .await?;
                if let Some(relays) = &self.relays {
                    relays.done(id);
                }
                Ok(())
            }
            DomainEvent::MessageEdited { message } => {
                let seq = message.seq;
                self.about_message(
                    message.conversation_id,
                    seq,
                    ServerEvent::MessageUpdated(message),
                )
                .await
            }
            DomainEvent::MessageDeleted {
                message_id,
                conversation_id,
                seq,
            } => {
                let payload = MessageRef {
                    message_id,
                    conversation_id,
                };
                self.about_message(conversation_id, seq, ServerEvent::MessageDeleted(payload))
                    .await
            }
            DomainEvent::ReactionsChanged {
                message_id,
                conversation_id,
                seq,
                reactions,
            } => {
                let payload = ReactionsPayload {
                    message_id,
                    conversation_id,
                    reactions,
                };
                self.about_message(conversation_id, seq, ServerEvent::MessageReactions(payload))
                    .await
            }
            other => return Ok(Some(other)),
        };
        done.map(|()| None)
    }
}
