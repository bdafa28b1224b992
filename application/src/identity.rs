//! Who a bearer token stands for: the [`Authenticator`] port every transport
//! asks, with two adapters — ChatChit's own accounts ([`AuthService`]) and a
//! host's own users ([`ExternalAuth`], tokens its identity provider signed).

use crate::auth::AuthService;
use crate::context::Actor;
use crate::error::AppError;
use async_trait::async_trait;
use chatchit_domain::StoreError;
use chatchit_domain::auth::{ExternalClaims, Session};
use chatchit_domain::ids::{SessionId, UserId};
use chatchit_domain::ports::{Clock, IdentityVerifier, SessionStore, UserStore};
use chatchit_domain::user::{Role, User};
use chatchit_domain::values::DisplayName;
use std::sync::Arc;
use uuid::Uuid;

/// Turns a bearer token (REST `Authorization`, the socket handshake's
/// `auth.token`) into the caller, checking on every use that the session is
/// live and the user not banned.
#[async_trait]
pub trait Authenticator: Send + Sync {
    /// The caller the token stands for.
    ///
    /// # Errors
    /// `Unauthorized` for a bad or expired token, an ended session or a
    /// suspended user.
    async fn authenticate(&self, token: &str) -> Result<Actor, AppError>;

    /// The user a validly signed token names, without asking any store: for
    /// keying rate limits before the route authenticates.
    fn token_user(&self, token: &str) -> Option<UserId>;
}

#[async_trait]
impl Authenticator for AuthService {
    async fn authenticate(&self, token: &str) -> Result<Actor, AppError> {
        AuthService::authenticate(self, token).await
    }

    fn token_user(&self, token: &str) -> Option<UserId> {
        AuthService::token_user(self, token)
    }
}

/// How the usernames of a host's users begin; registration refuses it.
pub const EXTERNAL_PREFIX: &str = "x.";

/// The namespace of the identifiers derived from a host's claims (UUID v5).
const EXTERNAL_NAMESPACE: Uuid = Uuid::from_u128(0x6a1d_41c3_5be0_4f0e_9d6c_0c4a_7e2b_91f5);

/// Lets a host's own users in with the host's own tokens. The pair
/// `(iss, sub)` names one ChatChit user, created on first sight with the
/// claims' display name (its id and username are derived from the pair, so
/// every node agrees without asking another); each host token opens a
/// session of its own, keyed by `(iss, sub, iat)`, so a ban revokes it like
/// any session and tokens issued before the ban stay refused after it is
/// lifted. Tokens the verifier refuses are tried as ChatChit's own when
/// accounts are kept beside (admins made with `chatchit admin create`).
pub struct ExternalAuth {
    /// Checks the host's signatures.
    verifier: Arc<dyn IdentityVerifier>,
    /// Where the mapped users live.
    users: Arc<dyn UserStore>,
    /// Where their sessions live.
    sessions: Arc<dyn SessionStore>,
    /// For creation times.
    clock: Arc<dyn Clock>,
    /// ChatChit's own accounts, when they are kept beside.
    accounts: Option<Arc<AuthService>>,
}

impl ExternalAuth {
    /// External tokens alone; add [`ExternalAuth::beside`] to keep accounts.
    pub fn new(
        verifier: Arc<dyn IdentityVerifier>,
        users: Arc<dyn UserStore>,
        sessions: Arc<dyn SessionStore>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            verifier,
            users,
            sessions,
            clock,
            accounts: None,
        }
    }

    /// Also accepts ChatChit's own access tokens.
    #[must_use]
    pub fn beside(mut self, accounts: Arc<AuthService>) -> Self {
        self.accounts = Some(accounts);
        self
    }

    /// The user of `claims`, created when first seen.
    async fn user_of(&self, claims: &ExternalClaims) -> Result<User, AppError> {
        let id = user_id(claims);
        if let Some(user) = self.users.find(id).await? {
            return Ok(user);
        }
        let display_name = claims
            .display_name
            .as_deref()
            .and_then(|name| DisplayName::parse(name).ok())
            .map(DisplayName::into_inner);
        let simple = id.0.simple().to_string();
        // Registration refuses these names, but an account from before that
        // rule may hold the short one: the long one then (still derived, so
        // every node picks the same).
        for len in [20, 30] {
            let username = format!("{EXTERNAL_PREFIX}{}", &simple[..len]);
            let user = User {
                id,
                display_name: display_name.clone().unwrap_or_else(|| username.clone()),
                username,
                avatar_url: None,
                role: Role::User,
                created_at: self.clock.now(),
                banned: false,
            };
            match self.users.create(user.clone(), String::new()).await {
                Ok(()) => return Ok(user),
                Err(StoreError::Conflict(_)) => {
                    // Another node created it meanwhile, or the name is taken.
                    if let Some(user) = self.users.find(id).await? {
                        return Ok(user);
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(AppError::Conflict(
            "no username is free for this identity".into(),
        ))
    }
}

/// The ChatChit user of a host's `(iss, sub)`.
fn user_id(claims: &ExternalClaims) -> UserId {
    let name = format!("{}\u{0}{}", claims.issuer, claims.subject);
    UserId(Uuid::new_v5(&EXTERNAL_NAMESPACE, name.as_bytes()))
}

/// The session one host token stands for.
fn session_id(claims: &ExternalClaims) -> SessionId {
    let name = format!(
        "{}\u{0}{}\u{0}{}",
        claims.issuer,
        claims.subject,
        claims.issued_at.millis()
    );
    SessionId(Uuid::new_v5(&EXTERNAL_NAMESPACE, name.as_bytes()))
}

#[async_trait]
impl Authenticator for ExternalAuth {
    async fn authenticate(&self, token: &str) -> Result<Actor, AppError> {
        let claims = match self.verifier.verify(token) {
            Ok(claims) => claims,
            Err(refused) => {
                return match &self.accounts {
                    Some(accounts) => accounts.authenticate(token).await,
                    None => Err(refused.into()),
                };
            }
        };
        let user = self.user_of(&claims).await?;
        if user.banned {
            return Err(AppError::Unauthorized("unknown or suspended user".into()));
        }
        let session = session_id(&claims);
        match self.sessions.find(session).await? {
            Some(found) if found.revoked_at.is_some() => {
                return Err(AppError::Unauthorized("session ended".into()));
            }
            Some(_) => {}
            None => {
                self.sessions
                    .open(Session {
                        id: session,
                        user_id: user.id,
                        created_at: self.clock.now(),
                        revoked_at: None,
                    })
                    .await?;
            }
        }
        Ok(Actor {
            user_id: user.id,
            session_id: session,
            role: user.role,
        })
    }

    fn token_user(&self, token: &str) -> Option<UserId> {
        match self.verifier.verify(token) {
            Ok(claims) => Some(user_id(&claims)),
            Err(_) => self.accounts.as_ref()?.token_user(token),
        }
    }
}

#[cfg(test)]
mod tests;
