//! `chatchit admin create|promote|list|ban|unban`: managing accounts from
//! the command line, against the configured database (bans through the
//! admin use case, so they end sessions as one from `/admin` does).

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

/// What `chatchit admin ban|unban` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ban {
    /// Bans: every session ends, every socket is closed (a running node
    /// closes them within one heartbeat, reading the revocations from the
    /// database).
    Ban,
    /// Lifts the ban.
    Unban,
}

/// The operator at the command line, as the use cases see an admin.
fn operator() -> chatchit_application::Actor {
    chatchit_application::Actor {
        user_id: UserId(uuid::Uuid::nil()),
        session_id: chatchit_domain::ids::SessionId(uuid::Uuid::nil()),
        role: Role::Admin,
    }
}

/// Accounts whose username starts with `prefix` (all when empty), with
/// whether each is banned, through the admin use case.
///
/// # Errors
/// When the database is unusable or the prefix is over 32 characters.
pub async fn list_users(config: &Config, prefix: &str) -> anyhow::Result<Vec<User>> {
    let chat = crate::ChatChit::builder(config.clone()).build().await?;
    let found = chat
        .services()
        .admin
        .find_users(&operator(), prefix, Some(100))
        .await;
    chat.shutdown().await;
    Ok(found?)
}

/// Bans or unbans `username` through the admin use case (so a ban ends the
/// user's sessions as one from `/admin` does).
///
/// # Errors
/// When no account has that name, it is an admin's (for a ban), or the
/// database is unusable.
pub async fn set_ban(config: &Config, username: &str, what: Ban) -> anyhow::Result<UserId> {
    let name = Username::parse(username).map_err(|e| anyhow::anyhow!("{e}"))?;
    let chat = crate::ChatChit::builder(config.clone()).build().await?;
    let done = async {
        let admin = &chat.services().admin;
        let found = admin
            .find_users(&operator(), &name.canonical(), Some(100))
            .await?;
        let Some(user) = found
            .into_iter()
            .find(|u| u.username.eq_ignore_ascii_case(name.as_str()))
        else {
            bail!("no user named {username}");
        };
        match what {
            Ban::Ban => admin.ban(&operator(), user.id).await?,
            Ban::Unban => admin.unban(&operator(), user.id).await?,
        }
        Ok(user.id)
    }
    .await;
    chat.shutdown().await;
    done
}
