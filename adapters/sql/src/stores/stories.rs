//! `StoryStore` on SQL.

use crate::database::SqlDatabase;
use crate::entity::{story, story_comment, story_like, story_view};
use crate::error::StoreResult;
use async_trait::async_trait;
use chatchit_domain::StoreError;
use chatchit_domain::ids::UserId;
use chatchit_domain::ports::StoryStore;
use chatchit_domain::social::Relation;
use chatchit_domain::story::{Story, StoryComment, StoryId, StoryStats};
use chatchit_domain::time::Timestamp;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};
use std::collections::HashMap;
use uuid::Uuid;

/// Stories, views, likes, comments.
pub struct SqlStoryStore {
    /// The pool.
    db: SqlDatabase,
}

impl SqlStoryStore {
    /// A store over `db`.
    pub fn new(db: SqlDatabase) -> Self {
        Self { db }
    }

    /// Deletes the stories with these ids and everything hanging off them.
    async fn delete_ids<C: ConnectionTrait>(conn: &C, ids: Vec<Uuid>) -> Result<(), StoreError> {
        story_view::Entity::delete_many()
            .filter(story_view::Column::StoryId.is_in(ids.clone()))
            .exec(conn)
            .await
            .store()?;
        story_like::Entity::delete_many()
            .filter(story_like::Column::StoryId.is_in(ids.clone()))
            .exec(conn)
            .await
            .store()?;
        story_comment::Entity::delete_many()
            .filter(story_comment::Column::StoryId.is_in(ids.clone()))
            .exec(conn)
            .await
            .store()?;
        story::Entity::delete_many()
            .filter(story::Column::Id.is_in(ids))
            .exec(conn)
            .await
            .store()?;
        Ok(())
    }
}

fn to_story(r: story::Model) -> Story {
    Story {
        id: StoryId(r.id),
        author_id: UserId(r.author_id),
        body: r.body,
        media_url: r.media_url,
        media_type: r.media_type,
        created_at: Timestamp::from_millis(r.created_at),
        expires_at: Timestamp::from_millis(r.expires_at),
    }
}

#[async_trait]
impl StoryStore for SqlStoryStore {
    async fn create(&self, s: Story) -> Result<(), StoreError> {
        let row = story::ActiveModel {
            id: Set(s.id.0),
            author_id: Set(s.author_id.0),
            body: Set(s.body),
            media_url: Set(s.media_url),
            media_type: Set(s.media_type),
            created_at: Set(s.created_at.millis()),
            expires_at: Set(s.expires_at.millis()),
        };
        let _turn = self.db.write_turn().await;
        story::Entity::insert(row)
            .exec(self.db.connection())
            .await
            .store()?;
        Ok(())
    }

    async fn find(&self, id: StoryId) -> Result<Option<Story>, StoreError> {
        let row = story::Entity::find_by_id(id.0)
            .one(self.db.connection())
            .await
            .store()?;
        Ok(row.map(to_story))
    }

    async fn delete(&self, id: StoryId) -> Result<(), StoreError> {
        let _turn = self.db.write_turn().await;
        let txn = self.db.connection().begin().await.store()?;
        Self::delete_ids(&txn, vec![id.0]).await?;
        txn.commit().await.store()
    }

    async fn live_by(
        &self,
        authors: Vec<UserId>,
        now: Timestamp,
    ) -> Result<Vec<Story>, StoreError> {
        if authors.is_empty() {
            return Ok(Vec::new());
        }
        let rows = story::Entity::find()
            .filter(story::Column::AuthorId.is_in(authors.into_iter().map(|a| a.0)))
            .filter(story::Column::ExpiresAt.gt(now.millis()))
            .order_by_asc(story::Column::CreatedAt)
            .all(self.db.connection())
            .await
            .store()?;
        Ok(rows.into_iter().map(to_story).collect())
    }

    async fn stats(
        &self,
        stories: Vec<StoryId>,
        viewer: UserId,
    ) -> Result<HashMap<StoryId, StoryStats>, StoreError> {
        let ids: Vec<Uuid> = stories.iter().map(|s| s.0).collect();
        let mut out: HashMap<StoryId, StoryStats> = stories
            .into_iter()
            .map(|s| (s, StoryStats::default()))
            .collect();
        if ids.is_empty() {
            return Ok(out);
        }
        let conn = self.db.connection();
        let views = story_view::Entity::find()
            .filter(story_view::Column::StoryId.is_in(ids.clone()))
            .all(conn)
            .await
            .store()?;
        for v in views {
            let entry = out.entry(StoryId(v.story_id)).or_default();
            entry.views += 1;
            entry.seen_by_me |= v.user_id == viewer.0;
        }
        let likes = story_like::Entity::find()
            .filter(story_like::Column::StoryId.is_in(ids.clone()))
            .all(conn)
            .await
            .store()?;
        for l in likes {
            let entry = out.entry(StoryId(l.story_id)).or_default();
            entry.likes += 1;
            entry.liked_by_me |= l.user_id == viewer.0;
        }
        let comments: Vec<(Uuid, i64)> = story_comment::Entity::find()
            .select_only()
            .column(story_comment::Column::StoryId)
            .column_as(story_comment::Column::Id.count(), "n")
            .filter(story_comment::Column::StoryId.is_in(ids))
            .group_by(story_comment::Column::StoryId)
            .into_tuple()
            .all(conn)
            .await
            .store()?;
        for (id, n) in comments {
            out.entry(StoryId(id)).or_default().comments = u64::try_from(n).unwrap_or(0);
        }
        Ok(out)
    }

