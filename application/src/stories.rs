//! Stories: posted for 24 hours to the author's friends, then gone from every
//! read (and deleted by a background sweep); views, likes and comments.

use crate::context::Actor;
use crate::conversations::Page;
use crate::error::AppError;
use crate::friends::relation_views;
use chatchit_domain::events::DomainEvent;
use chatchit_domain::ids::UserId;
use chatchit_domain::ports::{
    Clock, EventQueue, IdGenerator, SocialStore, StoryStore, TimeOrderedIds, UserStore,
};
use chatchit_domain::social::RelationView;
use chatchit_domain::story::{FeedEntry, Story, StoryComment, StoryId, StoryView};
use chatchit_domain::user::{Role, User};
use chatchit_domain::values::{MediaUrl, PageLimit};
use chrono::TimeDelta;
use std::collections::HashMap;
use std::sync::Arc;

/// How long a story lives.
pub const STORY_LIFETIME: TimeDelta = TimeDelta::hours(24);

/// `POST /stories` body: text, media, or both.
#[derive(Debug, Clone)]
pub struct PostStoryInput {
    /// Up to 2000 characters.
    pub body: Option<String>,
    /// An http(s) URL.
    pub media_url: Option<String>,
    /// The media's MIME type.
    pub media_type: Option<String>,
}

/// `POST /stories/{id}/comments` body.
#[derive(Debug, Clone)]
pub struct CommentInput {
    /// 1–1000 characters.
    pub body: String,
}

/// Story use cases.
pub struct StoryService {
    /// Stories.
    stories: Arc<dyn StoryStore>,
    /// Friends decide who sees a story.
    social: Arc<dyn SocialStore>,
    /// Author profiles for the feed.
    users: Arc<dyn UserStore>,
    /// `story:*` events.
    queue: Arc<dyn EventQueue>,
    /// Now (injected so expiry is testable).
    clock: Arc<dyn Clock>,
    /// Where new ids come from.
    ids: Arc<dyn IdGenerator>,
}

