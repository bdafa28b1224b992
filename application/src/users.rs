//! Profiles: read your own, change it, look others up.

use crate::context::Actor;
use crate::error::AppError;
use chatchit_domain::ids::UserId;
use chatchit_domain::ports::UserStore;
use chatchit_domain::user::{ProfileChange, User};
use chatchit_domain::values::{DisplayName, MediaUrl, PageLimit};
use std::sync::Arc;

/// `PATCH /me` body; an absent field is left alone, `avatarUrl: null` clears it.
#[derive(Debug, Clone, Default)]
pub struct UpdateProfileInput {
    /// New display name.
    pub display_name: Option<String>,
    /// New avatar URL, or `null` to remove it.
    pub avatar_url: Option<Option<String>>,
}

/// Profile use cases.
pub struct UserService {
    /// Accounts.
    users: Arc<dyn UserStore>,
}

impl UserService {
    /// Wires the service.
    pub fn new(users: Arc<dyn UserStore>) -> Self {
        Self { users }
    }

    /// The caller's own profile.
    ///
    /// # Errors
    /// `NotFound` if the account vanished.
    pub async fn me(&self, actor: &Actor) -> Result<User, AppError> {
        self.get(actor.user_id).await
    }

    /// Changes the caller's display name and/or avatar.
    ///
    /// # Errors
    /// `Validation` on a bad field.
    pub async fn update_me(
        &self,
        actor: &Actor,
        input: UpdateProfileInput,
    ) -> Result<User, AppError> {
        let display_name = input
            .display_name
            .as_deref()
            .map(DisplayName::parse)
            .transpose()?
            .map(DisplayName::into_inner);
        let avatar_url = match input.avatar_url {
            Some(Some(raw)) => Some(Some(
                MediaUrl::parse("avatarUrl", &raw)?.as_str().to_owned(),
            )),
            other => other,
        };
        let change = ProfileChange {
            display_name,
            avatar_url,
        };
        Ok(self.users.update_profile(actor.user_id, change).await?)
    }

    /// A user's public profile.
    ///
    /// # Errors
    /// `NotFound` for an unknown id.
    pub async fn get(&self, id: UserId) -> Result<User, AppError> {
        self.users
            .find(id)
            .await?
            .ok_or_else(|| AppError::NotFound("user not found".into()))
    }

    /// Users whose username starts with `query` (case-insensitive).
    ///
    /// # Errors
    /// `Validation` when the query is empty or the limit out of range.
    pub async fn search(&self, query: &str, limit: Option<i64>) -> Result<Vec<User>, AppError> {
        let query = query.trim();
        if query.is_empty() || query.chars().count() > 32 {
            return Err(AppError::validation("query", "must be 1 to 32 characters"));
        }
        let limit = PageLimit::parse(limit.or(Some(20)))?;
        Ok(self
            .users
            .search(query.to_ascii_lowercase(), limit.get())
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chatchit_domain::ports::users::MockUserStore;

    #[tokio::test]
    async fn search_lower_cases_the_prefix_and_defaults_the_limit() {
        let mut store = MockUserStore::new();
        store
            .expect_search()
            .withf(|prefix, limit| prefix == "ali" && *limit == 20)
            .times(1)
            .returning(|_, _| Ok(vec![]));
        let service = UserService::new(Arc::new(store));
        assert!(
            service
                .search("AlI", None)
                .await
                .expect("search")
                .is_empty()
        );
    }

    #[tokio::test]
    async fn bad_avatar_is_refused_before_the_store() {
        let service = UserService::new(Arc::new(MockUserStore::new()));
        let actor = Actor {
            user_id: UserId::generate(),
            session_id: chatchit_domain::ids::SessionId::generate(),
            role: chatchit_domain::user::Role::User,
        };
        let input = UpdateProfileInput {
            display_name: None,
            avatar_url: Some(Some("ftp://x".into())),
        };
        let err = service.update_me(&actor, input).await.expect_err("refused");
        assert_eq!(err.code(), "validation");
    }
}
