//! Unit tests of the event processor, with mocks of its ports.

use super::*;
use chatchit_domain::events::ConnectionId;
use chatchit_domain::ids::{MessageId, UserId};
use chatchit_domain::message::Message;
use chatchit_domain::ports::EventQueue;
use chatchit_domain::ports::conversations::MockConversationStore;
use chatchit_domain::ports::delivery::MockDelivery;
use chatchit_domain::ports::messages::MockMessageStore;
use chatchit_domain::ports::presence::MockPresenceStore;
use chatchit_domain::ports::queue::MockEventQueue;
use chatchit_domain::ports::social::MockSocialStore;
use chatchit_domain::ports::users::MockUserStore;
use chatchit_domain::time::Timestamp;

fn processor(conversations: MockConversationStore, delivery: MockDelivery) -> EventProcessor {
    let conversations = Arc::new(conversations);
    let views = Arc::new(ConversationViews::new(
        Arc::new(MockUserStore::new()),
        conversations.clone(),
        Arc::new(MockMessageStore::new()),
    ));
    EventProcessor::new(
        conversations,
        views,
        Arc::new(delivery),
        Arc::new(MockPresenceStore::new()),
        Arc::new(MockSocialStore::new()),
        Arc::new(CallService::new(
            Arc::new(chatchit_domain::ports::calls::MockCallStore::new()),
            Arc::new(MockConversationStore::new()),
            Arc::new(MockSocialStore::new()),
            Arc::new(chatchit_domain::ports::queue::MockEventQueue::new()),
            Arc::new(chatchit_domain::ports::clock::MockClock::new()),
            std::time::Duration::from_secs(30),
            Arc::new(chatchit_domain::ports::rate_limit::MockRateLimiter::new()),
        )),
    )
}

#[tokio::test]
async fn a_new_message_reaches_the_room_except_the_sending_socket() {
    let conversation_id = ConversationId::generate();
    let message = Message {
        id: MessageId::generate(),
        conversation_id,
        seq: 1,
        sender_id: UserId::generate(),
        client_msg_id: "c1".into(),
        body: "hi".into(),
        reply_to_id: None,
        attachments: vec![],
        created_at: Timestamp::from_millis(0),
        edited_at: None,
        deleted_at: None,
    };
    let mut delivery = MockDelivery::new();
    delivery
        .expect_send()
        .withf(move |audience, exclude, event| {
            *audience == Audience::Conversation(conversation_id)
                && *exclude == Exclude::Connection(ConnectionId("s1".into()))
                && event.name() == "message:new"
        })
        .times(1)
        .returning(|_, _, _| Ok(()));
    // Once handed out, the message's relay note is deleted.
    let id = message.id;
    let (deleted_tx, mut deleted) = tokio::sync::mpsc::unbounded_channel();
    let mut store = MockMessageStore::new();
    store.expect_relayed().returning(move |ids| {
        let _ = deleted_tx.send(ids);
        Ok(())
    });
    let queue: Arc<dyn EventQueue> = Arc::new(MockEventQueue::new());
    let (relays, _tasks) = Relays::start(
        Arc::new(store),
        &queue,
        Arc::new(chatchit_domain::ports::clock::MockClock::new()),
        crate::relay::RelaySettings {
            sweep_every: std::time::Duration::from_secs(3600),
            orphaned_after: std::time::Duration::from_secs(3600),
        },
    );
    let p = processor(MockConversationStore::new(), delivery).relaying(relays);
    let event = DomainEvent::MessageCreated {
        message,
        origin: Some(ConnectionId("s1".into())),
    };
    p.consume(event).await.expect("delivered");
    assert_eq!(deleted.recv().await, Some(vec![id]));
}

#[tokio::test]
async fn an_addition_that_arrives_after_a_removal_does_not_rejoin_the_room() {
    let (c, u) = (ConversationId::generate(), UserId::generate());
    let mut conversations = MockConversationStore::new();
    conversations.expect_role().returning(|_, _| Ok(None));
    let mut delivery = MockDelivery::new();
    delivery.expect_join().times(0);
    delivery
        .expect_send()
        .withf(|_, _, e| e.name() == "member:added")
        .times(1)
        .returning(|_, _, _| Ok(()));
    let p = processor(conversations, delivery);
    let event = DomainEvent::MemberAdded {
        conversation_id: c,
        user_id: u,
        by: u,
    };
    p.consume(event).await.expect("delivered");
}

#[tokio::test]
async fn the_room_and_the_removed_member_hear_of_a_removal_apart() {
    let (c, u) = (ConversationId::generate(), UserId::generate());
    let mut seq = mockall::Sequence::new();
    let mut delivery = MockDelivery::new();
    delivery
        .expect_send()
        .withf(move |to, exclude, e| {
            e.name() == "member:removed"
                && *to == Audience::Conversation(c)
                && *exclude == Exclude::User(u)
        })
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _, _| Ok(()));
    delivery
        .expect_leave()
        .withf(move |users, conv| users == &vec![u] && *conv == c)
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _| Ok(()));
    delivery
        .expect_send()
        .withf(move |to, _, e| e.name() == "member:removed" && *to == Audience::Users(vec![u]))
        .times(1)
        .in_sequence(&mut seq)
        .returning(|_, _, _| Ok(()));
    let p = processor(MockConversationStore::new(), delivery);
    let event = DomainEvent::MemberRemoved {
        conversation_id: c,
        user_id: u,
        by: u,
    };
    p.consume(event).await.expect("delivered");
}

#[tokio::test]
async fn typing_skips_the_typist_and_failures_are_reported_for_retry() {
    let (c, u) = (ConversationId::generate(), UserId::generate());
    let mut delivery = MockDelivery::new();
    delivery
        .expect_send()
        .withf(move |_, exclude, _| *exclude == Exclude::User(u))
        .times(1)
        .returning(|_, _, _| Err(chatchit_domain::ports::DeliveryError("down".into())));
    let p = processor(MockConversationStore::new(), delivery);
    let event = DomainEvent::Typing {
        conversation_id: c,
        user_id: u,
        typing: true,
    };
    assert!(p.consume(event).await.is_err());
}
