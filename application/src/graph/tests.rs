//! Unit tests of `graph`.

use super::*;
use async_trait::async_trait;
use chatchit_domain::conversation::MemberRole;
use chatchit_domain::ids::{ConversationId, UserId};
use chatchit_domain::ports::conversations::MockConversationStore;
use chatchit_domain::ports::graph::MockGraphCache;
use chatchit_domain::ports::social::MockSocialStore;
use chatchit_domain::ports::{ConversationStore, SocialStore};
use chatchit_domain::time::Timestamp;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;

/// A cache that keeps what it is given.
#[derive(Default)]
struct Kept(Mutex<HashMap<GraphKey, GraphAnswer>>);

#[async_trait]
impl GraphCache for Kept {
    async fn get(&self, key: GraphKey) -> Result<Option<GraphAnswer>, StoreError> {
        Ok(self.0.lock().expect("lock").get(&key).cloned())
    }
    async fn put(&self, entries: Vec<(GraphKey, GraphAnswer)>) -> Result<(), StoreError> {
        self.0.lock().expect("lock").extend(entries);
        Ok(())
    }
    async fn forget(&self, keys: Vec<GraphKey>) -> Result<(), StoreError> {
        let mut kept = self.0.lock().expect("lock");
        for key in keys {
            kept.remove(&key);
        }
        Ok(())
    }
}

/// A cache whose answers arrive after other tasks ran, as a networked
/// cache's do.
#[derive(Default)]
struct Yielding(Kept);

#[async_trait]
impl GraphCache for Yielding {
    async fn get(&self, key: GraphKey) -> Result<Option<GraphAnswer>, StoreError> {
        let answer = self.0.get(key).await;
        tokio::task::yield_now().await;
        answer
    }
    async fn put(&self, entries: Vec<(GraphKey, GraphAnswer)>) -> Result<(), StoreError> {
        self.0.put(entries).await
    }
    async fn forget(&self, keys: Vec<GraphKey>) -> Result<(), StoreError> {
        self.0.forget(keys).await
    }
}

#[tokio::test]
async fn a_role_read_before_a_removal_is_not_kept_after_it() {
    let (c, u) = (ConversationId::generate(), UserId::generate());
    let (read_started, started) = tokio::sync::oneshot::channel::<()>();
    let (finish_read, finished) = std::sync::mpsc::channel::<()>();
    let read_started = Mutex::new(Some(read_started));
    let mut store = MockConversationStore::new();
    let mut seq = mockall::Sequence::new();
    store
        .expect_role()
        .times(1)
        .in_sequence(&mut seq)
        .returning(move |_, _| {
            if let Some(tx) = read_started.lock().expect("lock").take() {
                let _ = tx.send(());
            }
            let _ = finished.recv();
            Ok(Some(MemberRole::Member))
        });
    store
        .expect_role()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| Ok(None));
    store
        .expect_remove_member()
        .times(1)
        .returning(|_, _, _| Ok(()));
    let cached = Arc::new(CachedConversations::new(
        Arc::new(store),
        Arc::new(Kept::default()),
    ));
    let reader = {
        let cached = cached.clone();
        tokio::task::spawn_blocking(move || {
            tokio::runtime::Handle::current().block_on(cached.role(c, u))
        })
    };
    started.await.expect("the read began");
    cached.remove_member(c, u, None).await.expect("removed");
    finish_read.send(()).expect("release the read");
    let stale = reader.await.expect("join").expect("read");
    assert_eq!(
        stale,
        Some(MemberRole::Member),
        "it read before the removal"
    );
    assert_eq!(
        cached.role(c, u).await.expect("read"),
        None,
        "but its answer was not kept"
    );
}

