//! Unit tests of the message use cases, with mockall mocks of every port.

use super::*;
use crate::test_support::actor;
use crate::typing::TypingService;
use chatchit_domain::conversation::{Conversation, Member};
use chatchit_domain::ids::UserId;
use chatchit_domain::message::AppendOutcome;
use chatchit_domain::ports::SocialStore;
use chatchit_domain::ports::clock::MockClock;
use chatchit_domain::ports::conversations::MockConversationStore;
use chatchit_domain::ports::messages::MockMessageStore;
use chatchit_domain::ports::queue::MockEventQueue;
use chatchit_domain::ports::social::MockSocialStore;
use chatchit_domain::time::Timestamp;
use std::time::Duration;

fn member(user_id: UserId, role: MemberRole) -> Member {
    Member {
        user_id,
        role,
        joined_at: Timestamp::from_millis(0),
        last_read_seq: 0,
        last_read_message_id: None,
    }
}

fn message(conversation_id: ConversationId, sender_id: UserId, seq: i64) -> Message {
    Message {
        id: MessageId::generate(),
        conversation_id,
        seq,
        sender_id,
        client_msg_id: "k".into(),
        body: "hi".into(),
        reply_to_id: None,
        attachments: vec![],
        created_at: Timestamp::from_millis(0),
        edited_at: None,
        deleted_at: None,
    }
}

fn group(id: ConversationId) -> Conversation {
    Conversation {
        id,
        kind: ConversationKind::Group,
        title: Some("g".into()),
        avatar_url: None,
        created_at: Timestamp::from_millis(0),
    }
}

fn service(
    conversations: MockConversationStore,
    messages: MockMessageStore,
    queue: MockEventQueue,
) -> MessageService {
    let conversations: Arc<dyn ConversationStore> = Arc::new(conversations);
    let queue: Arc<dyn EventQueue> = Arc::new(queue);
    let mut clock = MockClock::new();
    clock.expect_now().returning(|| Timestamp::from_millis(1));
    let mut social = MockSocialStore::new();
    social
        .expect_blocked_either_way()
        .returning(|_, _| Ok(false));
    let social: Arc<dyn SocialStore> = Arc::new(social);
    let typing = TypingService::new(
        conversations.clone(),
        social.clone(),
        queue.clone(),
        Duration::from_secs(6),
    );
    MessageService::new(
        conversations,
        Arc::new(messages),
        social,
        queue,
        typing,
        Arc::new(clock),
    )
}

fn send_input(c: ConversationId) -> SendMessageInput {
    SendMessageInput {
        conversation_id: Some(c),
        client_msg_id: "k".into(),
        body: "  hello ".into(),
        reply_to_id: None,
        attachments: vec![],
    }
}

fn members_of(role: MemberRole) -> MockConversationStore {
    let mut store = MockConversationStore::new();
    store
        .expect_member()
        .returning(move |_, u| Ok(Some(member(u, role))));
    store.expect_role().returning(move |_, _| Ok(Some(role)));
    store.expect_find().returning(|id| Ok(Some(group(id))));
    store
}

#[tokio::test]
async fn a_message_is_stored_once_then_published_once() {
    let (a, c) = (actor(), ConversationId::generate());
    let sender = a.user_id;
    let mut messages = MockMessageStore::new();
    let mut seq = mockall::Sequence::new();
    messages
        .expect_append()
        .withf(|m| m.body.as_str() == "hello")
        .times(1)
        .in_sequence(&mut seq)
        .returning(move |m| {
            Ok(AppendOutcome {
                message: message(m.conversation_id, sender, 1),
                duplicate: false,
            })
        });
    let mut queue = MockEventQueue::new();
    queue
        .expect_publish()
        .withf(|e| matches!(e, DomainEvent::MessageCreated { .. }))
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_| Ok(()));
    let s = service(members_of(MemberRole::Member), messages, queue);
    let stored = s.send(&a, send_input(c), None).await.expect("sent");
    assert_eq!(stored.seq, 1);
}

#[tokio::test]
async fn a_retry_publishes_nothing() {
    let (a, c) = (actor(), ConversationId::generate());
    let sender = a.user_id;
    let mut messages = MockMessageStore::new();
    messages.expect_append().returning(move |m| {
        Ok(AppendOutcome {
            message: message(m.conversation_id, sender, 7),
            duplicate: true,
        })
    });
    let s = service(
        members_of(MemberRole::Member),
        messages,
        MockEventQueue::new(),
    );
    assert_eq!(s.send(&a, send_input(c), None).await.expect("sent").seq, 7);
}

