//! `/conversations`: list, open direct, create group, settings, members, roles.

use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authenticated};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chatchit_application::conversations::{
    AddMembersInput, CreateDirectInput, CreateGroupInput, Page, SetRoleInput,
    UpdateConversationInput,
};
use chatchit_domain::conversation::ConversationView;
use chatchit_domain::ids::{ConversationId, UserId};
use serde::Deserialize;
use utoipa::IntoParams;

/// `GET /conversations` parameters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ListParams {
    /// `nextCursor` of the previous page.
    cursor: Option<String>,
    /// 1–100, default 50.
    limit: Option<i64>,
}

/// The caller's conversations, most recently active first.
#[utoipa::path(get, path = "/conversations", tag = "conversations", security(("bearer" = [])), params(ListParams),
    responses((status = 200, body = Page<ConversationView>), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiQuery(params): ApiQuery<ListParams>,
) -> Result<Json<Page<ConversationView>>, ApiError> {
    let page = state
        .conversations
        .list(&actor, params.cursor.as_deref(), params.limit)
        .await?;
    Ok(Json(page))
}

/// The one direct conversation with a user, created on first call.
#[utoipa::path(post, path = "/conversations/direct", tag = "conversations", security(("bearer" = [])),
    request_body = CreateDirectInput,
    responses((status = 200, body = ConversationView), (status = 404, body = ErrorBody)))]
pub async fn open_direct(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiJson(input): ApiJson<CreateDirectInput>,
) -> Result<Json<ConversationView>, ApiError> {
    Ok(Json(state.conversations.open_direct(&actor, input).await?))
}

/// A new group; the caller becomes owner.
#[utoipa::path(post, path = "/conversations/group", tag = "conversations", security(("bearer" = [])),
    request_body = CreateGroupInput,
    responses((status = 201, body = ConversationView), (status = 422, body = ErrorBody)))]
pub async fn create_group(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiJson(input): ApiJson<CreateGroupInput>,
) -> Result<(StatusCode, Json<ConversationView>), ApiError> {
    state.limit("group:create", &actor).await?;
    let view = state.conversations.create_group(&actor, input).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// One conversation the caller belongs to.
#[utoipa::path(get, path = "/conversations/{id}", tag = "conversations", security(("bearer" = [])),
    params(("id" = String, Path, description = "conversation id")),
    responses((status = 200, body = ConversationView), (status = 403, body = ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<ConversationId>,
) -> Result<Json<ConversationView>, ApiError> {
    Ok(Json(state.conversations.get(&actor, id).await?))
}

/// Changes a group's title or picture (admin or owner).
#[utoipa::path(patch, path = "/conversations/{id}", tag = "conversations", security(("bearer" = [])),
    params(("id" = String, Path, description = "conversation id")), request_body = UpdateConversationInput,
    responses((status = 200, body = ConversationView), (status = 403, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<ConversationId>,
    ApiJson(input): ApiJson<UpdateConversationInput>,
) -> Result<Json<ConversationView>, ApiError> {
    Ok(Json(state.conversations.update(&actor, id, input).await?))
}

/// Adds users to a group (admin or owner).
#[utoipa::path(post, path = "/conversations/{id}/members", tag = "conversations", security(("bearer" = [])),
    params(("id" = String, Path, description = "conversation id")), request_body = AddMembersInput,
    responses((status = 200, body = ConversationView), (status = 403, body = ErrorBody)))]
pub async fn add_members(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<ConversationId>,
    ApiJson(input): ApiJson<AddMembersInput>,
) -> Result<Json<ConversationView>, ApiError> {
    state.limit("member:add", &actor).await?;
    Ok(Json(
        state.conversations.add_members(&actor, id, input).await?,
    ))
}

/// Removes a member (admin or owner) or leaves (oneself).
#[utoipa::path(delete, path = "/conversations/{id}/members/{user_id}", tag = "conversations",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "conversation id"), ("user_id" = String, Path, description = "member id")),
    responses((status = 204), (status = 403, body = ErrorBody)))]
pub async fn remove_member(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath((id, user_id)): ApiPath<(ConversationId, UserId)>,
) -> Result<StatusCode, ApiError> {
    state
        .conversations
        .remove_member(&actor, id, user_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Makes a member admin or member (owner only).
#[utoipa::path(patch, path = "/conversations/{id}/members/{user_id}", tag = "conversations",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "conversation id"), ("user_id" = String, Path, description = "member id")),
    request_body = SetRoleInput,
    responses((status = 200, body = ConversationView), (status = 403, body = ErrorBody)))]
pub async fn set_role(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath((id, user_id)): ApiPath<(ConversationId, UserId)>,
    ApiJson(input): ApiJson<SetRoleInput>,
) -> Result<Json<ConversationView>, ApiError> {
    Ok(Json(
        state
            .conversations
            .set_role(&actor, id, user_id, input)
            .await?,
    ))
}
