//! The SQL store adapter: every store port implemented with sea-orm, one code
//! path for SQLite (the embedded default) and PostgreSQL.

mod convert;
mod database;
mod entity;
mod error;
mod settings;
mod stores;

pub use database::SqlDatabase;
pub use stores::{
    SqlCallStore, SqlConversationStore, SqlMessageStore, SqlReportStore, SqlSessionStore,
    SqlSocialStore, SqlStoryStore, SqlUserStore,
};
