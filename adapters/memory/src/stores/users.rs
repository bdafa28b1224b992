//! `UserStore` in memory.

use super::{InMemoryStore, missing, taken, up_to};
use async_trait::async_trait;
use chatchit_domain::StoreError;
use chatchit_domain::ids::UserId;
use chatchit_domain::ports::UserStore;
use chatchit_domain::time::Timestamp;
use chatchit_domain::user::{Credentials, ProfileChange, Role, User};
use std::collections::{BTreeMap, HashMap};

/// Accounts by id, and ids by canonical (lowercase) username.
#[derive(Default)]
pub(super) struct Accounts {
    /// Each user with its password hash.
    by_id: HashMap<UserId, (User, String)>,
    /// Canonical usernames, sorted for prefix search.
    by_name: BTreeMap<String, UserId>,
}

impl Accounts {
    /// The user, mutable, or `NotFound`.
    fn user_mut(&mut self, id: UserId) -> Result<&mut User, StoreError> {
        self.by_id
            .get_mut(&id)
            .map(|(user, _)| user)
            .ok_or_else(|| missing("user"))
    }
}

#[async_trait]
impl UserStore for InMemoryStore {
    async fn create(&self, user: User, password_hash: String) -> Result<(), StoreError> {
        let mut t = self.tables();
        let canonical = user.username.to_ascii_lowercase();
        if t.accounts.by_name.contains_key(&canonical) || t.accounts.by_id.contains_key(&user.id) {
            return Err(taken("users.username_canonical"));
        }
        t.accounts.by_name.insert(canonical, user.id);
        t.accounts.by_id.insert(user.id, (user, password_hash));
        Ok(())
    }

    async fn find(&self, id: UserId) -> Result<Option<User>, StoreError> {
        Ok(self
            .tables()
            .accounts
            .by_id
            .get(&id)
            .map(|(u, _)| u.clone()))
    }

    async fn find_many(&self, ids: Vec<UserId>) -> Result<Vec<User>, StoreError> {
        let t = self.tables();
        Ok(ids
            .iter()
            .filter_map(|id| t.accounts.by_id.get(id).map(|(u, _)| u.clone()))
            .collect())
    }

    async fn find_credentials(
        &self,
        canonical_username: String,
    ) -> Result<Option<Credentials>, StoreError> {
        let t = self.tables();
        Ok(t.accounts
            .by_name
            .get(&canonical_username)
            .and_then(|id| t.accounts.by_id.get(id))
            .map(|(user, hash)| Credentials {
                user: user.clone(),
                password_hash: hash.clone(),
            }))
    }

    async fn update_profile(&self, id: UserId, change: ProfileChange) -> Result<User, StoreError> {
        let mut t = self.tables();
        let user = t.accounts.user_mut(id)?;
        if let Some(name) = change.display_name {
            user.display_name = name;
        }
        if let Some(avatar) = change.avatar_url {
            user.avatar_url = avatar;
        }
        Ok(user.clone())
    }

    async fn set_role(&self, id: UserId, role: Role) -> Result<(), StoreError> {
        self.tables().accounts.user_mut(id)?.role = role;
        Ok(())
    }

    async fn set_banned(&self, id: UserId, at: Option<Timestamp>) -> Result<(), StoreError> {
        self.tables().accounts.user_mut(id)?.banned = at.is_some();
        Ok(())
    }

    async fn search(&self, canonical_prefix: String, limit: u32) -> Result<Vec<User>, StoreError> {
        let t = self.tables();
        let found = t
            .accounts
            .by_name
            .range(canonical_prefix.clone()..)
            .take_while(|(name, _)| name.starts_with(&canonical_prefix))
            .filter_map(|(_, id)| t.accounts.by_id.get(id).map(|(u, _)| u.clone()));
        Ok(up_to(found, limit))
    }
}
