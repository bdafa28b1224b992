//! ChatChit's schema migrations, one per file, portable between SQLite and
//! PostgreSQL. Times are stored as milliseconds since the epoch (`BIGINT`) so
//! both engines compare and order them the same way.

use sea_orm_migration::prelude::*;

mod m20261129_000001_accounts;
mod m20261129_000002_conversations;
mod m20261129_000003_messages;
mod m20261129_000004_social;
mod m20261129_000005_calls;
mod m20261129_000006_moderation;
mod m20261129_000007_stories;
mod m20261129_000008_settings;
mod m20261201_000009_session_revocations;
mod m20261201_000010_one_live_call;
mod m20261202_000011_message_relays;
mod m20261207_000012_relays_without_rowid;

use sea_orm_migration::sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, SqliteTransactionMode, Statement,
    TransactionOptions, TransactionTrait,
};

pub use sea_orm_migration::MigratorTrait;

/// The key of the PostgreSQL advisory lock that migrations hold: any 64-bit
/// number no other program on the database uses ("chatchit" in ASCII).
const MIGRATION_LOCK: i64 = 0x6368_6174_6368_6974;

/// Applies every pending migration in one transaction that first takes the
/// database's migration lock, so that any number of nodes can start at once
/// on a fresh database: one migrates, the others wait for it and then find
/// nothing pending.
///
/// On PostgreSQL the lock is a transaction-scoped advisory lock (released at
/// commit or rollback, also when the process dies); on SQLite the
/// transaction begins `IMMEDIATE`, taking the database's one write lock.
/// PostgreSQL's DDL is transactional, so a failed migration leaves nothing
/// half-made.
///
/// # Errors
/// When the database is unreachable or a migration fails.
pub async fn apply(db: &DatabaseConnection) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let options = TransactionOptions {
        sqlite_transaction_mode: (backend == DbBackend::Sqlite)
            .then_some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    };
    let txn = db.begin_with_options(options).await?;
    if backend == DbBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            backend,
            "SELECT pg_advisory_xact_lock($1)",
            [MIGRATION_LOCK.into()],
        ))
        .await?;
    }
    Migrator::up(&txn, None).await?;
    txn.commit().await
}

/// Applies ChatChit's migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_accounts::Migration),
            Box::new(m20261129_000002_conversations::Migration),
            Box::new(m20261129_000003_messages::Migration),
            Box::new(m20261129_000004_social::Migration),
            Box::new(m20261129_000005_calls::Migration),
            Box::new(m20261129_000006_moderation::Migration),
            Box::new(m20261129_000007_stories::Migration),
            Box::new(m20261129_000008_settings::Migration),
            Box::new(m20261201_000009_session_revocations::Migration),
            Box::new(m20261201_000010_one_live_call::Migration),
            Box::new(m20261202_000011_message_relays::Migration),
            Box::new(m20261207_000012_relays_without_rowid::Migration),
        ]
    }
}