    async fn record_view(
        &self,
        id: StoryId,
        viewer: UserId,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        let row = story_view::ActiveModel {
            story_id: Set(id.0),
            user_id: Set(viewer.0),
            at: Set(at.millis()),
        };
        let _turn = self.db.write_turn().await;
        story_view::Entity::insert(row)
            .on_conflict_do_nothing_on([story_view::Column::StoryId, story_view::Column::UserId])
            .exec(self.db.connection())
            .await
            .store()?;
        Ok(())
    }

    async fn viewers(&self, id: StoryId) -> Result<Vec<Relation>, StoreError> {
        let rows = story_view::Entity::find()
            .filter(story_view::Column::StoryId.eq(id.0))
            .order_by_asc(story_view::Column::At)
            .all(self.db.connection())
            .await
            .store()?;
        Ok(rows
            .into_iter()
            .map(|r| Relation {
                user_id: UserId(r.user_id),
                since: Timestamp::from_millis(r.at),
            })
            .collect())
    }

    async fn like(
        &self,
        id: StoryId,
        user: UserId,
        on: bool,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let _turn = self.db.write_turn().await;
        if !on {
            let done = story_like::Entity::delete_by_id((id.0, user.0))
                .exec(self.db.connection())
                .await
                .store()?;
            return Ok(done.rows_affected > 0);
        }
        let exists = story_like::Entity::find_by_id((id.0, user.0))
            .one(self.db.connection())
            .await
            .store()?
            .is_some();
        if exists {
            return Ok(false);
        }
        let row = story_like::ActiveModel {
            story_id: Set(id.0),
            user_id: Set(user.0),
            at: Set(at.millis()),
        };
        story_like::Entity::insert(row)
            .on_conflict_do_nothing_on([story_like::Column::StoryId, story_like::Column::UserId])
            .exec(self.db.connection())
            .await
            .store()?;
        Ok(true)
    }

    async fn add_comment(&self, c: StoryComment) -> Result<(), StoreError> {
        let row = story_comment::ActiveModel {
            id: Set(c.id),
            story_id: Set(c.story_id.0),
            author_id: Set(c.author_id.0),
            body: Set(c.body),
            created_at: Set(c.created_at.millis()),
        };
        let _turn = self.db.write_turn().await;
        story_comment::Entity::insert(row)
            .exec(self.db.connection())
            .await
            .store()?;
        Ok(())
    }

    async fn comments(
        &self,
        id: StoryId,
        after: Option<Uuid>,
        limit: u32,
    ) -> Result<Vec<StoryComment>, StoreError> {
        // Comment ids are time-ordered (UUIDv7), so they are the cursor.
        let mut query =
            story_comment::Entity::find().filter(story_comment::Column::StoryId.eq(id.0));
        if let Some(after) = after {
            query = query.filter(story_comment::Column::Id.gt(after));
        }
        let rows = query
            .order_by_asc(story_comment::Column::Id)
            .limit(u64::from(limit))
            .all(self.db.connection())
            .await
            .store()?;
        Ok(rows
            .into_iter()
            .map(|r| StoryComment {
                id: r.id,
                story_id: StoryId(r.story_id),
                author_id: UserId(r.author_id),
                body: r.body,
                created_at: Timestamp::from_millis(r.created_at),
            })
            .collect())
    }

    async fn delete_expired(&self, now: Timestamp) -> Result<u64, StoreError> {
        let expired: Vec<Uuid> = story::Entity::find()
            .select_only()
            .column(story::Column::Id)
            .filter(story::Column::ExpiresAt.lte(now.millis()))
            .into_tuple()
            .all(self.db.connection())
            .await
            .store()?;
        if expired.is_empty() {
            return Ok(0);
        }
        let n = expired.len() as u64;
        let _turn = self.db.write_turn().await;
        let txn = self.db.connection().begin().await.store()?;
        Self::delete_ids(&txn, expired).await?;
        txn.commit().await.store()?;
        Ok(n)
    }
}
