//! The store contract: Conversations: one direct conversation per pair, ownership handed over with a removal.

#![allow(clippy::missing_panics_doc, missing_docs)]

use super::{Stores, group, member, now, user};
use chatchit_domain::conversation::{Conversation, ConversationKind, MemberRole, direct_key};
use chatchit_domain::ids::ConversationId;

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