#[tokio::test]
async fn a_burst_of_misses_on_one_key_asks_the_store_once() {
    let (c, u) = (ConversationId::generate(), UserId::generate());
    let mut store = MockConversationStore::new();
    store
        .expect_role()
        .times(1)
        .returning(|_, _| Ok(Some(MemberRole::Admin)));
    let cached = CachedConversations::new(Arc::new(store), Arc::new(Yielding::default()));
    let roles = futures_util::future::join_all((0..20).map(|_| cached.role(c, u))).await;
    assert!(
        roles
            .into_iter()
            .all(|r| r.expect("role") == Some(MemberRole::Admin))
    );
    assert!(cached.answers.loading.lock().expect("lock").is_empty());
}

#[tokio::test]
async fn a_membership_is_read_once_until_a_change_forgets_it() {
    let (c, u) = (ConversationId::generate(), UserId::generate());
    let mut store = MockConversationStore::new();
    let mut seq = mockall::Sequence::new();
    store
        .expect_role()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| Ok(Some(MemberRole::Member)));
    store
        .expect_set_role()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _, _| Ok(()));
    store
        .expect_role()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| Ok(Some(MemberRole::Admin)));
    let cached = CachedConversations::new(Arc::new(store), Arc::new(Kept::default()));
    for _ in 0..3 {
        let role = cached.role(c, u).await.expect("read");
        assert_eq!(
            role,
            Some(MemberRole::Member),
            "from the cache after the first"
        );
    }
    cached
        .set_role(c, u, MemberRole::Admin)
        .await
        .expect("changed");
    let role = cached.role(c, u).await.expect("read");
    assert_eq!(role, Some(MemberRole::Admin), "the change is seen at once");
}

#[tokio::test]
async fn a_users_roles_read_at_connect_answer_their_role_reads() {
    let (c1, c2, u) = (
        ConversationId::generate(),
        ConversationId::generate(),
        UserId::generate(),
    );
    let mut store = MockConversationStore::new();
    store
        .expect_roles_for_user()
        .times(1)
        .returning(move |_| Ok(vec![(c1, MemberRole::Owner), (c2, MemberRole::Member)]));
    store.expect_role().times(0);
    let cached = CachedConversations::new(Arc::new(store), Arc::new(Kept::default()));
    let roles = cached.roles_for_user(u).await.expect("roles");
    assert_eq!(roles.len(), 2);
    assert_eq!(
        cached.role(c1, u).await.expect("role"),
        Some(MemberRole::Owner)
    );
    assert_eq!(
        cached.role(c2, u).await.expect("role"),
        Some(MemberRole::Member)
    );
}

#[tokio::test]
async fn a_block_is_seen_at_once_by_a_cached_reader() {
    let (a, b) = (UserId::generate(), UserId::generate());
    let mut store = MockSocialStore::new();
    let mut blocked = false;
    store
        .expect_blocked_either_way()
        .times(2)
        .returning(move |_, _| {
            let answer = blocked;
            blocked = true;
            Ok(answer)
        });
    store.expect_block().times(1).returning(|_, _, _| Ok(()));
    let cached = CachedSocial::new(Arc::new(store), Arc::new(Kept::default()));
    assert!(!cached.blocked_either_way(a, b).await.expect("read"));
    assert!(
        !cached.blocked_either_way(b, a).await.expect("read"),
        "either order is one answer"
    );
    cached
        .block(b, a, Timestamp::from_millis(2))
        .await
        .expect("blocked");
    assert!(cached.blocked_either_way(a, b).await.expect("read"));
}

#[tokio::test]
async fn an_unreachable_cache_leaves_the_store_to_answer() {
    let (a, b) = (UserId::generate(), UserId::generate());
    let mut store = MockSocialStore::new();
    store
        .expect_are_friends()
        .times(2)
        .returning(|_, _| Ok(true));
    let mut cache = MockGraphCache::new();
    cache
        .expect_get()
        .returning(|_| Err(StoreError::Unavailable("down".into())));
    cache
        .expect_put()
        .returning(|_| Err(StoreError::Unavailable("down".into())));
    let cached = CachedSocial::new(Arc::new(store), Arc::new(cache));
    assert!(cached.are_friends(a, b).await.expect("from the store"));
    assert!(
        cached
            .are_friends(a, b)
            .await
            .expect("from the store again")
    );
}
