//! Application and domain results in their wire form.

use super::ToWire;
use chatchit_application::admin::AdminStats;
use chatchit_application::auth::AuthSession;
use chatchit_application::calls::{CallStateResult, Invited};
use chatchit_application::conversations::Page;
use chatchit_application::friends::PendingRequests;
use chatchit_application::messages::{
    DeletedMessage, HistoryPage, ReactionsResult, ReadResult, SyncResult,
};
use chatchit_application::typing::Empty;
use chatchit_domain::call::{Call, CallKind, CallState, EndReason};
use chatchit_domain::conversation::{ConversationKind, ConversationView, MemberRole, MemberView};
use chatchit_domain::message::{Attachment, Message};
use chatchit_domain::presence::PresenceStatus;
use chatchit_domain::report::{Report, ReportAction, ReportStatus, ReportTarget};
use chatchit_domain::social::{FriendRequestView, RelationView};
use chatchit_domain::story::{FeedEntry, StoryComment, StoryView};
use chatchit_domain::time::Timestamp;
use chatchit_domain::user::{Role, User};
use chatchit_protocol as wire;

/// Domain ids are uuids on the wire.
macro_rules! ids {
    ($($id:ty),*) => {$(
        impl ToWire for $id {
            type Wire = uuid::Uuid;

            fn to_wire(self) -> uuid::Uuid {
                self.0
            }
        }
    )*};
}

ids!(
    chatchit_domain::ids::UserId,
    chatchit_domain::ids::ConversationId,
    chatchit_domain::ids::MessageId,
    chatchit_domain::ids::FriendRequestId,
    chatchit_domain::ids::CallId,
    chatchit_domain::story::StoryId,
    chatchit_domain::report::ReportId
);

/// Enums of the same variants on both sides.
macro_rules! same_variants {
    ($($from:ty => $to:ty { $($variant:ident),* })*) => {$(
        impl ToWire for $from {
            type Wire = $to;

            fn to_wire(self) -> $to {
                match self {
                    $(<$from>::$variant => <$to>::$variant,)*
                }
            }
        }
    )*};
}

same_variants! {
    Role => wire::users::Role { User, Admin }
    ConversationKind => wire::conversations::ConversationKind { Direct, Group }
    MemberRole => wire::conversations::MemberRole { Member, Admin, Owner }
    CallKind => wire::calls::CallKind { Audio, Video }
    CallState => wire::calls::CallState { Ringing, Active, Ended }
    EndReason => wire::calls::EndReason { Completed, Rejected, Missed, Cancelled }
    PresenceStatus => wire::presence::PresenceStatus { Online, Away, Dnd, Invisible, Offline }
    ReportTarget => wire::admin::ReportTarget { User, Message, Story }
    ReportAction => wire::admin::ReportAction { Dismiss, RemoveContent, BanUser }
    ReportStatus => wire::admin::ReportStatus { Open, Resolved }
}

impl ToWire for Timestamp {
    type Wire = wire::Timestamp;

    fn to_wire(self) -> wire::Timestamp {
        wire::Timestamp::from_millis(self.millis())
    }
}

impl ToWire for User {
    type Wire = wire::users::User;

    fn to_wire(self) -> Self::Wire {
        wire::users::User {
            id: self.id.to_wire(),
            username: self.username,
            display_name: self.display_name,
            avatar_url: self.avatar_url,
            role: self.role.to_wire(),
            created_at: self.created_at.to_wire(),
        }
    }
}

impl ToWire for AuthSession {
    type Wire = wire::auth::Session;

    fn to_wire(self) -> Self::Wire {
        wire::auth::Session {
            user: self.user.to_wire(),
            access_token: self.access_token,
            refresh_token: self.refresh_token,
            expires_in: self.expires_in,
        }
    }
}

impl ToWire for Attachment {
    type Wire = wire::messages::Attachment;

    fn to_wire(self) -> Self::Wire {
        wire::messages::Attachment {
            url: self.url,
            mime: self.mime,
            size: self.size,
            name: self.name,
        }
    }
}

impl ToWire for Message {
    type Wire = wire::messages::Message;

    fn to_wire(self) -> Self::Wire {
        wire::messages::Message {
            id: self.id.to_wire(),
            conversation_id: self.conversation_id.to_wire(),
            seq: self.seq,
            sender_id: self.sender_id.to_wire(),
            client_msg_id: self.client_msg_id,
            body: self.body,
            reply_to_id: self.reply_to_id.to_wire(),
            attachments: self.attachments.to_wire(),
            created_at: self.created_at.to_wire(),
            edited_at: self.edited_at.to_wire(),
            deleted_at: self.deleted_at.to_wire(),
        }
    }
}

