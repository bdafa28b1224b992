//! Unit tests of `calls`.

use super::*;
use crate::test_support::actor;
use chatchit_domain::conversation::{Conversation, Member, MemberRole};
use chatchit_domain::ports::calls::MockCallStore;
use chatchit_domain::ports::clock::MockClock;
use chatchit_domain::ports::conversations::MockConversationStore;
use chatchit_domain::ports::queue::MockEventQueue;
use chatchit_domain::ports::rate_limit::MockRateLimiter;
use chatchit_domain::ports::social::MockSocialStore;
use chatchit_domain::time::Timestamp;

fn call(initiator: UserId, callee: UserId, state: CallState) -> Call {
    Call {
        id: CallId::generate(),
        conversation_id: ConversationId::generate(),
        kind: CallKind::Audio,
        initiator_id: initiator,
        participants: vec![initiator, callee],
        state,
        started_at: Timestamp::from_millis(0),
        answered_at: None,
        ended_at: None,
        end_reason: None,
    }
}

fn service(
    calls: MockCallStore,
    conversations: MockConversationStore,
    queue: MockEventQueue,
) -> Arc<CallService> {
    let mut clock = MockClock::new();
    clock.expect_now().returning(|| Timestamp::from_millis(1));
    let mut social = MockSocialStore::new();
    social
        .expect_blocked_either_way()
        .returning(|_, _| Ok(false));
    Arc::new(CallService::new(
        Arc::new(calls),
        Arc::new(conversations),
        Arc::new(social),
        Arc::new(queue),
        Arc::new(clock),
        Duration::from_secs(30),
        Arc::new(unlimited()),
    ))
}

fn unlimited() -> MockRateLimiter {
    let mut limiter = MockRateLimiter::new();
    limiter.expect_allow().returning(|_, _| Ok(true));
    limiter
}

#[tokio::test]
async fn an_invite_to_someone_in_a_call_is_busy_and_stores_nothing() {
    let (a, callee) = (actor(), UserId::generate());
    let mut conversations = MockConversationStore::new();
    conversations.expect_member().returning(|_, u| {
        Ok(Some(Member {
            user_id: u,
            role: MemberRole::Member,
            joined_at: Timestamp::from_millis(0),
            last_read_seq: 0,
            last_read_message_id: None,
        }))
    });
    conversations.expect_find().returning(|id| {
        Ok(Some(Conversation {
            id,
            kind: ConversationKind::Direct,
            title: None,
            avatar_url: None,
            created_at: Timestamp::from_millis(0),
        }))
    });
    let me = a.user_id;
    conversations.expect_members().returning(move |_| {
        Ok([me, callee]
            .map(|u| Member {
                user_id: u,
                role: MemberRole::Member,
                joined_at: Timestamp::from_millis(0),
                last_read_seq: 0,
                last_read_message_id: None,
            })
            .to_vec())
    });
    let mut calls = MockCallStore::new();
    calls.expect_live_for().returning(move |u| {
        Ok((u == callee).then(|| call(UserId::generate(), callee, CallState::Active)))
    });
    calls.expect_create().never();
    let input = InviteInput {
        conversation_id: ConversationId::generate(),
        kind: CallKind::Audio,
    };
    let err = service(calls, conversations, MockEventQueue::new())
        .invite(&a, input)
        .await
        .expect_err("busy");
    assert_eq!(err, AppError::Conflict("busy".into()));
}

fn members(ids: Vec<UserId>) -> MockConversationStore {
    let member = |u| Member {
        user_id: u,
        role: MemberRole::Member,
        joined_at: Timestamp::from_millis(0),
        last_read_seq: 0,
        last_read_message_id: None,
    };
    let mut conversations = MockConversationStore::new();
    conversations
        .expect_member()
        .returning(move |_, u| Ok(Some(member(u))));
    conversations.expect_find().returning(|id| {
        Ok(Some(Conversation {
            id,
            kind: ConversationKind::Group,
            title: Some("g".into()),
            avatar_url: None,
            created_at: Timestamp::from_millis(0),
        }))
    });
    conversations
        .expect_members()
        .returning(move |_| Ok(ids.iter().copied().map(member).collect()));
    conversations
}

#[tokio::test]
async fn an_invite_rings_the_callees_and_schedules_the_ring_timeout_on_the_queue() {
    let a = actor();
    let mut calls = MockCallStore::new();
    calls.expect_live_for().returning(|_| Ok(None));
    calls.expect_create().times(1).returning(|_| Ok(()));
    let mut queue = MockEventQueue::new();
    queue
        .expect_publish()
        .withf(|e| matches!(e, DomainEvent::CallInvited { .. }))
        .times(1)
        .returning(|_| Ok(()));
    queue
        .expect_publish_after()
        .withf(|e, delay| {
            matches!(e, DomainEvent::CallRingTimeout { .. }) && *delay == Duration::from_secs(30)
        })
        .times(1)
        .returning(|_, _| Ok(()));
    let s = service(calls, members(vec![a.user_id, UserId::generate()]), queue);
    let input = InviteInput {
        conversation_id: ConversationId::generate(),
        kind: CallKind::Video,
    };
    s.invite(&a, input).await.expect("invited");
}

#[tokio::test]
async fn signals_go_only_to_another_participant() {
    let a = actor();
    let ongoing = call(a.user_id, UserId::generate(), CallState::Active);
    let id = ongoing.id;
    let mut calls = MockCallStore::new();
    calls
        .expect_find()
        .returning(move |_| Ok(Some(ongoing.clone())));
    let input = SignalInput {
        call_id: id,
        to_user_id: UserId::generate(),
        kind: SignalKind::Ice,
        payload: serde_json::json!({}),
    };
    let err = service(calls, MockConversationStore::new(), MockEventQueue::new())
        .signal(&a, input)
        .await
        .expect_err("refused");
    assert_eq!(err.code(), "forbidden");
}

#[tokio::test]
async fn the_ring_timeout_ends_only_a_call_that_still_rings() {
    let (caller, callee) = (UserId::generate(), UserId::generate());
    let answered = call(caller, callee, CallState::Active);
    let id = answered.id;
    let mut calls = MockCallStore::new();
    calls
        .expect_find()
        .returning(move |_| Ok(Some(answered.clone())));
    calls.expect_transition().never();
    let s = service(calls, MockConversationStore::new(), MockEventQueue::new());
    s.ring_timed_out(id).await.expect("no-op");
}
