//! Stories: 24 hours, for friends.

use crate::time::Timestamp;
use crate::users::User;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// `POST /stories`: text, media, or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"body": "At the lake"}))]
pub struct PostStory {
    /// Up to 2000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 2000)]
    pub body: Option<String>,
    /// An http(s) URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 2048)]
    pub media_url: Option<String>,
    /// The media's type, e.g. `image/jpeg`; with `mediaUrl` only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(max_length = 255)]
    pub media_type: Option<String>,
}

/// A story with its counts, as the caller sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Story {
    /// Stable id.
    pub id: Uuid,
    /// Who posted it.
    pub author_id: Uuid,
    /// Its text.
    pub body: Option<String>,
    /// Its media.
    pub media_url: Option<String>,
    /// The media's type.
    pub media_type: Option<String>,
    /// When it was posted.
    pub created_at: Timestamp,
    /// 24 hours later.
    pub expires_at: Timestamp,
    /// Distinct viewers.
    #[schema(minimum = 0)]
    pub view_count: u64,
    /// Likes.
    #[schema(minimum = 0)]
    pub like_count: u64,
    /// Comments.
    #[schema(minimum = 0)]
    pub comment_count: u64,
    /// Whether the caller liked it.
    pub liked_by_me: bool,
    /// Whether the caller has seen it.
    pub seen_by_me: bool,
}

/// One author's live stories in the feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FeedEntry {
    /// The author.
    pub author: User,
    /// Oldest first.
    pub stories: Vec<Story>,
    /// Whether the caller has not seen some.
    pub has_unseen: bool,
}

/// `POST /stories/{id}/comments`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PostComment {
    /// 1–1000 characters.
    #[schema(min_length = 1, max_length = 1000)]
    pub body: String,
}

/// A comment on a story.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StoryComment {
    /// Stable id.
    pub id: Uuid,
    /// On which story.
    pub story_id: Uuid,
    /// Who wrote it.
    pub author_id: Uuid,
    /// The text.
    pub body: String,
    /// When.
    pub created_at: Timestamp,
}

/// A page of comments, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CommentPage {
    /// This page.
    pub items: Vec<StoryComment>,
    /// Pass as `cursor` for the next page; `null` at the end.
    pub next_cursor: Option<String>,
}
