//! Social events: friend requests and friendships, presence.

use super::{EventProcessor, Unhandled, failed};
use chatchit_domain::events::{
    DomainEvent, FriendPayload, FriendRequestPayload, ServerEvent, UnfriendedPayload,
};
use chatchit_domain::ports::{Audience, Exclude};

impl EventProcessor {
    /// Projects the events of this feature; hands any other back.
    pub(super) async fn social(&self, event: DomainEvent) -> Unhandled {
        let done = match event {
            DomainEvent::FriendRequested { request } => {
                let users = vec![request.from.id, request.to.id];
                let payload = FriendRequestPayload { request: *request };
                self.to_users(users, ServerEvent::FriendRequest(Box::new(payload)))
                    .await
            }
            DomainEvent::FriendAccepted {
                requester,
                accepter,
            } => {
                let (requester_id, accepter_id) = (requester.id, accepter.id);
                let to_requester = FriendPayload { user: *accepter };
                let to_accepter = FriendPayload { user: *requester };
                self.to_users(
                    vec![requester_id],
                    ServerEvent::FriendAccepted(Box::new(to_requester)),
                )
                .await?;
                self.to_users(
                    vec![accepter_id],
                    ServerEvent::FriendAccepted(Box::new(to_accepter)),
                )
                .await
            }
            DomainEvent::FriendRemoved { a, b } => {
                let to_a = UnfriendedPayload { user_id: b };
                let to_b = UnfriendedPayload { user_id: a };
                self.to_users(vec![a], ServerEvent::FriendRemoved(to_a))
                    .await?;
                self.to_users(vec![b], ServerEvent::FriendRemoved(to_b))
                    .await
            }
            DomainEvent::PresenceChanged { user_id, version } => {
                let now = self.presence.get(user_id).await.map_err(failed)?;
                if now.version != version {
                    return Ok(None); // superseded: a later announcement carries the news
                }
                let friends = self.friend_ids(user_id).await?;
                if friends.is_empty() {
                    return Ok(None);
                }
                let event = ServerEvent::Presence(crate::presence::payload(user_id, now));
                self.to_users(friends, event).await
            }
            DomainEvent::PresenceSnapshot {
                user_id,
                connection,
            } => {
                for friend in self.friend_ids(user_id).await? {
                    let now = self.presence.get(friend).await.map_err(failed)?;
                    let payload = crate::presence::payload(friend, now);
                    if payload.status == chatchit_domain::presence::PresenceStatus::Offline {
                        continue;
                    }
                    self.delivery
                        .send(
                            Audience::Connection(connection.clone()),
                            Exclude::Nobody,
                            ServerEvent::Presence(payload),
                        )
                        .await
                        .map_err(failed)?;
                }
                Ok(())
            }
            other => return Ok(Some(other)),
        };
        done.map(|()| None)
    }
}
