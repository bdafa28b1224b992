//! Direct and group conversations: creation, listing and settings here,
//! members and roles in [`members`].

mod members;

use crate::context::Actor;
use crate::error::AppError;
use crate::views::ConversationViews;
use chatchit_domain::conversation::{
    Conversation, ConversationKind, ConversationView, Member, MemberRole, direct_key,
};
use chatchit_domain::events::DomainEvent;
use chatchit_domain::ids::{ConversationId, UserId};
use chatchit_domain::ports::{
    Clock, ConversationCursor, ConversationStore, Delivery, EventQueue, IdGenerator, SocialStore,
    TimeOrderedIds, UserStore,
};
use chatchit_domain::time::Timestamp;
use chatchit_domain::values::{MediaUrl, PageLimit, Title};
use std::sync::Arc;

/// Most members a group may be created with or grow by in one call.
const MAX_MEMBERS_PER_CALL: usize = 1000;

/// `POST /conversations/direct` body.
#[derive(Debug, Clone)]
pub struct CreateDirectInput {
    /// The other person.
    pub user_id: UserId,
}

/// `POST /conversations/group` body.
#[derive(Debug, Clone)]
pub struct CreateGroupInput {
    /// 1–128 characters.
    pub title: String,
    /// Everyone but the caller, who becomes owner.
    pub member_ids: Vec<UserId>,
}

/// `PATCH /conversations/{id}` body.
#[derive(Debug, Clone, Default)]
pub struct UpdateConversationInput {
    /// New title.
    pub title: Option<String>,
    /// New picture, or `null` to remove it.
    pub avatar_url: Option<Option<String>>,
}

/// `POST /conversations/{id}/members` body.
#[derive(Debug, Clone)]
pub struct AddMembersInput {
    /// Who to add.
    pub user_ids: Vec<UserId>,
}

/// A role an owner can give (`owner` moves only by hand-over).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssignableRole {
    /// Manages the group.
    Admin,
    /// Plain member.
    Member,
}

/// `PATCH /conversations/{id}/members/{userId}` body.
#[derive(Debug, Clone)]
pub struct SetRoleInput {
    /// `admin` or `member`.
    pub role: AssignableRole,
}

/// One page of a list and where the next one starts.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The entries.
    pub items: Vec<T>,
    /// Pass as `?cursor=` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// Conversation use cases.
pub struct ConversationService {
    /// Accounts (to check that invitees exist).
    users: Arc<dyn UserStore>,
    /// Conversations and members.
    conversations: Arc<dyn ConversationStore>,
    /// Blocks forbid direct conversations.
    social: Arc<dyn SocialStore>,
    /// Views for answers and events.
    views: Arc<ConversationViews>,
    /// Membership events go out through it.
    queue: Arc<dyn EventQueue>,
    /// Takes a removed member's sockets out of the room as the removal
    /// commits, before any later message can reach them.
    delivery: Arc<dyn Delivery>,
    /// Now.
    clock: Arc<dyn Clock>,
    /// Where new ids come from.
    ids: Arc<dyn IdGenerator>,
}