impl ToWire for MemberView {
    type Wire = wire::conversations::Member;

    fn to_wire(self) -> Self::Wire {
        wire::conversations::Member {
            user: self.user.to_wire(),
            role: self.role.to_wire(),
            joined_at: self.joined_at.to_wire(),
        }
    }
}

impl ToWire for ConversationView {
    type Wire = wire::conversations::Conversation;

    fn to_wire(self) -> Self::Wire {
        wire::conversations::Conversation {
            id: self.id.to_wire(),
            kind: self.kind.to_wire(),
            title: self.title,
            avatar_url: self.avatar_url,
            members: self.members.to_wire(),
            last_message: self.last_message.to_wire(),
            unread_count: self.unread_count,
            last_read_message_id: self.last_read_message_id.to_wire(),
            created_at: self.created_at.to_wire(),
        }
    }
}

impl ToWire for Page<ConversationView> {
    type Wire = wire::conversations::ConversationPage;

    fn to_wire(self) -> Self::Wire {
        wire::conversations::ConversationPage {
            items: self.items.to_wire(),
            next_cursor: self.next_cursor,
        }
    }
}

impl ToWire for DeletedMessage {
    type Wire = wire::messages::DeletedMessage;

    fn to_wire(self) -> Self::Wire {
        wire::messages::DeletedMessage {
            message_id: self.message_id.to_wire(),
        }
    }
}

impl ToWire for ReactionsResult {
    type Wire = wire::messages::MessageReactions;

    fn to_wire(self) -> Self::Wire {
        wire::messages::MessageReactions {
            message_id: self.message_id.to_wire(),
            reactions: self.reactions,
        }
    }
}

impl ToWire for ReadResult {
    type Wire = wire::messages::ReadMarker;

    fn to_wire(self) -> Self::Wire {
        wire::messages::ReadMarker {
            conversation_id: self.conversation_id.to_wire(),
            message_id: self.message_id.to_wire(),
            unread_count: self.unread_count,
        }
    }
}

impl ToWire for SyncResult {
    type Wire = wire::messages::SyncPage;

    fn to_wire(self) -> Self::Wire {
        wire::messages::SyncPage {
            messages: self.messages.to_wire(),
            has_more: self.has_more,
        }
    }
}

impl ToWire for HistoryPage {
    type Wire = wire::messages::HistoryPage;

    fn to_wire(self) -> Self::Wire {
        wire::messages::HistoryPage {
            items: self.items.to_wire(),
            has_more: self.has_more,
            reactions: self
                .reactions
                .into_iter()
                .map(|set| wire::messages::ReactionSummary {
                    message_id: set.message_id.0,
                    reactions: set.counts,
                    mine: set.mine.into_iter().collect(),
                })
                .collect(),
        }
    }
}

impl ToWire for Empty {
    type Wire = wire::presence::Empty;

    fn to_wire(self) -> Self::Wire {
        wire::presence::Empty {}
    }
}

impl ToWire for FriendRequestView {
    type Wire = wire::social::FriendRequest;

    fn to_wire(self) -> Self::Wire {
        wire::social::FriendRequest {
            id: self.id.to_wire(),
            from: self.from.to_wire(),
            to: self.to.to_wire(),
            created_at: self.created_at.to_wire(),
        }
    }
}

impl ToWire for RelationView {
    type Wire = wire::social::Relation;

    fn to_wire(self) -> Self::Wire {
        wire::social::Relation {
            user: self.user.to_wire(),
            since: self.since.to_wire(),
        }
    }
}

impl ToWire for Page<RelationView> {
    type Wire = wire::social::RelationPage;

    fn to_wire(self) -> Self::Wire {
        wire::social::RelationPage {
            items: self.items.to_wire(),
            next_cursor: self.next_cursor,
        }
    }
}

impl ToWire for PendingRequests {
    type Wire = wire::social::PendingRequests;

    fn to_wire(self) -> Self::Wire {
        wire::social::PendingRequests {
            incoming: self.incoming.to_wire(),
            outgoing: self.outgoing.to_wire(),
            next_incoming_cursor: self.next_incoming_cursor,
            next_outgoing_cursor: self.next_outgoing_cursor,
        }
    }
}

impl ToWire for StoryView {
    type Wire = wire::stories::Story;

