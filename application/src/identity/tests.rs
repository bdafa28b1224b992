//! Unit tests of external identities, with mockall mocks of the ports that
//! keep what they are given (so first sight and second sight differ).

use super::*;
use chatchit_domain::ports::SecurityError;
use chatchit_domain::ports::clock::MockClock;
use chatchit_domain::ports::security::MockIdentityVerifier;
use chatchit_domain::ports::sessions::MockSessionStore;
use chatchit_domain::ports::users::MockUserStore;
use chatchit_domain::time::Timestamp;
use std::collections::HashMap;
use std::sync::Mutex;

/// Users and sessions the mocks keep.
#[derive(Default)]
struct Kept {
    users: Mutex<HashMap<UserId, User>>,
    sessions: Mutex<HashMap<SessionId, Session>>,
}

fn claims(subject: &str, issued_at: i64) -> ExternalClaims {
    ExternalClaims {
        issuer: "https://id.example".into(),
        subject: subject.into(),
        issued_at: Timestamp::from_millis(issued_at),
        expires_at: Timestamp::from_millis(issued_at + 3_600_000),
        display_name: Some("Ada Lovelace".into()),
    }
}

/// A verifier that knows tokens `"<subject>@<iat>"` and refuses the rest.
fn verifier() -> MockIdentityVerifier {
    let mut verifier = MockIdentityVerifier::new();
    verifier.expect_verify().returning(|token| {
        let (subject, iat) = token.split_once('@').ok_or(SecurityError::InvalidToken)?;
        let iat = iat.parse().map_err(|_| SecurityError::InvalidToken)?;
        Ok(claims(subject, iat))
    });
    verifier
}

fn auth(kept: &Arc<Kept>) -> ExternalAuth {
    let mut users = MockUserStore::new();
    let k = kept.clone();
    users
        .expect_find()
        .returning(move |id| Ok(k.users.lock().expect("lock").get(&id).cloned()));
    let k = kept.clone();
    users.expect_create().returning(move |user, hash| {
        assert!(hash.is_empty(), "a host's user has no password here");
        let mut users = k.users.lock().expect("lock");
        if users.values().any(|u| u.username == user.username) {
            return Err(StoreError::Conflict("username".into()));
        }
        users.insert(user.id, user);
        Ok(())
    });
    let mut sessions = MockSessionStore::new();
    let k = kept.clone();
    sessions
        .expect_find()
        .returning(move |id| Ok(k.sessions.lock().expect("lock").get(&id).cloned()));
    let k = kept.clone();
    sessions.expect_open().returning(move |session| {
        k.sessions
            .lock()
            .expect("lock")
            .entry(session.id)
            .or_insert(session);
        Ok(())
    });
    let mut clock = MockClock::new();
    clock
        .expect_now()
        .returning(|| Timestamp::from_millis(5_000));
    ExternalAuth::new(
        Arc::new(verifier()),
        Arc::new(users),
        Arc::new(sessions),
        Arc::new(clock),
    )
}

#[tokio::test]
async fn a_host_user_is_created_on_first_sight_and_found_after() {
    let kept = Arc::new(Kept::default());
    let auth = auth(&kept);
    let first = auth.authenticate("ada@1000").await.expect("first sight");
    let again = auth.authenticate("ada@1000").await.expect("second sight");
    assert_eq!(first, again);
    let users = kept.users.lock().expect("lock");
    assert_eq!(users.len(), 1);
    let user = &users[&first.user_id];
    assert_eq!(user.display_name, "Ada Lovelace");
    assert!(user.username.starts_with("x."), "{}", user.username);
    assert_eq!(user.role, Role::User);
    assert_eq!(auth.token_user("ada@1000"), Some(first.user_id));
}

#[tokio::test]
async fn each_host_token_is_a_session_of_the_same_user() {
    let kept = Arc::new(Kept::default());
    let auth = auth(&kept);
    let a = auth.authenticate("ada@1000").await.expect("a");
    let b = auth.authenticate("ada@2000").await.expect("b");
    let other = auth.authenticate("bob@1000").await.expect("other");
    assert_eq!(a.user_id, b.user_id);
    assert_ne!(a.session_id, b.session_id);
    assert_ne!(a.user_id, other.user_id);
    assert_eq!(kept.sessions.lock().expect("lock").len(), 3);
}

#[tokio::test]
async fn a_taken_username_gives_the_longer_derived_one() {
    let kept = Arc::new(Kept::default());
    let auth = auth(&kept);
    let id = user_id(&claims("ada", 0));
    let short = format!("x.{}", &id.0.simple().to_string()[..20]);
    let squatter = User {
        id: UserId::generate(),
        username: short.clone(),
        display_name: short.clone(),
        avatar_url: None,
        role: Role::User,
        created_at: Timestamp::from_millis(0),
        banned: false,
    };
    kept.users
        .lock()
        .expect("lock")
        .insert(squatter.id, squatter);
    let actor = auth.authenticate("ada@1000").await.expect("in");
    let users = kept.users.lock().expect("lock");
    assert_eq!(users[&actor.user_id].username.len(), 32);
    assert_ne!(users[&actor.user_id].username, short);
}

#[tokio::test]
async fn a_banned_user_or_a_revoked_session_is_refused() {
    let kept = Arc::new(Kept::default());
    let auth = auth(&kept);
    let actor = auth.authenticate("ada@1000").await.expect("in");
    kept.sessions
        .lock()
        .expect("lock")
        .get_mut(&actor.session_id)
        .expect("opened")
        .revoked_at = Some(Timestamp::from_millis(4_000));
    let revoked = auth.authenticate("ada@1000").await;
    assert!(
        matches!(revoked, Err(AppError::Unauthorized(_))),
        "{revoked:?}"
    );
    // A token the host issues later is a new session...
    auth.authenticate("ada@9000").await.expect("new token");
    // ...unless the user is banned.
    kept.users
        .lock()
        .expect("lock")
        .get_mut(&actor.user_id)
        .expect("user")
        .banned = true;
    let banned = auth.authenticate("ada@9500").await;
    assert!(
        matches!(banned, Err(AppError::Unauthorized(_))),
        "{banned:?}"
    );
}

#[tokio::test]
async fn a_token_the_host_did_not_sign_is_refused_and_nothing_is_stored() {
    let kept = Arc::new(Kept::default());
    let auth = auth(&kept);
    let refused = auth.authenticate("forged").await;
    assert!(
        matches!(refused, Err(AppError::Unauthorized(_))),
        "{refused:?}"
    );
    assert_eq!(auth.token_user("forged"), None);
    assert!(kept.users.lock().expect("lock").is_empty());
    assert!(kept.sessions.lock().expect("lock").is_empty());
}
