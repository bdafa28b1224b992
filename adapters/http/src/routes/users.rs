//! `/me` and `/users`.

use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authenticated};
use crate::state::AppState;
use crate::wire::{IntoInput, ToWire};
use axum::Json;
use axum::extract::State;
use chatchit_domain::ids::UserId;
use chatchit_protocol::users::{UpdateProfile, User};
use serde::Deserialize;
use utoipa::IntoParams;

/// The caller's profile.
#[utoipa::path(get, path = "/me", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = User, description = "The caller")))]
pub async fn me(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<User>, ApiError> {
    Ok(Json(state.users.me(&actor).await?.to_wire()))
}

/// Changes the caller's display name or avatar.
#[utoipa::path(patch, path = "/me", tag = "users", security(("bearer" = [])), request_body = UpdateProfile,
    responses((status = 200, body = User, description = "The changed profile")))]
pub async fn update_me(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiJson(input): ApiJson<UpdateProfile>,
) -> Result<Json<User>, ApiError> {
    Ok(Json(
        state
            .users
            .update_me(&actor, input.into_input())
            .await?
            .to_wire(),
    ))
}

/// A user's public profile.
#[utoipa::path(get, path = "/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "user id")),
    responses((status = 200, body = User, description = "The user"),
        (status = 404, body = ErrorBody, description = "No such user")))]
pub async fn get_user(
    State(state): State<AppState>,
    Authenticated(_caller): Authenticated,
    ApiPath(id): ApiPath<UserId>,
) -> Result<Json<User>, ApiError> {
    Ok(Json(state.users.get(id).await?.to_wire()))
}

/// `GET /users` parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// Username prefix, case-insensitive, 1–32 characters.
    #[param(min_length = 1, max_length = 32)]
    query: String,
    /// 1–100, default 20.
    #[param(minimum = 1, maximum = 100)]
    limit: Option<i64>,
}

/// Users whose username starts with `query`.
#[utoipa::path(get, path = "/users", tag = "users", security(("bearer" = [])), params(SearchParams),
    responses((status = 200, body = Vec<User>, description = "Matching users, by username")))]
pub async fn search_users(
    State(state): State<AppState>,
    Authenticated(_caller): Authenticated,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> Result<Json<Vec<User>>, ApiError> {
    Ok(Json(
        state
            .users
            .search(&params.query, params.limit)
            .await?
            .to_wire(),
    ))
}
