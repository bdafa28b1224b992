//! `/me` and `/users`.

use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authenticated};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use chatchit_application::users::UpdateProfileInput;
use chatchit_domain::ids::UserId;
use chatchit_domain::user::User;
use serde::Deserialize;
use utoipa::IntoParams;

/// The caller's profile.
#[utoipa::path(get, path = "/me", tag = "users", security(("bearer" = [])),
    responses((status = 200, body = User), (status = 401, body = ErrorBody)))]
pub async fn me(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<User>, ApiError> {
    Ok(Json(state.users.me(&actor).await?))
}

/// Changes the caller's display name or avatar.
#[utoipa::path(patch, path = "/me", tag = "users", security(("bearer" = [])), request_body = UpdateProfileInput,
    responses((status = 200, body = User), (status = 422, body = ErrorBody)))]
pub async fn update_me(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiJson(input): ApiJson<UpdateProfileInput>,
) -> Result<Json<User>, ApiError> {
    Ok(Json(state.users.update_me(&actor, input).await?))
}

/// A user's public profile.
#[utoipa::path(get, path = "/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = String, Path, description = "user id")),
    responses((status = 200, body = User), (status = 404, body = ErrorBody)))]
pub async fn get_user(
    State(state): State<AppState>,
    Authenticated(_caller): Authenticated,
    ApiPath(id): ApiPath<UserId>,
) -> Result<Json<User>, ApiError> {
    Ok(Json(state.users.get(id).await?))
}

/// `GET /users` parameters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct SearchParams {
    /// Username prefix, case-insensitive.
    query: String,
    /// 1–100, default 20.
    limit: Option<i64>,
}

/// Users whose username starts with `query`.
#[utoipa::path(get, path = "/users", tag = "users", security(("bearer" = [])), params(SearchParams),
    responses((status = 200, body = Vec<User>), (status = 422, body = ErrorBody)))]
pub async fn search_users(
    State(state): State<AppState>,
    Authenticated(_caller): Authenticated,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> Result<Json<Vec<User>>, ApiError> {
    Ok(Json(state.users.search(&params.query, params.limit).await?))
}
