//! Friends: requests (with mutual requests accepting each other), accept,
//! decline, cancel, unfriend, lists. Blocks stop requests both ways.

use crate::context::Actor;
use crate::conversations::Page;
use crate::error::AppError;
use crate::paging;
use chatchit_domain::events::DomainEvent;
use chatchit_domain::ids::UserId;
use chatchit_domain::ports::{
    Clock, EventQueue, IdGenerator, SocialStore, TimeOrderedIds, UserStore,
};
use chatchit_domain::social::{
    FriendRequest, FriendRequestId, FriendRequestView, Relation, RelationView,
};
use chatchit_domain::user::User;
use std::collections::HashMap;
use std::sync::Arc;

/// `POST /friends/requests` body.
#[derive(Debug, Clone)]
pub struct FriendRequestInput {
    /// Who to befriend.
    pub user_id: UserId,
}

/// `GET /friends/requests` answer.
#[derive(Debug, Clone)]
pub struct PendingRequests {
    /// Requests to the caller, newest first.
    pub incoming: Vec<FriendRequestView>,
    /// Requests from the caller, newest first.
    pub outgoing: Vec<FriendRequestView>,
    /// Pass as `?incomingCursor=` for more incoming; `null` when there are
    /// no more.
    pub next_incoming_cursor: Option<String>,
    /// Pass as `?outgoingCursor=` for more outgoing; `null` when there are
    /// no more.
    pub next_outgoing_cursor: Option<String>,
}

/// Where each list of [`FriendService::requests`] resumes.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequestCursors<'a> {
    /// The previous page's `nextIncomingCursor`.
    pub incoming: Option<&'a str>,
    /// The previous page's `nextOutgoingCursor`.
    pub outgoing: Option<&'a str>,
}

/// What a friend request did.
#[derive(Debug, Clone)]
pub enum RequestOutcome {
    /// A new pending request (201).
    Requested(FriendRequestView),
    /// The other side had asked already: now friends (200).
    Befriended(RelationView),
}

/// Friend use cases.
pub struct FriendService {
    /// Profiles.
    users: Arc<dyn UserStore>,
    /// The social graph.
    social: Arc<dyn SocialStore>,
    /// Events to the affected users.
    queue: Arc<dyn EventQueue>,
    /// Now.
    clock: Arc<dyn Clock>,
    /// Where new ids come from.
    ids: Arc<dyn IdGenerator>,
}

