//! Domain events (what happened, queued for processing) and server events (what
//! clients are told).

use crate::call::{Call, CallId, CallKind, CallState, EndReason};
use crate::conversation::ConversationView;
use crate::ids::{ConversationId, MessageId, UserId};
use crate::message::{Message, Reactions};
use crate::social::FriendRequestView;
use crate::user::User;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An opaque handle on one live client connection, so the socket that sent a
/// message can be left out of its own fan-out (it already has the ack).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ConnectionId(pub String);

/// How urgent queued work is: high = messages and calls, medium = group
/// operations and deletions, low = typing and presence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Priority {
    /// Background signals that may wait (typing, presence).
    Low,
    /// Group operations and deletions.
    Medium,
    /// Messages and calls.
    High,
}

impl Priority {
    /// How long an event of this lane should wait at most before it is
    /// processed: high 100 ms, medium 500 ms, low 2 s.
    pub fn target(self) -> std::time::Duration {
        std::time::Duration::from_millis(match self {
            Self::High => 100,
            Self::Medium => 500,
            Self::Low => 2000,
        })
    }

    /// The AMQP-style numeric priority (10 / 5 / 1).
    pub fn weight(self) -> u8 {
        match self {
            Self::High => 10,
            Self::Medium => 5,
            Self::Low => 1,
        }
    }

    /// Every lane, most urgent first.
    pub const ALL: [Priority; 3] = [Priority::High, Priority::Medium, Priority::Low];

    /// Lower-case lane name for metrics and stats.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::High => "high",
            Self::Medium => "medium",
            Self::Low => "low",
        }
    }
}

