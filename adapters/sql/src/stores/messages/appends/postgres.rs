//! The writer on PostgreSQL (and any pooled database): a batch is written
//! set-wise in four statements, or row by row when a retry is among it.

use super::{Queued, Written, answer_all, relay_row, row, stored, take_waiting};
use crate::database::SqlDatabase;
use crate::entity::{conversation, member, message, message_relay};
use crate::error::StoreResult;
use chatchit_domain::StoreError;
use chatchit_domain::ids::{ConversationId, MessageId, UserId};
use chatchit_domain::message::{Message, NewMessage};
use sea_orm::prelude::Uuid;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, QueryFilter,
    Statement, TransactionTrait, TryInsertResult, Value,
};
use std::collections::{HashMap, HashSet};
use tokio::sync::mpsc;

/// The group-commit writer: every append waiting when it wakes goes into one
/// transaction; all are answered after the one commit (or all fail with it).
pub(in crate::stores) async fn group_commit(
    db: SqlDatabase,
    mut inbox: mpsc::UnboundedReceiver<Queued>,
) {
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
        match insert_next(&row, &queued.message).await {
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

/// Inside `txn`: takes the next `seq`, inserts, moves the sender's
/// marker. `None` when the sender already used this `clientMsgId` (the
/// `seq` taken is given back, so none is lost). Three statements, no
/// savepoint: a failure leaves nothing behind.
pub(super) async fn insert_next(
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
