//! The realtime API: the commands a client emits (each answered by an ack)
//! and the events the server pushes, each with its name, payload and
//! audience. Both lists feed the AsyncAPI document; the server checks at
//! start that it answers exactly the commands listed here.

use crate::calls::{
    CallInvited, CallKind, CallRef, CallState, CallStatus, EndReason, InviteCall, SendSignal,
    SignalKind,
};
use crate::conversations::Conversation;
use crate::messages::{
    DeleteMessage, DeletedMessage, EditMessage, History, HistoryPage, MarkRead, Message,
    MessageReactions, React, ReadMarker, SendMessage, SyncPage, SyncRequest,
};
use crate::presence::{Empty, PresenceStatus, SetPresence, SetTyping};
use crate::social::FriendRequest;
use crate::stories::{Story, StoryComment};
use crate::time::Timestamp;
use crate::users::User;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A command a client emits with an ack callback: its name, payload and
/// answer. `chatchit-client` sends them by type.
pub trait ClientEvent {
    /// The Socket.IO event name.
    const NAME: &'static str;
    /// What is emitted.
    type Payload: Serialize + DeserializeOwned + ToSchema;
    /// The ack's `data` when `ok` is true.
    type Answer: Serialize + DeserializeOwned + ToSchema;
}

/// One line of the command list, for documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandDoc {
    /// The event name.
    pub name: &'static str,
    /// What it does.
    pub summary: &'static str,
    /// The payload's schema name.
    pub payload: String,
    /// The answer's schema name.
    pub answer: String,
    /// The error codes its ack may carry.
    pub errors: &'static [crate::ErrorCode],
}

macro_rules! commands {
    ($($(#[doc = $doc:literal])* $marker:ident $name:literal: $payload:ty => $answer:ty, errors [$($code:ident),*];)*) => {
        $(
            $(#[doc = $doc])*
            #[derive(Debug, Clone, Copy)]
            pub struct $marker;

            impl ClientEvent for $marker {
                const NAME: &'static str = $name;
                type Payload = $payload;
                type Answer = $answer;
            }
        )*

        /// Every command, in the order the documents list them.
        pub fn commands() -> Vec<CommandDoc> {
            vec![$(CommandDoc {
                name: $name,
                summary: concat!($($doc),*).trim_ascii(),
                payload: <$payload as ToSchema>::name().into_owned(),
                answer: <$answer as ToSchema>::name().into_owned(),
                errors: &[crate::ErrorCode::RateLimited, crate::ErrorCode::Validation, crate::ErrorCode::Internal, crate::ErrorCode::Unavailable $(, crate::ErrorCode::$code)*],
            }),*]
        }

        /// Collects the schema of every command's payload and answer.
        pub fn command_schemas(into: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
            $(
                crate::schema::collect::<$payload>(into);
                crate::schema::collect::<$answer>(into);
            )*
        }
    };
}

commands! {
    /// Sends a message; the ack comes after it is stored (durable).
    /// Resending with the same `clientMsgId` answers the stored message.
    SendMessageEvent "message:send": SendMessage => Message, errors [Forbidden, NotFound, PayloadTooLarge];
    /// Edits one's own message.
    EditMessageEvent "message:edit": EditMessage => Message, errors [Forbidden, NotFound];
    /// Deletes a message (the sender, or a group's admins and owner).
    DeleteMessageEvent "message:delete": DeleteMessage => DeletedMessage, errors [Forbidden, NotFound];
    /// Adds or takes back a reaction.
    ReactEvent "message:react": React => MessageReactions, errors [Forbidden, NotFound];
    /// A page of history, as the REST route gives it.
    HistoryEvent "message:history": History => HistoryPage, errors [Forbidden, NotFound];
    /// Moves the caller's read marker forward.
    MarkReadEvent "conversation:read": MarkRead => ReadMarker, errors [Forbidden, NotFound];
    /// The messages after a `seq`, oldest first: catch-up after a reconnect.
    SyncEvent "sync": SyncRequest => SyncPage, errors [Forbidden, NotFound];
    /// Starts or stops the caller's typing indicator.
    TypingEvent "typing": SetTyping => Empty, errors [Forbidden, NotFound];
    /// Sets the caller's presence.
    SetPresenceEvent "presence:set": SetPresence => Empty, errors [];
    /// Rings the other members of a conversation.
    InviteCallEvent "call:invite": InviteCall => CallInvited, errors [Forbidden, NotFound, Conflict];
    /// Answers a ringing call.
    AcceptCallEvent "call:accept": CallRef => CallStatus, errors [Forbidden, NotFound, Conflict];
    /// Refuses a ringing call.
    RejectCallEvent "call:reject": CallRef => CallStatus, errors [Forbidden, NotFound, Conflict];
    /// Leaves a call (or cancels it while it rings).
    EndCallEvent "call:end": CallRef => CallStatus, errors [Forbidden, NotFound, Conflict];
    /// Relays an SDP offer or answer, or an ICE candidate, to another participant.
    SignalEvent "call:signal": SendSignal => Empty, errors [Forbidden, NotFound, Conflict, PayloadTooLarge];
}

/// `message:deleted`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageRef {
    /// The deleted message.
    pub message_id: Uuid,
    /// Its conversation.
    pub conversation_id: Uuid,
}

/// `message:reactions`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReactionsChanged {
    /// The message.
    pub message_id: Uuid,
    /// Its conversation.
    pub conversation_id: Uuid,
    /// Counts per emoji now.
    #[schema(value_type = std::collections::BTreeMap<String, u64>)]
    pub reactions: crate::messages::Reactions,
}

/// `conversation:read`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReadReceipt {
    /// Which conversation.
    pub conversation_id: Uuid,
    /// Who read.
    pub user_id: Uuid,
    /// Up to which message.
    pub message_id: Uuid,
}