/// Something that happened and must reach other users. Serializable so a
/// broker can carry it between nodes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DomainEvent {
    /// A message was stored; `origin` is the connection that sent it.
    MessageCreated {
        /// The stored message.
        message: Message,
        /// The sending connection, left out of the fan-out.
        origin: Option<ConnectionId>,
    },
    /// A message's body changed.
    MessageEdited {
        /// The message after the edit.
        message: Message,
    },
    /// A message became a tombstone.
    MessageDeleted {
        /// Which message.
        message_id: MessageId,
        /// Where it was.
        conversation_id: ConversationId,
        /// Its `seq`: each node sends this after the message's own
        /// `message:new` (0 when unknown, as in events queued before).
        #[serde(default)]
        seq: i64,
    },
    /// Reaction counts on a message changed.
    ReactionsChanged {
        /// Which message.
        message_id: MessageId,
        /// Where it is.
        conversation_id: ConversationId,
        /// Its `seq` (see `MessageDeleted`).
        #[serde(default)]
        seq: i64,
        /// The counts after the change.
        reactions: Reactions,
    },
    /// A member moved their read marker (read receipt).
    ConversationRead {
        /// Where.
        conversation_id: ConversationId,
        /// Who read.
        user_id: UserId,
        /// Up to which message.
        message_id: MessageId,
    },
    /// A member started or stopped typing.
    Typing {
        /// Where.
        conversation_id: ConversationId,
        /// Who.
        user_id: UserId,
        /// Started (`true`) or stopped.
        typing: bool,
    },
    /// A conversation was created with these members.
    ConversationCreated {
        /// The new conversation.
        conversation_id: ConversationId,
    },
    /// Title or picture changed, or roles changed.
    ConversationUpdated {
        /// Which conversation.
        conversation_id: ConversationId,
    },
    /// Someone joined a group.
    MemberAdded {
        /// Which group.
        conversation_id: ConversationId,
        /// Who joined.
        user_id: UserId,
        /// Who added them.
        by: UserId,
    },
    /// Someone left or was removed.
    MemberRemoved {
        /// Which group.
        conversation_id: ConversationId,
        /// Who left.
        user_id: UserId,
        /// Who removed them (themselves when leaving).
        by: UserId,
    },
    /// A friend request was made.
    FriendRequested {
        /// The request, with both profiles.
        request: Box<FriendRequestView>,
    },
    /// Two users became friends.
    FriendAccepted {
        /// Who had asked.
        requester: Box<User>,
        /// Who accepted.
        accepter: Box<User>,
    },
    /// A user's presence changed; what friends see is read when delivering,
    /// so an announcement superseded by a later `version` is skipped.
    PresenceChanged {
        /// Whose.
        user_id: UserId,
        /// The presence version this announces.
        version: u64,
    },
    /// A socket connected: send it the presence of the user's friends who are
    /// not offline. Read when delivered, in order with presence changes, so
    /// the socket never ends on a stale status.
    PresenceSnapshot {
        /// Whose friends.
        user_id: UserId,
        /// The socket to tell.
        connection: ConnectionId,
    },
    /// A call was placed: ring the other participants.
    CallInvited {
        /// The call.
        call: Box<Call>,
    },
    /// A call changed state (`call:accepted` / `call:rejected` / `call:ended`).
    CallChanged {
        /// The call after the change.
        call: Box<Call>,
        /// Who caused it (the caller for timeouts).
        by: UserId,
    },
    /// A call's ring timeout fired: if it still rings, it ends as `missed`.
    CallRingTimeout {
        /// The call.
        call_id: CallId,
    },
    /// A WebRTC signal for one participant.
    CallSignal {
        /// The call.
        call_id: CallId,
        /// Sender.
        from: UserId,
        /// Receiver.
        to: UserId,
        /// `offer`, `answer` or `ice`.
        kind: String,
        /// Opaque SDP / ICE data.
        payload: serde_json::Value,
    },
    /// A story was posted: tell the author's friends.
    StoryPosted {
        /// The story as a fresh view (no views, likes or comments yet).
        story: Box<crate::story::StoryView>,
    },
    /// Someone liked a story: tell the author.
    StoryLiked {
        /// The story.
        story_id: crate::story::StoryId,
        /// Its author.
        author_id: UserId,
        /// Who liked it.
        user_id: UserId,
    },
    /// Someone commented on a story: tell the author.
    StoryCommented {
        /// Its author.
        author_id: UserId,
        /// The comment.
        comment: Box<crate::story::StoryComment>,
    },
    /// A friendship ended.
    FriendRemoved {
        /// One side.
        a: UserId,
        /// The other side.
        b: UserId,
    },
}

impl DomainEvent {
    /// The queue lane this event travels in.
    pub fn priority(&self) -> Priority {
        match self {
            Self::MessageCreated { .. }
            | Self::CallInvited { .. }
            | Self::CallChanged { .. }
            | Self::CallSignal { .. }
            | Self::CallRingTimeout { .. }
            | Self::MessageEdited { .. }
            | Self::ReactionsChanged { .. }
            | Self::ConversationRead { .. }
            // On the messages' lane, so membership changes keep their order
            // with each other and with the messages around them.
            | Self::MemberAdded { .. }
            | Self::MemberRemoved { .. } => Priority::High,
            Self::MessageDeleted { .. }
            | Self::ConversationCreated { .. }
            | Self::ConversationUpdated { .. }
            | Self::FriendRequested { .. }
            | Self::StoryPosted { .. }
            | Self::StoryLiked { .. }
            | Self::StoryCommented { .. }
            | Self::FriendAccepted { .. }
            | Self::FriendRemoved { .. } => Priority::Medium,
            Self::Typing { .. } | Self::PresenceChanged { .. } | Self::PresenceSnapshot { .. } => {
                Priority::Low
            }
        }
    }

