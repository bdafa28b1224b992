//! Registration, login, refresh-token rotation with reuse detection, logout,
//! and turning an access token into an `Actor`.

use crate::context::Actor;
use crate::error::AppError;
use chatchit_domain::auth::{AccessClaims, RefreshTokenRecord, Session};
use chatchit_domain::ids::{SessionId, UserId};
use chatchit_domain::ports::{
    Clock, Delivery, IdGenerator, PasswordHasher, SessionStore, TimeOrderedIds, TokenIssuer,
    UserStore,
};
use chatchit_domain::time::Timestamp;
use chatchit_domain::user::{Role, User};
use chatchit_domain::values::{DisplayName, Password, Username};
use chrono::TimeDelta;
use std::sync::Arc;

/// How long tokens live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenLifetimes {
    /// Access tokens (default 15 minutes).
    pub access: TimeDelta,
    /// Refresh tokens (default 30 days).
    pub refresh: TimeDelta,
}

impl Default for TokenLifetimes {
    fn default() -> Self {
        Self {
            access: TimeDelta::minutes(15),
            refresh: TimeDelta::days(30),
        }
    }
}

/// `POST /auth/register` body.
#[derive(Debug, Clone)]
pub struct RegisterInput {
    /// 3–32 chars of `[a-zA-Z0-9_.]`.
    pub username: String,
    /// 8–128 chars.
    pub password: String,
    /// Defaults to the username.
    pub display_name: Option<String>,
}

/// `POST /auth/login` body.
#[derive(Debug, Clone)]
pub struct LoginInput {
    /// Login name (any case).
    pub username: String,
    /// Password.
    pub password: String,
}

/// `POST /auth/refresh` and `/auth/logout` body.
#[derive(Debug, Clone)]
pub struct RefreshInput {
    /// The refresh token from the last login or refresh.
    pub refresh_token: String,
}

/// A token pair and the user it belongs to.
#[derive(Debug, Clone)]
pub struct AuthSession {
    /// The account.
    pub user: User,
    /// Bearer token for REST and the socket handshake.
    pub access_token: String,
    /// Single-use token for `/auth/refresh`.
    pub refresh_token: String,
    /// Access-token lifetime in seconds.
    pub expires_in: i64,
}

/// The most revocations one look at [`AuthService::recent_revocations`]
/// returns: a bound on its answer, far above any real minute's logouts.
pub const REVOCATIONS_PER_LOOK: u64 = 10_000;

const BAD_CREDENTIALS: &str = "invalid username or password";
const BAD_REFRESH: &str = "invalid refresh token";

/// The authentication use cases.
pub struct AuthService {
    /// Accounts and password hashes.
    users: Arc<dyn UserStore>,
    /// Sessions and refresh-token hashes.
    sessions: Arc<dyn SessionStore>,
    /// bcrypt.
    hasher: Arc<dyn PasswordHasher>,
    /// JWT signing and refresh-token minting.
    tokens: Arc<dyn TokenIssuer>,
    /// Disconnects a session's sockets on logout.
    delivery: Arc<dyn Delivery>,
    /// Now.
    clock: Arc<dyn Clock>,
    /// Token lifetimes.
    lifetimes: TokenLifetimes,
    /// A hash checked against when the user does not exist, so that an unknown
    /// username costs the same bcrypt time as a wrong password.
    decoy_hash: tokio::sync::OnceCell<String>,
    /// Where new ids come from.
    ids: Arc<dyn IdGenerator>,
}

impl AuthService {
    /// Wires the service to its ports.
    pub fn new(
        users: Arc<dyn UserStore>,
        sessions: Arc<dyn SessionStore>,
        hasher: Arc<dyn PasswordHasher>,
        tokens: Arc<dyn TokenIssuer>,
        delivery: Arc<dyn Delivery>,
        clock: Arc<dyn Clock>,
        lifetimes: TokenLifetimes,
    ) -> Self {
        Self {
            ids: Arc::new(TimeOrderedIds),
            users,
            sessions,
            hasher,
            tokens,
            delivery,
            clock,
            lifetimes,
            decoy_hash: tokio::sync::OnceCell::new(),
        }
    }

    /// Takes new ids from `ids` instead of time-ordered UUIDs.
    #[must_use]
    pub fn with_ids(mut self, ids: Arc<dyn IdGenerator>) -> Self {
        self.ids = ids;
        self
    }

