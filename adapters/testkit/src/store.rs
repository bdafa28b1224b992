//! The store contract: what every adapter of the store ports must do, as
//! test functions over a [`Stores`] of `Arc<dyn Port>`s. An adapter's tests
//! run them all with [`store_contract!`](crate::store_contract), once per
//! backend (memory, SQLite, PostgreSQL today).

#![allow(clippy::missing_panics_doc, missing_docs)]

use chatchit_domain::StoreError;
use chatchit_domain::auth::{RefreshTokenRecord, Session};
use chatchit_domain::call::{Call, CallId, CallKind, CallState, EndReason};
use chatchit_domain::conversation::{
    Conversation, ConversationKind, Member, MemberRole, direct_key,
};
use chatchit_domain::ids::{ConversationId, MessageId, SessionId, UserId};
use chatchit_domain::message::NewMessage;
use chatchit_domain::ports::{
    CallStore, ConversationStore, MessageStore, ReportStore, SessionStore, SocialStore, StoryStore,
    UserStore,
};
use chatchit_domain::report::{Report, ReportAction, ReportId, ReportStatus, ReportTarget};
use chatchit_domain::social::{FriendRequest, FriendRequestId};
use chatchit_domain::story::{Story, StoryId};
use chatchit_domain::time::Timestamp;
use chatchit_domain::user::{Role, User};
use chatchit_domain::values::{ClientMsgId, MessageBody};
use std::sync::Arc;

/// One backend's stores, plus whatever must live as long as they do (a
/// temp directory, a pool).
pub struct Stores {
    /// Dropped with the stores.
    pub keep: Box<dyn std::any::Any + Send>,
    pub users: Arc<dyn UserStore>,
    pub sessions: Arc<dyn SessionStore>,
    pub conversations: Arc<dyn ConversationStore>,
    pub messages: Arc<dyn MessageStore>,
    pub social: Arc<dyn SocialStore>,
    pub stories: Arc<dyn StoryStore>,
    pub reports: Arc<dyn ReportStore>,
    pub calls: Arc<dyn CallStore>,
}

pub fn now() -> Timestamp {
    Timestamp::from_millis(1_795_787_230_123)
}

pub async fn user(s: &Stores, name: &str) -> UserId {
    let u = User {
        id: UserId::generate(),
        username: name.into(),
        display_name: name.into(),
        avatar_url: None,
        role: Role::User,
        created_at: now(),
        banned: false,
    };
    s.users
        .create(u.clone(), "hash".into())
        .await
        .expect("create user");
    u.id
}

pub fn member(user_id: UserId, role: MemberRole) -> Member {
    Member {
        user_id,
        role,
        joined_at: now(),
        last_read_seq: 0,
        last_read_message_id: None,
    }
}

pub async fn group(s: &Stores, members: &[UserId]) -> ConversationId {
    let c = Conversation {
        id: ConversationId::generate(),
        kind: ConversationKind::Group,
        title: Some("g".into()),
        avatar_url: None,
        created_at: now(),
    };
    let ms = members
        .iter()
        .map(|&u| member(u, MemberRole::Member))
        .collect();
    s.conversations
        .create_group(c.clone(), ms)
        .await
        .expect("group");
    c.id
}

pub fn new_message(c: ConversationId, sender: UserId, key: &str) -> NewMessage {
    NewMessage {
        id: MessageId::generate(),
        conversation_id: c,
        sender_id: sender,
        client_msg_id: ClientMsgId::parse(key).expect("key"),
        body: MessageBody::parse("hello").expect("body"),
        reply_to_id: None,
        attachments: vec![],
        created_at: now(),
    }
}

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

pub async fn a_direct_conversation_is_created_once_per_pair(s: Stores) {
    let (a, b) = (user(&s, "ann").await, user(&s, "ben").await);
    let fresh = || Conversation {
        id: ConversationId::generate(),
        kind: ConversationKind::Direct,
        title: None,
        avatar_url: None,
        created_at: now(),
    };
    let members = || vec![member(a, MemberRole::Member), member(b, MemberRole::Member)];
    let (first, created) = s
        .conversations
        .get_or_create_direct(direct_key(a, b), fresh(), members())
        .await
        .expect("first");
    let (second, again) = s
        .conversations
        .get_or_create_direct(direct_key(b, a), fresh(), members())
        .await
        .expect("second");
    assert!(created && !again);
    assert_eq!(first.id, second.id);
    assert_eq!(
        s.conversations.roles_for_user(b).await.expect("roles"),
        vec![(first.id, MemberRole::Member)]
    );
}

