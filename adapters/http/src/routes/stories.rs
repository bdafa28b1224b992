//! `/stories`: post, feed, read, delete, views, likes, comments.

use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authenticated};
use crate::state::AppState;
use crate::wire::{IntoInput, ToWire};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chatchit_domain::story::StoryId;
use chatchit_protocol::social::{PageQuery, Relation};
use chatchit_protocol::stories::{
    CommentPage, FeedEntry, PostComment, PostStory, Story, StoryComment,
};

/// Posts a story, visible to the author's friends for 24 hours.
#[utoipa::path(post, path = "/stories", tag = "stories", security(("bearer" = [])), request_body = PostStory,
    responses((status = 201, body = Story, description = "Posted")))]
pub async fn post(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiJson(input): ApiJson<PostStory>,
) -> Result<(StatusCode, Json<Story>), ApiError> {
    state.limit("story:post", &actor).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            state
                .stories
                .post(&actor, input.into_input())
                .await?
                .to_wire(),
        ),
    ))
}

/// Friends' live stories by author, unseen first.
#[utoipa::path(get, path = "/stories", tag = "stories", security(("bearer" = [])),
    responses((status = 200, body = Vec<FeedEntry>, description = "Authors with live stories")))]
pub async fn feed(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Vec<FeedEntry>>, ApiError> {
    Ok(Json(state.stories.feed(&actor).await?.to_wire()))
}

/// One story.
#[utoipa::path(get, path = "/stories/{id}", tag = "stories", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "story id")),
    responses((status = 200, body = Story, description = "The story"), (status = 403, body = ErrorBody, description = "Not the author's friend"), (status = 404, body = ErrorBody, description = "No such story, or it expired")))]
pub async fn get_story(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<StoryId>,
) -> Result<Json<Story>, ApiError> {
    Ok(Json(state.stories.get(&actor, id).await?.to_wire()))
}

/// Deletes a story (author or admin).
#[utoipa::path(delete, path = "/stories/{id}", tag = "stories", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "story id")),
    responses((status = 204, description = "Deleted"), (status = 403, body = ErrorBody, description = "Not the author or an admin"), (status = 404, body = ErrorBody, description = "No such story")))]
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
    params(("id" = uuid::Uuid, Path, description = "story id")),
    responses((status = 204, description = "Seen"), (status = 403, body = ErrorBody, description = "Not the author's friend"), (status = 404, body = ErrorBody, description = "No such story")))]
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
    params(("id" = uuid::Uuid, Path, description = "story id")),
    responses((status = 200, body = Vec<Relation>, description = "Viewers and when they looked"), (status = 403, body = ErrorBody, description = "Not the author"), (status = 404, body = ErrorBody, description = "No such story")))]
pub async fn viewers(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<StoryId>,
) -> Result<Json<Vec<Relation>>, ApiError> {
    Ok(Json(state.stories.viewers(&actor, id).await?.to_wire()))
}

/// Likes a story.
#[utoipa::path(put, path = "/stories/{id}/like", tag = "stories", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "story id")),
    responses((status = 200, body = Story, description = "Liked"), (status = 403, body = ErrorBody, description = "Not the author's friend"), (status = 404, body = ErrorBody, description = "No such story")))]
pub async fn like(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<StoryId>,
) -> Result<Json<Story>, ApiError> {
    Ok(Json(state.stories.like(&actor, id, true).await?.to_wire()))
}

/// Takes a like back.
#[utoipa::path(delete, path = "/stories/{id}/like", tag = "stories", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "story id")),
    responses((status = 200, body = Story, description = "Like taken back"), (status = 403, body = ErrorBody, description = "Not the author's friend"), (status = 404, body = ErrorBody, description = "No such story")))]
pub async fn unlike(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<StoryId>,
) -> Result<Json<Story>, ApiError> {
    Ok(Json(state.stories.like(&actor, id, false).await?.to_wire()))
}

/// Comments on a story.
#[utoipa::path(post, path = "/stories/{id}/comments", tag = "stories", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "story id")), request_body = PostComment,
    responses((status = 201, body = StoryComment, description = "Commented"), (status = 403, body = ErrorBody, description = "Not the author's friend"), (status = 404, body = ErrorBody, description = "No such story")))]
pub async fn comment(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<StoryId>,
    ApiJson(input): ApiJson<PostComment>,
) -> Result<(StatusCode, Json<StoryComment>), ApiError> {
    state.limit("story:comment", &actor).await?;
    Ok((
        StatusCode::CREATED,
        Json(
            state
                .stories
                .comment(&actor, id, input.into_input())
                .await?
                .to_wire(),
        ),
    ))
}

/// A story's comments, oldest first, a page at a time.
#[utoipa::path(get, path = "/stories/{id}/comments", tag = "stories", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "story id"), PageQuery),
    responses((status = 200, body = CommentPage, description = "A page of comments"), (status = 403, body = ErrorBody, description = "Not the author's friend"), (status = 404, body = ErrorBody, description = "No such story")))]
pub async fn comments(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<StoryId>,
    ApiQuery(params): ApiQuery<PageQuery>,
) -> Result<Json<CommentPage>, ApiError> {
    let page = state
        .stories
        .comments(&actor, id, params.cursor.as_deref(), params.limit)
        .await?;
    Ok(Json(page.to_wire()))
}
