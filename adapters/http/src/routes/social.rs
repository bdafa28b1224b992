//! `/friends` and `/blocks`.

use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authenticated};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chatchit_application::conversations::Page;
use chatchit_application::friends::{
    FriendRequestInput, PendingRequests, RequestCursors, RequestOutcome,
};
use chatchit_domain::ids::UserId;
use chatchit_domain::social::{FriendRequestId, FriendRequestView, RelationView};
use serde::Deserialize;
use utoipa::IntoParams;

/// `GET /friends` and `GET /blocks` parameters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct PageParams {
    /// `nextCursor` of the previous page.
    cursor: Option<String>,
    /// 1–100, default 50.
    limit: Option<i64>,
}

/// `GET /friends/requests` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(rename_all = "camelCase")]
pub struct RequestParams {
    /// `nextIncomingCursor` of the previous answer.
    incoming_cursor: Option<String>,
    /// `nextOutgoingCursor` of the previous answer.
    outgoing_cursor: Option<String>,
    /// 1–100 of each, default 50.
    limit: Option<i64>,
}

/// The caller's friends, oldest friendship first, a page at a time.
#[utoipa::path(get, path = "/friends", tag = "social", security(("bearer" = [])), params(PageParams),
    responses((status = 200, body = Page<RelationView>), (status = 422, body = ErrorBody)))]
pub async fn friends(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<Page<RelationView>>, ApiError> {
    let page = state
        .friends
        .friends(&actor, params.cursor.as_deref(), params.limit)
        .await?;
    Ok(Json(page))
}

/// The caller's pending friend requests, both ways, newest first, a page of
/// each at a time.
#[utoipa::path(get, path = "/friends/requests", tag = "social", security(("bearer" = [])), params(RequestParams),
    responses((status = 200, body = PendingRequests), (status = 422, body = ErrorBody)))]
pub async fn requests(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiQuery(params): ApiQuery<RequestParams>,
) -> Result<Json<PendingRequests>, ApiError> {
    let cursors = RequestCursors {
        incoming: params.incoming_cursor.as_deref(),
        outgoing: params.outgoing_cursor.as_deref(),
    };
    Ok(Json(
        state
            .friends
            .requests(&actor, cursors, params.limit)
            .await?,
    ))
}

/// Asks someone to be friends; if they had asked already, accepts theirs (200).
#[utoipa::path(post, path = "/friends/requests", tag = "social", security(("bearer" = [])),
    request_body = FriendRequestInput,
    responses((status = 201, body = FriendRequestView), (status = 200, body = RelationView),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn request(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiJson(input): ApiJson<FriendRequestInput>,
) -> Result<Response, ApiError> {
    state
        .check_rate("friend:request", actor.user_id.to_string())
        .await?;
    Ok(match state.friends.request(&actor, input).await? {
        RequestOutcome::Requested(view) => (StatusCode::CREATED, Json(view)).into_response(),
        RequestOutcome::Befriended(friend) => (StatusCode::OK, Json(friend)).into_response(),
    })
}

/// Accepts a request made to the caller.
#[utoipa::path(post, path = "/friends/requests/{id}/accept", tag = "social", security(("bearer" = [])),
    params(("id" = String, Path, description = "request id")),
    responses((status = 200, body = RelationView), (status = 404, body = ErrorBody)))]
pub async fn accept(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<FriendRequestId>,
) -> Result<Json<RelationView>, ApiError> {
    Ok(Json(state.friends.accept(&actor, id).await?))
}

/// Declines a request made to the caller.
#[utoipa::path(post, path = "/friends/requests/{id}/decline", tag = "social", security(("bearer" = [])),
    params(("id" = String, Path, description = "request id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn decline(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<FriendRequestId>,
) -> Result<StatusCode, ApiError> {
    state.friends.decline(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Withdraws a request the caller made.
#[utoipa::path(delete, path = "/friends/requests/{id}", tag = "social", security(("bearer" = [])),
    params(("id" = String, Path, description = "request id")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn cancel(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<FriendRequestId>,
) -> Result<StatusCode, ApiError> {
    state.friends.cancel(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ends a friendship.
#[utoipa::path(delete, path = "/friends/{user_id}", tag = "social", security(("bearer" = [])),
    params(("user_id" = String, Path, description = "the friend")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn unfriend(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(user_id): ApiPath<UserId>,
) -> Result<StatusCode, ApiError> {
    state.friends.unfriend(&actor, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who the caller blocks, oldest block first, a page at a time.
#[utoipa::path(get, path = "/blocks", tag = "social", security(("bearer" = [])), params(PageParams),
    responses((status = 200, body = Page<RelationView>), (status = 422, body = ErrorBody)))]
pub async fn blocks(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<Page<RelationView>>, ApiError> {
    let page = state
        .blocks
        .blocks(&actor, params.cursor.as_deref(), params.limit)
        .await?;
    Ok(Json(page))
}

/// Blocks a user: ends friendship and pending requests; they are not told.
#[utoipa::path(put, path = "/blocks/{user_id}", tag = "social", security(("bearer" = [])),
    params(("user_id" = String, Path, description = "who to block")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn block(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(user_id): ApiPath<UserId>,
) -> Result<StatusCode, ApiError> {
    state.blocks.block(&actor, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lifts a block.
#[utoipa::path(delete, path = "/blocks/{user_id}", tag = "social", security(("bearer" = [])),
    params(("user_id" = String, Path, description = "who to unblock")),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn unblock(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(user_id): ApiPath<UserId>,
) -> Result<StatusCode, ApiError> {
    state.blocks.unblock(&actor, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
