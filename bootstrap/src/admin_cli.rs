//! `chatchit admin create` and `chatchit admin promote`: making admins from
//! the command line, straight against the configured database.

use crate::app::migrate;
use crate::config::Config;
use anyhow::{Context, bail};
use chatchit_crypto::BcryptHasher;
use chatchit_domain::error::StoreError;
use chatchit_domain::ids::UserId;
use chatchit_domain::ports::{PasswordHasher, UserStore};
use chatchit_domain::time::Timestamp;
use chatchit_domain::user::{Role, User};
use chatchit_domain::values::{Password, Username};
use chatchit_sql::SqlUserStore;

/// Creates an admin account.
///
/// # Errors
/// When the name or password break the rules, the name is taken, or the
/// database is unusable.
pub async fn create_admin(
    config: &Config,
    username: &str,
    password: &str,
) -> anyhow::Result<UserId> {
    let name = Username::parse(username).map_err(|e| anyhow::anyhow!("{e}"))?;
    let password = Password::parse(password).map_err(|e| anyhow::anyhow!("{e}"))?;
    let database = migrate(config).await?;
    let users = SqlUserStore::new(database.clone());
    let hash = BcryptHasher::new(config.bcrypt_cost)
        .hash(password.expose().to_owned())
        .await
        .context("hashing the password")?;
    let user = User {
        id: UserId::generate(),
        username: name.as_str().to_owned(),
        display_name: name.as_str().to_owned(),
        avatar_url: None,
        role: Role::Admin,
        created_at: Timestamp::from_datetime(chrono::Utc::now()),
        banned: false,
    };
    let id = user.id;
    match users.create(user, hash).await {
        Ok(()) => {}
        Err(StoreError::Conflict(_)) => {
            database.close().await;
            bail!("the name {username} is taken");
        }
        Err(e) => return Err(anyhow::Error::new(e).context("creating the account")),
    }
    database.close().await;
    Ok(id)
}

/// Makes an existing account admin.
///
/// # Errors
/// When the account does not exist or the database is unusable.
pub async fn promote(config: &Config, username: &str) -> anyhow::Result<UserId> {
    let name = Username::parse(username).map_err(|e| anyhow::anyhow!("{e}"))?;
    let database = migrate(config).await?;
    let users = SqlUserStore::new(database.clone());
    let Some(found) = users.find_credentials(name.canonical()).await? else {
        bail!("no user named {username}");
    };
    users.set_role(found.user.id, Role::Admin).await?;
    database.close().await;
    Ok(found.user.id)
}