impl FriendService {
    /// Wires the service.
    pub fn new(
        users: Arc<dyn UserStore>,
        social: Arc<dyn SocialStore>,
        queue: Arc<dyn EventQueue>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            ids: Arc::new(TimeOrderedIds),
            users,
            social,
            queue,
            clock,
        }
    }

    /// Takes new ids from `ids` instead of time-ordered UUIDs.
    #[must_use]
    pub fn with_ids(mut self, ids: Arc<dyn IdGenerator>) -> Self {
        self.ids = ids;
        self
    }

    /// Asks `userId` to be friends; if they had asked the caller, accepts theirs.
    ///
    /// # Errors
    /// `Conflict` when already friends or already asked, `Forbidden` across a
    /// block, `NotFound` for unknown users, `Validation` for oneself.
    pub async fn request(
        &self,
        actor: &Actor,
        input: FriendRequestInput,
    ) -> Result<RequestOutcome, AppError> {
        let (me, them) = (actor.user_id, input.user_id);
        if me == them {
            return Err(AppError::validation("userId", "must be someone else"));
        }
        let target = self.user(them).await?;
        if self.social.blocked_either_way(me, them).await? {
            return Err(AppError::forbidden());
        }
        if self.social.are_friends(me, them).await? {
            return Err(AppError::Conflict("already friends".into()));
        }
        if self.social.request_between(me, them).await?.is_some() {
            return Err(AppError::Conflict("request already pending".into()));
        }
        if let Some(theirs) = self.social.request_between(them, me).await? {
            let relation = self.accept_request(theirs).await?;
            return Ok(RequestOutcome::Befriended(relation));
        }
        let request = FriendRequest {
            id: FriendRequestId(self.ids.next()),
            from: me,
            to: them,
            created_at: self.clock.now(),
        };
        self.social
            .create_request(request.clone())
            .await
            .map_err(|e| match e {
                chatchit_domain::StoreError::Conflict(_) => {
                    AppError::Conflict("request already pending".into())
                }
                other => other.into(),
            })?;
        let view = FriendRequestView {
            id: request.id,
            from: self.user(me).await?,
            to: target,
            created_at: request.created_at,
        };
        self.publish(DomainEvent::FriendRequested {
            request: Box::new(view.clone()),
        })
        .await;
        Ok(RequestOutcome::Requested(view))
    }

    /// Accepts a request made to the caller.
    ///
    /// # Errors
    /// `NotFound` unless it is a pending request to the caller.
    pub async fn accept(
        &self,
        actor: &Actor,
        id: FriendRequestId,
    ) -> Result<RelationView, AppError> {
        let request = self.pending(id, |r| r.to == actor.user_id).await?;
        self.accept_request(request).await
    }

    /// Declines a request made to the caller.
    ///
    /// # Errors
    /// `NotFound` unless it is a pending request to the caller.
    pub async fn decline(&self, actor: &Actor, id: FriendRequestId) -> Result<(), AppError> {
        self.pending(id, |r| r.to == actor.user_id).await?;
        self.social.delete_request(id).await?;
        Ok(())
    }

    /// Withdraws a request the caller made.
    ///
    /// # Errors
    /// `NotFound` unless it is a pending request from the caller.
    pub async fn cancel(&self, actor: &Actor, id: FriendRequestId) -> Result<(), AppError> {
        self.pending(id, |r| r.from == actor.user_id).await?;
        self.social.delete_request(id).await?;
        Ok(())
    }

    /// Ends a friendship.
    ///
    /// # Errors
    /// `NotFound` when they are not friends.
    pub async fn unfriend(&self, actor: &Actor, user: UserId) -> Result<(), AppError> {
        if !self.social.remove_friendship(actor.user_id, user).await? {
            return Err(AppError::NotFound("not friends".into()));
        }
        self.publish(DomainEvent::FriendRemoved {
            a: actor.user_id,
            b: user,
        })
        .await;
        Ok(())
    }

    /// The caller's friends, oldest friendship first, a page at a time.
    ///
    /// # Errors
    /// `Validation` for a bad cursor or limit; store failures.
    pub async fn friends(
        &self,
        actor: &Actor,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> Result<Page<RelationView>, AppError> {
        let relations = self.social.friends_of(actor.user_id).await?;
        relation_page(&*self.users, relations, cursor, limit).await
    }

    /// The caller's pending requests, both ways, newest first, a page of
    /// each at a time.
    ///
    /// # Errors
    /// `Validation` for a bad cursor or limit; store failures.
    pub async fn requests(
        &self,
        actor: &Actor,
        cursors: RequestCursors<'_>,
        limit: Option<i64>,
    ) -> Result<PendingRequests, AppError> {
        let (incoming, outgoing) = self.social.requests_of(actor.user_id).await?;
        let key = |r: &FriendRequest| (r.created_at, r.id.0);
        let (incoming, next_incoming) = paging::page(incoming, key, true, cursors.incoming, limit)?;
        let (outgoing, next_outgoing) = paging::page(outgoing, key, true, cursors.outgoing, limit)?;
        let ids = incoming
            .iter()
            .chain(&outgoing)
            .flat_map(|r| [r.from, r.to])
            .collect();
        let profiles: HashMap<UserId, User> = self
            .users
            .find_many(ids)
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect();
        let view = |r: FriendRequest| {
            Some(FriendRequestView {
                id: r.id,
                from: profiles.get(&r.from)?.clone(),
                to: profiles.get(&r.to)?.clone(),
                created_at: r.created_at,
            })
        };
        Ok(PendingRequests {
            incoming: incoming.into_iter().filter_map(view).collect(),
            outgoing: outgoing.into_iter().filter_map(view).collect(),
            next_incoming_cursor: next_incoming,
            next_outgoing_cursor: next_outgoing,
        })
    }

    async fn accept_request(&self, request: FriendRequest) -> Result<RelationView, AppError> {
        let now = self.clock.now();
        if !self.social.accept_request(request.id, now).await? {
            return Err(AppError::NotFound("friend request not found".into()));
        }
        let requester = self.user(request.from).await?;
        let accepter = self.user(request.to).await?;
        self.publish(DomainEvent::FriendAccepted {
            requester: Box::new(requester.clone()),
            accepter: Box::new(accepter),
        })
        .await;
        Ok(RelationView {
            user: requester,
            since: now,
        })
    }

    async fn pending(
        &self,
        id: FriendRequestId,
        mine: impl Fn(&FriendRequest) -> bool,
    ) -> Result<FriendRequest, AppError> {
        match self.social.find_request(id).await? {
            Some(r) if mine(&r) => Ok(r),
            _ => Err(AppError::NotFound("friend request not found".into())),
        }
    }

    async fn user(&self, id: UserId) -> Result<User, AppError> {
        self.users
            .find(id)
            .await?
            .ok_or_else(|| AppError::NotFound("user not found".into()))
    }

    async fn publish(&self, event: DomainEvent) {
        if let Err(e) = self.queue.publish(event).await {
            tracing::error!(error = %e, "could not queue a friend event");
        }
    }
}

/// The page of `relations` (oldest first) after `cursor`, as views.
///
/// # Errors
/// `Validation` for a bad cursor or limit; store failures.
pub async fn relation_page(
    users: &dyn UserStore,
    relations: Vec<Relation>,
    cursor: Option<&str>,
    limit: Option<i64>,
) -> Result<Page<RelationView>, AppError> {
    let (relations, next_cursor) =
        paging::page(relations, |r| (r.since, r.user_id.0), false, cursor, limit)?;
    let items = relation_views(users, relations).await?;
    Ok(Page { items, next_cursor })
}

/// Joins relations with the profiles of the users they point at.
///
/// # Errors
/// Store failures.
pub async fn relation_views(
    users: &dyn UserStore,
    relations: Vec<Relation>,
) -> Result<Vec<RelationView>, AppError> {
    let mut profiles: HashMap<UserId, User> = users
        .find_many(relations.iter().map(|r| r.user_id).collect())
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    Ok(relations
        .into_iter()
        .filter_map(|r| {
            profiles.remove(&r.user_id).map(|user| RelationView {
                user,
                since: r.since,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests;
