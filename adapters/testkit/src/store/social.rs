//! The store contract: Friends, blocks, reports, calls and stories.

#![allow(clippy::missing_panics_doc, missing_docs)]

use super::{Stores, group, now, user};
use chatchit_domain::StoreError;
use chatchit_domain::call::{Call, CallId, CallKind, CallState, EndReason};
use chatchit_domain::report::{Report, ReportAction, ReportId, ReportStatus, ReportTarget};
use chatchit_domain::social::{FriendRequest, FriendRequestId};
use chatchit_domain::story::{Story, StoryId};
use chatchit_domain::time::Timestamp;

pub async fn friendship_follows_acceptance_and_a_block_clears_the_graph(s: Stores) {
    let (a, b) = (user(&s, "ivy").await, user(&s, "jon").await);
    let request = FriendRequest {
        id: FriendRequestId::generate(),
        from: a,
        to: b,
        created_at: now(),
    };
    s.social
        .create_request(request.clone())
        .await
        .expect("request");
    assert!(matches!(
        s.social
            .create_request(FriendRequest {
                id: FriendRequestId::generate(),
                ..request.clone()
            })
            .await,
        Err(StoreError::Conflict(_))
    ));
    let (incoming, outgoing) = s.social.requests_of(b).await.expect("requests");
    assert_eq!((incoming.len(), outgoing.len()), (1, 0));
    assert!(
        s.social
            .accept_request(request.id, now())
            .await
            .expect("accept")
    );
    assert!(
        !s.social
            .accept_request(request.id, now())
            .await
            .expect("gone")
    );
    assert!(
        s.social.are_friends(a, b).await.expect("friends")
            && s.social.are_friends(b, a).await.expect("friends")
    );
    assert_eq!(s.social.friends_of(b).await.expect("list")[0].user_id, a);

    s.social.block(b, a, now()).await.expect("block");
    s.social.block(b, a, now()).await.expect("block twice");
    assert!(!s.social.are_friends(a, b).await.expect("no longer friends"));
    assert!(s.social.blocked_either_way(a, b).await.expect("blocked"));
    assert_eq!(s.social.blocks_of(b).await.expect("blocks").len(), 1);
    assert!(s.social.unblock(b, a).await.expect("unblock"));
    assert!(!s.social.blocked_either_way(a, b).await.expect("unblocked"));
}

/// Reports are filed open, listed by status oldest first, and resolved once:
/// a second resolution (two admins at once) changes nothing.
pub async fn a_report_is_listed_by_status_and_resolved_once(s: Stores) {
    let (reporter, admin, target) = (
        user(&s, "rita").await,
        user(&s, "adam").await,
        user(&s, "troll").await,
    );
    let report = |reason: &str, at: i64| Report {
        id: ReportId::generate(),
        reporter_id: reporter,
        target_type: ReportTarget::User,
        target_id: target.0,
        reason: reason.into(),
        details: None,
        status: ReportStatus::Open,
        action: None,
        note: None,
        created_at: Timestamp::from_millis(at),
        resolved_at: None,
        resolved_by: None,
    };
    let (first, second) = (report("spam", 1), report("abuse", 2));
    s.reports.create(second.clone()).await.expect("file");
    s.reports.create(first.clone()).await.expect("file");
    let open = s.reports.list(ReportStatus::Open, 10).await.expect("list");
    assert_eq!(
        open.iter().map(|r| r.id).collect::<Vec<_>>(),
        [first.id, second.id]
    );
    assert_eq!(
        s.reports.find(first.id).await.expect("find"),
        Some(first.clone())
    );

    let at = Timestamp::from_millis(3);
    let note = Some("warned".to_owned());
    assert!(
        s.reports
            .resolve(first.id, ReportAction::Dismiss, note.clone(), admin, at)
            .await
            .expect("resolve")
    );
    assert!(
        !s.reports
            .resolve(first.id, ReportAction::BanUser, None, admin, at)
            .await
            .expect("again"),
        "resolved once"
    );
    let resolved = s
        .reports
        .list(ReportStatus::Resolved, 10)
        .await
        .expect("list");
    assert_eq!(resolved.len(), 1);
    assert_eq!(
        (
            resolved[0].status,
            resolved[0].action,
            &resolved[0].note,
            resolved[0].resolved_by
        ),
        (
            ReportStatus::Resolved,
            Some(ReportAction::Dismiss),
            &note,
            Some(admin)
        )
    );
    assert_eq!(
        s.reports
            .list(ReportStatus::Open, 10)
            .await
            .expect("list")
            .len(),
        1
    );
    assert_eq!(
        s.reports.find(ReportId::generate()).await.expect("find"),
        None
    );
}

