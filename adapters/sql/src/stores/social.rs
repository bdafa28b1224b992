//! `SocialStore` on SQL. A friendship is two rows (one per direction) so
//! "friends of X" is one indexed lookup.

use crate::database::SqlDatabase;
use crate::entity::{block, friend_request, friendship};
use crate::error::StoreResult;
use async_trait::async_trait;
use chatchit_domain::StoreError;
use chatchit_domain::ids::UserId;
use chatchit_domain::ports::SocialStore;
use chatchit_domain::social::{FriendRequest, FriendRequestId, Relation};
use chatchit_domain::time::Timestamp;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, TransactionTrait,
};

/// Friend requests, friendships and blocks.
pub struct SqlSocialStore {
    /// The pool.
    db: SqlDatabase,
}

impl SqlSocialStore {
    /// A store over `db`.
    pub fn new(db: SqlDatabase) -> Self {
        Self { db }
    }
}

fn to_request(r: friend_request::Model) -> FriendRequest {
    FriendRequest {
        id: FriendRequestId(r.id),
        from: UserId(r.from_id),
        to: UserId(r.to_id),
        created_at: Timestamp::from_millis(r.created_at),
    }
}

/// Rows of the pair in either direction.
fn pair(a_col: impl ColumnTrait, b_col: impl ColumnTrait, a: UserId, b: UserId) -> Condition {
    Condition::any()
        .add(Condition::all().add(a_col.eq(a.0)).add(b_col.eq(b.0)))
        .add(Condition::all().add(a_col.eq(b.0)).add(b_col.eq(a.0)))
}

async fn unfriend<C: ConnectionTrait>(conn: &C, a: UserId, b: UserId) -> Result<u64, StoreError> {
    let done = friendship::Entity::delete_many()
        .filter(pair(
            friendship::Column::UserId,
            friendship::Column::FriendId,
            a,
            b,
        ))
        .exec(conn)
        .await
        .store()?;
    Ok(done.rows_affected)
}

#[async_trait]
impl SocialStore for SqlSocialStore {
    async fn create_request(&self, r: FriendRequest) -> Result<(), StoreError> {
        let row = friend_request::ActiveModel {
            id: Set(r.id.0),
            from_id: Set(r.from.0),
            to_id: Set(r.to.0),
            created_at: Set(r.created_at.millis()),
        };
        let _turn = self.db.write_turn().await;
        friend_request::Entity::insert(row)
            .exec(self.db.connection())
            .await
            .store()?;
        Ok(())
    }

    async fn find_request(&self, id: FriendRequestId) -> Result<Option<FriendRequest>, StoreError> {
        let row = friend_request::Entity::find_by_id(id.0)
            .one(self.db.connection())
            .await
            .store()?;
        Ok(row.map(to_request))
    }

    async fn request_between(
        &self,
        from: UserId,
        to: UserId,
    ) -> Result<Option<FriendRequest>, StoreError> {
        let row = friend_request::Entity::find()
            .filter(friend_request::Column::FromId.eq(from.0))
            .filter(friend_request::Column::ToId.eq(to.0))
            .one(self.db.connection())
            .await
            .store()?;
        Ok(row.map(to_request))
    }

    async fn requests_of(
        &self,
        user: UserId,
    ) -> Result<(Vec<FriendRequest>, Vec<FriendRequest>), StoreError> {
        let rows = friend_request::Entity::find()
            .filter(
                Condition::any()
                    .add(friend_request::Column::ToId.eq(user.0))
                    .add(friend_request::Column::FromId.eq(user.0)),
            )
            .order_by_desc(friend_request::Column::CreatedAt)
            .all(self.db.connection())
            .await
            .store()?;
        Ok(rows.into_iter().map(to_request).partition(|r| r.to == user))
    }

    async fn delete_request(&self, id: FriendRequestId) -> Result<bool, StoreError> {
        let _turn = self.db.write_turn().await;
        let done = friend_request::Entity::delete_by_id(id.0)
            .exec(self.db.connection())
            .await
            .store()?;
        Ok(done.rows_affected > 0)
    }

