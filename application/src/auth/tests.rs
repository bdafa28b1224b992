//! Unit tests of the authentication use cases, with mockall mocks of every port.

use super::*;
use chatchit_domain::StoreError;
use chatchit_domain::auth::RefreshSecret;
use chatchit_domain::ports::clock::MockClock;
use chatchit_domain::ports::delivery::MockDelivery;
use chatchit_domain::ports::security::{MockPasswordHasher, MockTokenIssuer};
use chatchit_domain::ports::sessions::MockSessionStore;
use chatchit_domain::ports::users::MockUserStore;
use chatchit_domain::user::Credentials;

struct Mocks {
    users: MockUserStore,
    sessions: MockSessionStore,
    hasher: MockPasswordHasher,
    tokens: MockTokenIssuer,
    delivery: MockDelivery,
}

impl Mocks {
    fn new() -> Self {
        let mut tokens = MockTokenIssuer::new();
        tokens
            .expect_hash_refresh()
            .returning(|t| format!("hash:{t}"));
        tokens.expect_new_refresh().returning(|| RefreshSecret {
            token: "fresh".into(),
            hash: "hash:fresh".into(),
        });
        tokens
            .expect_issue_access()
            .returning(|_| Ok("access".into()));
        Self {
            users: MockUserStore::new(),
            sessions: MockSessionStore::new(),
            hasher: MockPasswordHasher::new(),
            tokens,
            delivery: MockDelivery::new(),
        }
    }

    fn service(self) -> AuthService {
        let mut clock = MockClock::new();
        clock
            .expect_now()
            .returning(|| Timestamp::from_millis(1_000_000));
        AuthService::new(
            Arc::new(self.users),
            Arc::new(self.sessions),
            Arc::new(self.hasher),
            Arc::new(self.tokens),
            Arc::new(self.delivery),
            Arc::new(clock),
            TokenLifetimes::default(),
        )
    }
}

fn user() -> User {
    User {
        id: UserId::generate(),
        username: "alice".into(),
        display_name: "alice".into(),
        avatar_url: None,
        role: Role::User,
        created_at: Timestamp::from_millis(0),
        banned: false,
    }
}

fn session(id: SessionId, user_id: UserId, revoked: bool) -> Session {
    Session {
        id,
        user_id,
        created_at: Timestamp::from_millis(0),
        revoked_at: revoked.then(|| Timestamp::from_millis(1)),
    }
}

#[tokio::test]
async fn a_taken_username_is_a_conflict() {
    let mut m = Mocks::new();
    m.hasher.expect_hash().returning(|_| Ok("h".into()));
    m.users
        .expect_create()
        .returning(|_, _| Err(StoreError::Conflict("users.username_canonical".into())));
    m.sessions.expect_create().never();
    let input = RegisterInput {
        username: "alice".into(),
        password: "password123".into(),
        display_name: None,
    };
    let err = m.service().register(input).await.expect_err("refused");
    assert_eq!(err, AppError::Conflict("username is taken".into()));
}

#[tokio::test]
async fn the_names_of_a_hosts_users_cannot_be_registered() {
    let mut m = Mocks::new();
    m.users.expect_create().never();
    let input = RegisterInput {
        username: "X.abc".into(),
        password: "password123".into(),
        display_name: None,
    };
    let err = m.service().register(input).await.expect_err("refused");
    assert_eq!(err.code(), "validation");
}

#[tokio::test]
async fn unknown_users_and_wrong_passwords_get_the_same_error() {
    let mut m = Mocks::new();
    m.users.expect_find_credentials().returning(|name| {
        Ok((name == "alice").then(|| Credentials {
            user: user(),
            password_hash: "h".into(),
        }))
    });
    m.hasher
        .expect_hash()
        .times(1)
        .returning(|_| Ok("decoy".into()));
    m.hasher
        .expect_verify()
        .times(2)
        .returning(|_, _| Ok(false));
    let s = m.service();
    let login = |u: &str| LoginInput {
        username: u.into(),
        password: "password123".into(),
    };
    let unknown = s.login(login("nobody")).await.expect_err("refused");
    let wrong = s.login(login("alice")).await.expect_err("refused");
    assert_eq!(unknown, wrong);
    assert_eq!(unknown.code(), "unauthorized");
}