pub async fn a_call_changes_state_once_and_frees_its_participants(s: Stores) {
    let (a, b) = (user(&s, "kim").await, user(&s, "lee").await);
    let c = group(&s, &[a, b]).await;
    let ringing = Call {
        id: CallId::generate(),
        conversation_id: c,
        kind: CallKind::Video,
        initiator_id: a,
        participants: vec![a, b],
        state: CallState::Ringing,
        started_at: now(),
        answered_at: None,
        ended_at: None,
        end_reason: None,
    };
    s.calls.create(ringing.clone()).await.expect("create");
    assert_eq!(
        s.calls.live_for(b).await.expect("live").map(|c| c.id),
        Some(ringing.id)
    );
    let other = user(&s, "max").await;
    let rival = Call {
        id: CallId::generate(),
        initiator_id: other,
        participants: vec![other, b],
        ..ringing.clone()
    };
    let refused = s.calls.create(rival.clone()).await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "b is busy: {refused:?}"
    );
    assert!(
        s.calls.find(rival.id).await.expect("find").is_none(),
        "nothing stored"
    );
    assert!(s.calls.live_for(other).await.expect("live").is_none());
    let active = Call {
        state: CallState::Active,
        answered_at: Some(now()),
        ..ringing.clone()
    };
    assert!(
        s.calls
            .transition(active.clone(), CallState::Ringing)
            .await
            .expect("accept")
    );
    assert!(
        !s.calls
            .transition(active.clone(), CallState::Ringing)
            .await
            .expect("only once")
    );
    let ended = Call {
        state: CallState::Ended,
        ended_at: Some(now()),
        end_reason: Some(EndReason::Completed),
        ..active
    };
    assert!(
        s.calls
            .transition(ended.clone(), CallState::Active)
            .await
            .expect("end")
    );
    assert!(s.calls.live_for(a).await.expect("live").is_none());
    assert_eq!(s.calls.history(b, 10).await.expect("history"), vec![ended]);
}

pub async fn expired_stories_disappear_from_reads_and_the_sweep(s: Stores) {
    let (a, b) = (user(&s, "ola").await, user(&s, "pia").await);
    let at = |ms: i64| Timestamp::from_millis(1_000_000 + ms);
    let story = |expires: i64| Story {
        id: StoryId::generate(),
        author_id: a,
        body: Some("hi".into()),
        media_url: None,
        media_type: None,
        created_at: at(0),
        expires_at: at(expires),
    };
    let (short, long) = (story(10), story(1000));
    s.stories.create(short.clone()).await.expect("short");
    s.stories.create(long.clone()).await.expect("long");
    s.stories
        .record_view(short.id, b, at(1))
        .await
        .expect("view");
    s.stories
        .record_view(short.id, b, at(2))
        .await
        .expect("view once");
    s.stories
        .like(short.id, b, true, at(1))
        .await
        .expect("like");
    let stats = s.stories.stats(vec![short.id], b).await.expect("stats");
    assert_eq!((stats[&short.id].views, stats[&short.id].likes), (1, 1));
    assert!(stats[&short.id].seen_by_me && stats[&short.id].liked_by_me);
    let live = s.stories.live_by(vec![a], at(10)).await.expect("live");
    assert_eq!(
        live.iter().map(|st| st.id).collect::<Vec<_>>(),
        vec![long.id]
    );
    assert_eq!(s.stories.delete_expired(at(10)).await.expect("sweep"), 1);
    assert!(s.stories.find(short.id).await.expect("find").is_none());
    assert!(s.stories.find(long.id).await.expect("find").is_some());
}