    /// Creates an account and logs it in.
    ///
    /// # Errors
    /// `Validation` on a bad field or a reserved name, `Conflict` when the
    /// username is taken.
    pub async fn register(&self, input: RegisterInput) -> Result<AuthSession, AppError> {
        let username = Username::parse(&input.username)?;
        // The names a host's users get (`ExternalAuth`): nobody takes one
        // ahead of the user it is derived for.
        if username
            .canonical()
            .starts_with(crate::identity::EXTERNAL_PREFIX)
        {
            return Err(AppError::validation(
                "username",
                "names starting with \"x.\" are reserved",
            ));
        }
        let password = Password::parse(&input.password)?;
        let display_name = match input.display_name.as_deref() {
            Some(raw) => DisplayName::parse(raw)?.into_inner(),
            None => username.as_str().to_owned(),
        };
        let hash = self.hasher.hash(password.expose().to_owned()).await?;
        let user = User {
            id: UserId(self.ids.next()),
            username: username.as_str().to_owned(),
            display_name,
            avatar_url: None,
            role: Role::User,
            created_at: self.clock.now(),
            banned: false,
        };
        self.users
            .create(user.clone(), hash)
            .await
            .map_err(|e| match e {
                chatchit_domain::StoreError::Conflict(_) => {
                    AppError::Conflict("username is taken".into())
                }
                other => other.into(),
            })?;
        self.start_session(user).await
    }

    /// Logs in; unknown user, wrong password and suspended account give the
    /// same answer.
    ///
    /// # Errors
    /// `Unauthorized` on bad credentials.
    pub async fn login(&self, input: LoginInput) -> Result<AuthSession, AppError> {
        let unauthorized = || AppError::Unauthorized(BAD_CREDENTIALS.into());
        let Ok(username) = Username::parse(&input.username) else {
            return Err(unauthorized());
        };
        // A user a host's identity provider brought in has no password here.
        let credentials = self
            .users
            .find_credentials(username.canonical())
            .await?
            .filter(|c| !c.password_hash.is_empty());
        let Some(credentials) = credentials else {
            let decoy = self
                .decoy_hash
                .get_or_try_init(|| self.hasher.hash("decoy password".to_owned()))
                .await?;
            self.hasher.verify(input.password, decoy.clone()).await?;
            return Err(unauthorized());
        };
        let ok = self
            .hasher
            .verify(input.password, credentials.password_hash)
            .await?;
        // A suspended account answers as a wrong password does, whatever
        // the password: the answer tells nobody whether a guess was right.
        if !ok || credentials.user.banned {
            return Err(unauthorized());
        }
        self.start_session(credentials.user).await
    }

    /// Exchanges a refresh token for a new pair. The old token is spent; a spent
    /// token presented again revokes its whole session (token family).
    ///
    /// # Errors
    /// `Unauthorized` for unknown, expired, spent or revoked tokens.
    pub async fn refresh(&self, input: RefreshInput) -> Result<AuthSession, AppError> {
        let unauthorized = || AppError::Unauthorized(BAD_REFRESH.into());
        let now = self.clock.now();
        let hash = self.tokens.hash_refresh(&input.refresh_token);
        let Some(record) = self.sessions.find_token(hash.clone()).await? else {
            return Err(unauthorized());
        };
        let session = self.live_session(record.session_id).await?;
        if record.used_at.is_some() {
            tracing::warn!(session = %session.id, "refresh token reuse: revoking its family");
            self.end_session(session.id, "token_reuse").await?;
            return Err(unauthorized());
        }
        if record.expires_at <= now {
            return Err(unauthorized());
        }
        let secret = self.tokens.new_refresh();
        let next = RefreshTokenRecord {
            token_hash: secret.hash,
            session_id: session.id,
            expires_at: now.plus(self.lifetimes.refresh),
            used_at: None,
        };
        if !self.sessions.rotate(hash, now, next).await? {
            self.end_session(session.id, "token_reuse").await?;
            return Err(unauthorized());
        }
        let user = self
            .users
            .find(session.user_id)
            .await?
            .filter(|u| !u.banned)
            .ok_or_else(unauthorized)?;
        let access_token = self.access_token(&user, session.id, now)?;
        Ok(AuthSession {
            user,
            access_token,
            refresh_token: secret.token,
            expires_in: self.lifetimes.access.num_seconds(),
        })
    }