#[tokio::test]
async fn an_account_a_host_brought_in_has_no_password_to_guess() {
    let mut m = Mocks::new();
    m.users.expect_find_credentials().returning(|_| {
        Ok(Some(Credentials {
            user: user(),
            password_hash: String::new(),
        }))
    });
    m.hasher
        .expect_hash()
        .times(1)
        .returning(|_| Ok("decoy".into()));
    // Only the decoy is checked: an empty hash never reaches the hasher.
    m.hasher
        .expect_verify()
        .withf(|_, hash| hash == "decoy")
        .times(1)
        .returning(|_, _| Ok(true));
    m.sessions.expect_create().never();
    let err = m
        .service()
        .login(LoginInput {
            username: "alice".into(),
            password: "password123".into(),
        })
        .await
        .expect_err("refused");
    assert_eq!(err.code(), "unauthorized");
}

#[tokio::test]
async fn a_spent_refresh_token_revokes_its_session_and_disconnects_it() {
    let sid = SessionId::generate();
    let owner = UserId::generate();
    let mut m = Mocks::new();
    m.sessions.expect_find_token().returning(move |hash| {
        Ok(Some(RefreshTokenRecord {
            token_hash: hash,
            session_id: sid,
            expires_at: Timestamp::from_millis(4_000_000_000_000),
            used_at: Some(Timestamp::from_millis(5)),
        }))
    });
    m.sessions
        .expect_find()
        .returning(move |id| Ok(Some(session(id, owner, false))));
    m.sessions.expect_rotate().never();
    m.sessions
        .expect_revoke()
        .withf(move |id, _| *id == sid)
        .times(1)
        .returning(|_, _| Ok(()));
    m.delivery
        .expect_revoke_session()
        .withf(move |id, reason| *id == sid && reason == "token_reuse")
        .times(1)
        .returning(|_, _| Ok(()));
    let input = RefreshInput {
        refresh_token: "old".into(),
    };
    let err = m.service().refresh(input).await.expect_err("refused");
    assert_eq!(err.code(), "unauthorized");
}

#[tokio::test]
async fn a_fresh_refresh_token_rotates() {
    let sid = SessionId::generate();
    let u = user();
    let owner = u.id;
    let mut m = Mocks::new();
    m.sessions.expect_find_token().returning(move |hash| {
        Ok(Some(RefreshTokenRecord {
            token_hash: hash,
            session_id: sid,
            expires_at: Timestamp::from_millis(4_000_000_000_000),
            used_at: None,
        }))
    });
    m.sessions
        .expect_find()
        .returning(move |id| Ok(Some(session(id, owner, false))));
    m.sessions
        .expect_rotate()
        .withf(|old, _, next| old == "hash:old" && next.token_hash == "hash:fresh")
        .times(1)
        .returning(|_, _, _| Ok(true));
    m.users
        .expect_find()
        .returning(move |_| Ok(Some(u.clone())));
    let pair = m
        .service()
        .refresh(RefreshInput {
            refresh_token: "old".into(),
        })
        .await
        .expect("rotated");
    assert_eq!(
        (pair.refresh_token.as_str(), pair.expires_in),
        ("fresh", 900)
    );
}

#[tokio::test]
async fn tokens_of_a_revoked_session_do_not_authenticate() {
    let sid = SessionId::generate();
    let mut m = Mocks::new();
    m.tokens.expect_verify_access().returning(move |_| {
        Ok(AccessClaims {
            user_id: UserId::generate(),
            session_id: sid,
            role: Role::User,
            expires_at: Timestamp::from_millis(4_000_000_000_000),
        })
    });
    m.sessions
        .expect_find()
        .returning(|id| Ok(Some(session(id, UserId::generate(), true))));
    m.users.expect_find().never();
    let err = m
        .service()
        .authenticate("access")
        .await
        .expect_err("refused");
    assert_eq!(err.code(), "unauthorized");
}