impl StoryService {
    /// Wires the service.
    pub fn new(
        stories: Arc<dyn StoryStore>,
        social: Arc<dyn SocialStore>,
        users: Arc<dyn UserStore>,
        queue: Arc<dyn EventQueue>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            ids: Arc::new(TimeOrderedIds),
            stories,
            social,
            users,
            queue,
            clock,
        }
    }

    /// Takes new ids from `ids` instead of time-ordered UUIDs.
    #[must_use]
    pub fn with_ids(mut self, ids: Arc<dyn IdGenerator>) -> Self {
        self.ids = ids;
        self
    }

    /// Posts a story for 24 hours.
    ///
    /// # Errors
    /// `Validation` when empty or malformed.
    pub async fn post(&self, actor: &Actor, input: PostStoryInput) -> Result<StoryView, AppError> {
        let body = match input.body.as_deref().map(str::trim) {
            Some("") | None => None,
            Some(b) if b.chars().count() > 2000 => {
                return Err(AppError::validation(
                    "body",
                    "must be at most 2000 characters",
                ));
            }
            Some(b) => Some(b.to_owned()),
        };
        let media_url = input
            .media_url
            .as_deref()
            .map(|u| MediaUrl::parse("mediaUrl", u).map(|m| m.as_str().to_owned()))
            .transpose()?;
        if body.is_none() && media_url.is_none() {
            return Err(AppError::validation(
                "body",
                "a story needs a body or a mediaUrl",
            ));
        }
        if input
            .media_type
            .as_ref()
            .is_some_and(|t| t.trim().is_empty() || t.len() > 255)
        {
            return Err(AppError::validation(
                "mediaType",
                "must be 1 to 255 characters",
            ));
        }
        let now = self.clock.now();
        let story = Story {
            id: StoryId(self.ids.next()),
            author_id: actor.user_id,
            body,
            media_url,
            media_type: input.media_type,
            created_at: now,
            expires_at: now.plus(STORY_LIFETIME),
        };
        self.stories.create(story.clone()).await?;
        let view = StoryView::new(story, Default::default());
        self.publish(DomainEvent::StoryPosted {
            story: Box::new(view.clone()),
        })
        .await;
        Ok(view)
    }

    /// Friends' live stories grouped by author: authors with unseen stories
    /// first, then by newest story.
    ///
    /// # Errors
    /// Store failures.
    pub async fn feed(&self, actor: &Actor) -> Result<Vec<FeedEntry>, AppError> {
        let friends: Vec<UserId> = self
            .social
            .friends_of(actor.user_id)
            .await?
            .into_iter()
            .map(|f| f.user_id)
            .collect();
        let stories = self.stories.live_by(friends, self.clock.now()).await?;
        let views = self.views(actor, stories).await?;
        let mut by_author: HashMap<UserId, Vec<StoryView>> = HashMap::new();
        for view in views {
            by_author.entry(view.author_id).or_default().push(view);
        }
        let authors: HashMap<UserId, User> = self
            .users
            .find_many(by_author.keys().copied().collect())
            .await?
            .into_iter()
            .map(|u| (u.id, u))
            .collect();
        let mut feed: Vec<FeedEntry> = by_author
            .into_iter()
            .filter_map(|(author, stories)| {
                Some(FeedEntry {
                    has_unseen: stories.iter().any(|s| !s.seen_by_me),
                    author: authors.get(&author)?.clone(),
                    stories,
                })
            })
            .collect();
        let newest = |e: &FeedEntry| e.stories.iter().map(|s| s.created_at).max();
        feed.sort_by(|a, b| {
            b.has_unseen
                .cmp(&a.has_unseen)
                .then_with(|| newest(b).cmp(&newest(a)))
        });
        Ok(feed)
    }

    /// One live story the caller may see.
    ///
    /// # Errors
    /// `NotFound` when gone or expired, `Forbidden` when not a friend.
    pub async fn get(&self, actor: &Actor, id: StoryId) -> Result<StoryView, AppError> {
        let story = self.visible(actor, id).await?;
        Ok(self.views(actor, vec![story]).await?.remove(0))
    }

    /// Deletes a story (its author or an admin).
    ///
    /// # Errors
    /// `Forbidden` for anyone else.
    pub async fn delete(&self, actor: &Actor, id: StoryId) -> Result<(), AppError> {
        let story = self.live(id).await?;
        if story.author_id != actor.user_id && actor.role != Role::Admin {
            return Err(AppError::forbidden());
        }
        Ok(self.stories.delete(id).await?)
    }

    /// Marks the story seen by the caller.
    ///
    /// # Errors
    /// As [`Self::get`].
    pub async fn view(&self, actor: &Actor, id: StoryId) -> Result<(), AppError> {
        let story = self.visible(actor, id).await?;
        if story.author_id != actor.user_id {
            self.stories
                .record_view(id, actor.user_id, self.clock.now())
                .await?;
        }
        Ok(())
    }

    /// Who saw the story (its author only).
    ///
    /// # Errors
    /// `Forbidden` for anyone but the author.
    pub async fn viewers(&self, actor: &Actor, id: StoryId) -> Result<Vec<RelationView>, AppError> {
        let story = self.live(id).await?;
        if story.author_id != actor.user_id {
            return Err(AppError::forbidden());
        }
        let viewers = self.stories.viewers(id).await?;
        relation_views(&*self.users, viewers).await
    }

    /// Likes or unlikes the story; a new like tells the author.
    ///
    /// # Errors
    /// As [`Self::get`].
    pub async fn like(&self, actor: &Actor, id: StoryId, on: bool) -> Result<StoryView, AppError> {
        let story = self.visible(actor, id).await?;
        let changed = self
            .stories
            .like(id, actor.user_id, on, self.clock.now())
            .await?;
        if on && changed && story.author_id != actor.user_id {
            self.publish(DomainEvent::StoryLiked {
                story_id: id,
                author_id: story.author_id,
                user_id: actor.user_id,
            })
            .await;
        }
        Ok(self.views(actor, vec![story]).await?.remove(0))
    }

    /// Comments on the story; the author is told.
    ///
    /// # Errors
    /// As [`Self::get`]; `Validation` for an empty or long body.
    pub async fn comment(
        &self,
        actor: &Actor,
        id: StoryId,
        input: CommentInput,
    ) -> Result<StoryComment, AppError> {
        let body = input.body.trim();
        if body.is_empty() || body.chars().count() > 1000 {
            return Err(AppError::validation("body", "must be 1 to 1000 characters"));
        }
        let story = self.visible(actor, id).await?;
        let comment = StoryComment {
            id: self.ids.next(),
            story_id: id,
            author_id: actor.user_id,
            body: body.to_owned(),
            created_at: self.clock.now(),
        };
        self.stories.add_comment(comment.clone()).await?;
        if story.author_id != actor.user_id {
            self.publish(DomainEvent::StoryCommented {
                author_id: story.author_id,
                comment: Box::new(comment.clone()),
            })
            .await;
        }
        Ok(comment)
    }

    /// The story's comments, oldest first, a page at a time (`cursor` is the
    /// previous page's `nextCursor`; `limit` 1–100, default 50).
    ///
    /// # Errors
    /// As [`Self::get`]; `Validation` for a bad cursor or limit.
    pub async fn comments(
        &self,
        actor: &Actor,
        id: StoryId,
        cursor: Option<&str>,
        limit: Option<i64>,
    ) -> Result<Page<StoryComment>, AppError> {
        let limit = PageLimit::parse(limit)?.get();
        let after = cursor
            .map(|c| {
                uuid::Uuid::parse_str(c)
                    .map_err(|_| AppError::validation("cursor", "is not a cursor"))
            })
            .transpose()?;
        self.visible(actor, id).await?;
        let mut items = self.stories.comments(id, after, limit + 1).await?;
        let more = items.len() > limit as usize;
        items.truncate(limit as usize);
        let next_cursor = more
            .then(|| items.last().map(|c| c.id.to_string()))
            .flatten();
        Ok(Page { items, next_cursor })
    }

    /// Deletes every expired story; the background sweep calls this.
    ///
    /// # Errors
    /// Store failures.
    pub async fn sweep(&self) -> Result<u64, AppError> {
        Ok(self.stories.delete_expired(self.clock.now()).await?)
    }

    async fn live(&self, id: StoryId) -> Result<Story, AppError> {
        match self.stories.find(id).await? {
            Some(s) if s.expires_at > self.clock.now() => Ok(s),
            _ => Err(AppError::NotFound("story not found".into())),
        }
    }

    /// A live story its author or a friend of the author asks for.
    async fn visible(&self, actor: &Actor, id: StoryId) -> Result<Story, AppError> {
        let story = self.live(id).await?;
        if story.author_id == actor.user_id
            || self
                .social
                .are_friends(actor.user_id, story.author_id)
                .await?
        {
            Ok(story)
        } else {
            Err(AppError::forbidden())
        }
    }

    async fn views(&self, actor: &Actor, stories: Vec<Story>) -> Result<Vec<StoryView>, AppError> {
        let mut stats = self
            .stories
            .stats(stories.iter().map(|s| s.id).collect(), actor.user_id)
            .await?;
        Ok(stories
            .into_iter()
            .map(|s| {
                let st = stats.remove(&s.id).unwrap_or_default();
                StoryView::new(s, st)
            })
            .collect())
    }

    async fn publish(&self, event: DomainEvent) {
        if let Err(e) = self.queue.publish(event).await {
            tracing::error!(error = %e, "could not queue a story event");
        }
    }
}

#[cfg(test)]
mod tests;
