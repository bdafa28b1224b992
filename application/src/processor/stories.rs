//! Story events: new stories, likes and comments, to the author's friends or the author.

use super::{EventProcessor, Unhandled};
use chatchit_domain::events::{DomainEvent, ServerEvent, StoryLikedPayload};

impl EventProcessor {
    /// Projects the events of this feature; hands any other back.
    pub(super) async fn stories(&self, event: DomainEvent) -> Unhandled {
        let done = match event {
            DomainEvent::StoryPosted { story } => {
                let friends = self.friend_ids(story.author_id).await?;
                if friends.is_empty() {
                    return Ok(None);
                }
                self.to_users(friends, ServerEvent::StoryNew(story)).await
            }
            DomainEvent::StoryLiked {
                story_id,
                author_id,
                user_id,
            } => {
                let payload = StoryLikedPayload { story_id, user_id };
                self.to_users(vec![author_id], ServerEvent::StoryLiked(payload))
                    .await
            }
            DomainEvent::StoryCommented { author_id, comment } => {
                self.to_users(vec![author_id], ServerEvent::StoryCommented(comment))
                    .await
            }
            other => return Ok(Some(other)),
        };
        done.map(|()| None)
    }
}
