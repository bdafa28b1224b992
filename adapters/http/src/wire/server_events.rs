//! Server events in their wire form.

use super::ToWire;
use chatchit_domain::events::ServerEvent;
use chatchit_protocol::calls::SignalKind;
use chatchit_protocol::events as wire;

/// A server event as every recipient gets it. It takes the event by value:
/// the delivery owns it, and a copy would cost a clone of every message on
/// the way out.
impl ToWire for ServerEvent {
    type Wire = wire::ServerEvent;

    fn to_wire(self) -> wire::ServerEvent {
        use wire::ServerEvent as W;
        match self {
            Self::MessageNew(m) => W::MessageNew(m.to_wire()),
            Self::MessageUpdated(m) => W::MessageUpdated(m.to_wire()),
            Self::MessageDeleted(r) => W::MessageDeleted(wire::MessageRef {
                message_id: r.message_id.to_wire(),
                conversation_id: r.conversation_id.to_wire(),
            }),
            Self::MessageReactions(r) => W::MessageReactions(wire::ReactionsChanged {
                message_id: r.message_id.to_wire(),
                conversation_id: r.conversation_id.to_wire(),
                reactions: r.reactions,
            }),
            Self::ConversationRead(r) => W::ConversationRead(wire::ReadReceipt {
                conversation_id: r.conversation_id.to_wire(),
                user_id: r.user_id.to_wire(),
                message_id: r.message_id.to_wire(),
            }),
            Self::Typing(t) => W::Typing(wire::Typing {
                conversation_id: t.conversation_id.to_wire(),
                user_id: t.user_id.to_wire(),
                typing: t.typing,
            }),
            Self::ConversationNew(c) => W::ConversationNew(c.to_wire()),
            Self::ConversationUpdated(c) => W::ConversationUpdated(c.to_wire()),
            Self::MemberAdded(m) => W::MemberAdded(membership(m)),
            Self::MemberRemoved(m) => W::MemberRemoved(membership(m)),
            Self::FriendRequest(r) => W::FriendRequest(wire::FriendRequested {
                request: r.request.to_wire(),
            }),
            Self::FriendAccepted(f) => W::FriendAccepted(wire::FriendAccepted {
                user: f.user.to_wire(),
            }),
            Self::FriendRemoved(f) => W::FriendRemoved(wire::FriendRemoved {
                user_id: f.user_id.to_wire(),
            }),
            Self::Presence(p) => W::Presence(wire::PresenceChanged {
                user_id: p.user_id.to_wire(),
                status: p.status.to_wire(),
                last_seen_at: p.last_seen_at.to_wire(),
            }),
            Self::StoryNew(s) => W::StoryNew(s.to_wire()),
            Self::StoryLiked(l) => W::StoryLiked(wire::StoryLiked {
                story_id: l.story_id.to_wire(),
                user_id: l.user_id.to_wire(),
            }),
            Self::StoryCommented(c) => W::StoryCommented(c.to_wire()),
            Self::CallIncoming(c) => W::CallIncoming(wire::CallIncoming {
                call_id: c.call_id.to_wire(),
                conversation_id: c.conversation_id.to_wire(),
                kind: c.kind.to_wire(),
                from: c.from.to_wire(),
            }),
            Self::CallAccepted(c) => W::CallAccepted(call_changed(c)),
            Self::CallRejected(c) => W::CallRejected(call_changed(c)),
            Self::CallEnded(c) => W::CallEnded(call_changed(c)),
            Self::CallSignal(s) => W::CallSignal(wire::CallSignal {
                call_id: s.call_id.to_wire(),
                from_user_id: s.from_user_id.to_wire(),
                kind: match s.kind.as_str() {
                    "offer" => SignalKind::Offer,
                    "answer" => SignalKind::Answer,
                    _ => SignalKind::Ice,
                },
                payload: s.payload,
            }),
            Self::SessionRevoked(r) => W::SessionRevoked(wire::SessionRevoked { reason: r.reason }),
        }
    }
}

fn membership(m: chatchit_domain::events::MembershipPayload) -> wire::Membership {
    wire::Membership {
        conversation_id: m.conversation_id.to_wire(),
        user_id: m.user_id.to_wire(),
        by: m.by.to_wire(),
    }
}

fn call_changed(c: chatchit_domain::events::CallStatePayload) -> wire::CallChanged {
    wire::CallChanged {
        call_id: c.call_id.to_wire(),
        user_id: c.user_id.to_wire(),
        state: c.state.to_wire(),
        reason: c.reason.to_wire(),
    }
}
