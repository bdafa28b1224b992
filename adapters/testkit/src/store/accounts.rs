//! The store contract: Accounts and sessions: unique usernames, token rotation, bans, sessions ended together or opened for a host token.

#![allow(clippy::missing_panics_doc, missing_docs)]

use super::{Stores, now, user};
use chatchit_domain::StoreError;
use chatchit_domain::auth::{RefreshTokenRecord, Session};
use chatchit_domain::ids::{SessionId, UserId};
use chatchit_domain::time::Timestamp;
use chatchit_domain::user::{Role, User};

pub async fn usernames_are_unique_case_insensitively(s: Stores) {
    user(&s, "Alice").await;
    let dup = User {
        id: UserId::generate(),
        username: "alice".into(),
        display_name: "x".into(),
        avatar_url: None,
        role: Role::User,
        created_at: now(),
        banned: false,
    };
    assert!(matches!(
        s.users.create(dup, "h".into()).await,
        Err(StoreError::Conflict(_))
    ));
    let creds = s
        .users
        .find_credentials("alice".into())
        .await
        .expect("find")
        .expect("some");
    assert_eq!(creds.user.username, "Alice");
    assert_eq!(
        s.users.search("al".into(), 10).await.expect("search").len(),
        1
    );
    user(&s, "a_b").await;
    let s = &s;
    let found = |prefix: &'static str| async move {
        let found = s.users.search(prefix.into(), 10).await.expect("search");
        let mut names: Vec<String> = found.into_iter().map(|u| u.username).collect();
        names.sort();
        names
    };
    assert_eq!(
        found("a_").await,
        ["a_b"],
        "`_` is a character, not a wildcard"
    );
    assert!(found("%").await.is_empty(), "`%` is a character too");
    assert!(found("\\").await.is_empty());
}

pub async fn a_refresh_token_rotates_once(s: Stores) {
    let u = user(&s, "bob").await;
    let sid = SessionId::generate();
    let token = |hash: &str| RefreshTokenRecord {
        token_hash: hash.into(),
        session_id: sid,
        expires_at: now(),
        used_at: None,
    };
    let session = Session {
        id: sid,
        user_id: u,
        created_at: now(),
        revoked_at: None,
    };
    s.sessions
        .create(session, token("t1"))
        .await
        .expect("create");
    assert!(
        s.sessions
            .rotate("t1".into(), now(), token("t2"))
            .await
            .expect("rotate")
    );
    assert!(
        !s.sessions
            .rotate("t1".into(), now(), token("t3"))
            .await
            .expect("replay")
    );
    assert!(
        s.sessions
            .find_token("t3".into())
            .await
            .expect("find")
            .is_none()
    );
    assert!(
        s.sessions
            .find_token("t1".into())
            .await
            .expect("find")
            .expect("t1")
            .used_at
            .is_some()
    );
    s.sessions.revoke(sid, now()).await.expect("revoke");
    assert!(
        s.sessions
            .find(sid)
            .await
            .expect("find")
            .expect("session")
            .revoked_at
            .is_some()
    );
}

pub async fn a_users_sessions_end_together_and_are_listed_as_revoked(s: Stores) {
    let (u, other) = (user(&s, "hal").await, user(&s, "ivy").await);
    let start = Timestamp::from_millis(now().millis() - 1);
    let mut ids = Vec::new();
    for (owner, hash) in [(u, "h1"), (u, "h2"), (other, "h3")] {
        let id = SessionId::generate();
        let session = Session {
            id,
            user_id: owner,
            created_at: now(),
            revoked_at: None,
        };
        let token = RefreshTokenRecord {
            token_hash: hash.into(),
            session_id: id,
            expires_at: now(),
            used_at: None,
        };
        s.sessions.create(session, token).await.expect("create");
        ids.push(id);
    }
    assert!(
        s.sessions
            .revoked_since(start, 10)
            .await
            .expect("list")
            .is_empty()
    );
    s.sessions.revoke_user(u, now()).await.expect("revoke all");
    let mut revoked: Vec<SessionId> = s
        .sessions
        .revoked_since(start, 10)
        .await
        .expect("list")
        .into_iter()
        .map(|s| s.id)
        .collect();
    revoked.sort();
    let mut want = vec![ids[0], ids[1]];
    want.sort();
    assert_eq!(revoked, want, "only that user's sessions");
    assert_eq!(
        s.sessions
            .revoked_since(start, 1)
            .await
            .expect("list")
            .len(),
        1
    );
    let later = Timestamp::from_millis(now().millis() + 60_000);
    assert!(
        s.sessions
            .revoked_since(later, 10)
            .await
            .expect("list")
            .is_empty()
    );
}

pub async fn roles_and_bans_are_stored(s: Stores) {
    let u = user(&s, "max").await;
    s.users.set_role(u, Role::Admin).await.expect("promote");
    s.users.set_banned(u, Some(now())).await.expect("ban");
    let found = s.users.find(u).await.expect("find").expect("user");
    assert_eq!((found.role, found.banned), (Role::Admin, true));
    s.users.set_banned(u, None).await.expect("unban");
    assert!(!s.users.find(u).await.expect("find").expect("user").banned);
    assert!(matches!(
        s.users.set_banned(UserId::generate(), None).await,
        Err(StoreError::NotFound(_))
    ));
}

/// A session opened for a host's token (no refresh token of its own) is
/// found; opening it again changes nothing, so a revoked one stays revoked.
pub async fn an_opened_session_is_kept_once(s: Stores) {
    let u = user(&s, "host_user").await;
    let session = Session {
        id: SessionId::generate(),
        user_id: u,
        created_at: now(),
        revoked_at: None,
    };
    s.sessions.open(session.clone()).await.expect("open");
    assert_eq!(
        s.sessions.find(session.id).await.expect("find"),
        Some(session.clone())
    );
    s.sessions.revoke_user(u, now()).await.expect("ban");
    s.sessions.open(session.clone()).await.expect("open again");
    let found = s
        .sessions
        .find(session.id)
        .await
        .expect("find")
        .expect("kept");
    assert!(
        found.revoked_at.is_some(),
        "opening again does not bring it back"
    );
}
