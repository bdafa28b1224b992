//! `MessageStore` on SQL: the gapless `seq` comes from a counter on the
//! conversation row bumped in the same transaction as the insert.
//!
//! Appends are group committed: a writer task takes every append waiting,
//! stores them in one transaction (a duplicate key or a missing conversation
//! fails only its own send) and answers each after the commit, so many sends
//! share one fsync. SQLite has one writer (it allows one at a time);
//! PostgreSQL has several, each owning the conversations that hash to it, so
//! a conversation's appends keep their order and writers never wait on each
//! other's conversation rows.

mod appends;

use self::appends::Queued;
use crate::convert::to_message;
use crate::database::SqlDatabase;
use crate::entity::{message, message_relay, reaction};
use crate::error::StoreResult;
use async_trait::async_trait;
use chatchit_domain::StoreError;
use chatchit_domain::ids::{ConversationId, MessageId, UserId};
use chatchit_domain::message::{AppendOutcome, Message, NewMessage, ReactionSet, Reactions};
use chatchit_domain::ports::MessageStore;
use chatchit_domain::time::Timestamp;
use chatchit_domain::values::MessageBody;
use sea_orm::prelude::Uuid;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};
use std::collections::{BTreeMap, BTreeSet};
use tokio::sync::{mpsc, oneshot};

/// Group-commit writers on PostgreSQL (each holds a pooled connection while
/// it writes a batch).
const POSTGRES_WRITERS: usize = 4;

/// Messages and reactions.
pub struct SqlMessageStore {
    /// The pool.
    db: SqlDatabase,
    /// The group-commit writers' inboxes.
    writers: Vec<mpsc::UnboundedSender<Queued>>,
}

impl SqlMessageStore {
    /// A store over `db`; starts its group-commit writers, which end when the
    /// store is dropped.
    pub fn new(db: SqlDatabase) -> Self {
        let count = match db.connection().get_database_backend() {
            DbBackend::Sqlite => 1,
            _ => POSTGRES_WRITERS,
        };
        let writers = (0..count)
            .map(|_| {
                let (tx, rx) = mpsc::unbounded_channel();
                match db.sqlite_file() {
                    Some(file) => appends::sqlite::spawn(file, db.write_lock(), rx),
                    None => {
                        tokio::spawn(appends::postgres::group_commit(db.clone(), rx));
                    }
                }
                tx
            })
            .collect();
        Self { db, writers }
    }

    /// Stores `m` with whatever else its writer has waiting; answers after
    /// the commit.
    async fn insert(&self, m: NewMessage) -> appends::Written {
        let stopped = || StoreError::Unavailable("the message writer stopped".into());
        let index = usize::from(m.conversation_id.0.as_bytes()[15]) % self.writers.len();
        let (answer, answered) = oneshot::channel();
        self.writers[index]
            .send(Queued { message: m, answer })
            .map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }

    async fn find_sent(
        &self,
        sender: UserId,
        client_msg_id: &str,
    ) -> Result<Option<Message>, StoreError> {
        let row = message::Entity::find()
            .filter(message::Column::SenderId.eq(sender.0))
            .filter(message::Column::ClientMsgId.eq(client_msg_id))
            .one(self.db.connection())
            .await
            .store()?;
        Ok(row.map(to_message))
    }
    async fn reaction_counts(&self, id: MessageId) -> Result<Reactions, StoreError> {
        let rows: Vec<(String, i64)> = reaction::Entity::find()
            .select_only()
            .column(reaction::Column::Emoji)
            .column_as(reaction::Column::UserId.count(), "n")
            .filter(reaction::Column::MessageId.eq(id.0))
            .group_by(reaction::Column::Emoji)
            .into_tuple()
            .all(self.db.connection())
            .await
            .store()?;
        Ok(rows
            .into_iter()
            .map(|(e, n)| (e, u64::try_from(n).unwrap_or(0)))
            .collect())
    }
}

/// An edit or reaction found the message deleted (or gone).
fn deleted_or_missing() -> StoreError {
    StoreError::Conflict("the message was deleted".into())
}

