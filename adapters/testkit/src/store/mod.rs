//! The store contract: what every adapter of the store ports must do, as
//! test functions over a [`Stores`] of `Arc<dyn Port>`s. An adapter's tests
//! run them all with [`store_contract!`](crate::store_contract), once per
//! backend (memory, SQLite, PostgreSQL today).

#![allow(clippy::missing_panics_doc, missing_docs)]

mod accounts;
mod conversations;
mod messages;
mod social;

pub use accounts::*;
pub use conversations::*;
pub use messages::*;
pub use social::*;

use chatchit_domain::conversation::{Conversation, ConversationKind, Member, MemberRole};
use chatchit_domain::ids::{ConversationId, MessageId, UserId};
use chatchit_domain::message::NewMessage;
use chatchit_domain::ports::{
    CallStore, ConversationStore, MessageStore, ReportStore, SessionStore, SocialStore, StoryStore,
    UserStore,
};
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

/// Runs every contract test in a module `$module`, each on the stores that
/// `$stores` (an `async` expression of `Option<Stores>`; `None` means the
/// backend is not here, see [`crate::service_url`]) gives it.
#[macro_export]
macro_rules! store_contract {
    ($module:ident, $stores:expr) => {
        $crate::store_contract!(@each $module, $stores; usernames_are_unique_case_insensitively, a_refresh_token_rotates_once, a_direct_conversation_is_created_once_per_pair, concurrent_appends_get_gapless_seqs_and_retries_are_idempotent, a_report_is_listed_by_status_and_resolved_once, every_append_is_noted_for_relay_until_relayed, appends_to_many_conversations_at_once_keep_each_counter_and_marker, a_failed_send_fails_alone_among_concurrent_ones, unread_counts_skip_own_and_read_messages, reactions_count_and_tombstones_clear_content, a_pages_reactions_are_read_as_the_reader_sees_them, a_tombstone_takes_no_edit_and_no_reaction, a_users_sessions_end_together_and_are_listed_as_revoked, ownership_hand_over_happens_with_the_removal, friendship_follows_acceptance_and_a_block_clears_the_graph, a_call_changes_state_once_and_frees_its_participants, roles_and_bans_are_stored, expired_stories_disappear_from_reads_and_the_sweep, an_opened_session_is_kept_once);
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
