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
/// or mass-registering costs time. Behind a load balancer the client is the
/// last `X-Forwarded-For` entry when `trust_forwarded_for` is set (else every
/// client would share the balancer's address).
pub async fn limit_per_ip(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let forwarded = state
        .trust_forwarded_for
        .then(|| forwarded_client(&request))
        .flatten();
    let ip = forwarded.unwrap_or_else(|| {
        request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map_or_else(
                || "unknown".to_owned(),
                |ConnectInfo(addr)| addr.ip().to_string(),
            )
    });
    state.check_rate("auth", ip).await?;
    Ok(next.run(request).await)
}

/// The address the nearest proxy saw: the last `X-Forwarded-For` entry.
fn forwarded_client(request: &Request) -> Option<String> {
    let header = request.headers().get("x-forwarded-for")?.to_str().ok()?;
    let last = header.rsplit(',').next()?.trim();
    last.parse::<std::net::IpAddr>()
        .ok()
        .map(|ip| ip.to_string())
}
