//! The group-commit writer for message appends on SQLite: a thread of its own
//! with its own connection, driving SQLite directly.
//!
//! Through the pool every statement is a hand-off between a tokio worker and
//! sqlx's SQLite thread and back (two thread wake-ups each, five statements a
//! batch at least); here the whole batch runs on one thread with statements
//! prepared once, and the only hand-offs are the append arriving and its
//! answer leaving. SQLite allows one writer at a time, so nothing is lost by
//! writing on one thread; the writer takes the database's write lock like
//! every other write transaction.

use super::{Queued, Written, answer_all, stored, take_waiting};
use chatchit_domain::StoreError;
use chatchit_domain::message::NewMessage;
use rusqlite::{Connection, TransactionBehavior, params};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender};
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, mpsc};

/// Under load, a batch smaller than this waits [`GATHER_FOR`] for more
/// appends first: every commit costs an fsync and its WAL writes in the
/// kernel, so a few more messages per commit save more CPU than the wait
/// costs latency.
const GATHER_BELOW: usize = 64;

/// How long a small batch waits for more. 2 ms against 1 ms: a third fewer
/// commits at 4,000 msg/s, 19 % less kernel CPU per delivery, ack p50
/// +0.7 ms (`docs/benchmarks.md`, 2026-12-03).
const GATHER_FOR: Duration = Duration::from_millis(2);

/// The writer is under load when its previous commit ended less than this
/// before the next append came; an append that comes to an idle writer is
/// committed at once (no one else is coming to share its fsync).
const BUSY_WITHIN: Duration = Duration::from_millis(10);

/// How long the batch waits for more appends: [`GATHER_FOR`] when it is small
/// and the writer is busy (its last commit ended `since_last_commit` ago),
/// else not at all.
fn gather_for(batch: usize, since_last_commit: Duration) -> Option<Duration> {
    (batch < GATHER_BELOW && since_last_commit < BUSY_WITHIN).then_some(GATHER_FOR)
}

/// How long a write waits for another writer before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Starts the writer thread for the database at `file`, and the thread that
/// checkpoints what it writes; both end when every sender of `inbox` is
/// dropped. `writes` is the lock SQLite write transactions take in turn.
pub(in crate::stores) fn spawn(
    file: &Path,
    writes: Arc<Mutex<()>>,
    inbox: mpsc::UnboundedReceiver<Queued>,
) {
    let (commits, committed) = std::sync::mpsc::sync_channel(1);
    let checkpoint_file = file.to_path_buf();
    let checkpointer = std::thread::Builder::new()
        .name("chatchit-checkpoint".into())
        .spawn(move || checkpoint(&checkpoint_file, &committed));
    if let Err(e) = checkpointer {
        // The writer checkpoints for itself then (SQLite's automatic checkpoint).
        tracing::error!(error = %e, "could not start the checkpoint thread");
        return spawn_writer(file, writes, inbox, None);
    }
    spawn_writer(file, writes, inbox, Some(commits));
}

/// Starts the writer thread; `checkpoints`, when there is a checkpoint
/// thread, is where it is told of commits.
fn spawn_writer(
    file: &Path,
    writes: Arc<Mutex<()>>,
    inbox: mpsc::UnboundedReceiver<Queued>,
    checkpoints: Option<SyncSender<()>>,
) {
    let file = file.to_path_buf();
    let started = std::thread::Builder::new()
        .name("chatchit-appends".into())
        .spawn(move || run(&file, &writes, inbox, checkpoints.as_ref()));
    if let Err(e) = started {
        // The inbox went with the closure: every append answers "stopped".
        tracing::error!(error = %e, "could not start the message writer thread");
    }
}

/// The writer's commits between two checkpoints: at some 30 pages a batch,
/// about the thousand pages after which SQLite would checkpoint by itself.
const CHECKPOINT_EVERY: u32 = 32;

/// The checkpoint thread: copies the write-ahead log back into the database
/// whenever the writer says it has committed [`CHECKPOINT_EVERY`] times.
/// Left to SQLite, that copy and its fsync run inside the commit that passes
/// the log's limit, and every append waiting behind that commit waits for it
/// too (the slowest acks). A passive checkpoint runs beside the writer
/// without taking its lock. Ends when the writer does.
fn checkpoint(file: &Path, committed: &Receiver<()>) {
    let mut conn = None;
    while committed.recv().is_ok() {
        if conn.is_none() {
            conn = open_logged(file);
        }
        let Some(conn) = conn.as_ref() else { continue };
        if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!(error = %e, "the write-ahead log could not be checkpointed");
        }
    }
}