/// `typing`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Typing {
    /// Which conversation.
    pub conversation_id: Uuid,
    /// Who.
    pub user_id: Uuid,
    /// Started or stopped.
    pub typing: bool,
}

/// `member:added` and `member:removed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Membership {
    /// Which conversation.
    pub conversation_id: Uuid,
    /// Who joined or left.
    pub user_id: Uuid,
    /// Who did it (the user themself when they left).
    pub by: Uuid,
}

/// `friend:request`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FriendRequested {
    /// The request.
    pub request: FriendRequest,
}

/// `friend:accepted`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FriendAccepted {
    /// The new friend.
    pub user: User,
}

/// `friend:removed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FriendRemoved {
    /// The former friend.
    pub user_id: Uuid,
}

/// `presence`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PresenceChanged {
    /// Whose.
    pub user_id: Uuid,
    /// Now (`invisible` users are sent as `offline`).
    pub status: PresenceStatus,
    /// When they were last connected, once offline.
    pub last_seen_at: Option<Timestamp>,
}

/// `story:liked`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StoryLiked {
    /// Which story.
    pub story_id: Uuid,
    /// Who liked it.
    pub user_id: Uuid,
}

/// `call:incoming`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CallIncoming {
    /// The call.
    pub call_id: Uuid,
    /// In which conversation.
    pub conversation_id: Uuid,
    /// Audio or video.
    pub kind: CallKind,
    /// Who calls.
    pub from: Uuid,
}

/// `call:accepted`, `call:rejected` and `call:ended`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CallChanged {
    /// The call.
    pub call_id: Uuid,
    /// Who acted.
    pub user_id: Uuid,
    /// Where the call is now.
    pub state: CallState,
    /// With `call:ended`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<EndReason>,
}

/// `call:signal`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CallSignal {
    /// The call.
    pub call_id: Uuid,
    /// Who sent it.
    pub from_user_id: Uuid,
    /// Offer, answer or ICE candidate.
    #[serde(rename = "type")]
    pub kind: SignalKind,
    /// As the sender gave it.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

/// `session:revoked`: the socket is closed right after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SessionRevoked {
    /// `logout`, `banned`, …
    pub reason: String,
}

/// One line of the server-event list, for documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerEventDoc {
    /// The event name.
    pub name: &'static str,
    /// What it says.
    pub summary: &'static str,
    /// Who receives it.
    pub audience: &'static str,
    /// The payload's schema name.
    pub payload: String,
}