impl ConversationService {
    /// Wires the service.
    pub fn new(
        users: Arc<dyn UserStore>,
        conversations: Arc<dyn ConversationStore>,
        social: Arc<dyn SocialStore>,
        views: Arc<ConversationViews>,
        queue: Arc<dyn EventQueue>,
        delivery: Arc<dyn Delivery>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            ids: Arc::new(TimeOrderedIds),
            users,
            conversations,
            social,
            views,
            queue,
            delivery,
            clock,
        }
    }

    /// Takes new ids from `ids` instead of time-ordered UUIDs.
    #[must_use]
    pub fn with_ids(mut self, ids: Arc<dyn IdGenerator>) -> Self {
        self.ids = ids;
        self
    }

    /// The one direct conversation between the caller and `userId`.
    ///
    /// # Errors
    /// `Validation` for oneself, `NotFound` for an unknown user, `Forbidden`
    /// when either blocks the other.
    pub async fn open_direct(
        &self,
        actor: &Actor,
        input: CreateDirectInput,
    ) -> Result<ConversationView, AppError> {
        if input.user_id == actor.user_id {
            return Err(AppError::validation("userId", "must be someone else"));
        }
        if self.users.find(input.user_id).await?.is_none() {
            return Err(AppError::NotFound("user not found".into()));
        }
        if self
            .social
            .blocked_either_way(actor.user_id, input.user_id)
            .await?
        {
            return Err(AppError::forbidden());
        }
        let now = self.clock.now();
        let conversation = Conversation {
            id: ConversationId(self.ids.next()),
            kind: ConversationKind::Direct,
            title: None,
            avatar_url: None,
            created_at: now,
        };
        let members = [actor.user_id, input.user_id]
            .map(|id| new_member(id, MemberRole::Member, now))
            .to_vec();
        let key = direct_key(actor.user_id, input.user_id);
        let (conversation, created) = self
            .conversations
            .get_or_create_direct(key, conversation, members)
            .await?;
        if created {
            self.publish(DomainEvent::ConversationCreated {
                conversation_id: conversation.id,
            })
            .await;
        }
        self.views.build(conversation, Some(actor.user_id)).await
    }

    /// A new group with the caller as owner.
    ///
    /// # Errors
    /// `Validation` for a bad title or unknown members.
    pub async fn create_group(
        &self,
        actor: &Actor,
        input: CreateGroupInput,
    ) -> Result<ConversationView, AppError> {
        let title = Title::parse(&input.title)?;
        let invitees = self
            .existing_users(actor, input.member_ids, "memberIds")
            .await?;
        let now = self.clock.now();
        let conversation = Conversation {
            id: ConversationId(self.ids.next()),
            kind: ConversationKind::Group,
            title: Some(title.into_inner()),
            avatar_url: None,
            created_at: now,
        };
        let mut members = vec![new_member(actor.user_id, MemberRole::Owner, now)];
        members.extend(
            invitees
                .into_iter()
                .map(|id| new_member(id, MemberRole::Member, now)),
        );
        self.conversations
            .create_group(conversation.clone(), members.clone())
            .await?;
        self.publish(DomainEvent::ConversationCreated {
            conversation_id: conversation.id,
        })
        .await;
        self.views
            .build_with(conversation, members, Some(actor.user_id))
            .await
    }

    /// A conversation the caller belongs to.
    ///
    /// # Errors
    /// `Forbidden` when the caller is not a member (or it does not exist).
    pub async fn get(
        &self,
        actor: &Actor,
        id: ConversationId,
    ) -> Result<ConversationView, AppError> {
        let (conversation, _) = self.membership(actor, id).await?;
        self.views.build(conversation, Some(actor.user_id)).await
    }

    /// Ids of every conversation the caller belongs to (rooms to join on connect).
    ///
    /// # Errors
    /// Store failures.
    pub async fn room_ids(&self, actor: &Actor) -> Result<Vec<ConversationId>, AppError> {
        let roles = self.conversations.roles_for_user(actor.user_id).await?;
        Ok(roles.into_iter().map(|(id, _)| id).collect())
    }

    /// The caller's conversations, most recently active first.
    ///
    /// # Errors
    /// `Validation` for a bad cursor or limit.
    pub async fn list(
        &self,
        actor: &Actor,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> Result<Page<ConversationView>, AppError> {
        let limit = PageLimit::parse(limit)?.get();
        let cursor = cursor.map(decode_cursor).transpose()?;
        let mut entries = self
            .conversations
            .list_for_user(actor.user_id, cursor, limit + 1)
            .await?;
        let more = entries.len() > limit as usize;
        entries.truncate(limit as usize);
        let next_cursor = more
            .then(|| {
                entries
                    .last()
                    .map(|e| encode_cursor(e.last_activity_at, e.conversation.id))
            })
            .flatten();
        let mut items = Vec::with_capacity(entries.len());
        for entry in entries {
            items.push(
                self.views
                    .build(entry.conversation, Some(actor.user_id))
                    .await?,
            );
        }
        Ok(Page { items, next_cursor })
    }

    /// Changes a group's title or picture (admin or owner).
    ///
    /// # Errors
    /// `Forbidden` for members, non-members and direct conversations.
    pub async fn update(
        &self,
        actor: &Actor,
        id: ConversationId,
        input: UpdateConversationInput,
    ) -> Result<ConversationView, AppError> {
        let title = input.title.as_deref().map(Title::parse).transpose()?;
        let avatar_url = match input.avatar_url {
            Some(Some(raw)) => Some(Some(
                MediaUrl::parse("avatarUrl", &raw)?.as_str().to_owned(),
            )),
            other => other,
        };
        self.group_role_at_least(actor, id, MemberRole::Admin)
            .await?;
        let conversation = self
            .conversations
            .update(id, title.map(Title::into_inner), avatar_url)
            .await?;
        self.publish(DomainEvent::ConversationUpdated {
            conversation_id: id,
        })
        .await;
        self.views.build(conversation, Some(actor.user_id)).await
    }

    /// The conversation and the caller's membership, or `Forbidden`.
    async fn membership(
        &self,
        actor: &Actor,
        id: ConversationId,
    ) -> Result<(Conversation, Member), AppError> {
        let member = self
            .conversations
            .member(id, actor.user_id)
            .await?
            .ok_or_else(AppError::forbidden)?;
        let conversation = self
            .conversations
            .find(id)
            .await?
            .ok_or_else(AppError::forbidden)?;
        Ok((conversation, member))
    }

    async fn group_role_at_least(
        &self,
        actor: &Actor,
        id: ConversationId,
        role: MemberRole,
    ) -> Result<(Conversation, Member), AppError> {
        let (conversation, me) = self.membership(actor, id).await?;
        if conversation.kind != ConversationKind::Group || me.role < role {
            return Err(AppError::forbidden());
        }
        Ok((conversation, me))
    }

    async fn publish(&self, event: DomainEvent) {
        if let Err(e) = self.queue.publish(event).await {
            tracing::error!(error = %e, "could not queue a conversation event");
        }
    }
}

fn new_member(user_id: UserId, role: MemberRole, at: Timestamp) -> Member {
    Member {
        user_id,
        role,
        joined_at: at,
        last_read_seq: 0,
        last_read_message_id: None,
    }
}

fn encode_cursor(at: Timestamp, id: ConversationId) -> String {
    crate::paging::encode((at, id.0))
}

fn decode_cursor(raw: &str) -> Result<ConversationCursor, AppError> {
    let (last_activity_at, id) = crate::paging::decode(raw)?;
    Ok(ConversationCursor {
        last_activity_at,
        id: ConversationId(id),
    })
}

#[cfg(test)]
mod tests;
