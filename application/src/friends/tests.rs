//! Unit tests of `friends`.

use super::*;
use crate::test_support::actor;
use chatchit_domain::ports::clock::MockClock;
use chatchit_domain::ports::queue::MockEventQueue;
use chatchit_domain::ports::social::MockSocialStore;
use chatchit_domain::ports::users::MockUserStore;
use chatchit_domain::time::Timestamp;
use chatchit_domain::user::Role;

fn profile(id: UserId) -> User {
    User {
        id,
        username: format!("u{}", id.0.simple()),
        display_name: "u".into(),
        avatar_url: None,
        role: Role::User,
        created_at: Timestamp::from_millis(0),
        banned: false,
    }
}

fn service(social: MockSocialStore, queue: MockEventQueue) -> FriendService {
    let mut users = MockUserStore::new();
    users.expect_find().returning(|id| Ok(Some(profile(id))));
    let mut clock = MockClock::new();
    clock.expect_now().returning(|| Timestamp::from_millis(1));
    FriendService::new(
        Arc::new(users),
        Arc::new(social),
        Arc::new(queue),
        Arc::new(clock),
    )
}

#[tokio::test]
async fn nobody_befriends_themselves() {
    let a = actor();
    let err = service(MockSocialStore::new(), MockEventQueue::new())
        .request(&a, FriendRequestInput { user_id: a.user_id })
        .await
        .expect_err("refused");
    assert_eq!(err.code(), "validation");
}

#[tokio::test]
async fn no_request_crosses_a_block() {
    let mut social = MockSocialStore::new();
    social
        .expect_blocked_either_way()
        .returning(|_, _| Ok(true));
    social.expect_create_request().never();
    let err = service(social, MockEventQueue::new())
        .request(
            &actor(),
            FriendRequestInput {
                user_id: UserId::generate(),
            },
        )
        .await
        .expect_err("refused");
    assert_eq!(err.code(), "forbidden");
}

#[tokio::test]
async fn asking_back_accepts_the_pending_request() {
    let (a, them) = (actor(), UserId::generate());
    let me = a.user_id;
    let theirs = FriendRequest {
        id: FriendRequestId::generate(),
        from: them,
        to: me,
        created_at: Timestamp::from_millis(0),
    };
    let id = theirs.id;
    let mut social = MockSocialStore::new();
    social
        .expect_blocked_either_way()
        .returning(|_, _| Ok(false));
    social.expect_are_friends().returning(|_, _| Ok(false));
    social
        .expect_request_between()
        .returning(move |from, _| Ok((from == them).then(|| theirs.clone())));
    social.expect_create_request().never();
    social
        .expect_accept_request()
        .withf(move |rid, _| *rid == id)
        .times(1)
        .returning(|_, _| Ok(true));
    let mut queue = MockEventQueue::new();
    queue
        .expect_publish()
        .withf(|e| matches!(e, DomainEvent::FriendAccepted { .. }))
        .times(1)
        .returning(|_| Ok(()));
    let outcome = service(social, queue)
        .request(&a, FriendRequestInput { user_id: them })
        .await
        .expect("befriended");
    assert!(matches!(outcome, RequestOutcome::Befriended(v) if v.user.id == them));
}

#[tokio::test]
async fn a_request_takes_its_id_from_the_id_generator() {
    let chosen = uuid::Uuid::from_u128(42);
    let mut ids = chatchit_domain::ports::ids::MockIdGenerator::new();
    ids.expect_next().times(1).returning(move || chosen);
    let mut social = MockSocialStore::new();
    social
        .expect_blocked_either_way()
        .returning(|_, _| Ok(false));
    social.expect_are_friends().returning(|_, _| Ok(false));
    social.expect_request_between().returning(|_, _| Ok(None));
    social
        .expect_create_request()
        .withf(move |r| r.id.0 == chosen)
        .times(1)
        .returning(|_| Ok(()));
    let mut queue = MockEventQueue::new();
    queue.expect_publish().returning(|_| Ok(()));
    let outcome = service(social, queue)
        .with_ids(Arc::new(ids))
        .request(
            &actor(),
            FriendRequestInput {
                user_id: UserId::generate(),
            },
        )
        .await
        .expect("requested");
    let RequestOutcome::Requested(view) = outcome else {
        panic!("a new request");
    };
    assert_eq!(view.id.0, chosen);
}