    /// A short name for logs and dead-letter listings.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::MessageCreated { .. } => "message_created",
            Self::MessageEdited { .. } => "message_edited",
            Self::MessageDeleted { .. } => "message_deleted",
            Self::ReactionsChanged { .. } => "reactions_changed",
            Self::ConversationRead { .. } => "conversation_read",
            Self::Typing { .. } => "typing",
            Self::ConversationCreated { .. } => "conversation_created",
            Self::ConversationUpdated { .. } => "conversation_updated",
            Self::MemberAdded { .. } => "member_added",
            Self::MemberRemoved { .. } => "member_removed",
            Self::FriendRequested { .. } => "friend_requested",
            Self::FriendAccepted { .. } => "friend_accepted",
            Self::FriendRemoved { .. } => "friend_removed",
            Self::PresenceChanged { .. } => "presence_changed",
            Self::PresenceSnapshot { .. } => "presence_snapshot",
            Self::CallInvited { .. } => "call_invited",
            Self::StoryPosted { .. } => "story_posted",
            Self::StoryLiked { .. } => "story_liked",
            Self::StoryCommented { .. } => "story_commented",
            Self::CallChanged { .. } => "call_changed",
            Self::CallSignal { .. } => "call_signal",
            Self::CallRingTimeout { .. } => "call_ring_timeout",
        }
    }

    /// What this event must stay in order with: its conversation, call,
    /// user (presence, stories) or pair of users (friendships). Events with
    /// the same key are handled one after another, in the order they were
    /// queued; events with different keys may be handled side by side (a
    /// cluster spreads them over its nodes by this key).
    pub fn ordering_key(&self) -> Uuid {
        match self {
            Self::MessageCreated { message, .. } | Self::MessageEdited { message } => {
                message.conversation_id.0
            }
            Self::MessageDeleted {
                conversation_id, ..
            }
            | Self::ReactionsChanged {
                conversation_id, ..
            }
            | Self::ConversationRead {
                conversation_id, ..
            }
            | Self::Typing {
                conversation_id, ..
            }
            | Self::ConversationCreated { conversation_id }
            | Self::ConversationUpdated { conversation_id }
            | Self::MemberAdded {
                conversation_id, ..
            }
            | Self::MemberRemoved {
                conversation_id, ..
            } => conversation_id.0,
            Self::FriendRequested { request } => pair(request.from.id, request.to.id),
            Self::FriendAccepted {
                requester,
                accepter,
            } => pair(requester.id, accepter.id),
            Self::FriendRemoved { a, b } => pair(*a, *b),
            Self::PresenceChanged { user_id, .. } | Self::PresenceSnapshot { user_id, .. } => {
                user_id.0
            }
            Self::CallInvited { call } | Self::CallChanged { call, .. } => call.id.0,
            Self::CallRingTimeout { call_id } | Self::CallSignal { call_id, .. } => call_id.0,
            Self::StoryPosted { story } => story.author_id.0,
            Self::StoryLiked { author_id, .. } | Self::StoryCommented { author_id, .. } => {
                author_id.0
            }
        }
    }

    /// Which of `partitions` streams this event travels in: a stable
    /// function of [`DomainEvent::ordering_key`], the same on every node and
    /// every version (a cluster's nodes must agree on it). 0 when there is
    /// one stream or none.
    pub fn partition(&self, partitions: u16) -> u16 {
        if partitions <= 1 {
            return 0;
        }
        let bits = self.ordering_key().as_u128();
        // Fold the two halves (the random tail of a UUIDv7 is in the low
        // one) and spread them with Fibonacci hashing.
        let folded = (bits as u64) ^ ((bits >> 64) as u64);
        let spread = folded.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        u16::try_from((u128::from(spread) * u128::from(partitions)) >> 64).unwrap_or(0)
    }
}

/// One key for two users, whichever way round they are named.
fn pair(a: UserId, b: UserId) -> Uuid {
    a.0.min(b.0)
}

/// `{messageId, conversationId}`: the payload of `message:deleted`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageRef {
    /// The message.
    pub message_id: MessageId,
    /// Its conversation.
    pub conversation_id: ConversationId,
}

