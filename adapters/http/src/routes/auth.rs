//! `/auth/*`: register, login, refresh, logout.

use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiJson;
use crate::state::AppState;
use crate::wire::{IntoInput, ToWire};
use axum::Json;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use chatchit_protocol::auth::{Login, Refresh, Register, Session};

/// Creates an account and logs it in.
#[utoipa::path(post, path = "/auth/register", tag = "auth", request_body = Register,
    responses((status = 201, body = Session, description = "Registered and signed in"), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn register(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<Register>,
) -> Result<(StatusCode, Json<Session>), ApiError> {
    let session = state.auth.register(input.into_input()).await?;
    Ok((StatusCode::CREATED, Json(session.to_wire())))
}

/// Logs in; unknown user and wrong password answer the same 401.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = Login,
    responses((status = 200, body = Session, description = "Signed in"), (status = 401, body = ErrorBody, description = "Unknown user or wrong password"), (status = 403, body = ErrorBody, description = "The account is banned")))]
pub async fn login(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<Login>,
) -> Result<Json<Session>, ApiError> {
    // Keyed by the name as the store folds it, cut to a username's longest
    // (a longer one cannot exist, and must not grow the limiter's keys).
    let account: String = input.username.chars().take(32).collect();
    state
        .check_rate("login:attempt", account.to_ascii_lowercase())
        .await?;
    Ok(Json(state.auth.login(input.into_input()).await?.to_wire()))
}

/// Rotates a refresh token; re-use of a spent one ends its whole session.
#[utoipa::path(post, path = "/auth/refresh", tag = "auth", request_body = Refresh,
    responses((status = 200, body = Session, description = "A new token pair"), (status = 401, body = ErrorBody, description = "The refresh token is unknown, spent or expired")))]
pub async fn refresh(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<Refresh>,
) -> Result<Json<Session>, ApiError> {
    Ok(Json(
        state.auth.refresh(input.into_input()).await?.to_wire(),
    ))
}

/// Ends the session: its tokens stop working and its sockets are disconnected.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", request_body = Refresh,
    responses((status = 204, description = "Signed out")))]
pub async fn logout(
    State(state): State<AppState>,
    ApiJson(input): ApiJson<Refresh>,
) -> Result<StatusCode, ApiError> {
    state.auth.logout(input.into_input()).await?;
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
    let (parts, body) = request.into_parts();
    let client = crate::client::address(&parts, state.trust_forwarded_for)
        .map_or_else(|| "unknown".to_owned(), crate::client::key);
    let request = Request::from_parts(parts, body);
    state.check_rate("auth", client).await?;
    Ok(next.run(request).await)
}

/// Limits every REST write (POST, PATCH, PUT, DELETE) per user (`rest:write`
/// quota), on top of the quotas of particular actions: no write is
/// unlimited, whichever route it takes. The user is read from the bearer
/// token's signature; a request without a valid one is refused by its route.
pub async fn limit_writes(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    use axum::http::Method;
    let writes = !matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if writes {
        let user =
            crate::extract::bearer(request.headers()).and_then(|t| state.identity.token_user(t));
        if let Some(user) = user {
            state.check_rate("rest:write", user.to_string()).await?;
        }
    }
    Ok(next.run(request).await)
}
