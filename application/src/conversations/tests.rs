//! Unit tests of the conversation use cases, with mockall mocks of every port.

use super::*;
use crate::test_support::actor;
use chatchit_domain::ports::clock::MockClock;
use chatchit_domain::ports::conversations::MockConversationStore;
use chatchit_domain::ports::delivery::MockDelivery;
use chatchit_domain::ports::messages::MockMessageStore;
use chatchit_domain::ports::queue::MockEventQueue;
use chatchit_domain::ports::social::MockSocialStore;
use chatchit_domain::ports::users::MockUserStore;

fn at(ms: i64) -> Timestamp {
    Timestamp::from_millis(ms)
}

fn member_at(user_id: UserId, role: MemberRole, joined: i64) -> Member {
    Member {
        joined_at: at(joined),
        ..new_member(user_id, role, at(0))
    }
}

fn service(
    users: MockUserStore,
    conversations: MockConversationStore,
    queue: MockEventQueue,
) -> ConversationService {
    let mut delivery = MockDelivery::new();
    delivery.expect_leave().returning(|_, _| Ok(()));
    service_with(users, conversations, queue, delivery)
}

fn service_with(
    users: MockUserStore,
    conversations: MockConversationStore,
    queue: MockEventQueue,
    delivery: MockDelivery,
) -> ConversationService {
    let users: Arc<dyn UserStore> = Arc::new(users);
    let conversations: Arc<dyn ConversationStore> = Arc::new(conversations);
    let views = Arc::new(ConversationViews::new(
        users.clone(),
        conversations.clone(),
        Arc::new(MockMessageStore::new()),
    ));
    let mut clock = MockClock::new();
    clock.expect_now().returning(|| at(1));
    let mut social = MockSocialStore::new();
    social
        .expect_blocked_either_way()
        .returning(|_, _| Ok(false));
    ConversationService::new(
        users,
        conversations,
        Arc::new(social),
        views,
        Arc::new(queue),
        Arc::new(delivery),
        Arc::new(clock),
    )
}

fn group(id: ConversationId) -> Conversation {
    Conversation {
        id,
        kind: ConversationKind::Group,
        title: Some("g".into()),
        avatar_url: None,
        created_at: at(0),
    }
}

#[test]
fn cursors_round_trip_and_garbage_is_refused() {
    let id = ConversationId::generate();
    let cursor = decode_cursor(&encode_cursor(at(42), id)).expect("decode");
    assert_eq!((cursor.last_activity_at, cursor.id), (at(42), id));
    assert_eq!(
        decode_cursor("nope").expect_err("refused").code(),
        "validation"
    );
}

#[tokio::test]
async fn a_direct_conversation_with_oneself_is_refused() {
    let a = actor();
    let s = service(
        MockUserStore::new(),
        MockConversationStore::new(),
        MockEventQueue::new(),
    );
    let err = s
        .open_direct(&a, CreateDirectInput { user_id: a.user_id })
        .await
        .expect_err("refused");
    assert_eq!(err.code(), "validation");
}

#[tokio::test]
async fn groups_with_unknown_members_are_refused_before_storing() {
    let mut users = MockUserStore::new();
    users.expect_find_many().returning(|_| Ok(vec![]));
    let mut conversations = MockConversationStore::new();
    conversations.expect_create_group().never();
    let s = service(users, conversations, MockEventQueue::new());
    let input = CreateGroupInput {
        title: "team".into(),
        member_ids: vec![UserId::generate()],
    };
    let err = s.create_group(&actor(), input).await.expect_err("refused");
    assert_eq!(
        err,
        AppError::validation("memberIds", "contains an unknown user")
    );
}

#[tokio::test]
async fn members_may_not_rename_a_group() {
    let mut conversations = MockConversationStore::new();
    conversations
        .expect_member()
        .returning(|_, u| Ok(Some(member_at(u, MemberRole::Member, 0))));
    conversations
        .expect_find()
        .returning(|id| Ok(Some(group(id))));
    conversations.expect_update().never();
    let s = service(MockUserStore::new(), conversations, MockEventQueue::new());
    let input = UpdateConversationInput {
        title: Some("mine".into()),
        avatar_url: None,
    };
    let err = s
        .update(&actor(), ConversationId::generate(), input)
        .await
        .expect_err("refused");
    assert_eq!(err.code(), "forbidden");
}

#[tokio::test]
async fn an_owner_leaving_hands_over_in_the_same_store_call_and_announces_it() {
    let a = actor();
    let heir = UserId::generate();
    let me = a.user_id;
    let mut conversations = MockConversationStore::new();
    conversations
        .expect_member()
        .returning(move |_, u| Ok(Some(member_at(u, MemberRole::Owner, 0))));
    conversations
        .expect_find()
        .returning(|id| Ok(Some(group(id))));
    conversations.expect_members().returning(move |_| {
        Ok(vec![
            member_at(me, MemberRole::Owner, 0),
            member_at(heir, MemberRole::Member, 1),
        ])
    });
    conversations
        .expect_remove_member()
        .withf(move |_, user, promote| *user == me && *promote == Some((heir, MemberRole::Owner)))
        .times(1)
        .returning(|_, _, _| Ok(()));
    let mut queue = MockEventQueue::new();
    queue
        .expect_publish()
        .withf(|e| matches!(e, DomainEvent::MemberRemoved { .. }))
        .times(1)
        .returning(|_| Ok(()));
    queue
        .expect_publish()
        .withf(|e| matches!(e, DomainEvent::ConversationUpdated { .. }))
        .times(1)
        .returning(|_| Ok(()));
    let s = service(MockUserStore::new(), conversations, queue);
    s.remove_member(&a, ConversationId::generate(), me)
        .await
        .expect("left");
}

#[tokio::test]
async fn a_removed_members_sockets_leave_the_room_before_the_removal_is_announced() {
    let a = actor();
    let (me, them) = (a.user_id, UserId::generate());
    let c = ConversationId::generate();
    let mut conversations = MockConversationStore::new();
    conversations
        .expect_member()
        .returning(move |_, u| Ok(Some(member_at(u, MemberRole::Owner, 0))));
    conversations
        .expect_find()
        .returning(|id| Ok(Some(group(id))));
    conversations.expect_members().returning(move |_| {
        Ok(vec![
            member_at(me, MemberRole::Owner, 0),
            member_at(them, MemberRole::Member, 1),
        ])
    });
    let mut seq = mockall::Sequence::new();
    conversations
        .expect_remove_member()
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _, _| Ok(()));
    let mut delivery = MockDelivery::new();
    delivery
        .expect_leave()
        .withf(move |users, conv| users == &vec![them] && *conv == c)
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| Ok(()));
    let mut queue = MockEventQueue::new();
    queue
        .expect_publish()
        .withf(|e| matches!(e, DomainEvent::MemberRemoved { .. }))
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| Ok(()));
    let s = service_with(MockUserStore::new(), conversations, queue, delivery);
    s.remove_member(&a, c, them).await.expect("removed");
    assert_eq!(
        DomainEvent::MemberRemoved {
            conversation_id: c,
            user_id: them,
            by: me,
        }
        .priority(),
        chatchit_domain::events::Priority::High,
        "on the messages' lane"
    );
}