/// The thread: takes every append waiting, stores them in one transaction,
/// answers each after the commit (or all with its failure). A connection
/// that could not be opened is tried again for the next batch, so a
/// database that was away at start (its volume mounted late, say)
/// takes appends again once it is back, without a restart.
fn run(
    file: &Path,
    writes: &Mutex<()>,
    mut inbox: mpsc::UnboundedReceiver<Queued>,
    checkpoints: Option<&SyncSender<()>>,
) {
    let open_writer = || {
        let conn = open_logged(file)?;
        // Every row the writer inserts points at the conversation whose row
        // it has just updated in the same transaction, so the foreign-key
        // check (one more index lookup an insert) can prove nothing new.
        conn.pragma_update(None, "foreign_keys", "OFF")
            .map_err(|e| tracing::warn!(error = %e, "foreign keys stay checked"))
            .ok();
        if checkpoints.is_some() {
            // The checkpoint thread does it, outside the commit.
            conn.pragma_update(None, "wal_autocheckpoint", 0)
                .map_err(|e| tracing::warn!(error = %e, "automatic checkpoints stay on"))
                .ok();
        }
        Some(conn)
    };
    let mut conn = open_writer();
    let mut last_commit = Instant::now();
    let mut commits = 0_u32;
    while let Some(first) = inbox.blocking_recv() {
        let mut batch = vec![first];
        take_waiting(&mut inbox, &mut batch);
        if let Some(wait) = gather_for(batch.len(), last_commit.elapsed()) {
            std::thread::sleep(wait);
            take_waiting(&mut inbox, &mut batch);
        }
        metrics::histogram!("chatchit_append_batch_size").record(batch.len() as f64);
        if conn.is_none() {
            conn = open_writer();
        }
        let outcome = match conn.as_mut() {
            Some(conn) => {
                let _turn = writes.blocking_lock();
                let started = Instant::now();
                let written = write_batch(conn, &batch);
                metrics::histogram!("chatchit_append_commit_seconds")
                    .record(started.elapsed().as_secs_f64());
                written
            }
            None => Err(StoreError::Unavailable(
                "the message writer has no database".into(),
            )),
        };
        last_commit = Instant::now();
        answer_all(batch, outcome);
        commits += 1;
        if commits >= CHECKPOINT_EVERY {
            commits = 0;
            if let Some(checkpoints) = checkpoints {
                // Full: a checkpoint is already due, and it covers this one.
                let _ = checkpoints.try_send(());
            }
        }
    }
}

/// [`open`], its failure logged.
fn open_logged(file: &Path) -> Option<Connection> {
    open(file)
        .map_err(|e| {
            tracing::error!(error = %e, file = %file.display(), "could not open the database for appends");
        })
        .ok()
}

