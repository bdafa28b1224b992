//! `/stories`: post, feed, read, delete, views, likes, comments.

use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authenticated};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chatchit_application::conversations::Page;
use chatchit_application::stories::{CommentInput, PostStoryInput};
use chatchit_domain::social::RelationView;
use chatchit_domain::story::{FeedEntry, StoryComment, StoryId, StoryView};

/// Posts a story, visible to the author's friends for 24 hours.
#[utoipa::path(post, path = "/stories", tag = "stories", security(("bearer" = [])), request_body = PostStoryInput,
    responses((status = 201, body = StoryView), (status = 422, body = ErrorBody)))]
pub async fn post(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiJson(input): ApiJson<PostStoryInput>,
) -> Result<(StatusCode, Json<StoryView>), ApiError> {
    state.limit("story:post", &actor).await?;
    Ok((
        StatusCode::CREATED,
        Json(state.stories.post(&actor, input).await?),
    ))
}

/// Friends' live stories by author, unseen first.
#[utoipa::path(get, path = "/stories", tag = "stories", security(("bearer" = [])),
    responses((status = 200, body = Vec<FeedEntry>)))]
pub async fn feed(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Vec<FeedEntry>>, ApiError> {
    Ok(Json(state.stories.feed(&actor).await?))
}

/// One story.
#[utoipa::path(get, path = "/stories/{id}", tag = "stories", security(("bearer" = [])),
    params(("id" = String, Path, description = "story id")),
    responses((status = 200, body = StoryView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<StoryId>,
) -> Result<Json<StoryView>, ApiError> {
    Ok(Json(state.stories.get(&actor, id).await?))
}

/// Deletes a story (author or admin).
#[utoipa::path(delete, path = "/stories/{id}", tag = "stories", security(("bearer" = [])),
    params(("id" = String, Path, description = "story id")),
    responses((status = 204), (status = 403, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<StoryId>,
) -> Result<StatusCode, ApiError> {
    state.stories.delete(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Marks a story seen.
#[utoipa::path(post, path = "/stories/{id}/views", tag = "stories", security(("bearer" = [])),
    params(("id" = String, Path, description = "story id")),
    responses((status = 204), (status = 403, body = ErrorBody)))]
pub async fn view(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<StoryId>,
) -> Result<StatusCode, ApiError> {
    state.stories.view(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who saw a story (author only).
#[utoipa::path(get, path = "/stories/{id}/views", tag = "stories", security(("bearer" = [])),
    params(("id" = String, Path, description = "story id")),
    responses((status = 200, body = Vec<RelationView>), (status = 403, body = ErrorBody)))]
pub async fn viewers(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<StoryId>,
) -> Result<Json<Vec<RelationView>>, ApiError> {
    Ok(Json(state.stories.viewers(&actor, id).await?))
}

/// Likes a story.
#[utoipa::path(put, path = "/stories/{id}/like", tag = "stories", security(("bearer" = [])),
    params(("id" = String, Path, description = "story id")),
    responses((status = 200, body = StoryView), (status = 403, body = ErrorBody)))]
pub async fn like(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<StoryId>,
) -> Result<Json<StoryView>, ApiError> {
    Ok(Json(state.stories.like(&actor, id, true).await?))
}

/// Takes a like back.
#[utoipa::path(delete, path = "/stories/{id}/like", tag = "stories", security(("bearer" = [])),
    params(("id" = String, Path, description = "story id")),
    responses((status = 200, body = StoryView), (status = 403, body = ErrorBody)))]
pub async fn unlike(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<StoryId>,
) -> Result<Json<StoryView>, ApiError> {
    Ok(Json(state.stories.like(&actor, id, false).await?))
}

/// Comments on a story.
#[utoipa::path(post, path = "/stories/{id}/comments", tag = "stories", security(("bearer" = [])),
    params(("id" = String, Path, description = "story id")), request_body = CommentInput,
    responses((status = 201, body = StoryComment), (status = 403, body = ErrorBody)))]
pub async fn comment(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<StoryId>,
    ApiJson(input): ApiJson<CommentInput>,
) -> Result<(StatusCode, Json<StoryComment>), ApiError> {
    state.limit("story:comment", &actor).await?;
    Ok((
        StatusCode::CREATED,
        Json(state.stories.comment(&actor, id, input).await?),
    ))
}

/// `GET /stories/{id}/comments` parameters.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct CommentParams {
    /// `nextCursor` of the previous page.
    cursor: Option<String>,
    /// 1–100, default 50.
    limit: Option<i64>,
}

/// A story's comments, oldest first, a page at a time.
#[utoipa::path(get, path = "/stories/{id}/comments", tag = "stories", security(("bearer" = [])),
    params(("id" = String, Path, description = "story id"), CommentParams),
    responses((status = 200, body = Page<StoryComment>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn comments(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<StoryId>,
    ApiQuery(params): ApiQuery<CommentParams>,
) -> Result<Json<Page<StoryComment>>, ApiError> {
    let page = state
        .stories
        .comments(&actor, id, params.cursor.as_deref(), params.limit)
        .await?;
    Ok(Json(page))
}