    fn to_wire(self) -> Self::Wire {
        wire::stories::Story {
            id: self.id.to_wire(),
            author_id: self.author_id.to_wire(),
            body: self.body,
            media_url: self.media_url,
            media_type: self.media_type,
            created_at: self.created_at.to_wire(),
            expires_at: self.expires_at.to_wire(),
            view_count: self.view_count,
            like_count: self.like_count,
            comment_count: self.comment_count,
            liked_by_me: self.liked_by_me,
            seen_by_me: self.seen_by_me,
        }
    }
}

impl ToWire for FeedEntry {
    type Wire = wire::stories::FeedEntry;

    fn to_wire(self) -> Self::Wire {
        wire::stories::FeedEntry {
            author: self.author.to_wire(),
            stories: self.stories.to_wire(),
            has_unseen: self.has_unseen,
        }
    }
}

impl ToWire for StoryComment {
    type Wire = wire::stories::StoryComment;

    fn to_wire(self) -> Self::Wire {
        wire::stories::StoryComment {
            id: self.id,
            story_id: self.story_id.to_wire(),
            author_id: self.author_id.to_wire(),
            body: self.body,
            created_at: self.created_at.to_wire(),
        }
    }
}

impl ToWire for Page<StoryComment> {
    type Wire = wire::stories::CommentPage;

    fn to_wire(self) -> Self::Wire {
        wire::stories::CommentPage {
            items: self.items.to_wire(),
            next_cursor: self.next_cursor,
        }
    }
}

impl ToWire for Call {
    type Wire = wire::calls::Call;

    fn to_wire(self) -> Self::Wire {
        wire::calls::Call {
            id: self.id.to_wire(),
            conversation_id: self.conversation_id.to_wire(),
            kind: self.kind.to_wire(),
            initiator_id: self.initiator_id.to_wire(),
            participants: self.participants.to_wire(),
            state: self.state.to_wire(),
            started_at: self.started_at.to_wire(),
            answered_at: self.answered_at.to_wire(),
            ended_at: self.ended_at.to_wire(),
            end_reason: self.end_reason.to_wire(),
        }
    }
}

impl ToWire for Invited {
    type Wire = wire::calls::CallInvited;

    fn to_wire(self) -> Self::Wire {
        wire::calls::CallInvited {
            call_id: self.call_id.to_wire(),
        }
    }
}

impl ToWire for CallStateResult {
    type Wire = wire::calls::CallStatus;

    fn to_wire(self) -> Self::Wire {
        wire::calls::CallStatus {
            call_id: self.call_id.to_wire(),
            state: self.state.to_wire(),
        }
    }
}

impl ToWire for Report {
    type Wire = wire::admin::Report;

    fn to_wire(self) -> Self::Wire {
        wire::admin::Report {
            id: self.id.to_wire(),
            reporter_id: self.reporter_id.to_wire(),
            target_type: self.target_type.to_wire(),
            target_id: self.target_id,
            reason: self.reason,
            details: self.details,
            status: self.status.to_wire(),
            action: self.action.to_wire(),
            note: self.note,
            created_at: self.created_at.to_wire(),
            resolved_at: self.resolved_at.to_wire(),
            resolved_by: self.resolved_by.to_wire(),
        }
    }
}

impl ToWire for AdminStats {
    type Wire = wire::admin::AdminStats;

    fn to_wire(self) -> Self::Wire {
        fn named<V>(
            map: std::collections::BTreeMap<&'static str, V>,
        ) -> std::collections::BTreeMap<String, V> {
            map.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
        }
        wire::admin::AdminStats {
            queue_depth: named(self.queue_depth),
            processed: named(self.processed),
            processing_rate: named(self.processing_rate),
            dead_letters: self.dead_letters,
            connected_sockets: self.connected_sockets,
            uptime_seconds: self.uptime_seconds,
            health_score: self.health_score,
            messages_stored: self.messages_stored,
            queue_wait: self
                .queue_wait
                .into_iter()
                .map(|(lane, w)| {
                    let wait = wire::admin::LaneWait {
                        p50_ms: w.p50_ms,
                        p99_ms: w.p99_ms,
                        target_ms: w.target_ms,
                        within_target: w.within_target,
                        samples: w.samples,
                    };
                    (lane.to_owned(), wait)
                })
                .collect(),
        }
    }
}

/// A user with the one thing only admins see: the ban.
pub fn account(user: User) -> wire::admin::Account {
    let banned = user.banned;
    wire::admin::Account {
        user: user.to_wire(),
        banned,
    }
}
