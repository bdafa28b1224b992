//! Stories: short-lived posts (24 h) seen by the author's friends, with
//! views, likes and comments.

use crate::ids::UserId;
use crate::time::Timestamp;
use crate::user::User;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use crate::ids::StoryId;

/// A story as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Story {
    /// Identifier.
    pub id: StoryId,
    /// Who posted it.
    pub author_id: UserId,
    /// Text, if any.
    pub body: Option<String>,
    /// Picture or video, if any.
    pub media_url: Option<String>,
    /// Its MIME type.
    pub media_type: Option<String>,
    /// When posted.
    pub created_at: Timestamp,
    /// After this no read returns it.
    pub expires_at: Timestamp,
}

/// Counters and the viewer's own marks on a story.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoryStats {
    /// Distinct viewers.
    pub views: u64,
    /// Likes.
    pub likes: u64,
    /// Comments.
    pub comments: u64,
    /// Whether the viewer likes it.
    pub liked_by_me: bool,
    /// Whether the viewer has seen it.
    pub seen_by_me: bool,
}

/// A story as clients see it (`Story` on the wire).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoryView {
    /// Identifier.
    pub id: StoryId,
    /// Who posted it.
    pub author_id: UserId,
    /// Text.
    pub body: Option<String>,
    /// Media link.
    pub media_url: Option<String>,
    /// Media type.
    pub media_type: Option<String>,
    /// When posted.
    pub created_at: Timestamp,
    /// When it disappears.
    pub expires_at: Timestamp,
    /// Distinct viewers.
    pub view_count: u64,
    /// Likes.
    pub like_count: u64,
    /// Comments.
    pub comment_count: u64,
    /// Whether the caller likes it.
    pub liked_by_me: bool,
    /// Whether the caller has seen it.
    pub seen_by_me: bool,
}

impl StoryView {
    /// Joins a story with its counters.
    pub fn new(story: Story, stats: StoryStats) -> Self {
        Self {
            id: story.id,
            author_id: story.author_id,
            body: story.body,
            media_url: story.media_url,
            media_type: story.media_type,
            created_at: story.created_at,
            expires_at: story.expires_at,
            view_count: stats.views,
            like_count: stats.likes,
            comment_count: stats.comments,
            liked_by_me: stats.liked_by_me,
            seen_by_me: stats.seen_by_me,
        }
    }
}

/// One author's live stories in the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedEntry {
    /// The author.
    pub author: User,
    /// Their live stories, oldest first.
    pub stories: Vec<StoryView>,
    /// Whether any is unseen by the caller.
    pub has_unseen: bool,
}

/// A comment on a story.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoryComment {
    /// Identifier.
    pub id: Uuid,
    /// The story.
    pub story_id: StoryId,
    /// Who wrote it.
    pub author_id: UserId,
    /// Text.
    pub body: String,
    /// When.
    pub created_at: Timestamp,
}
