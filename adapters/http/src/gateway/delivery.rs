//! The `Delivery` port on this node's sockets. A send is written as one frame
//! and that frame is shared by every recipient.

use super::Inner;
use super::hub::{Pending, Repair, Skip};
use super::packet;
use super::rooms::Room;
use super::session::parse_sid;
use crate::wire::ToWire;
use async_trait::async_trait;
use axum::extract::ws::Utf8Bytes;
use chatchit_domain::events::{RevokedPayload, ServerEvent};
use chatchit_domain::ids::{ConversationId, UserId};
use chatchit_domain::ports::{Audience, Delivery, DeliveryError, Dispatch, Exclude, Outbound};
use std::sync::{Arc, Weak};

/// Delivers to the sockets connected to this node.
#[derive(Clone)]
pub struct SocketDelivery {
    /// The gateway's state. Weak: the gateway holds the application services
    /// and they hold this delivery, so a strong handle would keep a dropped
    /// server (its database pool and connections) alive forever.
    inner: Weak<Inner>,
}

impl SocketDelivery {
    /// Delivery through `inner`'s sockets.
    pub(super) fn new(inner: &Arc<Inner>) -> Self {
        Self {
            inner: Arc::downgrade(inner),
        }
    }
}

fn user_rooms(mut users: Vec<UserId>) -> Vec<Room> {
    users.sort_unstable();
    users.dedup();
    users.into_iter().map(Room::User).collect()
}

#[async_trait]
impl Delivery for SocketDelivery {
    async fn dispatch(&self, dispatch: Dispatch) -> Result<(), DeliveryError> {
        // A gateway that is gone has no sockets left to deliver to.
        let Some(inner) = self.inner.upgrade() else {
            return Ok(());
        };
        let hub = &inner.hub;
        match dispatch {
            Dispatch::Send {
                audience,
                exclude,
                event:
                    Outbound {
                        event,
                        seq,
                        follows,
                    },
            } => {
                let frame = frame_of(*event)?;
                let skip = match exclude {
                    Exclude::Nobody => Skip::Nobody,
                    Exclude::User(user) => Skip::User(user),
                    Exclude::Connection(c) => parse_sid(&c.0).map_or(Skip::Nobody, Skip::Socket),
                };
                match audience {
                    Audience::Conversation(id) => {
                        let pending = Pending { frame, skip };
                        let repair_after = match (seq, follows) {
                            (Some(seq), _) => hub.send_in_order(id, seq, pending),
                            (None, Some(seq)) => hub.send_following(id, seq, pending),
                            (None, None) => {
                                hub.send(&[Room::Conversation(id)], &pending.skip, &pending.frame);
                                Repair::No
                            }
                        };
                        if repair_after == Repair::Later {
                            tokio::spawn(repair(Arc::downgrade(&inner), id));
                        }
                    }
                    Audience::Users(users) => hub.send(&user_rooms(users), &skip, &frame),
                    Audience::Connection(c) => {
                        if let Some(session) = parse_sid(&c.0).and_then(|id| hub.socket(id)) {
                            session.push(frame);
                        }
                    }
                }
            }
            Dispatch::Join {
                users,
                conversation,
            } => hub.move_members(&user_rooms(users), Room::Conversation(conversation), true),
            Dispatch::Leave {
                users,
                conversation,
            } => hub.move_members(&user_rooms(users), Room::Conversation(conversation), false),
            Dispatch::RevokeUser { user, reason } => {
                revoke(&inner, Room::User(user), reason).await?;
            }
            Dispatch::RevokeSession { session, reason } => {
                revoke(&inner, Room::Session(session), reason).await?;
            }
        }
        Ok(())
    }
}

/// Every [`super::order::GAP_WAIT`], fills the gap in `conversation`'s line
/// from the message log and sends what the line held, until no gap is left.
/// While the log cannot be read (the store is away) the line keeps waiting
/// (up to its bound, past which it gives the gap up). A repaired message
/// reaches its sender's own socket too (which socket sent it is not in the
/// log).
async fn repair(inner: Weak<Inner>, conversation: ConversationId) {
    loop {
        tokio::time::sleep(super::order::GAP_WAIT).await;
        let Some(inner) = inner.upgrade() else {
            return;
        };
        if !repair_once(&inner, conversation).await {
            return;
        }
    }
}

/// One repair of `conversation`'s line; `true` when a gap remains.
async fn repair_once(inner: &Inner, conversation: ConversationId) -> bool {
    let Some((after, limit)) = inner.hub.due(conversation) else {
        return false;
    };
    let Some(app) = inner.app.get() else {
        return true;
    };
    let logged = match app
        .state
        .messages
        .committed_after(conversation, after, limit)
        .await
    {
        Ok(logged) => logged,
        Err(e) => {
            tracing::warn!(error = %e, "a delivery gap could not be read from the log; trying again");
            return true;
        }
    };
    let found = logged
        .into_iter()
        .filter_map(|message| {
            let seq = message.seq;
            let frame = frame_of(ServerEvent::MessageNew(message)).ok()?;
            Some((
                seq,
                Pending {
                    frame,
                    skip: Skip::Nobody,
                },
            ))
        })
        .collect();
    inner.hub.repair(conversation, (after, limit), found)
}

/// `session:revoked` to every socket in `room`, and their sessions end at
/// once, whatever carries them: nothing more they send is handled (a
/// long-polling client that stops reading is no exception), and a request
/// naming them is answered as for an unknown session. The goodbye frames
/// still reach a websocket, or a long-poll waiting at that moment.
pub(super) async fn revoke(inner: &Inner, room: Room, reason: String) -> Result<(), DeliveryError> {
    let frame = frame_of(ServerEvent::SessionRevoked(RevokedPayload { reason }))?;
    inner.hub.note_revoked(room);
    for session in inner.hub.members(room) {
        session.push(frame.clone());
        session.push(packet::DISCONNECT.into());
        inner.end(&session).await;
    }
    Ok(())
}

/// The Socket.IO frame of an event, in its wire form: written once, shared
/// by every recipient on this node.
fn frame_of(event: ServerEvent) -> Result<Utf8Bytes, DeliveryError> {
    let event = event.to_wire();
    packet::event(event.name(), &event)
        .map(Utf8Bytes::from)
        .map_err(|e| DeliveryError(e.to_string()))
}
