//! The store contract suite on the SQL stores: every test runs against
//! SQLite (a file in a temp directory) and against PostgreSQL (a fresh
//! database per test, from `CHATCHIT_TEST_POSTGRES_URL`; skipped without it,
//! failed under CI). The suite itself is `chatchit_testkit::store`; the tests
//! here are the SQL stores' own (a row the database itself refuses).

use chatchit_domain::StoreError;
use chatchit_domain::values::MessageBody;
use chatchit_migrations::apply;
use chatchit_sql::{
    SqlCallStore, SqlConversationStore, SqlDatabase, SqlMessageStore, SqlReportStore,
    SqlSessionStore, SqlSocialStore, SqlStoryStore, SqlUserStore,
};
use chatchit_testkit::store::{Stores, group, new_message, sorted_seqs, user};
use chatchit_testkit::{service_url, store_contract};
use sea_orm::ConnectionTrait;
use std::sync::Arc;

/// The stores on a SQLite file in a fresh temp directory.
async fn sqlite() -> (Stores, SqlDatabase) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
    stores_on(&url, Box::new(dir)).await
}

/// The stores on a fresh PostgreSQL database, when there is a server.
async fn postgres() -> Option<(Stores, SqlDatabase)> {
    let admin_url = service_url("CHATCHIT_TEST_POSTGRES_URL")?;
    let admin = SqlDatabase::connect(&admin_url, 1)
        .await
        .expect("PostgreSQL reachable");
    let name = format!("chatchit_test_{}", uuid::Uuid::now_v7().simple());
    admin
        .connection()
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create database");
    admin.close().await;
    let (base, _) = admin_url.rsplit_once('/').expect("a database in the URL");
    Some(stores_on(&format!("{base}/{name}"), Box::new(())).await)
}

/// Every SQL store on `url`, migrated.
async fn stores_on(url: &str, keep: Box<dyn std::any::Any + Send>) -> (Stores, SqlDatabase) {
    let db = SqlDatabase::connect(url, 4).await.expect("connect");
    apply(db.connection()).await.expect("migrate");
    let stores = Stores {
        keep,
        stories: Arc::new(SqlStoryStore::new(db.clone())),
        calls: Arc::new(SqlCallStore::new(db.clone())),
        social: Arc::new(SqlSocialStore::new(db.clone())),
        users: Arc::new(SqlUserStore::new(db.clone())),
        sessions: Arc::new(SqlSessionStore::new(db.clone())),
        conversations: Arc::new(SqlConversationStore::new(db.clone())),
        reports: Arc::new(SqlReportStore::new(db.clone())),
        messages: Arc::new(SqlMessageStore::new(db.clone())),
    };
    (stores, db)
}

store_contract!(on_sqlite, Some(super::sqlite().await.0));
store_contract!(on_postgres, super::postgres().await.map(|(s, _)| s));

/// Makes the database itself refuse any message whose body is `poison`, as
/// PostgreSQL refuses a value it cannot store.
async fn poison_messages(db: &SqlDatabase) {
    let sql = match db.connection().get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            "CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN \
             IF NEW.body = 'poison' THEN RAISE EXCEPTION 'poisoned row'; END IF; \
             RETURN NEW; END $$ LANGUAGE plpgsql; \
             CREATE TRIGGER poison BEFORE INSERT ON messages \
             FOR EACH ROW EXECUTE FUNCTION poison();"
        }
        _ => {
            "CREATE TRIGGER poison BEFORE INSERT ON messages WHEN NEW.body = 'poison' \
             BEGIN SELECT RAISE(ABORT, 'poisoned row'); END;"
        }
    };
    db.connection()
        .execute_unprepared(sql)
        .await
        .expect("trigger");
}

async fn a_row_the_database_refuses_fails_alone_in_its_batch((s, db): (Stores, SqlDatabase)) {
    poison_messages(&db).await;
    let a = user(&s, "kim").await;
    let c = group(&s, &[a]).await;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let store = s.messages.clone();
        let mut message = new_message(c, a, &format!("k{i}"));
        if i % 5 == 0 {
            message.body = MessageBody::parse("poison").expect("body");
        }
        tasks.push(tokio::spawn(async move { store.append(message).await }));
    }
    let (mut refused, mut stored) = (0, 0);
    for t in tasks {
        match t.await.expect("join") {
            Ok(_) => stored += 1,
            Err(StoreError::Internal(_)) => refused += 1,
            Err(e) => panic!("unexpected {e}"),
        }
    }
    assert_eq!((refused, stored), (8, 32), "only the poisoned rows failed");
    assert_eq!(sorted_seqs(&s, c).await, (1..=32).collect::<Vec<_>>());
}

#[tokio::test]
async fn on_sqlite_a_row_the_database_refuses_fails_alone_in_its_batch() {
    a_row_the_database_refuses_fails_alone_in_its_batch(sqlite().await).await;
}

#[tokio::test]
async fn on_postgres_a_row_the_database_refuses_fails_alone_in_its_batch() {
    if let Some(stores) = postgres().await {
        a_row_the_database_refuses_fails_alone_in_its_batch(stores).await;
    }
}

/// Whether `table` has a rowid (a `WITHOUT ROWID` table has none to select).
async fn has_rowid(db: &SqlDatabase, table: &str) -> bool {
    db.connection()
        .execute_unprepared(&format!("SELECT rowid FROM {table}"))
        .await
        .is_ok()
}

#[tokio::test]
async fn on_sqlite_a_relay_note_is_one_btree_row_and_outlives_the_rebuild() {
    use chatchit_migrations::{Migrator, MigratorTrait};
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
    let db = SqlDatabase::connect(&url, 1).await.expect("connect");
    let before_the_rebuild = Migrator::migrations().len() as u32 - 1;
    Migrator::up(db.connection(), Some(before_the_rebuild))
        .await
        .expect("migrate to the rowid table");
    db.connection()
        .execute_unprepared(
            "INSERT INTO message_relays VALUES (x'0123456789abcdef0123456789abcdef', 7)",
        )
        .await
        .expect("a note");
    assert!(has_rowid(&db, "message_relays").await);

    apply(db.connection()).await.expect("migrate");
    assert!(
        !has_rowid(&db, "message_relays").await,
        "the notes are kept in their key's b-tree alone"
    );
    let notes = |db: SqlDatabase| async move {
        db.connection()
            .query_one_raw(sea_orm::Statement::from_string(
                sea_orm::DbBackend::Sqlite,
                "SELECT count(*) AS n FROM message_relays WHERE created_at = 7",
            ))
            .await
            .expect("count")
            .and_then(|row| row.try_get::<i64>("", "n").ok())
    };
    assert_eq!(
        notes(db.clone()).await,
        Some(1),
        "the note outlived the rebuild"
    );

    Migrator::down(db.connection(), Some(1))
        .await
        .expect("migrate down");
    assert!(has_rowid(&db, "message_relays").await);
    assert_eq!(notes(db.clone()).await, Some(1), "and the way back");
}