macro_rules! server_events {
    ($($(#[doc = $doc:literal])* $variant:ident $name:literal: $payload:ty, to $audience:literal;)*) => {
        /// An event the server pushes, with its payload.
        #[derive(Debug, Clone, PartialEq, Serialize)]
        #[serde(untagged)]
        pub enum ServerEvent {
            $($(#[doc = $doc])* $variant($payload),)*
        }

        impl ServerEvent {
            /// The Socket.IO event name.
            pub fn name(&self) -> &'static str {
                match self {
                    $(Self::$variant(_) => $name,)*
                }
            }

            /// Reads the payload of the event called `name`; `None` for a
            /// name the protocol does not have.
            ///
            /// # Errors
            /// When the payload does not fit the event's schema.
            pub fn decode(name: &str, payload: serde_json::Value) -> Option<Result<Self, serde_json::Error>> {
                match name {
                    $($name => Some(serde_json::from_value(payload).map(Self::$variant)),)*
                    _ => None,
                }
            }
        }

        /// Every server event, in the order the documents list them.
        pub fn server_events() -> Vec<ServerEventDoc> {
            vec![$(ServerEventDoc {
                name: $name,
                summary: concat!($($doc),*).trim_ascii(),
                audience: $audience,
                payload: <$payload as ToSchema>::name().into_owned(),
            }),*]
        }

        /// Collects the schema of every server event's payload.
        pub fn server_event_schemas(into: &mut Vec<(String, utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>)>) {
            $(crate::schema::collect::<$payload>(into);)*
        }
    };
}

server_events! {
    /// A new message, in `seq` order per conversation.
    MessageNew "message:new": Message, to "every member's sockets but the sender's socket that sent it (it has the ack)";
    /// A message was edited.
    MessageUpdated "message:updated": Message, to "every member's sockets";
    /// A message was deleted.
    MessageDeleted "message:deleted": MessageRef, to "every member's sockets";
    /// A message's reactions changed.
    MessageReactions "message:reactions": ReactionsChanged, to "every member's sockets";
    /// A member read up to a message.
    ConversationRead "conversation:read": ReadReceipt, to "every member's sockets";
    /// A member started or stopped typing.
    Typing "typing": Typing, to "the other members' sockets";
    /// The user was put in a conversation (new direct chat, new group, added).
    ConversationNew "conversation:new": Conversation, to "the new member's sockets";
    /// A group's title or picture changed, or a role.
    ConversationUpdated "conversation:updated": Conversation, to "every member's sockets";
    /// A member was added.
    MemberAdded "member:added": Membership, to "every member's sockets";
    /// A member left or was removed.
    MemberRemoved "member:removed": Membership, to "every member's sockets, and the removed user's";
    /// Someone asked the user to be friends.
    FriendRequest "friend:request": FriendRequested, to "the asked user's sockets";
    /// A friend request was accepted.
    FriendAccepted "friend:accepted": FriendAccepted, to "both users' sockets";
    /// A friendship ended.
    FriendRemoved "friend:removed": FriendRemoved, to "the other user's sockets";
    /// A friend's or fellow member's presence changed.
    Presence "presence": PresenceChanged, to "the user's friends and fellow members";
    /// A friend posted a story.
    StoryNew "story:new": Story, to "the author's friends' sockets";
    /// Someone liked the user's story.
    StoryLiked "story:liked": StoryLiked, to "the author's sockets";
    /// Someone commented on the user's story.
    StoryCommented "story:commented": StoryComment, to "the author's sockets";
    /// A call rings.
    CallIncoming "call:incoming": CallIncoming, to "the callees' sockets";
    /// A callee answered.
    CallAccepted "call:accepted": CallChanged, to "the call's participants";
    /// A callee refused.
    CallRejected "call:rejected": CallChanged, to "the call's participants";
    /// The call is over.
    CallEnded "call:ended": CallChanged, to "the call's participants";
    /// A signal from another participant.
    CallSignal "call:signal": CallSignal, to "the one participant it is for";
    /// The session was ended (logout, ban); the socket closes next.
    SessionRevoked "session:revoked": SessionRevoked, to "the session's sockets (or every socket of a banned user)";
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_are_unique_in_each_list() {
        let names: HashSet<_> = commands().iter().map(|c| c.name).collect();
        assert_eq!(names.len(), commands().len());
        let names: HashSet<_> = server_events().iter().map(|e| e.name).collect();
        assert_eq!(names.len(), server_events().len());
    }

    #[test]
    fn a_server_event_reads_back_by_its_name() {
        let event = ServerEvent::FriendRemoved(FriendRemoved {
            user_id: Uuid::nil(),
        });
        let payload = serde_json::to_value(&event).expect("json");
        let back = ServerEvent::decode(event.name(), payload)
            .expect("known")
            .expect("fits");
        assert_eq!(back, event);
        assert!(ServerEvent::decode("no:such", serde_json::Value::Null).is_none());
    }
}