/// Payload of `message:reactions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReactionsPayload {
    /// The message.
    pub message_id: MessageId,
    /// Its conversation.
    pub conversation_id: ConversationId,
    /// Counts per emoji.
    pub reactions: Reactions,
}

/// Payload of the `conversation:read` receipt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadReceipt {
    /// Where.
    pub conversation_id: ConversationId,
    /// Who read.
    pub user_id: UserId,
    /// Up to which message.
    pub message_id: MessageId,
}

/// Payload of `typing`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TypingPayload {
    /// Where.
    pub conversation_id: ConversationId,
    /// Who.
    pub user_id: UserId,
    /// Started or stopped.
    pub typing: bool,
}

/// Payload of `member:added` / `member:removed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MembershipPayload {
    /// Which group.
    pub conversation_id: ConversationId,
    /// Who joined or left.
    pub user_id: UserId,
    /// Who did it.
    pub by: UserId,
}

/// Payload of `friend:request`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FriendRequestPayload {
    /// The request.
    pub request: FriendRequestView,
}

/// Payload of `friend:accepted`: the new friend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FriendPayload {
    /// The other user.
    pub user: User,
}

/// Payload of `friend:removed`: the former friend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnfriendedPayload {
    /// The other user.
    pub user_id: UserId,
}

/// Payload of `presence`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PresencePayload {
    /// Whose.
    pub user_id: UserId,
    /// `online`, `away`, `dnd` or `offline` (never `invisible`).
    pub status: crate::presence::PresenceStatus,
    /// When the user was last connected, if known.
    pub last_seen_at: Option<crate::time::Timestamp>,
}

/// Payload of `call:incoming`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallIncomingPayload {
    /// The call.
    pub call_id: CallId,
    /// Where.
    pub conversation_id: ConversationId,
    /// Audio or video.
    pub kind: CallKind,
    /// The caller.
    pub from: UserId,
}

/// Payload of `call:accepted` / `call:rejected` / `call:ended`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallStatePayload {
    /// The call.
    pub call_id: CallId,
    /// Who caused the change.
    pub user_id: UserId,
    /// The state after it.
    pub state: CallState,
    /// The end reason, once there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<EndReason>,
}

/// Payload of `call:signal`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallSignalPayload {
    /// The call.
    pub call_id: CallId,
    /// Sender.
    pub from_user_id: UserId,
    /// `offer`, `answer` or `ice`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Opaque SDP / ICE data.
    pub payload: serde_json::Value,
}

/// Payload of `story:liked`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoryLikedPayload {
    /// The story.
    pub story_id: crate::story::StoryId,
    /// Who liked it.
    pub user_id: UserId,
}

/// Payload of `session:revoked`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokedPayload {
    /// `logout` or `banned`.
    pub reason: String,
}

/// An event for clients, as the use cases say it. The transport writes it in
/// the wire's form (chatchit-protocol); its serde form here is the cluster
/// bus's, between nodes of the same build, never a client's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", content = "data")]
pub enum ServerEvent {
    /// `message:new`.
    MessageNew(Message),
    /// `message:updated`.
    MessageUpdated(Message),
    /// `message:deleted`.
    MessageDeleted(MessageRef),
    /// `message:reactions`.
    MessageReactions(ReactionsPayload),
    /// `conversation:read`.
    ConversationRead(ReadReceipt),
    /// `typing`.
    Typing(TypingPayload),
    /// `conversation:new`.
    ConversationNew(Box<ConversationView>),
    /// `conversation:updated`.
    ConversationUpdated(Box<ConversationView>),
    /// `member:added`.
    MemberAdded(MembershipPayload),
    /// `member:removed`.
    MemberRemoved(MembershipPayload),
    /// `friend:request`.
    FriendRequest(Box<FriendRequestPayload>),
    /// `friend:accepted`.
    FriendAccepted(Box<FriendPayload>),
    /// `friend:removed`.
    FriendRemoved(UnfriendedPayload),
    /// `presence`.
    Presence(PresencePayload),
    /// `story:new`.
    StoryNew(Box<crate::story::StoryView>),
    /// `story:liked`.
    StoryLiked(StoryLikedPayload),
    /// `story:commented`.
    StoryCommented(Box<crate::story::StoryComment>),
    /// `call:incoming`.
    CallIncoming(CallIncomingPayload),
    /// `call:accepted`.
    CallAccepted(CallStatePayload),
    /// `call:rejected`.
    CallRejected(CallStatePayload),
    /// `call:ended`.
    CallEnded(CallStatePayload),
    /// `call:signal`.
    CallSignal(CallSignalPayload),
    /// `session:revoked`.
    SessionRevoked(RevokedPayload),
}

