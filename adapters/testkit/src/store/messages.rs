//! The store contract: Messages: gapless sequences under concurrent appends, idempotent retries, the relay log, read markers, unread counts, reactions and tombstones.

#![allow(clippy::missing_panics_doc, missing_docs)]

use super::{Stores, group, new_message, now, sorted_seqs, user};
use chatchit_domain::StoreError;
use chatchit_domain::ids::{ConversationId, MessageId};
use chatchit_domain::time::Timestamp;
use chatchit_domain::values::MessageBody;

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

pub async fn a_pages_reactions_are_read_as_the_reader_sees_them(s: Stores) {
    let (a, b) = (user(&s, "hal").await, user(&s, "ivy").await);
    let c = group(&s, &[a, b]).await;
    let mut ids = Vec::new();
    for body in ["one", "two", "three"] {
        let m = s
            .messages
            .append(new_message(c, a, body))
            .await
            .expect("append");
        ids.push(m.message.id);
    }
    for (who, emoji) in [(a, "👍"), (b, "👍"), (b, "🎉")] {
        s.messages
            .react(ids[0], who, emoji.into(), true, now())
            .await
            .expect("react");
    }
    s.messages
        .react(ids[2], a, "❤️".into(), true, now())
        .await
        .expect("react");
    s.messages
        .react(ids[2], a, "❤️".into(), false, now())
        .await
        .expect("take back");
    let sets = s.messages.reactions(ids.clone(), b).await.expect("read");
    assert_eq!(sets.len(), 1, "only messages with reactions: {sets:?}");
    assert_eq!(sets[0].message_id, ids[0]);
    assert_eq!(sets[0].counts.get("👍"), Some(&2));
    assert_eq!(sets[0].counts.get("🎉"), Some(&1));
    let mine: Vec<&str> = sets[0].mine.iter().map(String::as_str).collect();
    assert_eq!(mine, ["🎉", "👍"]);
    let for_a = s.messages.reactions(ids, a).await.expect("read");
    let mine: Vec<&str> = for_a[0].mine.iter().map(String::as_str).collect();
    assert_eq!(mine, ["👍"]);
    assert!(
        s.messages
            .reactions(Vec::new(), a)
            .await
            .expect("none")
            .is_empty()
    );
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
