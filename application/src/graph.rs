//! The graph cache on the hot path: cache-aside decorators over the
//! conversation and social stores. Reads of roles, member ids, conversations,
//! friendships and blocks are answered from the `GraphCache` when it has
//! them (full `Member` rows carry read markers that change with every read
//! and every send, so they are not cached); every write through a decorator forgets the answers it changed
//! (after the store took the write), so with a shared cache (Redis) a change
//! on one node is seen by every node. A cache failure never fails a request:
//! the store answers instead.

use async_trait::async_trait;
use chatchit_domain::StoreError;
use chatchit_domain::conversation::{Conversation, ConversationEntry, Member, MemberRole};
use chatchit_domain::ids::{ConversationId, MessageId, UserId};
use chatchit_domain::ports::{ConversationCursor, ConversationStore, GraphCache, SocialStore};
use chatchit_domain::social::{FriendRequest, FriendRequestId, Relation};
use chatchit_domain::time::Timestamp;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

fn member_key(c: ConversationId, u: UserId) -> String {
    format!("member:{c}:{u}")
}

fn members_key(c: ConversationId) -> String {
    format!("members:{c}")
}

fn conversation_key(c: ConversationId) -> String {
    format!("conversation:{c}")
}

fn pair(a: UserId, b: UserId) -> (UserId, UserId) {
    if a <= b { (a, b) } else { (b, a) }
}

fn blocked_key(a: UserId, b: UserId) -> String {
    let (lo, hi) = pair(a, b);
    format!("blocked:{lo}:{hi}")
}

fn friendship_key(a: UserId, b: UserId) -> String {
    let (lo, hi) = pair(a, b);
    format!("friendship:{lo}:{hi}")
}

fn friends_key(u: UserId) -> String {
    format!("friends:{u}")
}

/// Reads, writes and forgets JSON answers; failures are logged and ignored.
///
/// Loads are single-flight per key: when many requests miss the same key at
/// once (a cold cache under a burst of sends, a node just started), one of
/// them asks the store and the others wait for its answer, instead of every
/// one of them queueing for a database connection.
#[derive(Clone)]
struct Answers {
    /// Where answers are kept.
    cache: Arc<dyn GraphCache>,
    /// The keys being loaded, each with the gate its waiters queue on.
    loading: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
    /// Moves on at every forget. An answer read from the store is kept only
    /// if no forget came while it was read: else it may be older than the
    /// change that forgot it, and would outlive it in the cache.
    forgets: Arc<std::sync::atomic::AtomicU64>,
}

/// How long after a change its keys are forgotten a second time, in case
/// another node read the store before the change and kept its answer after
/// the first forget (a store read takes far less than this).
const SECOND_FORGET: std::time::Duration = std::time::Duration::from_secs(2);

impl Answers {
    /// Answers kept in `cache`.
    fn new(cache: Arc<dyn GraphCache>) -> Self {
        Self {
            cache,
            loading: Arc::default(),
            forgets: Arc::default(),
        }
    }

    /// Where the forgets stand now (see [`Self::keep_unless_forgotten`]).
    fn forgets_now(&self) -> u64 {
        self.forgets.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Keeps answers read from the store since `since` (a [`Self::forgets_now`])
    /// unless a forget came in between.
    async fn keep_unless_forgotten(&self, since: u64, answers: Vec<(String, String)>) {
        if self.forgets_now() == since {
            self.keep(answers).await;
        }
    }

    /// The cached answer under `key`, else `load`'s (which is then cached).
    /// `load` makes the store's future only on a miss: a hit costs no call
    /// into the store at all.
    async fn through<T, L, F>(&self, key: String, load: L) -> Result<T, StoreError>
    where
        T: Serialize + DeserializeOwned,
        L: FnOnce() -> F,
        F: Future<Output = Result<T, StoreError>>,
    {
        if let Some(answer) = self.cached(&key).await {
            return Ok(answer);
        }
        let gate = Arc::clone(
            self.loading
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(key.clone())
                .or_default(),
        );
        let turn = gate.lock().await;
        // Whoever held the gate before may have loaded it meanwhile.
        let answer = match self.cached(&key).await {
            Some(answer) => Ok(answer),
            None => self.load(&key, load()).await,
        };
        drop(turn);
        self.loading
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&key);
        answer
    }