#[async_trait]
impl MessageStore for SqlMessageStore {
    async fn append(&self, m: NewMessage) -> Result<AppendOutcome, StoreError> {
        let duplicate = |message| AppendOutcome {
            message,
            duplicate: true,
        };
        let (sender, key) = (m.sender_id, m.client_msg_id.as_str().to_owned());
        match self.insert(m).await? {
            Some(message) => Ok(AppendOutcome {
                message,
                duplicate: false,
            }),
            // A retry: the key was used, by this send's first attempt.
            None => self
                .find_sent(sender, &key)
                .await?
                .map(duplicate)
                .ok_or_else(|| StoreError::Internal("message conflict without a winner".into())),
        }
    }

    async fn find(&self, id: MessageId) -> Result<Option<Message>, StoreError> {
        let row = message::Entity::find_by_id(id.0)
            .one(self.db.connection())
            .await
            .store()?;
        Ok(row.map(to_message))
    }

    async fn edit(
        &self,
        id: MessageId,
        body: MessageBody,
        at: Timestamp,
    ) -> Result<Message, StoreError> {
        {
            let _turn = self.db.write_turn().await;
            // Conditional on the message not being deleted, in the same
            // statement: an edit racing a delete never puts text back into
            // a tombstone.
            let edited = message::Entity::update_many()
                .col_expr(message::Column::Body, Expr::value(body.into_inner()))
                .col_expr(message::Column::EditedAt, Expr::value(at.millis()))
                .filter(message::Column::Id.eq(id.0))
                .filter(message::Column::DeletedAt.is_null())
                .exec(self.db.connection())
                .await
                .store()?;
            if edited.rows_affected == 0 {
                return Err(deleted_or_missing());
            }
        }
        self.find(id)
            .await?
            .ok_or_else(|| StoreError::NotFound("message".into()))
    }

    async fn tombstone(&self, id: MessageId, at: Timestamp) -> Result<Message, StoreError> {
        {
            let _turn = self.db.write_turn().await;
            let txn = self.db.connection().begin().await.store()?;
            message::Entity::update_many()
                .col_expr(message::Column::Body, Expr::value(""))
                .col_expr(message::Column::Attachments, Expr::value("[]"))
                .col_expr(message::Column::DeletedAt, Expr::value(at.millis()))
                .filter(message::Column::Id.eq(id.0))
                .exec(&txn)
                .await
                .store()?;
            reaction::Entity::delete_many()
                .filter(reaction::Column::MessageId.eq(id.0))
                .exec(&txn)
                .await
                .store()?;
            txn.commit().await.store()?;
        }
        self.find(id)
            .await?
            .ok_or_else(|| StoreError::NotFound("message".into()))
    }

    async fn react(
        &self,
        id: MessageId,
        user: UserId,
        emoji: String,
        on: bool,
        at: Timestamp,
    ) -> Result<Reactions, StoreError> {
        {
            let _turn = self.db.write_turn().await;
            if on {
                let txn = self.db.connection().begin().await.store()?;
                // Touching the message row locks it until the commit, so a
                // delete (which clears the reactions) cannot slip in between
                // this check and the insert and leave a reaction on a
                // tombstone.
                let live = message::Entity::update_many()
                    .col_expr(message::Column::Id, Expr::col(message::Column::Id))
                    .filter(message::Column::Id.eq(id.0))
                    .filter(message::Column::DeletedAt.is_null())
                    .exec(&txn)
                    .await
                    .store()?;
                if live.rows_affected == 0 {
                    txn.rollback().await.store()?;
                    return Err(deleted_or_missing());
                }
                let row = reaction::ActiveModel {
                    message_id: Set(id.0),
                    user_id: Set(user.0),
                    emoji: Set(emoji),
                    created_at: Set(at.millis()),
                };
                reaction::Entity::insert(row)
                    .on_conflict_do_nothing_on([
                        reaction::Column::MessageId,
                        reaction::Column::UserId,
                        reaction::Column::Emoji,
                    ])
                    .exec_without_returning(&txn)
                    .await
                    .store()?;
                txn.commit().await.store()?;
            } else {
                reaction::Entity::delete_by_id((id.0, user.0, emoji))
                    .exec(self.db.connection())
                    .await
                    .store()?;
            }
        }
        self.reaction_counts(id).await
    }

