//! `SocialStore` in memory.

use super::{InMemoryStore, taken};
use async_trait::async_trait;
use chatchit_domain::StoreError;
use chatchit_domain::ids::UserId;
use chatchit_domain::ports::SocialStore;
use chatchit_domain::social::{FriendRequest, FriendRequestId, Relation};
use chatchit_domain::time::Timestamp;
use std::collections::HashMap;

/// Friend requests, friendships (both directions) and blocks.
#[derive(Default)]
pub(super) struct Social {
    /// Pending requests by id.
    requests: HashMap<FriendRequestId, FriendRequest>,
    /// `user → friend → since`, kept both ways.
    friends: HashMap<UserId, HashMap<UserId, Timestamp>>,
    /// `blocker → blocked → since`.
    blocks: HashMap<UserId, HashMap<UserId, Timestamp>>,
}

impl Social {
    /// Ends the friendship of `a` and `b`; whether there was one.
    fn unfriend(&mut self, a: UserId, b: UserId) -> bool {
        let one = self
            .friends
            .get_mut(&a)
            .and_then(|f| f.remove(&b))
            .is_some();
        let other = self
            .friends
            .get_mut(&b)
            .and_then(|f| f.remove(&a))
            .is_some();
        one || other
    }

    /// Drops the requests between `a` and `b`, either way.
    fn forget_requests(&mut self, a: UserId, b: UserId) {
        self.requests
            .retain(|_, r| !((r.from == a && r.to == b) || (r.from == b && r.to == a)));
    }
}

/// The relations in `of`, oldest first.
fn relations(of: Option<&HashMap<UserId, Timestamp>>) -> Vec<Relation> {
    let mut list: Vec<Relation> = of
        .into_iter()
        .flatten()
        .map(|(&user_id, &since)| Relation { user_id, since })
        .collect();
    list.sort_by_key(|r| (r.since, r.user_id));
    list
}

#[async_trait]
impl SocialStore for InMemoryStore {
    async fn create_request(&self, request: FriendRequest) -> Result<(), StoreError> {
        let mut t = self.tables();
        let s = &mut t.social;
        if s.requests.contains_key(&request.id)
            || s.requests
                .values()
                .any(|r| r.from == request.from && r.to == request.to)
        {
            return Err(taken("friend_requests.from_id_to_id"));
        }
        s.requests.insert(request.id, request);
        Ok(())
    }

    async fn find_request(&self, id: FriendRequestId) -> Result<Option<FriendRequest>, StoreError> {
        Ok(self.tables().social.requests.get(&id).cloned())
    }

    async fn request_between(
        &self,
        from: UserId,
        to: UserId,
    ) -> Result<Option<FriendRequest>, StoreError> {
        let t = self.tables();
        Ok(t.social
            .requests
            .values()
            .find(|r| r.from == from && r.to == to)
            .cloned())
    }

    async fn requests_of(
        &self,
        user: UserId,
    ) -> Result<(Vec<FriendRequest>, Vec<FriendRequest>), StoreError> {
        let t = self.tables();
        let mut mine: Vec<FriendRequest> = t
            .social
            .requests
            .values()
            .filter(|r| r.to == user || r.from == user)
            .cloned()
            .collect();
        mine.sort_by_key(|r| std::cmp::Reverse((r.created_at, r.id)));
        Ok(mine.into_iter().partition(|r| r.to == user))
    }

    async fn delete_request(&self, id: FriendRequestId) -> Result<bool, StoreError> {
        Ok(self.tables().social.requests.remove(&id).is_some())
    }

    async fn accept_request(&self, id: FriendRequestId, at: Timestamp) -> Result<bool, StoreError> {
        let mut t = self.tables();
        let s = &mut t.social;
        let Some(request) = s.requests.get(&id).cloned() else {
            return Ok(false);
        };
        s.forget_requests(request.from, request.to);
        s.friends
            .entry(request.from)
            .or_default()
            .entry(request.to)
            .or_insert(at);
        s.friends
            .entry(request.to)
            .or_default()
            .entry(request.from)
            .or_insert(at);
        Ok(true)
    }

    async fn remove_friendship(&self, a: UserId, b: UserId) -> Result<bool, StoreError> {
        Ok(self.tables().social.unfriend(a, b))
    }

    async fn friends_of(&self, user: UserId) -> Result<Vec<Relation>, StoreError> {
        Ok(relations(self.tables().social.friends.get(&user)))
    }

    async fn are_friends(&self, a: UserId, b: UserId) -> Result<bool, StoreError> {
        let t = self.tables();
        Ok(t.social.friends.get(&a).is_some_and(|f| f.contains_key(&b)))
    }

    async fn block(
        &self,
        blocker: UserId,
        blocked: UserId,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let mut t = self.tables();
        let s = &mut t.social;
        s.unfriend(blocker, blocked);
        s.forget_requests(blocker, blocked);
        s.blocks
            .entry(blocker)
            .or_default()
            .entry(blocked)
            .or_insert(at);
        Ok(())
    }

    async fn unblock(&self, blocker: UserId, blocked: UserId) -> Result<bool, StoreError> {
        let mut t = self.tables();
        Ok(t.social
            .blocks
            .get_mut(&blocker)
            .and_then(|b| b.remove(&blocked))
            .is_some())
    }

    async fn blocks_of(&self, blocker: UserId) -> Result<Vec<Relation>, StoreError> {
        Ok(relations(self.tables().social.blocks.get(&blocker)))
    }

    async fn blocked_either_way(&self, a: UserId, b: UserId) -> Result<bool, StoreError> {
        let t = self.tables();
        let blocks =
            |x: UserId, y: UserId| t.social.blocks.get(&x).is_some_and(|b| b.contains_key(&y));
        Ok(blocks(a, b) || blocks(b, a))
    }
}