/// Every `seq` stored in `c`, in order.
pub async fn sorted_seqs(s: &Stores, c: ConversationId) -> Vec<i64> {
    let mut seqs: Vec<i64> = s
        .messages
        .page_after(c, 0, 100)
        .await
        .expect("page")
        .iter()
        .map(|m| m.seq)
        .collect();
    seqs.sort_unstable();
    seqs
}

pub async fn concurrent_appends_get_gapless_seqs_and_retries_are_idempotent(s: Stores) {
    let (a, b) = (user(&s, "amy").await, user(&s, "bea").await);
    let c = group(&s, &[a, b]).await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let store = s.messages.clone();
        let sender = if i % 2 == 0 { a } else { b };
        tasks.push(tokio::spawn(async move {
            store.append(new_message(c, sender, &format!("k{i}"))).await
        }));
    }
    for t in tasks {
        assert!(!t.await.expect("join").expect("append").duplicate);
    }
    let retry = s
        .messages
        .append(new_message(c, a, "k0"))
        .await
        .expect("retry");
    assert!(retry.duplicate);
    assert_eq!(sorted_seqs(&s, c).await, (1..=20).collect::<Vec<_>>());
    let before = s
        .messages
        .page_before(c, Some(5), 10)
        .await
        .expect("before");
    assert_eq!(
        before.iter().map(|m| m.seq).collect::<Vec<_>>(),
        vec![4, 3, 2, 1]
    );
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

/// Every append notes its message for relay in its own transaction (a retry
/// notes nothing more); the notes are listed oldest first until relayed.
pub async fn every_append_is_noted_for_relay_until_relayed(s: Stores) {
    let (a, b) = (user(&s, "ann").await, user(&s, "ben").await);
    let c = group(&s, &[a, b]).await;
    let mut tasks = Vec::new();
    for i in 0..6 {
        let store = s.messages.clone();
        let sender = if i % 2 == 0 { a } else { b };
        tasks.push(tokio::spawn(async move {
            store.append(new_message(c, sender, &format!("r{i}"))).await
        }));
    }
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.expect("join").expect("append").message.id);
    }
    let retry = s
        .messages
        .append(new_message(c, a, "r0"))
        .await
        .expect("retry");
    assert!(retry.duplicate);
    let later = Timestamp::from_millis(now().millis() + 60_000);
    let noted = s.messages.unrelayed(later, 100).await.expect("unrelayed");
    let mut noted_ids: Vec<MessageId> = noted.iter().map(|m| m.id).collect();
    noted_ids.sort_unstable();
    ids.sort_unstable();
    assert_eq!(noted_ids, ids, "each message once");
    assert!(
        s.messages
            .unrelayed(Timestamp::from_millis(0), 100)
            .await
            .expect("unrelayed")
            .is_empty(),
        "none is older than the epoch"
    );
    s.messages
        .relayed(ids[..5].to_vec())
        .await
        .expect("relayed");
    s.messages.relayed(Vec::new()).await.expect("nothing");
    let left = s.messages.unrelayed(later, 100).await.expect("unrelayed");
    assert_eq!(left.iter().map(|m| m.id).collect::<Vec<_>>(), [ids[5]]);
}

