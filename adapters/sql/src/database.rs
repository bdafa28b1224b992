//! The connection pool, with the settings each engine needs for durability.

use crate::error::StoreResult;
use chatchit_domain::StoreError;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, MutexGuard};

/// A pooled connection to SQLite or PostgreSQL.
#[derive(Clone)]
pub struct SqlDatabase {
    /// The sea-orm pool.
    conn: DatabaseConnection,
    /// The database file on SQLite, where the message writer opens its own
    /// connection; `None` on PostgreSQL and for in-memory SQLite.
    sqlite_file: Option<PathBuf>,
    /// SQLite allows one writer: write transactions queue here instead of
    /// failing with "database is locked". Unused on PostgreSQL.
    writes: Arc<Mutex<()>>,
}

impl SqlDatabase {
    /// Connects to `url` (`sqlite://path?mode=rwc` or `postgres://...`) with a
    /// pool of at most `max_connections`. SQLite runs in WAL mode with
    /// `synchronous=FULL`, so a committed transaction survives a crash.
    ///
    /// # Errors
    /// `Unavailable` when the database cannot be reached.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, StoreError> {
        let conn = Database::connect(options(url, max_connections))
            .await
            .store()?;
        let sqlite_file = match conn.get_database_backend() {
            DbBackend::Sqlite => SqliteConnectOptions::from_str(url)
                .ok()
                .map(|o| o.get_filename().to_path_buf())
                .filter(|file| !file.as_os_str().is_empty() && !url.contains("memory")),
            _ => None,
        };
        Ok(Self {
            conn,
            sqlite_file,
            writes: Arc::new(Mutex::new(())),
        })
    }

    /// The pool, for migrations and the stores.
    pub fn connection(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// The SQLite database file, for a connection outside the pool.
    pub(crate) fn sqlite_file(&self) -> Option<&Path> {
        self.sqlite_file.as_deref()
    }

    /// The lock every SQLite write transaction holds (see `write_turn`), for
    /// a writer outside the async runtime.
    pub(crate) fn write_lock(&self) -> Arc<Mutex<()>> {
        Arc::clone(&self.writes)
    }

    /// Checks the database answers (readiness probe).
    ///
    /// # Errors
    /// `Unavailable` when it does not.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.conn
            .ping()
            .await
            .map_err(|e| StoreError::Unavailable(e.to_string()))
    }

    /// Closes the pool, waiting for connections in use.
    pub async fn close(self) {
        if let Err(e) = self.conn.close().await {
            tracing::warn!(error = %e, "closing the database pool");
        }
    }

    /// Held for the length of a write transaction on SQLite.
    pub(crate) async fn write_turn(&self) -> Option<MutexGuard<'_, ()>> {
        match self.conn.get_database_backend() {
            DbBackend::Sqlite => Some(self.writes.lock().await),
            _ => None,
        }
    }
}

/// Pool options for `url` with at most `max_connections`. SQLite runs in WAL
/// mode with `synchronous=FULL`, so a committed transaction survives a crash.
fn options(url: &str, max_connections: u32) -> ConnectOptions {
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .max_connections(max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    options
}
