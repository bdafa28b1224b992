//! `/friends` and `/blocks`.

use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authenticated};
use crate::state::AppState;
use crate::wire::{IntoInput, ToWire};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chatchit_application::friends::{RequestCursors, RequestOutcome};
use chatchit_domain::ids::UserId;
use chatchit_domain::social::FriendRequestId;
use chatchit_protocol::social::{
    FriendRequest, PageQuery, PendingRequests, Relation, RelationPage, RequestsQuery, UserRef,
};

/// The caller's friends, oldest friendship first, a page at a time.
#[utoipa::path(get, path = "/friends", tag = "social", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = RelationPage, description = "A page of friends")))]
pub async fn friends(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiQuery(params): ApiQuery<PageQuery>,
) -> Result<Json<RelationPage>, ApiError> {
    let page = state
        .friends
        .friends(&actor, params.cursor.as_deref(), params.limit)
        .await?;
    Ok(Json(page.to_wire()))
}

/// The caller's pending friend requests, both ways, newest first, a page of
/// each at a time.
#[utoipa::path(get, path = "/friends/requests", tag = "social", security(("bearer" = [])), params(RequestsQuery),
    responses((status = 200, body = PendingRequests, description = "Pending requests both ways")))]
pub async fn requests(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiQuery(params): ApiQuery<RequestsQuery>,
) -> Result<Json<PendingRequests>, ApiError> {
    let cursors = RequestCursors {
        incoming: params.incoming_cursor.as_deref(),
        outgoing: params.outgoing_cursor.as_deref(),
    };
    Ok(Json(
        state
            .friends
            .requests(&actor, cursors, params.limit)
            .await?
            .to_wire(),
    ))
}

/// Asks someone to be friends; if they had asked already, accepts theirs (200).
#[utoipa::path(post, path = "/friends/requests", tag = "social", security(("bearer" = [])),
    request_body = UserRef,
    responses((status = 201, body = FriendRequest, description = "Asked"),
        (status = 200, body = Relation, description = "They had asked already: now friends"),
        (status = 403, body = ErrorBody, description = "One of the two blocks the other"),
        (status = 404, body = ErrorBody, description = "No such user"),
        (status = 409, body = ErrorBody, description = "Already friends, or already asked")))]
pub async fn request(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiJson(input): ApiJson<UserRef>,
) -> Result<Response, ApiError> {
    state
        .check_rate("friend:request", actor.user_id.to_string())
        .await?;
    Ok(
        match state.friends.request(&actor, input.into_input()).await? {
            RequestOutcome::Requested(view) => {
                (StatusCode::CREATED, Json(view.to_wire())).into_response()
            }
            RequestOutcome::Befriended(friend) => {
                (StatusCode::OK, Json(friend.to_wire())).into_response()
            }
        },
    )
}

/// Accepts a request made to the caller.
#[utoipa::path(post, path = "/friends/requests/{id}/accept", tag = "social", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "request id")),
    responses((status = 200, body = Relation, description = "Now friends"), (status = 404, body = ErrorBody, description = "No such request to the caller")))]
pub async fn accept(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<FriendRequestId>,
) -> Result<Json<Relation>, ApiError> {
    Ok(Json(state.friends.accept(&actor, id).await?.to_wire()))
}

/// Declines a request made to the caller.
#[utoipa::path(post, path = "/friends/requests/{id}/decline", tag = "social", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "request id")),
    responses((status = 204, description = "Declined"), (status = 404, body = ErrorBody, description = "No such request to the caller")))]
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
    params(("id" = uuid::Uuid, Path, description = "request id")),
    responses((status = 204, description = "Withdrawn"), (status = 404, body = ErrorBody, description = "No such request by the caller")))]
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
    params(("user_id" = uuid::Uuid, Path, description = "the friend")),
    responses((status = 204, description = "No longer friends"), (status = 404, body = ErrorBody, description = "Not a friend")))]
pub async fn unfriend(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(user_id): ApiPath<UserId>,
) -> Result<StatusCode, ApiError> {
    state.friends.unfriend(&actor, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who the caller blocks, oldest block first, a page at a time.
#[utoipa::path(get, path = "/blocks", tag = "social", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = RelationPage, description = "A page of blocked users")))]
pub async fn blocks(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiQuery(params): ApiQuery<PageQuery>,
) -> Result<Json<RelationPage>, ApiError> {
    let page = state
        .blocks
        .blocks(&actor, params.cursor.as_deref(), params.limit)
        .await?;
    Ok(Json(page.to_wire()))
}

/// Blocks a user: ends friendship and pending requests; they are not told.
#[utoipa::path(put, path = "/blocks/{user_id}", tag = "social", security(("bearer" = [])),
    params(("user_id" = uuid::Uuid, Path, description = "who to block")),
    responses((status = 204, description = "Blocked"), (status = 404, body = ErrorBody, description = "No such user")))]
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
    params(("user_id" = uuid::Uuid, Path, description = "who to unblock")),
    responses((status = 204, description = "Unblocked"), (status = 404, body = ErrorBody, description = "No such user")))]
pub async fn unblock(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(user_id): ApiPath<UserId>,
) -> Result<StatusCode, ApiError> {
    state.blocks.unblock(&actor, user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