/// Sends to several conversations by several senders committed together:
/// each conversation's `seq`s stay gapless, each ack carries the `seq` that was
/// stored, and each sender's read marker ends on their own last message.
pub async fn appends_to_many_conversations_at_once_keep_each_counter_and_marker(s: Stores) {
    let users = [
        user(&s, "gus").await,
        user(&s, "hal").await,
        user(&s, "ivy").await,
    ];
    let mut conversations = Vec::new();
    for _ in 0..3 {
        conversations.push(group(&s, &users).await);
    }
    let mut tasks = Vec::new();
    for i in 0..60 {
        let store = s.messages.clone();
        let (c, sender) = (conversations[i % 3], users[(i / 3) % 3]);
        tasks.push(tokio::spawn(async move {
            store.append(new_message(c, sender, &format!("m{i}"))).await
        }));
    }
    let mut acked = Vec::new();
    for t in tasks {
        let outcome = t.await.expect("join").expect("append");
        assert!(!outcome.duplicate);
        acked.push(outcome.message);
    }
    for c in conversations {
        assert_eq!(sorted_seqs(&s, c).await, (1..=20).collect::<Vec<_>>());
        for m in s.messages.page_after(c, 0, 100).await.expect("page") {
            let ack = acked.iter().find(|a| a.id == m.id).expect("acked");
            assert_eq!((ack.seq, ack.conversation_id), (m.seq, c));
        }
        for u in users {
            let last = acked
                .iter()
                .filter(|m| m.conversation_id == c && m.sender_id == u)
                .max_by_key(|m| m.seq)
                .expect("sent");
            let me = s
                .conversations
                .member(c, u)
                .await
                .expect("member")
                .expect("is one");
            assert_eq!(
                (me.last_read_seq, me.last_read_message_id),
                (last.seq, Some(last.id))
            );
        }
    }
}

/// Sends committed together (SQLite's group commit) fail or succeed one by
/// one: a send to a missing conversation and a racing duplicate do not take
/// the others down, and no `seq` is lost to the failures.
pub async fn a_failed_send_fails_alone_among_concurrent_ones(s: Stores) {
    let (a, b) = (user(&s, "eli").await, user(&s, "fay").await);
    let c = group(&s, &[a, b]).await;
    let mut tasks = Vec::new();
    for i in 0..30 {
        let store = s.messages.clone();
        let (conversation, key) = match i % 3 {
            0 => (ConversationId::generate(), format!("lost{i}")),
            1 => (c, "same-key".to_owned()),
            _ => (c, format!("k{i}")),
        };
        tasks.push(tokio::spawn(async move {
            store.append(new_message(conversation, a, &key)).await
        }));
    }
    let (mut missing, mut firsts, mut duplicates) = (0, 0, 0);
    for t in tasks {
        match t.await.expect("join") {
            Err(StoreError::NotFound(_)) => missing += 1,
            Ok(outcome) if outcome.duplicate => duplicates += 1,
            Ok(_) => firsts += 1,
            Err(e) => panic!("unexpected {e}"),
        }
    }
    assert_eq!((missing, firsts, duplicates), (10, 11, 9));
    assert_eq!(
        sorted_seqs(&s, c).await,
        (1..=11).collect::<Vec<_>>(),
        "gapless"
    );
}

pub async fn unread_counts_skip_own_and_read_messages(s: Stores) {
    let (a, b) = (user(&s, "cat").await, user(&s, "dan").await);
    let c = group(&s, &[a, b]).await;
    for i in 0..3 {
        s.messages
            .append(new_message(c, a, &format!("a{i}")))
            .await
            .expect("a");
    }
    let last = s
        .messages
        .append(new_message(c, b, "b0"))
        .await
        .expect("b")
        .message;
    assert_eq!(s.messages.count_unread(c, b, 0).await.expect("count"), 3);
    let me = s
        .conversations
        .member(c, b)
        .await
        .expect("member")
        .expect("b");
    assert_eq!(
        me.last_read_seq, last.seq,
        "sending marks read for the sender"
    );
    s.conversations
        .mark_read(c, a, 4, last.id)
        .await
        .expect("read");
    s.conversations
        .mark_read(c, a, 2, last.id)
        .await
        .expect("never backward");
    assert_eq!(
        s.conversations
            .member(c, a)
            .await
            .expect("m")
            .expect("a")
            .last_read_seq,
        4
    );
}