    async fn accept_request(&self, id: FriendRequestId, at: Timestamp) -> Result<bool, StoreError> {
        let _turn = self.db.write_turn().await;
        let txn = self.db.connection().begin().await.store()?;
        let Some(request) = friend_request::Entity::find_by_id(id.0)
            .one(&txn)
            .await
            .store()?
        else {
            txn.rollback().await.store()?;
            return Ok(false);
        };
        friend_request::Entity::delete_many()
            .filter(pair(
                friend_request::Column::FromId,
                friend_request::Column::ToId,
                UserId(request.from_id),
                UserId(request.to_id),
            ))
            .exec(&txn)
            .await
            .store()?;
        let row = |user_id, friend_id| friendship::ActiveModel {
            user_id: Set(user_id),
            friend_id: Set(friend_id),
            since: Set(at.millis()),
        };
        friendship::Entity::insert_many([
            row(request.from_id, request.to_id),
            row(request.to_id, request.from_id),
        ])
        .on_conflict_do_nothing_on([friendship::Column::UserId, friendship::Column::FriendId])
        .exec(&txn)
        .await
        .store()?;
        txn.commit().await.store()?;
        Ok(true)
    }

    async fn remove_friendship(&self, a: UserId, b: UserId) -> Result<bool, StoreError> {
        let _turn = self.db.write_turn().await;
        Ok(unfriend(self.db.connection(), a, b).await? > 0)
    }

    async fn friends_of(&self, user: UserId) -> Result<Vec<Relation>, StoreError> {
        let rows = friendship::Entity::find()
            .filter(friendship::Column::UserId.eq(user.0))
            .order_by_asc(friendship::Column::Since)
            .all(self.db.connection())
            .await
            .store()?;
        Ok(rows
            .into_iter()
            .map(|r| Relation {
                user_id: UserId(r.friend_id),
                since: Timestamp::from_millis(r.since),
            })
            .collect())
    }

    async fn are_friends(&self, a: UserId, b: UserId) -> Result<bool, StoreError> {
        let found = friendship::Entity::find_by_id((a.0, b.0))
            .one(self.db.connection())
            .await
            .store()?;
        Ok(found.is_some())
    }

    async fn block(
        &self,
        blocker: UserId,
        blocked: UserId,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let _turn = self.db.write_turn().await;
        let txn = self.db.connection().begin().await.store()?;
        unfriend(&txn, blocker, blocked).await?;
        friend_request::Entity::delete_many()
            .filter(pair(
                friend_request::Column::FromId,
                friend_request::Column::ToId,
                blocker,
                blocked,
            ))
            .exec(&txn)
            .await
            .store()?;
        let row = block::ActiveModel {
            blocker_id: Set(blocker.0),
            blocked_id: Set(blocked.0),
            created_at: Set(at.millis()),
        };
        block::Entity::insert(row)
            .on_conflict_do_nothing_on([block::Column::BlockerId, block::Column::BlockedId])
            .exec(&txn)
            .await
            .store()?;
        txn.commit().await.store()
    }

    async fn unblock(&self, blocker: UserId, blocked: UserId) -> Result<bool, StoreError> {
        let _turn = self.db.write_turn().await;
        let done = block::Entity::delete_by_id((blocker.0, blocked.0))
            .exec(self.db.connection())
            .await
            .store()?;
        Ok(done.rows_affected > 0)
    }

    async fn blocks_of(&self, blocker: UserId) -> Result<Vec<Relation>, StoreError> {
        let rows = block::Entity::find()
            .filter(block::Column::BlockerId.eq(blocker.0))
            .order_by_asc(block::Column::CreatedAt)
            .all(self.db.connection())
            .await
            .store()?;
        Ok(rows
            .into_iter()
            .map(|r| Relation {
                user_id: UserId(r.blocked_id),
                since: Timestamp::from_millis(r.created_at),
            })
            .collect())
    }

    async fn blocked_either_way(&self, a: UserId, b: UserId) -> Result<bool, StoreError> {
        let n = block::Entity::find()
            .filter(pair(
                block::Column::BlockerId,
                block::Column::BlockedId,
                a,
                b,
            ))
            .count(self.db.connection())
            .await
            .store()?;
        Ok(n > 0)
    }
}
