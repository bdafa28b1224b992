//! `/friends` and `/blocks`.

use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, Authenticated};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chatchit_application::friends::{FriendRequestInput, PendingRequests, RequestOutcome};
use chatchit_domain::ids::UserId;
use chatchit_domain::social::{FriendRequestId, FriendRequestView, RelationView};

/// The caller's friends.
#[utoipa::path(get, path = "/friends", tag = "social", security(("bearer" = [])),
    responses((status = 200, body = Vec<RelationView>)))]
pub async fn friends(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Vec<RelationView>>, ApiError> {
    Ok(Json(state.friends.friends(&actor).await?))
}

/// The caller's pending friend requests, both ways.
#[utoipa::path(get, path = "/friends/requests", tag = "social", security(("bearer" = [])),
    responses((status = 200, body = PendingRequests)))]
pub async fn requests(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<PendingRequests>, ApiError> {
    Ok(Json(state.friends.requests(&actor).await?))
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

/// Who the caller blocks.
#[utoipa::path(get, path = "/blocks", tag = "social", security(("bearer" = [])),
    responses((status = 200, body = Vec<RelationView>)))]
pub async fn blocks(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Vec<RelationView>>, ApiError> {
    Ok(Json(state.blocks.blocks(&actor).await?))
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
