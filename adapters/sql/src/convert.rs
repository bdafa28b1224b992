//! Rows to domain values.

use crate::entity::{conversation, member, message, user};
use chatchit_domain::conversation::{Conversation, ConversationKind, Member, MemberRole};
use chatchit_domain::ids::{ConversationId, MessageId, UserId};
use chatchit_domain::message::Message;
use chatchit_domain::time::Timestamp;
use chatchit_domain::user::{Role, User};

pub fn to_user(m: user::Model) -> User {
    User {
        id: UserId(m.id),
        username: m.username,
        display_name: m.display_name,
        avatar_url: m.avatar_url,
        role: Role::from_name(&m.role),
        created_at: Timestamp::from_millis(m.created_at),
        banned: m.banned_at.is_some(),
    }
}

pub fn to_conversation(m: conversation::Model) -> Conversation {
    Conversation {
        id: ConversationId(m.id),
        kind: ConversationKind::from_name(&m.kind),
        title: m.title,
        avatar_url: m.avatar_url,
        created_at: Timestamp::from_millis(m.created_at),
    }
}

pub fn to_member(m: member::Model) -> Member {
    Member {
        user_id: UserId(m.user_id),
        role: MemberRole::from_name(&m.role),
        joined_at: Timestamp::from_millis(m.joined_at),
        last_read_seq: m.last_read_seq,
        last_read_message_id: m.last_read_message_id.map(MessageId),
    }
}

pub fn to_message(m: message::Model) -> Message {
    let attachments = serde_json::from_str(&m.attachments).unwrap_or_else(|e| {
        tracing::error!(message = %m.id, error = %e, "unreadable attachments column");
        Vec::new()
    });
    Message {
        id: MessageId(m.id),
        conversation_id: ConversationId(m.conversation_id),
        seq: m.seq,
        sender_id: UserId(m.sender_id),
        client_msg_id: m.client_msg_id,
        body: m.body,
        reply_to_id: m.reply_to_id.map(MessageId),
        attachments,
        created_at: Timestamp::from_millis(m.created_at),
        edited_at: m.edited_at.map(Timestamp::from_millis),
        deleted_at: m.deleted_at.map(Timestamp::from_millis),
    }
}
