//! The JWT secret: configured, or generated once and kept in the database, so
//! every node of a cluster signs and checks tokens with the same one.

use anyhow::Context;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chatchit_sql::SqlDatabase;
use rand::RngCore;
use std::path::Path;

/// The setting that holds the generated secret.
const SECRET_KEY: &str = "jwt_secret";

/// Where earlier versions kept the generated secret; adopted once so tokens
/// issued before an upgrade stay valid.
const LEGACY_SECRET_FILE: &str = "jwt-secret";

/// The configured secret, else the one stored in the database (generated and
/// stored by the first node that needed it). Warns when not configured.
///
/// # Errors
/// When the database is unreachable or a stored secret is not base64.
pub async fn jwt_secret(
    configured: Option<&str>,
    data_dir: &Path,
    database: &SqlDatabase,
) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = configured {
        return configured_secret(secret);
    }
    tracing::warn!(
        "no jwt_secret configured: using one generated and kept in the database; production should set CHATCHIT_JWT_SECRET"
    );
    let legacy = data_dir.join(LEGACY_SECRET_FILE);
    let proposed = match std::fs::read_to_string(&legacy) {
        Ok(text) => text.trim().to_owned(),
        Err(_) => {
            let mut secret = vec![0u8; 48];
            rand::rng().fill_bytes(&mut secret);
            STANDARD.encode(&secret)
        }
    };
    let stored = database
        .setting_or_insert(SECRET_KEY, &proposed)
        .await
        .context("reading the JWT secret from the database")?;
    STANDARD
        .decode(stored.trim())
        .context("the stored JWT secret is not base64")
}

/// A configured secret, if it is long enough to be one.
///
/// # Errors
/// When it is shorter than 16 bytes.
pub fn configured_secret(secret: &str) -> anyhow::Result<Vec<u8>> {
    anyhow::ensure!(
        secret.len() >= 16,
        "jwt_secret must be at least 16 bytes long"
    );
    Ok(secret.as_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chatchit_migrations::apply;

    async fn database(dir: &Path) -> SqlDatabase {
        let url = format!("sqlite://{}?mode=rwc", dir.join("test.db").display());
        let db = SqlDatabase::connect(&url, 2).await.expect("connect");
        apply(db.connection()).await.expect("migrate");
        db
    }

    #[tokio::test]
    async fn every_node_of_one_database_gets_the_same_generated_secret() {
        let shared = tempfile::tempdir().expect("dir");
        let db = database(shared.path()).await;
        let (node_one, node_two) = (
            tempfile::tempdir().expect("dir"),
            tempfile::tempdir().expect("dir"),
        );
        let first = jwt_secret(None, node_one.path(), &db).await.expect("first");
        let second = jwt_secret(None, node_two.path(), &db)
            .await
            .expect("second");
        assert_eq!(first, second);
        assert_eq!(first.len(), 48);
        assert_eq!(
            jwt_secret(Some("configured-secret-1"), node_one.path(), &db)
                .await
                .expect("configured"),
            b"configured-secret-1"
        );
        assert!(
            jwt_secret(Some(""), node_one.path(), &db).await.is_err(),
            "an empty secret is refused"
        );
    }

    #[tokio::test]
    async fn a_secret_generated_by_an_earlier_version_is_adopted() {
        let dir = tempfile::tempdir().expect("dir");
        let old = STANDARD.encode([7u8; 48]);
        std::fs::write(dir.path().join(LEGACY_SECRET_FILE), &old).expect("write");
        let db = database(dir.path()).await;
        let secret = jwt_secret(None, dir.path(), &db).await.expect("secret");
        assert_eq!(secret, vec![7u8; 48]);
    }
}
