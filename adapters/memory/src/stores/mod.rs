//! The reference store: every store port in process memory, behind one lock,
//! so that what one port writes another reads at once (an append moves the
//! conversation's counter and the sender's read marker, as the SQL stores do
//! in one transaction). It keeps everything it is given and forgets it all
//! when dropped: for tests, for trying ChatChit without a database, and as
//! the model a host's own store can be checked against (it passes the same
//! contract suite as SQLite and PostgreSQL). It bounds nothing: a production
//! node uses a database.

mod calls;
mod conversations;
mod messages;
mod reports;
mod sessions;
mod social;
mod stories;
mod users;

use chatchit_domain::StoreError;
use std::sync::{Arc, Mutex, MutexGuard};

/// Every store port over one set of tables; clones share them.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), chatchit_domain::StoreError> {
/// use chatchit_domain::ids::UserId;
/// use chatchit_domain::ports::UserStore;
/// use chatchit_domain::time::Timestamp;
/// use chatchit_domain::user::{Role, User};
/// use chatchit_memory::InMemoryStore;
///
/// let store = InMemoryStore::new();
/// let ada = User {
///     id: UserId::generate(),
///     username: "Ada".into(),
///     display_name: "Ada".into(),
///     avatar_url: None,
///     role: Role::User,
///     created_at: Timestamp::from_millis(0),
///     banned: false,
/// };
/// store.create(ada.clone(), "hash".into()).await?;
/// // Usernames are unique whatever their case, as in the SQL stores.
/// let again = User { id: UserId::generate(), username: "ada".into(), ..ada.clone() };
/// assert!(store.create(again, "hash".into()).await.is_err());
/// assert_eq!(store.clone().search("ad".into(), 10).await?, vec![ada]);
/// # Ok(()) }
/// ```
#[derive(Clone, Default)]
pub struct InMemoryStore {
    /// The tables.
    tables: Arc<Mutex<Tables>>,
}

/// What the store holds, one field per table.
#[derive(Default)]
struct Tables {
    /// Users and sessions.
    accounts: users::Accounts,
    /// Sessions and refresh tokens.
    sessions: sessions::Sessions,
    /// Conversations and members.
    conversations: conversations::Conversations,
    /// Messages, reactions and the relay log.
    messages: messages::Messages,
    /// Friend requests, friendships and blocks.
    social: social::Social,
    /// Stories, views, likes and comments.
    stories: stories::Stories,
    /// Reports.
    reports: reports::Reports,
    /// Calls.
    calls: calls::Calls,
}

impl InMemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The tables, for one operation. A panic while they were held leaves
    /// them as the operation left them; they are used on regardless (each
    /// operation checks before it changes anything).
    fn tables(&self) -> MutexGuard<'_, Tables> {
        self.tables
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// `NotFound` for `what`.
fn missing(what: &str) -> StoreError {
    StoreError::NotFound(what.to_owned())
}

/// `Conflict` for `what`.
fn taken(what: &str) -> StoreError {
    StoreError::Conflict(what.to_owned())
}

/// At most `limit` of `items`.
fn up_to<T>(items: impl Iterator<Item = T>, limit: u32) -> Vec<T> {
    items
        .take(usize::try_from(limit).unwrap_or(usize::MAX))
        .collect()
}
