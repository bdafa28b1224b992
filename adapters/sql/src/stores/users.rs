//! `UserStore` on SQL.

use crate::convert::to_user;
use crate::database::SqlDatabase;
use crate::entity::user;
use crate::error::StoreResult;
use async_trait::async_trait;
use chatchit_domain::StoreError;
use chatchit_domain::ids::UserId;
use chatchit_domain::ports::UserStore;
use chatchit_domain::time::Timestamp;
use chatchit_domain::user::{Credentials, ProfileChange, User};
use sea_orm::sea_query::{Expr, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

/// Accounts in the `users` table.
pub struct SqlUserStore {
    /// The pool.
    db: SqlDatabase,
}

impl SqlUserStore {
    /// A store over `db`.
    pub fn new(db: SqlDatabase) -> Self {
        Self { db }
    }

    async fn set(
        &self,
        id: UserId,
        column: user::Column,
        value: sea_orm::Value,
    ) -> Result<(), StoreError> {
        let _turn = self.db.write_turn().await;
        let done = user::Entity::update_many()
            .col_expr(column, Expr::value(value))
            .filter(user::Column::Id.eq(id.0))
            .exec(self.db.connection())
            .await
            .store()?;
        if done.rows_affected == 0 {
            return Err(StoreError::NotFound("user".into()));
        }
        Ok(())
    }
}

#[async_trait]
impl UserStore for SqlUserStore {
    async fn create(&self, u: User, password_hash: String) -> Result<(), StoreError> {
        let row = user::ActiveModel {
            id: Set(u.id.0),
            username_canonical: Set(u.username.to_ascii_lowercase()),
            username: Set(u.username),
            display_name: Set(u.display_name),
            avatar_url: Set(u.avatar_url),
            role: Set(u.role.as_str().to_owned()),
            password_hash: Set(password_hash),
            created_at: Set(u.created_at.millis()),
            banned_at: Set(None),
        };
        let _turn = self.db.write_turn().await;
        user::Entity::insert(row)
            .exec(self.db.connection())
            .await
            .store()?;
        Ok(())
    }

    async fn find(&self, id: UserId) -> Result<Option<User>, StoreError> {
        let row = user::Entity::find_by_id(id.0)
            .one(self.db.connection())
            .await
            .store()?;
        Ok(row.map(to_user))
    }

    async fn find_many(&self, ids: Vec<UserId>) -> Result<Vec<User>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = user::Entity::find()
            .filter(user::Column::Id.is_in(ids.into_iter().map(|i| i.0)))
            .all(self.db.connection())
            .await
            .store()?;
        Ok(rows.into_iter().map(to_user).collect())
    }

    async fn find_credentials(
        &self,
        canonical_username: String,
    ) -> Result<Option<Credentials>, StoreError> {
        let row = user::Entity::find()
            .filter(user::Column::UsernameCanonical.eq(canonical_username))
            .one(self.db.connection())
            .await
            .store()?;
        Ok(row.map(|r| {
            let password_hash = r.password_hash.clone();
            Credentials {
                user: to_user(r),
                password_hash,
            }
        }))
    }

    async fn update_profile(&self, id: UserId, change: ProfileChange) -> Result<User, StoreError> {
        let mut row = user::ActiveModel {
            id: Set(id.0),
            ..Default::default()
        };
        if let Some(name) = change.display_name {
            row.display_name = Set(name);
        }
        if let Some(avatar) = change.avatar_url {
            row.avatar_url = Set(avatar);
        }
        if row.is_changed() {
            let _turn = self.db.write_turn().await;
            row.update(self.db.connection()).await.store()?;
        }
        self.find(id)
            .await?
            .ok_or_else(|| StoreError::NotFound("user".into()))
    }

    async fn set_role(
        &self,
        id: UserId,
        role: chatchit_domain::user::Role,
    ) -> Result<(), StoreError> {
        self.set(id, user::Column::Role, role.as_str().into()).await
    }

    async fn set_banned(&self, id: UserId, at: Option<Timestamp>) -> Result<(), StoreError> {
        self.set(id, user::Column::BannedAt, at.map(Timestamp::millis).into())
            .await
    }

    async fn search(&self, canonical_prefix: String, limit: u32) -> Result<Vec<User>, StoreError> {
        let rows = user::Entity::find()
            .filter(user::Column::UsernameCanonical.like(prefix_pattern(&canonical_prefix)))
            .order_by_asc(user::Column::UsernameCanonical)
            .limit(u64::from(limit))
            .all(self.db.connection())
            .await
            .store()?;
        Ok(rows.into_iter().map(to_user).collect())
    }
}

/// `LIKE` pattern for names starting with `prefix`, taken literally: its `%`,
/// `_` and backslash are escaped, so a search for `a_` does not match `ab`.
fn prefix_pattern(prefix: &str) -> LikeExpr {
    let mut pattern = String::with_capacity(prefix.len() + 1);
    for c in prefix.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    LikeExpr::new(pattern).escape('\\')
}
