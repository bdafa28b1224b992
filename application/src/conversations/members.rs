//! Who is in a group and with which role: adding people, removing them or
//! leaving (an owner's leaving hands the group on), and setting roles.

use super::{
    AddMembersInput, AssignableRole, ConversationService, MAX_MEMBERS_PER_CALL, SetRoleInput,
    new_member,
};
use crate::context::Actor;
use crate::error::AppError;
use chatchit_domain::conversation::{ConversationKind, ConversationView, Member, MemberRole};
use chatchit_domain::events::DomainEvent;
use chatchit_domain::ids::{ConversationId, UserId};
use std::collections::BTreeSet;

impl ConversationService {
    /// Adds people to a group (admin or owner).
    ///
    /// # Errors
    /// `Forbidden` for members; `Validation` for unknown users.
    pub async fn add_members(
        &self,
        actor: &Actor,
        id: ConversationId,
        input: AddMembersInput,
    ) -> Result<ConversationView, AppError> {
        let (conversation, _) = self
            .group_role_at_least(actor, id, MemberRole::Admin)
            .await?;
        let invitees = self
            .existing_users(actor, input.user_ids, "userIds")
            .await?;
        let current: BTreeSet<UserId> = self
            .conversations
            .members(id)
            .await?
            .into_iter()
            .map(|m| m.user_id)
            .collect();
        let now = self.clock.now();
        let fresh: Vec<UserId> = invitees
            .into_iter()
            .filter(|u| !current.contains(u))
            .collect();
        let members = fresh
            .iter()
            .map(|&u| new_member(u, MemberRole::Member, now))
            .collect();
        self.conversations.add_members(id, members).await?;
        for user_id in fresh {
            self.publish(DomainEvent::MemberAdded {
                conversation_id: id,
                user_id,
                by: actor.user_id,
            })
            .await;
        }
        self.views.build(conversation, Some(actor.user_id)).await
    }

    /// Removes someone (admin or owner, over lower roles only) or leaves (anyone).
    /// An owner who leaves hands ownership to the earliest admin, else the
    /// earliest member. History stays when the last member leaves.
    ///
    /// # Errors
    /// `Forbidden` when the caller may not remove that member.
    pub async fn remove_member(
        &self,
        actor: &Actor,
        id: ConversationId,
        user: UserId,
    ) -> Result<(), AppError> {
        let (conversation, me) = self.membership(actor, id).await?;
        if conversation.kind == ConversationKind::Direct {
            return Err(AppError::Forbidden(
                "direct conversations have fixed members".into(),
            ));
        }
        let members = self.conversations.members(id).await?;
        let target = members
            .iter()
            .find(|m| m.user_id == user)
            .ok_or_else(|| AppError::NotFound("not a member".into()))?;
        let leaving = user == actor.user_id;
        if !leaving && !me.role.may_remove(target.role) {
            return Err(AppError::forbidden());
        }
        let promote = (target.role == MemberRole::Owner)
            .then(|| Member::heir(&members, user))
            .flatten()
            .map(|m| (m.user_id, MemberRole::Owner));
        self.conversations.remove_member(id, user, promote).await?;
        // Out of the room now: a message sent after this commit must not
        // reach the removed member while `member:removed` is on its way.
        if let Err(e) = self.delivery.leave(vec![user], id).await {
            tracing::warn!(error = %e, "a removed member's sockets left the room late");
        }
        self.publish(DomainEvent::MemberRemoved {
            conversation_id: id,
            user_id: user,
            by: actor.user_id,
        })
        .await;
        if promote.is_some() {
            self.publish(DomainEvent::ConversationUpdated {
                conversation_id: id,
            })
            .await;
        }
        Ok(())
    }

    /// Makes a member admin or back to member (owner only).
    ///
    /// # Errors
    /// `Forbidden` unless the caller owns the group; `Validation` for oneself.
    pub async fn set_role(
        &self,
        actor: &Actor,
        id: ConversationId,
        user: UserId,
        input: SetRoleInput,
    ) -> Result<ConversationView, AppError> {
        let (conversation, _) = self
            .group_role_at_least(actor, id, MemberRole::Owner)
            .await?;
        if user == actor.user_id {
            return Err(AppError::validation(
                "userId",
                "the owner's role changes only by leaving",
            ));
        }
        if self.conversations.member(id, user).await?.is_none() {
            return Err(AppError::NotFound("not a member".into()));
        }
        let role = match input.role {
            AssignableRole::Admin => MemberRole::Admin,
            AssignableRole::Member => MemberRole::Member,
        };
        self.conversations.set_role(id, user, role).await?;
        self.publish(DomainEvent::ConversationUpdated {
            conversation_id: id,
        })
        .await;
        self.views.build(conversation, Some(actor.user_id)).await
    }

    /// De-duplicated ids other than the caller's, all of existing users.
    pub(super) async fn existing_users(
        &self,
        actor: &Actor,
        ids: Vec<UserId>,
        field: &'static str,
    ) -> Result<Vec<UserId>, AppError> {
        let wanted: BTreeSet<UserId> = ids.into_iter().filter(|&u| u != actor.user_id).collect();
        if wanted.len() > MAX_MEMBERS_PER_CALL {
            return Err(AppError::validation(field, "at most 1000 users at once"));
        }
        let found = self
            .users
            .find_many(wanted.iter().copied().collect())
            .await?;
        if found.len() != wanted.len() {
            return Err(AppError::validation(field, "contains an unknown user"));
        }
        // Nobody joins a conversation with someone across a block, either
        // way: a blocked user cannot reach the blocker through a group.
        for &user in &wanted {
            if self.social.blocked_either_way(actor.user_id, user).await? {
                return Err(AppError::Forbidden(
                    "a block stands between you and one of these users".into(),
                ));
            }
        }
        Ok(wanted.into_iter().collect())
    }
}
