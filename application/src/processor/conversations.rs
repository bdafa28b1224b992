//! Conversation events: read receipts, typing, new and changed conversations, members joining and leaving (rooms kept in step).

use super::{EventProcessor, Unhandled, failed};
use chatchit_domain::events::{
    DomainEvent, MembershipPayload, ReadReceipt, ServerEvent, TypingPayload,
};
use chatchit_domain::ports::Exclude;

impl EventProcessor {
    /// Projects the events of this feature; hands any other back.
    pub(super) async fn conversations(&self, event: DomainEvent) -> Unhandled {
        let done = match event {
            DomainEvent::ConversationRead {
                conversation_id,
                user_id,
                message_id,
            } => {
                let payload = ReadReceipt {
                    conversation_id,
                    user_id,
                    message_id,
                };
                self.to_room(
                    conversation_id,
                    Exclude::Nobody,
                    ServerEvent::ConversationRead(payload),
                )
                .await
            }
            DomainEvent::Typing {
                conversation_id,
                user_id,
                typing,
            } => {
                let payload = TypingPayload {
                    conversation_id,
                    user_id,
                    typing,
                };
                self.to_room(
                    conversation_id,
                    Exclude::User(user_id),
                    ServerEvent::Typing(payload),
                )
                .await
            }
            DomainEvent::ConversationCreated { conversation_id } => {
                let members = self
                    .conversations
                    .members(conversation_id)
                    .await
                    .map_err(failed)?;
                let ids = members.iter().map(|m| m.user_id).collect();
                self.delivery
                    .join(ids, conversation_id)
                    .await
                    .map_err(failed)?;
                match self.view(conversation_id).await? {
                    Some(view) => {
                        self.to_room(
                            conversation_id,
                            Exclude::Nobody,
                            ServerEvent::ConversationNew(view),
                        )
                        .await
                    }
                    None => Ok(()),
                }
            }
            DomainEvent::ConversationUpdated { conversation_id } => {
                match self.view(conversation_id).await? {
                    Some(view) => {
                        self.to_room(
                            conversation_id,
                            Exclude::Nobody,
                            ServerEvent::ConversationUpdated(view),
                        )
                        .await
                    }
                    None => Ok(()),
                }
            }
            DomainEvent::MemberAdded {
                conversation_id,
                user_id,
                by,
            } => {
                // Only a member still: an addition that reaches here after a
                // later removal (which took the sockets out of the room as
                // it committed) must not put them back.
                let still_member = self
                    .conversations
                    .role(conversation_id, user_id)
                    .await
                    .map_err(failed)?
                    .is_some();
                if still_member {
                    self.delivery
                        .join(vec![user_id], conversation_id)
                        .await
                        .map_err(failed)?;
                }
                let payload = MembershipPayload {
                    conversation_id,
                    user_id,
                    by,
                };
                self.to_room(
                    conversation_id,
                    Exclude::Nobody,
                    ServerEvent::MemberAdded(payload),
                )
                .await
            }
            DomainEvent::MemberRemoved {
                conversation_id,
                user_id,
                by,
            } => {
                let payload = MembershipPayload {
                    conversation_id,
                    user_id,
                    by,
                };
                // The removed user's sockets left the room as the removal
                // committed (and leave again here, should that have been
                // lost on the way); they hear of it as a user.
                self.to_room(
                    conversation_id,
                    Exclude::User(user_id),
                    ServerEvent::MemberRemoved(payload.clone()),
                )
                .await?;
                self.delivery
                    .leave(vec![user_id], conversation_id)
                    .await
                    .map_err(failed)?;
                self.to_users(vec![user_id], ServerEvent::MemberRemoved(payload))
                    .await
            }
            other => return Ok(Some(other)),
        };
        done.map(|()| None)
    }
}
