//! `CallStore` on SQL.

use crate::database::SqlDatabase;
use crate::entity::{call, call_participant};
use crate::error::StoreResult;
use async_trait::async_trait;
use chatchit_domain::StoreError;
use chatchit_domain::call::{Call, CallId, CallKind, CallState, EndReason};
use chatchit_domain::ids::{ConversationId, UserId};
use chatchit_domain::ports::CallStore;
use chatchit_domain::time::Timestamp;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};

/// Calls and participants.
pub struct SqlCallStore {
    /// The pool.
    db: SqlDatabase,
}

impl SqlCallStore {
    /// A store over `db`.
    pub fn new(db: SqlDatabase) -> Self {
        Self { db }
    }

    async fn with_participants<C: ConnectionTrait>(
        conn: &C,
        row: call::Model,
    ) -> Result<Call, StoreError> {
        let participants = call_participant::Entity::find()
            .filter(call_participant::Column::CallId.eq(row.id))
            .order_by_asc(call_participant::Column::Position)
            .all(conn)
            .await
            .store()?
            .into_iter()
            .map(|p| UserId(p.user_id))
            .collect();
        let corrupt = |what: &str| StoreError::Internal(format!("call {}: bad {what}", row.id));
        Ok(Call {
            id: CallId(row.id),
            conversation_id: ConversationId(row.conversation_id),
            kind: CallKind::from_name(&row.kind).ok_or_else(|| corrupt("kind"))?,
            initiator_id: UserId(row.initiator_id),
            participants,
            state: CallState::from_name(&row.state).ok_or_else(|| corrupt("state"))?,
            started_at: Timestamp::from_millis(row.started_at),
            answered_at: row.answered_at.map(Timestamp::from_millis),
            ended_at: row.ended_at.map(Timestamp::from_millis),
            end_reason: row.end_reason.as_deref().and_then(EndReason::from_name),
        })
    }
}

#[async_trait]
impl CallStore for SqlCallStore {
    async fn create(&self, c: Call) -> Result<(), StoreError> {
        let row = call::ActiveModel {
            id: Set(c.id.0),
            conversation_id: Set(c.conversation_id.0),
            kind: Set(c.kind.as_str().to_owned()),
            initiator_id: Set(c.initiator_id.0),
            state: Set(c.state.as_str().to_owned()),
            started_at: Set(c.started_at.millis()),
            answered_at: Set(c.answered_at.map(Timestamp::millis)),
            ended_at: Set(c.ended_at.map(Timestamp::millis)),
            end_reason: Set(c.end_reason.map(|r| r.as_str().to_owned())),
        };
        let live = c.state != CallState::Ended;
        let participants =
            c.participants
                .iter()
                .enumerate()
                .map(|(i, u)| call_participant::ActiveModel {
                    call_id: Set(c.id.0),
                    user_id: Set(u.0),
                    position: Set(i32::try_from(i).unwrap_or(i32::MAX)),
                    live: Set(live),
                });
        let _turn = self.db.write_turn().await;
        let txn = self.db.connection().begin().await.store()?;
        call::Entity::insert(row).exec(&txn).await.store()?;
        call_participant::Entity::insert_many(participants)
            .exec(&txn)
            .await
            .store()?;
        txn.commit().await.store()
    }

    async fn find(&self, id: CallId) -> Result<Option<Call>, StoreError> {
        match call::Entity::find_by_id(id.0)
            .one(self.db.connection())
            .await
            .store()?
        {
            Some(row) => Ok(Some(
                Self::with_participants(self.db.connection(), row).await?,
            )),
            None => Ok(None),
        }
    }

    async fn transition(&self, c: Call, expected: CallState) -> Result<bool, StoreError> {
        let _turn = self.db.write_turn().await;
        let txn = self.db.connection().begin().await.store()?;
        let done = call::Entity::update_many()
            .col_expr(call::Column::State, Expr::value(c.state.as_str()))
            .col_expr(
                call::Column::AnsweredAt,
                Expr::value(c.answered_at.map(Timestamp::millis)),
            )
            .col_expr(
                call::Column::EndedAt,
                Expr::value(c.ended_at.map(Timestamp::millis)),
            )
            .col_expr(
                call::Column::EndReason,
                Expr::value(c.end_reason.map(|r| r.as_str())),
            )
            .filter(call::Column::Id.eq(c.id.0))
            .filter(call::Column::State.eq(expected.as_str()))
            .exec(&txn)
            .await
            .store()?;
        if done.rows_affected != 1 {
            txn.rollback().await.store()?;
            return Ok(false);
        }
        call_participant::Entity::update_many()
            .col_expr(
                call_participant::Column::Live,
                Expr::value(c.state != CallState::Ended),
            )
            .filter(call_participant::Column::CallId.eq(c.id.0))
            .exec(&txn)
            .await
            .store()?;
        txn.commit().await.store()?;
        Ok(true)
    }

    async fn live_for(&self, user: UserId) -> Result<Option<Call>, StoreError> {
        let live = call_participant::Entity::find()
            .filter(call_participant::Column::UserId.eq(user.0))
            .filter(call_participant::Column::Live.eq(true))
            .one(self.db.connection())
            .await
            .store()?;
        match live {
            Some(p) => self.find(CallId(p.call_id)).await,
            None => Ok(None),
        }
    }

    async fn history(&self, user: UserId, limit: u32) -> Result<Vec<Call>, StoreError> {
        let mine = Query::select()
            .column(call_participant::Column::CallId)
            .from(call_participant::Entity)
            .and_where(call_participant::Column::UserId.eq(user.0))
            .to_owned();
        let rows = call::Entity::find()
            .filter(call::Column::Id.in_subquery(mine))
            .order_by_desc(call::Column::StartedAt)
            .order_by_desc(call::Column::Id)
            .limit(u64::from(limit))
            .all(self.db.connection())
            .await
            .store()?;
        let mut calls = Vec::with_capacity(rows.len());
        for row in rows {
            calls.push(Self::with_participants(self.db.connection(), row).await?);
        }
        Ok(calls)
    }
}