    /// The answer kept under `key`, if there is a readable one.
    async fn cached<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        match self.cache.get(key.to_owned()).await {
            Ok(Some(text)) => match serde_json::from_str(&text) {
                Ok(answer) => Some(answer),
                Err(e) => {
                    tracing::warn!(key, error = %e, "unreadable graph cache entry");
                    None
                }
            },
            Ok(None) => None,
            Err(e) => {
                tracing::debug!(error = %e, "graph cache unavailable; asking the store");
                None
            }
        }
    }

    /// `load`'s answer, kept under `key`.
    async fn load<T, F>(&self, key: &str, load: F) -> Result<T, StoreError>
    where
        T: Serialize,
        F: Future<Output = Result<T, StoreError>>,
    {
        let since = self.forgets_now();
        let answer = load.await?;
        if let Ok(text) = serde_json::to_string(&answer) {
            self.keep_unless_forgotten(since, vec![(key.to_owned(), text)])
                .await;
        }
        Ok(answer)
    }

    /// Keeps answers (key, JSON text) the store gave.
    async fn keep(&self, answers: Vec<(String, String)>) {
        if let Err(e) = self.cache.put(answers).await {
            tracing::debug!(error = %e, "graph cache unavailable; answers not kept");
        }
    }

    /// Forgets `keys` now, and once more a little later (see
    /// [`SECOND_FORGET`]).
    async fn forget(&self, keys: Vec<String>) {
        self.forgets
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        if let Err(e) = self.cache.forget(keys.clone()).await {
            tracing::warn!(error = %e, "graph cache entries not forgotten; they expire on their own");
        }
        let cache = self.cache.clone();
        tokio::spawn(async move {
            tokio::time::sleep(SECOND_FORGET).await;
            if let Err(e) = cache.forget(keys).await {
                tracing::debug!(error = %e, "graph cache entries not forgotten again");
            }
        });
    }
}

/// A `ConversationStore` whose membership and conversation reads are cached.
pub struct CachedConversations {
    store: Arc<dyn ConversationStore>,
    answers: Answers,
}

impl CachedConversations {
    /// Caches `store`'s answers in `cache`.
    pub fn new(store: Arc<dyn ConversationStore>, cache: Arc<dyn GraphCache>) -> Self {
        Self {
            store,
            answers: Answers::new(cache),
        }
    }
}

#[async_trait]
impl ConversationStore for CachedConversations {
    async fn create_group(
        &self,
        conversation: Conversation,
        members: Vec<Member>,
    ) -> Result<(), StoreError> {
        self.store.create_group(conversation, members).await
    }

    async fn get_or_create_direct(
        &self,
        key: String,
        conversation: Conversation,
        members: Vec<Member>,
    ) -> Result<(Conversation, bool), StoreError> {
        self.store
            .get_or_create_direct(key, conversation, members)
            .await
    }

    async fn find(&self, id: ConversationId) -> Result<Option<Conversation>, StoreError> {
        self.answers
            .through(conversation_key(id), || self.store.find(id))
            .await
    }

    async fn update(
        &self,
        id: ConversationId,
        title: Option<String>,
        avatar_url: Option<Option<String>>,
    ) -> Result<Conversation, StoreError> {
        let updated = self.store.update(id, title, avatar_url).await?;
        self.answers.forget(vec![conversation_key(id)]).await;
        Ok(updated)
    }

    async fn members(&self, id: ConversationId) -> Result<Vec<Member>, StoreError> {
        self.store.members(id).await
    }

    async fn member(&self, id: ConversationId, user: UserId) -> Result<Option<Member>, StoreError> {
        self.store.member(id, user).await
    }

    async fn role(
        &self,
        id: ConversationId,
        user: UserId,
    ) -> Result<Option<MemberRole>, StoreError> {
        self.answers
            .through(member_key(id, user), || self.store.role(id, user))
            .await
    }

    async fn member_ids(&self, id: ConversationId) -> Result<Vec<UserId>, StoreError> {
        self.answers
            .through(members_key(id), || self.store.member_ids(id))
            .await
    }

    async fn add_members(
        &self,
        id: ConversationId,
        members: Vec<Member>,
    ) -> Result<(), StoreError> {
        let mut keys: Vec<String> = members.iter().map(|m| member_key(id, m.user_id)).collect();
        self.store.add_members(id, members).await?;
        keys.push(members_key(id));
        self.answers.forget(keys).await;
        Ok(())
    }

    async fn remove_member(
        &self,
        id: ConversationId,
        user: UserId,
        promote: Option<(UserId, MemberRole)>,
    ) -> Result<(), StoreError> {
        self.store.remove_member(id, user, promote).await?;
        let mut keys = vec![members_key(id), member_key(id, user)];
        keys.extend(promote.map(|(promoted, _)| member_key(id, promoted)));
        self.answers.forget(keys).await;
        Ok(())
    }

    async fn set_role(
        &self,
        id: ConversationId,
        user: UserId,
        role: MemberRole,
    ) -> Result<(), StoreError> {
        self.store.set_role(id, user, role).await?;
        self.answers
            .forget(vec![members_key(id), member_key(id, user)])
            .await;
        Ok(())
    }

