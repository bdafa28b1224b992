//! The graph cache on the hot path: cache-aside decorators over the
//! conversation and social stores. Reads of roles, member ids, conversations,
//! friendships and blocks are answered from the `GraphCache` when it has
//! them (full `Member` rows carry read markers that change with every read
//! and every send, so they are not cached); every write through a decorator forgets the answers it changed
//! (after the store took the write), so with a shared cache (Redis) a change
//! on one node is seen by every node. A cache failure never fails a request:
//! the store answers instead.

mod conversations;
mod social;

pub use conversations::CachedConversations;
pub use social::CachedSocial;

use chatchit_domain::StoreError;
use chatchit_domain::conversation::{Conversation, MemberRole};
use chatchit_domain::ids::UserId;
use chatchit_domain::ports::{GraphAnswer, GraphCache, GraphKey};
use chatchit_domain::social::Relation;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// A store's answer that the graph cache keeps: what it is as a
/// [`GraphAnswer`], and back.
pub(crate) trait Cacheable: Sized + Clone {
    /// The answer to keep.
    fn into_answer(self) -> GraphAnswer;
    /// The value kept, `None` when the entry holds another kind of answer.
    fn from_answer(answer: GraphAnswer) -> Option<Self>;
}

/// `impl Cacheable` for answers kept as they are, each in its variant.
macro_rules! cacheable {
    ($($answer:ty => $variant:ident;)*) => {$(
        impl Cacheable for $answer {
            fn into_answer(self) -> GraphAnswer {
                GraphAnswer::$variant(self)
            }
            fn from_answer(answer: GraphAnswer) -> Option<Self> {
                match answer {
                    GraphAnswer::$variant(kept) => Some(kept),
                    _ => None,
                }
            }
        }
    )*};
}

cacheable! {
    Option<MemberRole> => Role;
    Vec<UserId> => Members;
    bool => Holds;
    Vec<Relation> => Friends;
}

/// Boxed in the cache: a conversation is far larger than the other answers.
impl Cacheable for Option<Conversation> {
    fn into_answer(self) -> GraphAnswer {
        GraphAnswer::Conversation(self.map(Box::new))
    }
    fn from_answer(answer: GraphAnswer) -> Option<Self> {
        match answer {
            GraphAnswer::Conversation(conversation) => Some(conversation.map(|c| *c)),
            _ => None,
        }
    }
}

/// Reads, writes and forgets answers; failures are logged and ignored.
///
/// Loads are single-flight per key: when many requests miss the same key at
/// once (a cold cache under a burst of sends, a node just started), one of
/// them asks the store and the others wait for its answer, instead of every
/// one of them queueing for a database connection.
#[derive(Clone)]
pub(crate) struct Answers {
    /// Where answers are kept.
    cache: Arc<dyn GraphCache>,
    /// The keys being loaded, each with the gate its waiters queue on.
    pub(crate) loading: Arc<Mutex<HashMap<GraphKey, Arc<tokio::sync::Mutex<()>>>>>,
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
    pub(crate) fn new(cache: Arc<dyn GraphCache>) -> Self {
        Self {
            cache,
            loading: Arc::default(),
            forgets: Arc::default(),
        }
    }

    /// Where the forgets stand now (see [`Self::keep_unless_forgotten`]).
    pub(crate) fn forgets_now(&self) -> u64 {
        self.forgets.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Keeps answers read from the store since `since` (a [`Self::forgets_now`])
    /// unless a forget came in between.
    pub(crate) async fn keep_unless_forgotten(
        &self,
        since: u64,
        answers: Vec<(GraphKey, GraphAnswer)>,
    ) {
        if self.forgets_now() == since {
            self.keep(answers).await;
        }
    }

    /// The cached answer under `key`, else `load`'s (which is then cached).
    /// `load` makes the store's future only on a miss: a hit costs no call
    /// into the store at all.
    pub(crate) async fn through<T, L, F>(&self, key: GraphKey, load: L) -> Result<T, StoreError>
    where
        T: Cacheable,
        L: FnOnce() -> F,
        F: Future<Output = Result<T, StoreError>>,
    {
        if let Some(answer) = self.cached(key).await {
            return Ok(answer);
        }
        let gate = Arc::clone(
            self.loading
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .entry(key)
                .or_default(),
        );
        let turn = gate.lock().await;
        // Whoever held the gate before may have loaded it meanwhile.
        let answer = match self.cached(key).await {
            Some(answer) => Ok(answer),
            None => self.load(key, load()).await,
        };
        drop(turn);
        self.loading
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&key);
        answer
    }

    /// The answer kept under `key`, if there is one of `T`'s kind.
    pub(crate) async fn cached<T: Cacheable>(&self, key: GraphKey) -> Option<T> {
        match self.cache.get(key).await {
            Ok(Some(answer)) => {
                let answer = T::from_answer(answer);
                if answer.is_none() {
                    tracing::warn!(%key, "a graph cache entry of another kind");
                }
                answer
            }
            Ok(None) => None,
            Err(e) => {
                tracing::debug!(error = %e, "graph cache unavailable; asking the store");
                None
            }
        }
    }

    /// `load`'s answer, kept under `key`.
    pub(crate) async fn load<T, F>(&self, key: GraphKey, load: F) -> Result<T, StoreError>
    where
        T: Cacheable,
        F: Future<Output = Result<T, StoreError>>,
    {
        let since = self.forgets_now();
        let answer = load.await?;
        self.keep_unless_forgotten(since, vec![(key, answer.clone().into_answer())])
            .await;
        Ok(answer)
    }

    /// Keeps answers the store gave.
    pub(crate) async fn keep(&self, answers: Vec<(GraphKey, GraphAnswer)>) {
        if let Err(e) = self.cache.put(answers).await {
            tracing::debug!(error = %e, "graph cache unavailable; answers not kept");
        }
    }

    /// Forgets `keys` now, and once more a little later (see
    /// [`SECOND_FORGET`]).
    pub(crate) async fn forget(&self, keys: Vec<GraphKey>) {
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

#[cfg(test)]
mod tests;