    async fn reactions(
        &self,
        ids: Vec<MessageId>,
        reader: UserId,
    ) -> Result<Vec<ReactionSet>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let raw: Vec<Uuid> = ids.iter().map(|id| id.0).collect();
        // Counts grouped in the database (a popular message may hold many
        // rows); the reader's own rows are few.
        let counted: Vec<(Uuid, String, i64)> = reaction::Entity::find()
            .select_only()
            .column(reaction::Column::MessageId)
            .column(reaction::Column::Emoji)
            .column_as(reaction::Column::UserId.count(), "n")
            .filter(reaction::Column::MessageId.is_in(raw.clone()))
            .group_by(reaction::Column::MessageId)
            .group_by(reaction::Column::Emoji)
            .into_tuple()
            .all(self.db.connection())
            .await
            .store()?;
        let own: Vec<(Uuid, String)> = reaction::Entity::find()
            .select_only()
            .column(reaction::Column::MessageId)
            .column(reaction::Column::Emoji)
            .filter(reaction::Column::MessageId.is_in(raw))
            .filter(reaction::Column::UserId.eq(reader.0))
            .into_tuple()
            .all(self.db.connection())
            .await
            .store()?;
        let mut sets: BTreeMap<Uuid, ReactionSet> = BTreeMap::new();
        for (message, emoji, n) in counted {
            sets.entry(message)
                .or_insert_with(|| ReactionSet {
                    message_id: MessageId(message),
                    counts: Reactions::new(),
                    mine: BTreeSet::new(),
                })
                .counts
                .insert(emoji, u64::try_from(n).unwrap_or(0));
        }
        for (message, emoji) in own {
            if let Some(set) = sets.get_mut(&message) {
                set.mine.insert(emoji);
            }
        }
        // In the order asked.
        Ok(ids
            .into_iter()
            .filter_map(|id| sets.remove(&id.0))
            .collect())
    }

    async fn page_before(
        &self,
        c: ConversationId,
        before_seq: Option<i64>,
        limit: u32,
    ) -> Result<Vec<Message>, StoreError> {
        let mut query = message::Entity::find().filter(message::Column::ConversationId.eq(c.0));
        if let Some(seq) = before_seq {
            query = query.filter(message::Column::Seq.lt(seq));
        }
        let rows = query
            .order_by_desc(message::Column::Seq)
            .limit(u64::from(limit))
            .all(self.db.connection())
            .await
            .store()?;
        Ok(rows.into_iter().map(to_message).collect())
    }

    async fn unrelayed(&self, before: Timestamp, limit: u32) -> Result<Vec<Message>, StoreError> {
        let ids: Vec<Uuid> = message_relay::Entity::find()
            .filter(message_relay::Column::CreatedAt.lt(before.millis()))
            .order_by_asc(message_relay::Column::CreatedAt)
            .limit(u64::from(limit))
            .all(self.db.connection())
            .await
            .store()?
            .into_iter()
            .map(|r| r.message_id)
            .collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = message::Entity::find()
            .filter(message::Column::Id.is_in(ids))
            .order_by_asc(message::Column::CreatedAt)
            .order_by_asc(message::Column::Seq)
            .all(self.db.connection())
            .await
            .store()?;
        Ok(rows.into_iter().map(to_message).collect())
    }

    async fn relayed(&self, messages: Vec<MessageId>) -> Result<(), StoreError> {
        if messages.is_empty() {
            return Ok(());
        }
        let _turn = self.db.write_turn().await;
        message_relay::Entity::delete_many()
            .filter(message_relay::Column::MessageId.is_in(messages.into_iter().map(|m| m.0)))
            .exec(self.db.connection())
            .await
            .store()?;
        Ok(())
    }

    async fn page_after(
        &self,
        c: ConversationId,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<Message>, StoreError> {
        let rows = message::Entity::find()
            .filter(message::Column::ConversationId.eq(c.0))
            .filter(message::Column::Seq.gt(after_seq))
            .order_by_asc(message::Column::Seq)
            .limit(u64::from(limit))
            .all(self.db.connection())
            .await
            .store()?;
        Ok(rows.into_iter().map(to_message).collect())
    }

    async fn count_unread(
        &self,
        c: ConversationId,
        reader: UserId,
        after_seq: i64,
    ) -> Result<u64, StoreError> {
        message::Entity::find()
            .filter(message::Column::ConversationId.eq(c.0))
            .filter(message::Column::Seq.gt(after_seq))
            .filter(message::Column::SenderId.ne(reader.0))
            .filter(message::Column::DeletedAt.is_null())
            .count(self.db.connection())
            .await
            .store()
    }
}
