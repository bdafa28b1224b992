//! `ConversationStore` on SQL.

use crate::convert::{to_conversation, to_member};
use crate::database::SqlDatabase;
use crate::entity::{conversation, member};
use crate::error::StoreResult;
use async_trait::async_trait;
use chatchit_domain::StoreError;
use chatchit_domain::conversation::{Conversation, ConversationEntry, Member, MemberRole};
use chatchit_domain::ids::{ConversationId, MessageId, UserId};
use chatchit_domain::ports::{ConversationCursor, ConversationStore};
use chatchit_domain::time::Timestamp;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

/// Conversations and memberships.
pub struct SqlConversationStore {
    /// The pool.
    db: SqlDatabase,
}

impl SqlConversationStore {
    /// A store over `db`.
    pub fn new(db: SqlDatabase) -> Self {
        Self { db }
    }

    async fn insert_members<C: ConnectionTrait>(
        conn: &C,
        id: ConversationId,
        members: Vec<Member>,
    ) -> Result<(), StoreError> {
        if members.is_empty() {
            return Ok(());
        }
        let rows = members.into_iter().map(|m| member::ActiveModel {
            conversation_id: Set(id.0),
            user_id: Set(m.user_id.0),
            role: Set(m.role.as_str().to_owned()),
            joined_at: Set(m.joined_at.millis()),
            last_read_seq: Set(m.last_read_seq),
            last_read_message_id: Set(m.last_read_message_id.map(|i| i.0)),
        });
        member::Entity::insert_many(rows)
            .on_conflict_do_nothing_on([member::Column::ConversationId, member::Column::UserId])
            .exec(conn)
            .await
            .store()?;
        Ok(())
    }

    async fn insert_conversation(
        &self,
        c: Conversation,
        direct_key: Option<String>,
        members: Vec<Member>,
    ) -> Result<(), StoreError> {
        let row = conversation::ActiveModel {
            id: Set(c.id.0),
            kind: Set(c.kind.as_str().to_owned()),
            title: Set(c.title),
            avatar_url: Set(c.avatar_url),
            direct_key: Set(direct_key),
            last_seq: Set(0),
            last_activity_at: Set(c.created_at.millis()),
            created_at: Set(c.created_at.millis()),
        };
        let _turn = self.db.write_turn().await;
        let txn = self.db.connection().begin().await.store()?;
        conversation::Entity::insert(row).exec(&txn).await.store()?;
        Self::insert_members(&txn, c.id, members).await?;
        txn.commit().await.store()
    }

    async fn find_direct(&self, key: &str) -> Result<Option<Conversation>, StoreError> {
        let row = conversation::Entity::find()
            .filter(conversation::Column::DirectKey.eq(key))
            .one(self.db.connection())
            .await
            .store()?;
        Ok(row.map(to_conversation))
    }
}

#[async_trait]
impl ConversationStore for SqlConversationStore {
    async fn create_group(&self, c: Conversation, members: Vec<Member>) -> Result<(), StoreError> {
        self.insert_conversation(c, None, members).await
    }

    async fn get_or_create_direct(
        &self,
        key: String,
        c: Conversation,
        members: Vec<Member>,
    ) -> Result<(Conversation, bool), StoreError> {
        if let Some(existing) = self.find_direct(&key).await? {
            return Ok((existing, false));
        }
        match self
            .insert_conversation(c.clone(), Some(key.clone()), members)
            .await
        {
            Ok(()) => Ok((c, true)),
            Err(StoreError::Conflict(_)) => self
                .find_direct(&key)
                .await?
                .map(|existing| (existing, false))
                .ok_or_else(|| StoreError::Internal("direct conversation vanished".into())),
            Err(e) => Err(e),
        }
    }

    async fn find(&self, id: ConversationId) -> Result<Option<Conversation>, StoreError> {
        let row = conversation::Entity::find_by_id(id.0)
            .one(self.db.connection())
            .await
            .store()?;
        Ok(row.map(to_conversation))
    }

    async fn update(
        &self,
        id: ConversationId,
        title: Option<String>,
        avatar_url: Option<Option<String>>,
    ) -> Result<Conversation, StoreError> {
        let mut row = conversation::ActiveModel {
            id: Set(id.0),
            ..Default::default()
        };
        if let Some(title) = title {
            row.title = Set(Some(title));
        }
        if let Some(avatar) = avatar_url {
            row.avatar_url = Set(avatar);
        }
        if row.is_changed() {
            let _turn = self.db.write_turn().await;
            row.update(self.db.connection()).await.store()?;
        }
        self.find(id)
            .await?
            .ok_or_else(|| StoreError::NotFound("conversation".into()))
    }

