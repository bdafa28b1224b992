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

use super::sqlite_appends;
use crate::convert::to_message;
use crate::database::SqlDatabase;
use crate::entity::{conversation, member, message, message_relay, reaction};
use crate::error::StoreResult;
use async_trait::async_trait;
use chatchit_domain::StoreError;
use chatchit_domain::ids::{ConversationId, MessageId, UserId};
use chatchit_domain::message::{AppendOutcome, Message, NewMessage, Reactions};
use chatchit_domain::ports::MessageStore;
use chatchit_domain::time::Timestamp;
use chatchit_domain::values::MessageBody;
use sea_orm::prelude::Uuid;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Statement, TransactionTrait,
    TryInsertResult, Value,
};
use std::collections::{HashMap, HashSet};
use tokio::sync::{mpsc, oneshot};

/// Most appends one group commit takes.
const MAX_BATCH: usize = 256;

/// One append's outcome: the message as stored, or `None` when its sender
/// had used its `clientMsgId` before (a retry: the first copy is looked up).
/// Kept apart from the store's errors, so that no other conflict can pass
/// for a retry.
pub(super) type Written = Result<Option<Message>, StoreError>;

/// One append waiting for the group commit.
pub(super) struct Queued {
    /// What to store.
    pub(super) message: NewMessage,
    /// Where its outcome goes, after the commit.
    pub(super) answer: oneshot::Sender<Written>,
}

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
                    Some(file) => sqlite_appends::spawn(file, db.write_lock(), rx),
                    None => {
                        tokio::spawn(group_commit(db.clone(), rx));
                    }
                }
                tx
            })
            .collect();
        Self { db, writers }
    }

    /// Stores `m` with whatever else its writer has waiting; answers after
    /// the commit.
    async fn insert(&self, m: NewMessage) -> Written {
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

    /// Inside `txn`: takes the next `seq`, inserts, moves the sender's
    /// marker. `None` when the sender already used this `clientMsgId` (the
    /// `seq` taken is given back, so none is lost). Three statements, no
    /// savepoint: a failure leaves nothing behind.
    async fn insert_next(
        txn: &DatabaseTransaction,
        m: &NewMessage,
    ) -> Result<Option<Message>, StoreError> {
        let at = m.created_at.millis();
        let bumped = conversation::Entity::update_many()
            .col_expr(
                conversation::Column::LastSeq,
                Expr::col(conversation::Column::LastSeq).add(1),
            )
            .col_expr(conversation::Column::LastActivityAt, Expr::value(at))
            .filter(conversation::Column::Id.eq(m.conversation_id.0))
            .exec_with_returning(txn)
            .await
            .store()?;
        let seq = bumped
            .first()
            .map(|c| c.last_seq)
            .ok_or_else(|| StoreError::NotFound("conversation".into()))?;
        let message = stored(m, seq);
        let inserted = message::Entity::insert(row(&message)?)
            .on_conflict_do_nothing_on([message::Column::SenderId, message::Column::ClientMsgId])
            .exec_without_returning(txn)
            .await
            .store()?;
        if !matches!(inserted, TryInsertResult::Inserted(n) if n > 0) {
            conversation::Entity::update_many()
                .col_expr(
                    conversation::Column::LastSeq,
                    Expr::col(conversation::Column::LastSeq).sub(1),
                )
                .filter(conversation::Column::Id.eq(m.conversation_id.0))
                .exec(txn)
                .await
                .store()?;
            return Ok(None);
        }
        member::Entity::update_many()
            .col_expr(member::Column::LastReadSeq, Expr::value(seq))
            .col_expr(member::Column::LastReadMessageId, Expr::value(m.id.0))
            .filter(member::Column::ConversationId.eq(m.conversation_id.0))
            .filter(member::Column::UserId.eq(m.sender_id.0))
            .filter(member::Column::LastReadSeq.lt(seq))
            .exec(txn)
            .await
            .store()?;
        message_relay::Entity::insert(relay_row(&message))
            .exec_without_returning(txn)
            .await
            .store()?;
        Ok(Some(message))
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

/// The group-commit writer: every append waiting when it wakes goes into one
/// transaction; all are answered after the one commit (or all fail with it).
async fn group_commit(db: SqlDatabase, mut inbox: mpsc::UnboundedReceiver<Queued>) {
    while let Some(first) = inbox.recv().await {
        let mut batch = vec![first];
        take_waiting(&mut inbox, &mut batch);
        metrics::histogram!("chatchit_append_batch_size").record(batch.len() as f64);
        let _turn = db.write_turn().await;
        let started = std::time::Instant::now();
        let outcome = store_batch(&db, &batch).await;
        metrics::histogram!("chatchit_append_commit_seconds")
            .record(started.elapsed().as_secs_f64());
        answer_all(batch, outcome);
    }
}

/// Answers every append of `batch`: each with its own result, or all with
/// the failure of the whole batch.
pub(super) fn answer_all(batch: Vec<Queued>, outcome: Result<Vec<Written>, StoreError>) {
    match outcome {
        Ok(results) => {
            for (queued, result) in batch.into_iter().zip(results) {
                let _ = queued.answer.send(result);
            }
        }
        Err(e) => {
            for queued in batch {
                let _ = queued.answer.send(Err(e.clone()));
            }
        }
    }
}

/// Moves the appends waiting in `inbox` into `batch`, up to `MAX_BATCH`.
pub(super) fn take_waiting(inbox: &mut mpsc::UnboundedReceiver<Queued>, batch: &mut Vec<Queued>) {
    while batch.len() < MAX_BATCH {
        match inbox.try_recv() {
            Ok(next) => batch.push(next),
            Err(_) => break,
        }
    }
}

/// An edit or reaction found the message deleted (or gone).
fn deleted_or_missing() -> StoreError {
    StoreError::Conflict("the message was deleted".into())
}

/// One transaction for the batch: per message its own result (a duplicate
/// key or a missing conversation changes nothing); any other failure fails
/// the whole batch. The batch is first written set-wise, in four statements
/// whatever its size; only when a `clientMsgId` turns out to be used already
/// (a client's retry) is it rolled back and written message by message, so
/// the retry finds its first attempt and no `seq` is lost.
async fn store_batch(db: &SqlDatabase, batch: &[Queued]) -> Result<Vec<Written>, StoreError> {
    let txn = db.connection().begin().await.store()?;
    match store_set_wise(&txn, batch).await {
        Ok(Some(results)) => {
            txn.commit().await.store()?;
            return Ok(results);
        }
        Ok(None) => txn.rollback().await.store()?,
        Err(e @ StoreError::Unavailable(_)) => {
            txn.rollback().await.store()?;
            return Err(e);
        }
        // A statement the database refused (a value it will not store, say)
        // fails only the row that carries it: the batch is written again
        // row by row.
        Err(e) => {
            tracing::debug!(error = %e, "a batch statement failed; writing its rows one by one");
            txn.rollback().await.store()?;
        }
    }
    let txn = db.connection().begin().await.store()?;
    let mut results = Vec::with_capacity(batch.len());
    for queued in batch {
        // Each row behind its own savepoint: one the database refuses is
        // rolled back alone and the others still commit.
        let row = txn.begin().await.store()?;
        match SqlMessageStore::insert_next(&row, &queued.message).await {
            Ok(inserted) => {
                row.commit().await.store()?;
                results.push(Ok(inserted));
            }
            Err(e @ StoreError::Unavailable(_)) => {
                drop(row);
                txn.rollback().await.store()?;
                return Err(e);
            }
            Err(e) => {
                row.rollback().await.store()?;
                results.push(Err(e));
            }
        }
    }
    txn.commit().await.store()?;
    Ok(results)
}

/// The batch in four statements inside `txn`: each conversation's counter
/// moved once by its number of messages, one multi-row insert, each sender's
/// read marker moved once. `None` when a `clientMsgId` was used before (in
/// the database or twice in the batch): the caller rolls back and goes
/// message by message.
async fn store_set_wise(
    txn: &DatabaseTransaction,
    batch: &[Queued],
) -> Result<Option<Vec<Written>>, StoreError> {
    let mut keys = HashSet::with_capacity(batch.len());
    if !batch
        .iter()
        .all(|q| keys.insert((q.message.sender_id, q.message.client_msg_id.as_str())))
    {
        return Ok(None);
    }
    let counters = bump_counters(txn, batch).await?;
    let mut results = Vec::with_capacity(batch.len());
    let mut taken: HashMap<ConversationId, i64> = HashMap::new();
    for queued in batch {
        let m = &queued.message;
        let Some(first) = counters.get(&m.conversation_id) else {
            results.push(Err(StoreError::NotFound("conversation".into())));
            continue;
        };
        let offset = taken.entry(m.conversation_id).or_default();
        let seq = first + *offset;
        *offset += 1;
        results.push(Ok(Some(stored(m, seq))));
    }
    let rows = results
        .iter()
        .flatten()
        .flatten()
        .map(row)
        .collect::<Result<Vec<_>, _>>()?;
    let expected = rows.len() as u64;
    let inserted = message::Entity::insert_many(rows)
        .on_conflict_do_nothing_on([message::Column::SenderId, message::Column::ClientMsgId])
        .exec_without_returning(txn)
        .await
        .store()?;
    match inserted {
        TryInsertResult::Inserted(n) if n == expected => {}
        TryInsertResult::Empty => return Ok(Some(results)),
        _ => return Ok(None),
    }
    move_markers(txn, &results).await?;
    let relays: Vec<_> = results.iter().flatten().flatten().map(relay_row).collect();
    if !relays.is_empty() {
        message_relay::Entity::insert_many(relays)
            .exec_without_returning(txn)
            .await
            .store()?;
    }
    Ok(Some(results))
}

/// The relay-log row of a message just appended.
fn relay_row(m: &Message) -> message_relay::ActiveModel {
    message_relay::ActiveModel {
        message_id: Set(m.id.0),
        created_at: Set(m.created_at.millis()),
    }
}

/// Moves every conversation of the batch on by its number of messages in one
/// `UPDATE … FROM (VALUES …)`; returns the first `seq` each conversation got
/// (missing conversations are absent).
async fn bump_counters(
    txn: &DatabaseTransaction,
    batch: &[Queued],
) -> Result<HashMap<ConversationId, i64>, StoreError> {
    let mut counts: HashMap<ConversationId, (i64, i64)> = HashMap::new();
    for q in batch {
        let entry = counts.entry(q.message.conversation_id).or_default();
        entry.0 += 1;
        entry.1 = Ord::max(entry.1, q.message.created_at.millis());
    }
    let mut params = Params::new(txn.get_database_backend());
    let rows = counts
        .iter()
        .map(|(id, (count, at))| {
            format!(
                "({}, {}, {})",
                params.push(id.0),
                params.push(*count),
                params.push(*at)
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "WITH v(cid, n, at) AS (VALUES {rows}) \
         UPDATE conversations SET last_seq = last_seq + v.n, last_activity_at = v.at \
         FROM v WHERE conversations.id = v.cid RETURNING id, last_seq"
    );
    let bumped = txn.query_all_raw(params.statement(sql)).await.store()?;
    bumped
        .iter()
        .map(|r| {
            let id: Uuid = r.try_get("", "id").store()?;
            let last: i64 = r.try_get("", "last_seq").store()?;
            let id = ConversationId(id);
            let count = counts.get(&id).map_or(0, |c| c.0);
            Ok((id, last - count + 1))
        })
        .collect()
}

/// Moves each sender's read marker to their last message of the batch, in
/// one `UPDATE … FROM (VALUES …)` (a marker never moves back).
async fn move_markers(txn: &DatabaseTransaction, results: &[Written]) -> Result<(), StoreError> {
    let mut last: HashMap<(ConversationId, UserId), (i64, MessageId)> = HashMap::new();
    for m in results.iter().flatten().flatten() {
        let entry = last
            .entry((m.conversation_id, m.sender_id))
            .or_insert((m.seq, m.id));
        if m.seq > entry.0 {
            *entry = (m.seq, m.id);
        }
    }
    let mut params = Params::new(txn.get_database_backend());
    let rows = last
        .iter()
        .map(|((c, u), (seq, id))| {
            format!(
                "({}, {}, {}, {})",
                params.push(c.0),
                params.push(u.0),
                params.push(*seq),
                params.push(id.0)
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "WITH v(cid, uid, seq, mid) AS (VALUES {rows}) \
         UPDATE members SET last_read_seq = v.seq, last_read_message_id = v.mid \
         FROM v WHERE members.conversation_id = v.cid AND members.user_id = v.uid \
         AND members.last_read_seq < v.seq"
    );
    txn.execute_raw(params.statement(sql)).await.store()?;
    Ok(())
}

/// `m` as stored with `seq`.
pub(super) fn stored(m: &NewMessage, seq: i64) -> Message {
    Message {
        id: m.id,
        conversation_id: m.conversation_id,
        seq,
        sender_id: m.sender_id,
        client_msg_id: m.client_msg_id.as_str().to_owned(),
        body: m.body.as_str().to_owned(),
        reply_to_id: m.reply_to_id,
        attachments: m.attachments.clone(),
        created_at: m.created_at,
        edited_at: None,
        deleted_at: None,
    }
}

/// The row of a new message.
fn row(m: &Message) -> Result<message::ActiveModel, StoreError> {
    let attachments =
        serde_json::to_string(&m.attachments).map_err(|e| StoreError::Internal(e.to_string()))?;
    Ok(message::ActiveModel {
        id: Set(m.id.0),
        conversation_id: Set(m.conversation_id.0),
        seq: Set(m.seq),
        sender_id: Set(m.sender_id.0),
        client_msg_id: Set(m.client_msg_id.clone()),
        body: Set(m.body.clone()),
        reply_to_id: Set(m.reply_to_id.map(|i| i.0)),
        attachments: Set(attachments),
        created_at: Set(m.created_at.millis()),
        edited_at: Set(None),
        deleted_at: Set(None),
    })
}

/// Bind parameters of a hand-written statement, each with its engine's
/// placeholder (`?` on SQLite, `$n` on PostgreSQL).
struct Params {
    /// The engine the statement is for.
    backend: DbBackend,
    /// The values bound so far, in placeholder order.
    values: Vec<Value>,
}

impl Params {
    /// No values yet.
    fn new(backend: DbBackend) -> Self {
        Self {
            backend,
            values: Vec::new(),
        }
    }

    /// Binds `value`; returns its placeholder.
    fn push(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        match self.backend {
            DbBackend::Postgres => format!("${}", self.values.len()),
            _ => "?".to_owned(),
        }
    }

    /// `sql` with the values bound.
    fn statement(self, sql: String) -> Statement {
        Statement::from_sql_and_values(self.backend, sql, self.values)
    }
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