#[tokio::test]
async fn non_members_store_nothing() {
    let mut conversations = MockConversationStore::new();
    conversations.expect_member().returning(|_, _| Ok(None));
    conversations.expect_role().returning(|_, _| Ok(None));
    let s = service(
        conversations,
        MockMessageStore::new(),
        MockEventQueue::new(),
    );
    let err = s
        .send(&actor(), send_input(ConversationId::generate()), None)
        .await
        .expect_err("refused");
    assert_eq!(err.code(), "forbidden");
}

#[tokio::test]
async fn invalid_bodies_never_reach_the_store() {
    let s = service(
        MockConversationStore::new(),
        MockMessageStore::new(),
        MockEventQueue::new(),
    );
    let mut input = send_input(ConversationId::generate());
    input.body = "\u{1}".into();
    let err = s.send(&actor(), input, None).await.expect_err("refused");
    assert_eq!(err, AppError::validation("body", "must not be empty"));
}

#[tokio::test]
async fn only_the_sender_may_edit() {
    let c = ConversationId::generate();
    let original = message(c, UserId::generate(), 1);
    let id = original.id;
    let mut messages = MockMessageStore::new();
    messages
        .expect_find()
        .returning(move |_| Ok(Some(original.clone())));
    let s = service(
        members_of(MemberRole::Owner),
        messages,
        MockEventQueue::new(),
    );
    let input = EditMessageInput {
        message_id: id,
        body: "changed".into(),
    };
    assert_eq!(
        s.edit(&actor(), input).await.expect_err("refused").code(),
        "forbidden"
    );
}

#[tokio::test]
async fn group_admins_may_delete_others_messages_and_members_may_not() {
    let c = ConversationId::generate();
    let original = message(c, UserId::generate(), 1);
    let id = original.id;
    let found = original.clone();
    let mut messages = MockMessageStore::new();
    messages
        .expect_find()
        .returning(move |_| Ok(Some(found.clone())));
    messages
        .expect_tombstone()
        .times(1)
        .returning(move |_, _| Ok(original.clone()));
    let mut queue = MockEventQueue::new();
    queue
        .expect_publish()
        .withf(|e| matches!(e, DomainEvent::MessageDeleted { .. }))
        .times(1)
        .returning(|_| Ok(()));
    let admin = service(members_of(MemberRole::Admin), messages, queue);
    admin
        .delete(&actor(), DeleteMessageInput { message_id: id })
        .await
        .expect("admin deletes");

    let mut messages = MockMessageStore::new();
    let other = message(c, UserId::generate(), 1);
    messages
        .expect_find()
        .returning(move |_| Ok(Some(other.clone())));
    let member = service(
        members_of(MemberRole::Member),
        messages,
        MockEventQueue::new(),
    );
    let err = member
        .delete(&actor(), DeleteMessageInput { message_id: id })
        .await
        .expect_err("refused");
    assert_eq!(err.code(), "forbidden");
}

#[tokio::test]
async fn a_read_marker_never_moves_backward() {
    let (a, c) = (actor(), ConversationId::generate());
    let older = message(c, UserId::generate(), 2);
    let marker = MessageId::generate();
    let mut conversations = MockConversationStore::new();
    conversations.expect_member().returning(move |_, u| {
        Ok(Some(Member {
            last_read_seq: 5,
            last_read_message_id: Some(marker),
            ..member(u, MemberRole::Member)
        }))
    });
    conversations.expect_mark_read().never();
    let mut messages = MockMessageStore::new();
    let id = older.id;
    messages
        .expect_find()
        .returning(move |_| Ok(Some(older.clone())));
    messages
        .expect_count_unread()
        .withf(|_, _, after| *after == 5)
        .returning(|_, _, _| Ok(1));
    let s = service(conversations, messages, MockEventQueue::new());
    let result = s
        .mark_read(
            &a,
            ReadInput {
                conversation_id: c,
                message_id: id,
            },
        )
        .await
        .expect("read");
    assert_eq!((result.message_id, result.unread_count), (marker, 1));
}