/// A connection with the pool's durability settings: WAL (already set on
/// the file by the pool), `synchronous=FULL`, foreign keys on.
fn open(file: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(PathBuf::from(file))?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

/// One transaction for the batch: per message its own result (a duplicate
/// key or a missing conversation changes nothing). A statement the database
/// refuses fails only its own row: the batch is rolled back and written
/// again with a savepoint per row. Only a busy or broken database fails the
/// whole batch.
fn write_batch(conn: &mut Connection, batch: &[Queued]) -> Result<Vec<Written>, StoreError> {
    let txn = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(store_error)?;
    let written = batch
        .iter()
        .map(|queued| append(&txn, &queued.message))
        .collect::<rusqlite::Result<Vec<_>>>();
    match written.map_err(store_error) {
        Ok(results) => {
            txn.commit().map_err(store_error)?;
            return Ok(results);
        }
        Err(e @ StoreError::Unavailable(_)) => return Err(e),
        Err(e) => {
            tracing::debug!(error = %e, "a batch statement failed; writing its rows one by one");
            txn.rollback().map_err(store_error)?;
        }
    }
    let mut txn = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(store_error)?;
    let mut results = Vec::with_capacity(batch.len());
    for queued in batch {
        let row = txn.savepoint().map_err(store_error)?;
        match append(&row, &queued.message).map_err(store_error) {
            Ok(result) => {
                row.commit().map_err(store_error)?;
                results.push(result);
            }
            Err(e @ StoreError::Unavailable(_)) => return Err(e),
            // Dropping the savepoint rolls its row back.
            Err(refused) => results.push(Err(refused)),
        }
    }
    txn.commit().map_err(store_error)?;
    Ok(results)
}

/// Takes the next `seq`, inserts, moves the sender's read marker. A used
/// `clientMsgId` gives its `seq` back, so none is lost.
fn append(conn: &Connection, m: &NewMessage) -> rusqlite::Result<Written> {
    let conversation = m.conversation_id.0.as_bytes().as_slice();
    // SQLite runs an UPDATE … RETURNING through a temporary table; the
    // UPDATE and a SELECT of the row it has just read cost an append 12 %
    // fewer instructions (`docs/benchmarks.md`, 2026-12-07, 11.).
    let counted = conn
        .prepare_cached(
            "UPDATE conversations SET last_seq = last_seq + 1, last_activity_at = ?1 WHERE id = ?2",
        )?
        .execute(params![m.created_at.millis(), conversation])?;
    if counted == 0 {
        return Ok(Err(StoreError::NotFound("conversation".into())));
    }
    let seq: i64 = conn
        .prepare_cached("SELECT last_seq FROM conversations WHERE id = ?1")?
        .query_row(params![conversation], |r| r.get(0))?;
    let message = stored(m, seq);
    let attachments = serde_json::to_string(&message.attachments)
        .map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    let inserted = conn
        .prepare_cached(
            "INSERT INTO messages (id, conversation_id, seq, sender_id, client_msg_id, body, \
             reply_to_id, attachments, created_at, edited_at, deleted_at) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL, NULL) \
             ON CONFLICT (sender_id, client_msg_id) DO NOTHING",
        )?
        .execute(params![
            message.id.0.as_bytes().as_slice(),
            conversation,
            seq,
            message.sender_id.0.as_bytes().as_slice(),
            message.client_msg_id,
            message.body,
            message.reply_to_id.map(|r| r.0.as_bytes().to_vec()),
            attachments,
            message.created_at.millis(),
        ])?;
    if inserted == 0 {
        conn.prepare_cached("UPDATE conversations SET last_seq = last_seq - 1 WHERE id = ?1")?
            .execute(params![conversation])?;
        return Ok(Ok(None));
    }
    conn.prepare_cached(
        "UPDATE members SET last_read_seq = ?1, last_read_message_id = ?2 \
         WHERE conversation_id = ?3 AND user_id = ?4 AND last_read_seq < ?1",
    )?
    .execute(params![
        seq,
        message.id.0.as_bytes().as_slice(),
        conversation,
        message.sender_id.0.as_bytes().as_slice(),
    ])?;
    conn.prepare_cached("INSERT INTO message_relays (message_id, created_at) VALUES (?1, ?2)")?
        .execute(params![
            message.id.0.as_bytes().as_slice(),
            message.created_at.millis()
        ])?;
    Ok(Ok(Some(message)))
}

/// A failed batch as the domain sees it: the database busy or gone →
/// `Unavailable`, anything else → `Internal`.
fn store_error(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(
            rusqlite::ErrorCode::DatabaseBusy
            | rusqlite::ErrorCode::DatabaseLocked
            | rusqlite::ErrorCode::CannotOpen
            | rusqlite::ErrorCode::DiskFull,
        ) => StoreError::Unavailable(e.to_string()),
        _ => StoreError::Internal(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chatchit_domain::ids::{ConversationId, MessageId, UserId};
    use chatchit_domain::time::Timestamp;
    use chatchit_domain::values::{ClientMsgId, MessageBody};
    use tokio::sync::oneshot;

    /// The columns the writer's statements touch (the real tables have more).
    const SCHEMA: &str = "
        CREATE TABLE conversations (id BLOB PRIMARY KEY, last_seq INTEGER NOT NULL,
            last_activity_at INTEGER NOT NULL);
        CREATE TABLE messages (id BLOB PRIMARY KEY, conversation_id BLOB NOT NULL,
            seq INTEGER NOT NULL, sender_id BLOB NOT NULL, client_msg_id TEXT NOT NULL,
            body TEXT NOT NULL, reply_to_id BLOB, attachments TEXT NOT NULL,
            created_at INTEGER NOT NULL, edited_at INTEGER, deleted_at INTEGER,
            UNIQUE (sender_id, client_msg_id));
        CREATE TABLE members (conversation_id BLOB NOT NULL, user_id BLOB NOT NULL,
            last_read_seq INTEGER NOT NULL, last_read_message_id BLOB);
        CREATE TABLE message_relays (message_id BLOB PRIMARY KEY, created_at INTEGER NOT NULL);";

    async fn append(writer: &mpsc::UnboundedSender<Queued>, c: ConversationId) -> Written {
        let message = NewMessage {
            id: MessageId::generate(),
            conversation_id: c,
            sender_id: UserId::generate(),
            client_msg_id: ClientMsgId::parse("k-1").expect("key"),
            body: MessageBody::parse("hello").expect("body"),
            reply_to_id: None,
            attachments: Vec::new(),
            created_at: Timestamp::from_millis(1),
        };
        let (answer, answered) = oneshot::channel();
        writer
            .send(Queued { message, answer })
            .expect("the writer runs");
        answered.await.expect("answered")
    }

    #[test]
    fn only_a_small_batch_of_a_busy_writer_waits_for_more() {
        let busy = Duration::from_millis(1);
        let idle = Duration::from_secs(1);
        assert_eq!(gather_for(1, busy), Some(GATHER_FOR));
        assert_eq!(gather_for(GATHER_BELOW - 1, busy), Some(GATHER_FOR));
        assert_eq!(
            gather_for(GATHER_BELOW, busy),
            None,
            "a full batch goes at once"
        );
        assert_eq!(
            gather_for(1, idle),
            None,
            "a lone append to an idle writer goes at once"
        );
    }

    #[tokio::test]
    async fn a_writer_that_could_not_open_its_database_opens_it_for_the_next_batch() {
        let dir = tempfile::tempdir().expect("temp dir");
        let folder = dir.path().join("mounted-later");
        let file = folder.join("chatchit.db");
        let (writer, inbox) = mpsc::unbounded_channel();
        spawn(&file, Arc::new(Mutex::new(())), inbox);
        let c = ConversationId::generate();
        let refused = append(&writer, c).await;
        assert!(
            matches!(refused, Err(StoreError::Unavailable(_))),
            "{refused:?}"
        );

        std::fs::create_dir(&folder).expect("folder");
        let setup = Connection::open(&file).expect("database");
        setup.execute_batch(SCHEMA).expect("schema");
        setup
            .execute(
                "INSERT INTO conversations VALUES (?1, 0, 0)",
                params![c.0.as_bytes().as_slice()],
            )
            .expect("conversation");
        drop(setup);
        let stored = append(&writer, c)
            .await
            .expect("stored once the database is there")
            .expect("a first send");
        assert_eq!(stored.seq, 1);
    }

    /// How many messages the database file holds without its write-ahead
    /// log: what was checkpointed. Read from a copy, so that this reader
    /// neither checkpoints nor sees the log; `None` while the copy is torn
    /// by a checkpoint under way.
    fn checkpointed_messages(file: &Path, copy: &Path) -> Option<i64> {
        std::fs::copy(file, copy).ok()?;
        let copy = Connection::open(copy).ok()?;
        copy.query_row("SELECT count(*) FROM messages", [], |r| r.get(0))
            .ok()
    }

    #[tokio::test]
    async fn the_log_is_checkpointed_beside_the_writer_not_left_to_grow_inside_a_commit() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("chatchit.db");
        let setup = Connection::open(&file).expect("database");
        setup
            .pragma_update(None, "journal_mode", "WAL")
            .expect("wal");
        setup.execute_batch(SCHEMA).expect("schema");
        let c = ConversationId::generate();
        setup
            .execute(
                "INSERT INTO conversations VALUES (?1, 0, 0)",
                params![c.0.as_bytes().as_slice()],
            )
            .expect("conversation");
        let (writer, inbox) = mpsc::unbounded_channel();
        spawn(&file, Arc::new(Mutex::new(())), inbox);
        for _ in 0..CHECKPOINT_EVERY {
            append(&writer, c).await.expect("stored").expect("sent");
        }

        // Far fewer pages than SQLite's own limit (1,000): left to SQLite,
        // nothing would be copied back yet.
        let copy = dir.path().join("copy.db");
        let patience = Instant::now() + Duration::from_secs(30);
        let mut seen = None;
        while Instant::now() < patience {
            seen = checkpointed_messages(&file, &copy);
            if seen == Some(i64::from(CHECKPOINT_EVERY)) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(
            seen,
            Some(i64::from(CHECKPOINT_EVERY)),
            "every commit is in the database file"
        );
        // Open until here, as the pool keeps the file open: closing the
        // last connection would checkpoint too.
        drop(setup);
    }
}