    /// Ends the session the refresh token belongs to: its tokens stop working and
    /// its sockets are told and disconnected. Unknown tokens are ignored.
    ///
    /// # Errors
    /// `Unavailable` / `Internal` when a store fails.
    pub async fn logout(&self, input: RefreshInput) -> Result<(), AppError> {
        let hash = self.tokens.hash_refresh(&input.refresh_token);
        if let Some(record) = self.sessions.find_token(hash).await? {
            self.end_session(record.session_id, "logout").await?;
        }
        Ok(())
    }

    /// Checks an access token against its signature, expiry, session and user.
    ///
    /// # Errors
    /// `Unauthorized` for anything but a valid token of a live session.
    pub async fn authenticate(&self, access_token: &str) -> Result<Actor, AppError> {
        let claims = self.tokens.verify_access(access_token)?;
        let user = self.admitted(claims.session_id, claims.user_id).await?;
        Ok(Actor {
            user_id: user.id,
            session_id: claims.session_id,
            role: user.role,
        })
    }

    /// The user an access token names, from its signature and expiry alone
    /// (no store is asked): enough to count a request against its user's
    /// quota before the request is handled.
    pub fn token_user(&self, access_token: &str) -> Option<UserId> {
        self.tokens
            .verify_access(access_token)
            .ok()
            .map(|claims| claims.user_id)
    }

    /// The user of a live `session`, unless they are unknown or banned.
    async fn admitted(&self, session: SessionId, user: UserId) -> Result<User, AppError> {
        self.live_session(session).await?;
        self.users
            .find(user)
            .await?
            .filter(|u| !u.banned)
            .ok_or_else(|| AppError::Unauthorized("unknown or suspended user".into()))
    }

    /// The sessions revoked within the last `window` (newest first, at most
    /// [`REVOCATIONS_PER_LOOK`]). Each node looks once per heartbeat and ends
    /// the sockets of these it still holds, so a revocation whose notice was
    /// lost (the bus was down when it was sent) is still enforced.
    ///
    /// # Errors
    /// `Unavailable` / `Internal` when the store fails.
    pub async fn recent_revocations(
        &self,
        window: std::time::Duration,
    ) -> Result<Vec<SessionId>, AppError> {
        let window = TimeDelta::from_std(window)
            .unwrap_or(TimeDelta::days(1))
            .min(TimeDelta::days(1));
        let after = self.clock.now().plus(-window);
        let sessions = self
            .sessions
            .revoked_since(after, REVOCATIONS_PER_LOOK)
            .await?;
        Ok(sessions.into_iter().map(|s| s.id).collect())
    }

    async fn live_session(&self, id: SessionId) -> Result<Session, AppError> {
        match self.sessions.find(id).await? {
            Some(session) if session.revoked_at.is_none() => Ok(session),
            _ => Err(AppError::Unauthorized("session ended".into())),
        }
    }

    async fn end_session(&self, id: SessionId, reason: &str) -> Result<(), AppError> {
        self.sessions.revoke(id, self.clock.now()).await?;
        if let Err(e) = self.delivery.revoke_session(id, reason.to_owned()).await {
            tracing::warn!(error = %e, "could not disconnect a revoked session's sockets");
        }
        Ok(())
    }

    async fn start_session(&self, user: User) -> Result<AuthSession, AppError> {
        let now = self.clock.now();
        let session = Session {
            id: SessionId(self.ids.next()),
            user_id: user.id,
            created_at: now,
            revoked_at: None,
        };
        let secret = self.tokens.new_refresh();
        let record = RefreshTokenRecord {
            token_hash: secret.hash,
            session_id: session.id,
            expires_at: now.plus(self.lifetimes.refresh),
            used_at: None,
        };
        let session_id = session.id;
        self.sessions.create(session, record).await?;
        let access_token = self.access_token(&user, session_id, now)?;
        Ok(AuthSession {
            user,
            access_token,
            refresh_token: secret.token,
            expires_in: self.lifetimes.access.num_seconds(),
        })
    }

    fn access_token(
        &self,
        user: &User,
        session: SessionId,
        now: Timestamp,
    ) -> Result<String, AppError> {
        let claims = AccessClaims {
            user_id: user.id,
            session_id: session,
            role: user.role,
            expires_at: now.plus(self.lifetimes.access),
        };
        Ok(self.tokens.issue_access(&claims)?)
    }
}

#[cfg(test)]
mod tests;
