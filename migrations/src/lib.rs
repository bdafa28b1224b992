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

pub use sea_orm_migration::MigratorTrait;

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
        ]
    }
}