impl ServerEvent {
    /// The Socket.IO event name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::MessageNew(_) => "message:new",
            Self::MessageUpdated(_) => "message:updated",
            Self::MessageDeleted(_) => "message:deleted",
            Self::MessageReactions(_) => "message:reactions",
            Self::ConversationRead(_) => "conversation:read",
            Self::Typing(_) => "typing",
            Self::ConversationNew(_) => "conversation:new",
            Self::ConversationUpdated(_) => "conversation:updated",
            Self::MemberAdded(_) => "member:added",
            Self::MemberRemoved(_) => "member:removed",
            Self::FriendRequest(_) => "friend:request",
            Self::FriendAccepted(_) => "friend:accepted",
            Self::FriendRemoved(_) => "friend:removed",
            Self::Presence(_) => "presence",
            Self::StoryNew(_) => "story:new",
            Self::StoryLiked(_) => "story:liked",
            Self::StoryCommented(_) => "story:commented",
            Self::CallIncoming(_) => "call:incoming",
            Self::CallAccepted(_) => "call:accepted",
            Self::CallRejected(_) => "call:rejected",
            Self::CallEnded(_) => "call:ended",
            Self::CallSignal(_) => "call:signal",
            Self::SessionRevoked(_) => "session:revoked",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typing(conversation_id: ConversationId) -> DomainEvent {
        DomainEvent::Typing {
            conversation_id,
            user_id: UserId::generate(),
            typing: true,
        }
    }

    #[test]
    fn a_conversations_events_share_one_partition() {
        let conversation = ConversationId::generate();
        let read = DomainEvent::ConversationRead {
            conversation_id: conversation,
            user_id: UserId::generate(),
            message_id: MessageId::generate(),
        };
        for partitions in [2, 8, 64] {
            assert_eq!(
                typing(conversation).partition(partitions),
                read.partition(partitions)
            );
        }
    }

    #[test]
    fn a_friendship_is_one_key_whichever_side_names_it() {
        let (a, b) = (UserId::generate(), UserId::generate());
        assert_eq!(
            DomainEvent::FriendRemoved { a, b }.ordering_key(),
            DomainEvent::FriendRemoved { a: b, b: a }.ordering_key()
        );
    }

    #[test]
    fn partitions_are_stable_and_spread_over_every_stream() {
        // Stable: a fixed key always lands in the same stream (nodes of
        // every version must agree on it).
        let fixed = ConversationId(
            "0190f3a4-8c2e-7d41-9b6a-3e5f0c1d2a7b"
                .parse()
                .expect("uuid"),
        );
        assert_eq!(typing(fixed).partition(8), 7);
        assert_eq!(typing(fixed).partition(64), 61);
        assert_eq!(typing(fixed).partition(1), 0);
        // Spread: 8,000 fresh conversations fill 8 streams within 20 % of
        // their fair share each.
        let mut counts = [0u32; 8];
        for _ in 0..8_000 {
            let p = typing(ConversationId::generate()).partition(8);
            counts[usize::from(p)] += 1;
        }
        for count in counts {
            assert!((800..=1_200).contains(&count), "{counts:?}");
        }
    }
}
