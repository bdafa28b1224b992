//! `StoryStore` in memory.

use super::{InMemoryStore, missing, taken, up_to};
use async_trait::async_trait;
use chatchit_domain::StoreError;
use chatchit_domain::ids::UserId;
use chatchit_domain::ports::StoryStore;
use chatchit_domain::social::Relation;
use chatchit_domain::story::{Story, StoryComment, StoryId, StoryStats};
use chatchit_domain::time::Timestamp;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// A story with its views, likes and comments.
struct Row {
    /// The story.
    story: Story,
    /// Viewer → first view.
    views: HashMap<UserId, Timestamp>,
    /// Liker → when.
    likes: HashMap<UserId, Timestamp>,
    /// Comments by id (time-ordered ids).
    comments: BTreeMap<Uuid, StoryComment>,
}

/// Stories by id.
#[derive(Default)]
pub(super) struct Stories {
    /// By id.
    rows: HashMap<StoryId, Row>,
}

impl Stories {
    /// The story's row, mutable, or `NotFound`.
    fn row_mut(&mut self, id: StoryId) -> Result<&mut Row, StoreError> {
        self.rows.get_mut(&id).ok_or_else(|| missing("story"))
    }
}

#[async_trait]
impl StoryStore for InMemoryStore {
    async fn create(&self, story: Story) -> Result<(), StoreError> {
        let mut t = self.tables();
        if t.stories.rows.contains_key(&story.id) {
            return Err(taken("stories.id"));
        }
        t.stories.rows.insert(
            story.id,
            Row {
                story,
                views: HashMap::new(),
                likes: HashMap::new(),
                comments: BTreeMap::new(),
            },
        );
        Ok(())
    }

    async fn find(&self, id: StoryId) -> Result<Option<Story>, StoreError> {
        Ok(self.tables().stories.rows.get(&id).map(|r| r.story.clone()))
    }

    async fn delete(&self, id: StoryId) -> Result<(), StoreError> {
        self.tables().stories.rows.remove(&id);
        Ok(())
    }

    async fn live_by(
        &self,
        authors: Vec<UserId>,
        now: Timestamp,
    ) -> Result<Vec<Story>, StoreError> {
        let t = self.tables();
        let mut live: Vec<Story> = t
            .stories
            .rows
            .values()
            .map(|r| &r.story)
            .filter(|s| s.expires_at > now && authors.contains(&s.author_id))
            .cloned()
            .collect();
        live.sort_by_key(|s| (s.created_at, s.id));
        Ok(live)
    }

    async fn stats(
        &self,
        stories: Vec<StoryId>,
        viewer: UserId,
    ) -> Result<HashMap<StoryId, StoryStats>, StoreError> {
        let t = self.tables();
        Ok(stories
            .into_iter()
            .map(|id| {
                let stats = t
                    .stories
                    .rows
                    .get(&id)
                    .map_or_else(StoryStats::default, |r| StoryStats {
                        views: r.views.len() as u64,
                        likes: r.likes.len() as u64,
                        comments: r.comments.len() as u64,
                        liked_by_me: r.likes.contains_key(&viewer),
                        seen_by_me: r.views.contains_key(&viewer),
                    });
                (id, stats)
            })
            .collect())
    }

    async fn record_view(
        &self,
        id: StoryId,
        viewer: UserId,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        self.tables()
            .stories
            .row_mut(id)?
            .views
            .entry(viewer)
            .or_insert(at);
        Ok(())
    }

    async fn viewers(&self, id: StoryId) -> Result<Vec<Relation>, StoreError> {
        let t = self.tables();
        let mut viewers: Vec<Relation> = t
            .stories
            .rows
            .get(&id)
            .into_iter()
            .flat_map(|r| &r.views)
            .map(|(&user_id, &since)| Relation { user_id, since })
            .collect();
        viewers.sort_by_key(|r| (r.since, r.user_id));
        Ok(viewers)
    }

    async fn like(
        &self,
        id: StoryId,
        user: UserId,
        on: bool,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut t = self.tables();
        let row = t.stories.row_mut(id)?;
        Ok(match on {
            true => row.likes.insert(user, at).is_none(),
            false => row.likes.remove(&user).is_some(),
        })
    }

    async fn add_comment(&self, comment: StoryComment) -> Result<(), StoreError> {
        let mut t = self.tables();
        let row = t.stories.row_mut(comment.story_id)?;
        if row.comments.contains_key(&comment.id) {
            return Err(taken("story_comments.id"));
        }
        row.comments.insert(comment.id, comment);
        Ok(())
    }

    async fn comments(
        &self,
        id: StoryId,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<StoryComment>, StoreError> {
        let t = self.tables();
        let Some(row) = t.stories.rows.get(&id) else {
            return Ok(Vec::new());
        };
        let page = row
            .comments
            .values()
            .filter(|c| after.is_none_or(|after| c.id > after))
            .cloned();
        Ok(up_to(page, limit))
    }

    async fn delete_expired(&self, now: Timestamp) -> Result<u64, StoreError> {
        let mut t = self.tables();
        let before = t.stories.rows.len();
        t.stories.rows.retain(|_, r| r.story.expires_at > now);
        Ok((before - t.stories.rows.len()) as u64)
    }
}