    async fn members(&self, id: ConversationId) -> Result<Vec<Member>, StoreError> {
        let rows = member::Entity::find()
            .filter(member::Column::ConversationId.eq(id.0))
            .order_by_asc(member::Column::JoinedAt)
            .order_by_asc(member::Column::UserId)
            .all(self.db.connection())
            .await
            .store()?;
        Ok(rows.into_iter().map(to_member).collect())
    }

    async fn member(&self, id: ConversationId, user: UserId) -> Result<Option<Member>, StoreError> {
        let row = member::Entity::find_by_id((id.0, user.0))
            .one(self.db.connection())
            .await
            .store()?;
        Ok(row.map(to_member))
    }

    async fn add_members(
        &self,
        id: ConversationId,
        members: Vec<Member>,
    ) -> Result<(), StoreError> {
        let _turn = self.db.write_turn().await;
        Self::insert_members(self.db.connection(), id, members).await
    }

    async fn remove_member(
        &self,
        id: ConversationId,
        user: UserId,
        promote: Option<(UserId, MemberRole)>,
    ) -> Result<(), StoreError> {
        let _turn = self.db.write_turn().await;
        let txn = self.db.connection().begin().await.store()?;
        member::Entity::delete_by_id((id.0, user.0))
            .exec(&txn)
            .await
            .store()?;
        if let Some((heir, role)) = promote {
            member::Entity::update_many()
                .col_expr(member::Column::Role, Expr::value(role.as_str()))
                .filter(member::Column::ConversationId.eq(id.0))
                .filter(member::Column::UserId.eq(heir.0))
                .exec(&txn)
                .await
                .store()?;
        }
        txn.commit().await.store()
    }

    async fn set_role(
        &self,
        id: ConversationId,
        user: UserId,
        role: MemberRole,
    ) -> Result<(), StoreError> {
        let _turn = self.db.write_turn().await;
        let done = member::Entity::update_many()
            .col_expr(member::Column::Role, Expr::value(role.as_str()))
            .filter(member::Column::ConversationId.eq(id.0))
            .filter(member::Column::UserId.eq(user.0))
            .exec(self.db.connection())
            .await
            .store()?;
        if done.rows_affected == 0 {
            return Err(StoreError::NotFound("member".into()));
        }
        Ok(())
    }

    async fn mark_read(
        &self,
        id: ConversationId,
        user: UserId,
        seq: i64,
        message_id: MessageId,
    ) -> Result<(), StoreError> {
        let _turn = self.db.write_turn().await;
        member::Entity::update_many()
            .col_expr(member::Column::LastReadSeq, Expr::value(seq))
            .col_expr(member::Column::LastReadMessageId, Expr::value(message_id.0))
            .filter(member::Column::ConversationId.eq(id.0))
            .filter(member::Column::UserId.eq(user.0))
            .filter(member::Column::LastReadSeq.lt(seq))
            .exec(self.db.connection())
            .await
            .store()?;
        Ok(())
    }

    async fn list_for_user(
        &self,
        user: UserId,
        cursor: Option<ConversationCursor>,
        limit: u32,
    ) -> Result<Vec<ConversationEntry>, StoreError> {
        let mine = Query::select()
            .column(member::Column::ConversationId)
            .from(member::Entity)
            .and_where(member::Column::UserId.eq(user.0))
            .to_owned();
        let mut query =
            conversation::Entity::find().filter(conversation::Column::Id.in_subquery(mine));
        if let Some(c) = cursor {
            let at = c.last_activity_at.millis();
            query = query.filter(
                Condition::any()
                    .add(conversation::Column::LastActivityAt.lt(at))
                    .add(
                        Condition::all()
                            .add(conversation::Column::LastActivityAt.eq(at))
                            .add(conversation::Column::Id.lt(c.id.0)),
                    ),
            );
        }
        let rows = query
            .order_by_desc(conversation::Column::LastActivityAt)
            .order_by_desc(conversation::Column::Id)
            .limit(u64::from(limit))
            .all(self.db.connection())
            .await
            .store()?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let last_activity_at = Timestamp::from_millis(r.last_activity_at);
                ConversationEntry {
                    conversation: to_conversation(r),
                    last_activity_at,
                }
            })
            .collect())
    }

    async fn roles_for_user(
        &self,
        user: UserId,
    ) -> Result<Vec<(ConversationId, MemberRole)>, StoreError> {
        let rows = member::Entity::find()
            .filter(member::Column::UserId.eq(user.0))
            .all(self.db.connection())
            .await
            .store()?;
        Ok(rows
            .into_iter()
            .map(|r| {
                (
                    ConversationId(r.conversation_id),
                    MemberRole::from_name(&r.role),
                )
            })
            .collect())
    }
}
