//! Builds the `conversation` view clients receive: members with profiles, the
//! last message, and the viewer's unread count and read marker.

use crate::error::AppError;
use chatchit_domain::conversation::{Conversation, ConversationView, Member, MemberView};
use chatchit_domain::ids::UserId;
use chatchit_domain::ports::{ConversationStore, MessageStore, UserStore};
use std::collections::HashMap;
use std::sync::Arc;

/// Assembles conversation views from the stores.
pub struct ConversationViews {
    /// Profiles of members.
    users: Arc<dyn UserStore>,
    /// Members and markers.
    conversations: Arc<dyn ConversationStore>,
    /// Last message and unread counts.
    messages: Arc<dyn MessageStore>,
}

impl ConversationViews {
    /// Wires the builder.
    pub fn new(
        users: Arc<dyn UserStore>,
        conversations: Arc<dyn ConversationStore>,
        messages: Arc<dyn MessageStore>,
    ) -> Self {
        Self {
            users,
            conversations,
            messages,
        }
    }

    /// The view of `conversation` as `viewer` sees it; with no viewer (events
    /// sent to every member) the unread count is 0 and there is no read marker.
    ///
    /// # Errors
    /// Store failures.
    pub async fn build(
        &self,
        conversation: Conversation,
        viewer: Option<UserId>,
    ) -> Result<ConversationView, AppError> {
        let members = self.conversations.members(conversation.id).await?;
        self.build_with(conversation, members, viewer).await
    }

    /// As [`Self::build`], with the members already loaded.
    ///
    /// # Errors
    /// Store failures.
    pub async fn build_with(
        &self,
        conversation: Conversation,
        members: Vec<Member>,
        viewer: Option<UserId>,
    ) -> Result<ConversationView, AppError> {
        let ids = members.iter().map(|m| m.user_id).collect();
        let mut profiles: HashMap<UserId, _> = self
            .users
            .find_many(ids)
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect();
        let me = viewer.and_then(|v| members.iter().find(|m| m.user_id == v).cloned());
        let last_message = self
            .messages
            .page_before(conversation.id, None, 1)
            .await?
            .into_iter()
            .next();
        let unread_count = match (&me, &last_message) {
            (Some(me), Some(last)) if last.seq > me.last_read_seq => {
                self.messages
                    .count_unread(conversation.id, me.user_id, me.last_read_seq)
                    .await?
            }
            _ => 0,
        };
        let member_views = members
            .into_iter()
            .filter_map(|m| {
                profiles.remove(&m.user_id).map(|user| MemberView {
                    user,
                    role: m.role,
                    joined_at: m.joined_at,
                })
            })
            .collect();
        Ok(ConversationView {
            id: conversation.id,
            kind: conversation.kind,
            title: conversation.title,
            avatar_url: conversation.avatar_url,
            members: member_views,
            last_message,
            unread_count,
            last_read_message_id: me.and_then(|m| m.last_read_message_id),
            created_at: conversation.created_at,
        })
    }
}
