//! `/conversations`: list, open direct, create group, settings, members, roles.

use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authenticated};
use crate::state::AppState;
use crate::wire::{IntoInput, ToWire};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chatchit_domain::ids::{ConversationId, UserId};
use chatchit_protocol::conversations::{
    AddMembers, Conversation, ConversationPage, CreateDirect, CreateGroup, SetRole,
    UpdateConversation,
};
use chatchit_protocol::social::PageQuery;

/// The caller's conversations, most recently active first.
#[utoipa::path(get, path = "/conversations", tag = "conversations", security(("bearer" = [])), params(PageQuery),
    responses((status = 200, body = ConversationPage, description = "A page of conversations")))]
pub async fn list(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiQuery(params): ApiQuery<PageQuery>,
) -> Result<Json<ConversationPage>, ApiError> {
    let page = state
        .conversations
        .list(&actor, params.cursor.as_deref(), params.limit)
        .await?;
    Ok(Json(page.to_wire()))
}

/// The one direct conversation with a user, created on first call.
#[utoipa::path(post, path = "/conversations/direct", tag = "conversations", security(("bearer" = [])),
    request_body = CreateDirect,
    responses((status = 200, body = Conversation, description = "The direct conversation"),
        (status = 403, body = ErrorBody, description = "One of the two blocks the other"),
        (status = 404, body = ErrorBody, description = "No such user")))]
pub async fn open_direct(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiJson(input): ApiJson<CreateDirect>,
) -> Result<Json<Conversation>, ApiError> {
    let view = state
        .conversations
        .open_direct(&actor, input.into_input())
        .await?;
    Ok(Json(view.to_wire()))
}

/// A new group; the caller becomes owner.
#[utoipa::path(post, path = "/conversations/group", tag = "conversations", security(("bearer" = [])),
    request_body = CreateGroup,
    responses((status = 201, body = Conversation, description = "The new group"),
        (status = 404, body = ErrorBody, description = "A member does not exist")))]
pub async fn create_group(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiJson(input): ApiJson<CreateGroup>,
) -> Result<(StatusCode, Json<Conversation>), ApiError> {
    state.limit("group:create", &actor).await?;
    let view = state
        .conversations
        .create_group(&actor, input.into_input())
        .await?;
    Ok((StatusCode::CREATED, Json(view.to_wire())))
}

/// One conversation the caller belongs to.
#[utoipa::path(get, path = "/conversations/{id}", tag = "conversations", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "conversation id")),
    responses((status = 200, body = Conversation, description = "The conversation"),
        (status = 403, body = ErrorBody, description = "Not a member"),
        (status = 404, body = ErrorBody, description = "No such conversation")))]
pub async fn get_conversation(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<ConversationId>,
) -> Result<Json<Conversation>, ApiError> {
    Ok(Json(state.conversations.get(&actor, id).await?.to_wire()))
}

/// Changes a group's title or picture (admin or owner).
#[utoipa::path(patch, path = "/conversations/{id}", tag = "conversations", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "conversation id")), request_body = UpdateConversation,
    responses((status = 200, body = Conversation, description = "The changed group"),
        (status = 403, body = ErrorBody, description = "Not an admin or the owner, or a direct conversation"),
        (status = 404, body = ErrorBody, description = "No such conversation")))]
pub async fn update(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<ConversationId>,
    ApiJson(input): ApiJson<UpdateConversation>,
) -> Result<Json<Conversation>, ApiError> {
    let view = state
        .conversations
        .update(&actor, id, input.into_input())
        .await?;
    Ok(Json(view.to_wire()))
}

/// Adds users to a group (admin or owner).
#[utoipa::path(post, path = "/conversations/{id}/members", tag = "conversations", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "conversation id")), request_body = AddMembers,
    responses((status = 200, body = Conversation, description = "The group with its new members"),
        (status = 403, body = ErrorBody, description = "Not an admin or the owner"),
        (status = 404, body = ErrorBody, description = "No such conversation or user")))]
pub async fn add_members(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<ConversationId>,
    ApiJson(input): ApiJson<AddMembers>,
) -> Result<Json<Conversation>, ApiError> {
    state.limit("member:add", &actor).await?;
    let view = state
        .conversations
        .add_members(&actor, id, input.into_input())
        .await?;
    Ok(Json(view.to_wire()))
}

/// Removes a member (admin or owner) or leaves (oneself).
#[utoipa::path(delete, path = "/conversations/{id}/members/{user_id}", tag = "conversations",
    security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "conversation id"), ("user_id" = uuid::Uuid, Path, description = "member id")),
    responses((status = 204, description = "Removed"),
        (status = 403, body = ErrorBody, description = "Not allowed to remove this member"),
        (status = 404, body = ErrorBody, description = "No such conversation or member")))]
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
    params(("id" = uuid::Uuid, Path, description = "conversation id"), ("user_id" = uuid::Uuid, Path, description = "member id")),
    request_body = SetRole,
    responses((status = 200, body = Conversation, description = "The group with the new role"),
        (status = 403, body = ErrorBody, description = "Not the owner"),
        (status = 404, body = ErrorBody, description = "No such conversation or member")))]
pub async fn set_role(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath((id, user_id)): ApiPath<(ConversationId, UserId)>,
    ApiJson(input): ApiJson<SetRole>,
) -> Result<Json<Conversation>, ApiError> {
    let view = state
        .conversations
        .set_role(&actor, id, user_id, input.into_input())
        .await?;
    Ok(Json(view.to_wire()))
}