pub async fn reactions_count_and_tombstones_clear_content(s: Stores) {
    let (a, b) = (user(&s, "eve").await, user(&s, "fay").await);
    let c = group(&s, &[a, b]).await;
    let m = s
        .messages
        .append(new_message(c, a, "x"))
        .await
        .expect("append")
        .message;
    s.messages
        .react(m.id, a, "👍".into(), true, now())
        .await
        .expect("react");
    s.messages
        .react(m.id, a, "👍".into(), true, now())
        .await
        .expect("twice is once");
    let counts = s
        .messages
        .react(m.id, b, "👍".into(), true, now())
        .await
        .expect("react");
    assert_eq!(counts.get("👍"), Some(&2));
    let counts = s
        .messages
        .react(m.id, b, "👍".into(), false, now())
        .await
        .expect("unreact");
    assert_eq!(counts.get("👍"), Some(&1));
    let dead = s.messages.tombstone(m.id, now()).await.expect("delete");
    assert_eq!((dead.body.as_str(), dead.attachments.len()), ("", 0));
    assert!(dead.deleted_at.is_some());
}

pub async fn a_tombstone_takes_no_edit_and_no_reaction(s: Stores) {
    let a = user(&s, "gil").await;
    let c = group(&s, &[a]).await;
    let m = s
        .messages
        .append(new_message(c, a, "x"))
        .await
        .expect("append")
        .message;
    s.messages.tombstone(m.id, now()).await.expect("delete");
    let edited = s
        .messages
        .edit(m.id, MessageBody::parse("back").expect("body"), now())
        .await;
    assert!(matches!(edited, Err(StoreError::Conflict(_))), "{edited:?}");
    let reacted = s.messages.react(m.id, a, "👍".into(), true, now()).await;
    assert!(
        matches!(reacted, Err(StoreError::Conflict(_))),
        "{reacted:?}"
    );
    let stored = s.messages.find(m.id).await.expect("find").expect("kept");
    assert_eq!((stored.body.as_str(), stored.edited_at), ("", None));
    let counts = s.messages.react(m.id, a, "👍".into(), false, now()).await;
    assert!(counts.expect("removing is allowed").is_empty());
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

pub async fn ownership_hand_over_happens_with_the_removal(s: Stores) {
    let (a, b) = (user(&s, "gus").await, user(&s, "hal").await);
    let c = group(&s, &[a, b]).await;
    s.conversations
        .remove_member(c, a, Some((b, MemberRole::Owner)))
        .await
        .expect("leave");
    let members = s.conversations.members(c).await.expect("members");
    assert_eq!(members.len(), 1);
    assert_eq!(members[0].role, MemberRole::Owner);
    let list = s
        .conversations
        .list_for_user(b, None, 10)
        .await
        .expect("list");
    assert_eq!(list.len(), 1);
}

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

/// Runs every contract test in a module `$module`, each on the stores that
/// `$stores` (an `async` expression of `Option<Stores>`; `None` means the
/// backend is not here, see [`crate::service_url`]) gives it.
#[macro_export]
macro_rules! store_contract {
    ($module:ident, $stores:expr) => {
        $crate::store_contract!(@each $module, $stores; usernames_are_unique_case_insensitively, a_refresh_token_rotates_once, a_direct_conversation_is_created_once_per_pair, concurrent_appends_get_gapless_seqs_and_retries_are_idempotent, a_report_is_listed_by_status_and_resolved_once, every_append_is_noted_for_relay_until_relayed, appends_to_many_conversations_at_once_keep_each_counter_and_marker, a_failed_send_fails_alone_among_concurrent_ones, unread_counts_skip_own_and_read_messages, reactions_count_and_tombstones_clear_content, a_tombstone_takes_no_edit_and_no_reaction, a_users_sessions_end_together_and_are_listed_as_revoked, ownership_hand_over_happens_with_the_removal, friendship_follows_acceptance_and_a_block_clears_the_graph, a_call_changes_state_once_and_frees_its_participants, roles_and_bans_are_stored, expired_stories_disappear_from_reads_and_the_sweep, an_opened_session_is_kept_once);
    };
    (@each $module:ident, $stores:expr; $($name:ident),*) => {
        mod $module {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test]
                async fn $name() {
                    if let Some(stores) = $stores {
                        $crate::store::$name(stores).await;
                    }
                }
            )*
        }
    };
}
