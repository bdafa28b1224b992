//! `/auth/*`: register, login, refresh, logout.

use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;
use axum::Json;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use chatchit_application::auth::{AuthSession, LoginInput, RefreshInput, RegisterInput};
use std::net::SocketAddr;

/// Creates an account and logs it in.
#[utoipa::path(post, path = "/auth/register", tag = "auth", request_body = RegisterInput,
    responses((status = 201, body = AuthSession), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<RegisterInput>,
) -> Result<(StatusCode, Json<AuthSession>), ApiError> {
    Ok((StatusCode::CREATED, Json(state.auth.register(input).await?)))
}

/// Logs in; unknown user and wrong password answer the same 401.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginInput,
    responses((status = 200, body = AuthSession), (status = 401, body = ErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<LoginInput>,
) -> Result<Json<AuthSession>, ApiError> {
    Ok(Json(state.auth.login(input).await?))
}

/// Rotates a refresh token; re-use of a spent one ends its whole session.
#[utoipa::path(post, path = "/auth/refresh", tag = "auth", request_body = RefreshInput,
    responses((status = 200, body = AuthSession), (status = 401, body = ErrorBody)))]
pub async fn refresh(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<RefreshInput>,
) -> Result<Json<AuthSession>, ApiError> {
    Ok(Json(state.auth.refresh(input).await?))
}

/// Ends the session: its tokens stop working and its sockets are disconnected.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", request_body = RefreshInput,
    responses((status = 204)))]
pub async fn logout(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<RefreshInput>,
) -> Result<StatusCode, ApiError> {
    state.auth.logout(input).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Limits the auth endpoints per client IP (`auth` quota): guessing passwords
/// or mass-registering costs time. Behind a proxy every client shares the
/// proxy's address, so the quota must then be sized for the proxy.
pub async fn limit_per_ip(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let ip = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(
            || "unknown".to_owned(),
            |ConnectInfo(addr)| addr.ip().to_string(),
        );
    state.check_rate("auth", ip).await?;
    Ok(next.run(request).await)
}
