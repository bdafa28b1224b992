//! Blocks: block, unblock, list. The effects (no requests, direct messages or
//! calls across a block) are enforced by the use cases that own those paths.
//! The blocked user is never told: no event announces a block or the
//! friendship it ends.

use crate::context::Actor;
use crate::conversations::Page;
use crate::error::AppError;
use chatchit_domain::conversation::ConversationKind;
use chatchit_domain::ids::{ConversationId, UserId};
use chatchit_domain::ports::{Clock, ConversationStore, SocialStore, UserStore};
use chatchit_domain::social::RelationView;
use std::sync::Arc;

/// Block use cases.
pub struct BlockService {
    /// Profiles.
    users: Arc<dyn UserStore>,
    /// The social graph.
    social: Arc<dyn SocialStore>,
    /// Now.
    clock: Arc<dyn Clock>,
}

impl BlockService {
    /// Wires the service.
    pub fn new(
        users: Arc<dyn UserStore>,
        social: Arc<dyn SocialStore>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            users,
            social,
            clock,
        }
    }

    /// Blocks `user`: ends any friendship and pending request between them.
    ///
    /// # Errors
    /// `Validation` for oneself, `NotFound` for unknown users.
    pub async fn block(&self, actor: &Actor, user: UserId) -> Result<(), AppError> {
        if user == actor.user_id {
            return Err(AppError::validation("userId", "must be someone else"));
        }
        if self.users.find(user).await?.is_none() {
            return Err(AppError::NotFound("user not found".into()));
        }
        Ok(self
            .social
            .block(actor.user_id, user, self.clock.now())
            .await?)
    }

    /// Lifts a block.
    ///
    /// # Errors
    /// `NotFound` when the caller does not block `user`.
    pub async fn unblock(&self, actor: &Actor, user: UserId) -> Result<(), AppError> {
        if !self.social.unblock(actor.user_id, user).await? {
            return Err(AppError::NotFound("not blocked".into()));
        }
        Ok(())
    }

    /// Who the caller blocks, oldest block first, a page at a time.
    ///
    /// # Errors
    /// `Validation` for a bad cursor or limit; store failures.
    pub async fn blocks(
        &self,
        actor: &Actor,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> Result<Page<RelationView>, AppError> {
        let relations = self.social.blocks_of(actor.user_id).await?;
        crate::friends::relation_page(&*self.users, relations, cursor, limit).await
    }
}

/// `Forbidden` when `conversation` is a direct one and a block stands between
/// `actor` and the other member, either way: across a block nothing reaches
/// the other side, neither a message nor an edit, a reaction or typing.
///
/// # Errors
/// `Forbidden` across a block; store failures.
pub(crate) async fn refuse_across_direct_block(
    conversations: &dyn ConversationStore,
    social: &dyn SocialStore,
    actor: UserId,
    conversation: ConversationId,
) -> Result<(), AppError> {
    let kind = conversations.find(conversation).await?.map(|c| c.kind);
    if kind != Some(ConversationKind::Direct) {
        return Ok(());
    }
    for other in conversations.member_ids(conversation).await? {
        if other != actor && social.blocked_either_way(actor, other).await? {
            return Err(AppError::forbidden());
        }
    }
    Ok(())
}
