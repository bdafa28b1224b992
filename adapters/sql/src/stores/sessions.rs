//! `SessionStore` on SQL.

use crate::database::SqlDatabase;
use crate::entity::{refresh_token, session};
use crate::error::StoreResult;
use async_trait::async_trait;
use chatchit_domain::StoreError;
use chatchit_domain::auth::{RefreshTokenRecord, Session};
use chatchit_domain::ids::{SessionId, UserId};
use chatchit_domain::ports::SessionStore;
use chatchit_domain::time::Timestamp;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};

/// Sessions and refresh-token hashes.
pub struct SqlSessionStore {
    /// The pool.
    db: SqlDatabase,
}

impl SqlSessionStore {
    /// A store over `db`.
    pub fn new(db: SqlDatabase) -> Self {
        Self { db }
    }
}

fn token_row(t: RefreshTokenRecord) -> refresh_token::ActiveModel {
    refresh_token::ActiveModel {
        token_hash: Set(t.token_hash),
        session_id: Set(t.session_id.0),
        expires_at: Set(t.expires_at.millis()),
        used_at: Set(t.used_at.map(Timestamp::millis)),
    }
}

#[async_trait]
impl SessionStore for SqlSessionStore {
    async fn create(&self, s: Session, token: RefreshTokenRecord) -> Result<(), StoreError> {
        let _turn = self.db.write_turn().await;
        let txn = self.db.connection().begin().await.store()?;
        let row = session::ActiveModel {
            id: Set(s.id.0),
            user_id: Set(s.user_id.0),
            created_at: Set(s.created_at.millis()),
            revoked_at: Set(s.revoked_at.map(Timestamp::millis)),
        };
        session::Entity::insert(row).exec(&txn).await.store()?;
        refresh_token::Entity::insert(token_row(token))
            .exec(&txn)
            .await
            .store()?;
        txn.commit().await.store()
    }

    async fn open(&self, s: Session) -> Result<(), StoreError> {
        let _turn = self.db.write_turn().await;
        let row = session::ActiveModel {
            id: Set(s.id.0),
            user_id: Set(s.user_id.0),
            created_at: Set(s.created_at.millis()),
            revoked_at: Set(s.revoked_at.map(Timestamp::millis)),
        };
        session::Entity::insert(row)
            .on_conflict_do_nothing_on([session::Column::Id])
            .exec(self.db.connection())
            .await
            .store()?;
        Ok(())
    }

    async fn find(&self, id: SessionId) -> Result<Option<Session>, StoreError> {
        let row = session::Entity::find_by_id(id.0)
            .one(self.db.connection())
            .await
            .store()?;
        Ok(row.map(session_of))
    }

    async fn find_token(
        &self,
        token_hash: String,
    ) -> Result<Option<RefreshTokenRecord>, StoreError> {
        let row = refresh_token::Entity::find_by_id(token_hash)
            .one(self.db.connection())
            .await
            .store()?;
        Ok(row.map(|r| RefreshTokenRecord {
            token_hash: r.token_hash,
            session_id: SessionId(r.session_id),
            expires_at: Timestamp::from_millis(r.expires_at),
            used_at: r.used_at.map(Timestamp::from_millis),
        }))
    }

    async fn rotate(
        &self,
        old_hash: String,
        at: Timestamp,
        next: RefreshTokenRecord,
    ) -> Result<bool, StoreError> {
        let _turn = self.db.write_turn().await;
        let txn = self.db.connection().begin().await.store()?;
        let spent = refresh_token::Entity::update_many()
            .col_expr(refresh_token::Column::UsedAt, Expr::value(at.millis()))
            .filter(refresh_token::Column::TokenHash.eq(old_hash))
            .filter(refresh_token::Column::UsedAt.is_null())
            .exec(&txn)
            .await
            .store()?;
        if spent.rows_affected != 1 {
            txn.rollback().await.store()?;
            return Ok(false);
        }
        refresh_token::Entity::insert(token_row(next))
            .exec(&txn)
            .await
            .store()?;
        txn.commit().await.store()?;
        Ok(true)
    }

    async fn revoke(&self, id: SessionId, at: Timestamp) -> Result<(), StoreError> {
        let _turn = self.db.write_turn().await;
        session::Entity::update_many()
            .col_expr(session::Column::RevokedAt, Expr::value(at.millis()))
            .filter(session::Column::Id.eq(id.0))
            .filter(session::Column::RevokedAt.is_null())
            .exec(self.db.connection())
            .await
            .store()?;
        Ok(())
    }

    async fn revoke_user(&self, user: UserId, at: Timestamp) -> Result<(), StoreError> {
        let _turn = self.db.write_turn().await;
        session::Entity::update_many()
            .col_expr(session::Column::RevokedAt, Expr::value(at.millis()))
            .filter(session::Column::UserId.eq(user.0))
            .filter(session::Column::RevokedAt.is_null())
            .exec(self.db.connection())
            .await
            .store()?;
        Ok(())
    }

    async fn revoked_since(
        &self,
        after: Timestamp,
        limit: u64,
    ) -> Result<Vec<Session>, StoreError> {
        let rows = session::Entity::find()
            .filter(session::Column::RevokedAt.gt(after.millis()))
            .order_by_desc(session::Column::RevokedAt)
            .limit(limit)
            .all(self.db.connection())
            .await
            .store()?;
        Ok(rows.into_iter().map(session_of).collect())
    }
}

fn session_of(r: session::Model) -> Session {
    Session {
        id: SessionId(r.id),
        user_id: UserId(r.user_id),
        created_at: Timestamp::from_millis(r.created_at),
        revoked_at: r.revoked_at.map(Timestamp::from_millis),
    }
}