    async fn mark_read(
        &self,
        id: ConversationId,
        user: UserId,
        seq: i64,
        message_id: MessageId,
    ) -> Result<(), StoreError> {
        self.store.mark_read(id, user, seq, message_id).await
    }

    async fn list_for_user(
        &self,
        user: UserId,
        cursor: Option<ConversationCursor>,
        limit: u32,
    ) -> Result<Vec<ConversationEntry>, StoreError> {
        self.store.list_for_user(user, cursor, limit).await
    }

    /// Also keeps each answer as the user's [`Self::role`] in that
    /// conversation: a socket that connects is about to send.
    async fn roles_for_user(
        &self,
        user: UserId,
    ) -> Result<Vec<(ConversationId, MemberRole)>, StoreError> {
        let since = self.answers.forgets_now();
        let roles = self.store.roles_for_user(user).await?;
        let answers = roles
            .iter()
            .filter_map(|&(id, role)| {
                let answer = serde_json::to_string(&Some(role)).ok()?;
                Some((member_key(id, user), answer))
            })
            .collect();
        self.answers.keep_unless_forgotten(since, answers).await;
        Ok(roles)
    }
}

/// A `SocialStore` whose friendship and block reads are cached.
pub struct CachedSocial {
    store: Arc<dyn SocialStore>,
    answers: Answers,
}

impl CachedSocial {
    /// Caches `store`'s answers in `cache`.
    pub fn new(store: Arc<dyn SocialStore>, cache: Arc<dyn GraphCache>) -> Self {
        Self {
            store,
            answers: Answers::new(cache),
        }
    }

    /// Forgets what a change between `a` and `b` may have changed.
    async fn forget_pair(&self, a: UserId, b: UserId) {
        self.answers
            .forget(vec![
                blocked_key(a, b),
                friendship_key(a, b),
                friends_key(a),
                friends_key(b),
            ])
            .await;
    }
}

#[async_trait]
impl SocialStore for CachedSocial {
    async fn create_request(&self, request: FriendRequest) -> Result<(), StoreError> {
        self.store.create_request(request).await
    }

    async fn find_request(&self, id: FriendRequestId) -> Result<Option<FriendRequest>, StoreError> {
        self.store.find_request(id).await
    }

    async fn request_between(
        &self,
        from: UserId,
        to: UserId,
    ) -> Result<Option<FriendRequest>, StoreError> {
        self.store.request_between(from, to).await
    }

    async fn requests_of(
        &self,
        user: UserId,
    ) -> Result<(Vec<FriendRequest>, Vec<FriendRequest>), StoreError> {
        self.store.requests_of(user).await
    }

    async fn delete_request(&self, id: FriendRequestId) -> Result<bool, StoreError> {
        self.store.delete_request(id).await
    }

    async fn accept_request(&self, id: FriendRequestId, at: Timestamp) -> Result<bool, StoreError> {
        let request = self.store.find_request(id).await?;
        let accepted = self.store.accept_request(id, at).await?;
        if let (true, Some(request)) = (accepted, request) {
            self.forget_pair(request.from, request.to).await;
        }
        Ok(accepted)
    }

    async fn remove_friendship(&self, a: UserId, b: UserId) -> Result<bool, StoreError> {
        let removed = self.store.remove_friendship(a, b).await?;
        self.forget_pair(a, b).await;
        Ok(removed)
    }

    async fn friends_of(&self, user: UserId) -> Result<Vec<Relation>, StoreError> {
        self.answers
            .through(friends_key(user), || self.store.friends_of(user))
            .await
    }

    async fn are_friends(&self, a: UserId, b: UserId) -> Result<bool, StoreError> {
        self.answers
            .through(friendship_key(a, b), || self.store.are_friends(a, b))
            .await
    }

    async fn block(
        &self,
        blocker: UserId,
        blocked: UserId,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        self.store.block(blocker, blocked, at).await?;
        self.forget_pair(blocker, blocked).await;
        Ok(())
    }

    async fn unblock(&self, blocker: UserId, blocked: UserId) -> Result<bool, StoreError> {
        let unblocked = self.store.unblock(blocker, blocked).await?;
        self.forget_pair(blocker, blocked).await;
        Ok(unblocked)
    }

    async fn blocks_of(&self, blocker: UserId) -> Result<Vec<Relation>, StoreError> {
        self.store.blocks_of(blocker).await
    }

    async fn blocked_either_way(&self, a: UserId, b: UserId) -> Result<bool, StoreError> {
        self.answers
            .through(blocked_key(a, b), || self.store.blocked_either_way(a, b))
            .await
    }
}

#[cfg(test)]
mod tests;
