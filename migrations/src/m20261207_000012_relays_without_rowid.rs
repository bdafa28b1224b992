//! On SQLite the relay log keeps its rows in the order of their key alone
//! (`WITHOUT ROWID`): a note was a row in the table and an entry in its
//! primary-key index, two b-trees written for every message and two more
//! for every note deleted; now it is one. PostgreSQL has no such table kind
//! and keeps what it has.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Moves the notes into a table of the given kind (`""` or `WITHOUT ROWID`).
async fn rebuild(manager: &SchemaManager<'_>, kind: &str) -> Result<(), DbErr> {
    if manager.get_database_backend() != DbBackend::Sqlite {
        return Ok(());
    }
    let db = manager.get_connection();
    db.execute_unprepared(&format!(
        "CREATE TABLE message_relays_rebuilt ( \
         message_id uuid_text NOT NULL PRIMARY KEY, created_at integer NOT NULL ) {kind}"
    ))
    .await?;
    db.execute_unprepared(
        "INSERT INTO message_relays_rebuilt (message_id, created_at) \
         SELECT message_id, created_at FROM message_relays",
    )
    .await?;
    db.execute_unprepared("DROP TABLE message_relays").await?;
    db.execute_unprepared("ALTER TABLE message_relays_rebuilt RENAME TO message_relays")
        .await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rebuild(manager, "WITHOUT ROWID").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        rebuild(manager, "").await
    }
}
