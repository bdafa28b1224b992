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
use std::net::{IpAddr, SocketAddr};

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
    state
        .check_rate("login:attempt", input.username.to_ascii_lowercase())
        .await?;
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
    let ip = forwarded.or_else(|| {
        request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())
    });
    let client = ip.map_or_else(|| "unknown".to_owned(), client_key);
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
        let user = crate::extract::bearer(request.headers()).and_then(|t| state.auth.token_user(t));
        if let Some(user) = user {
            state.check_rate("rest:write", user.to_string()).await?;
        }
    }
    Ok(next.run(request).await)
}

/// The address the nearest proxy saw: the last `X-Forwarded-For` entry.
fn forwarded_client(request: &Request) -> Option<IpAddr> {
    let header = request.headers().get("x-forwarded-for")?.to_str().ok()?;
    let last = header.rsplit(',').next()?.trim();
    last.parse().ok()
}

/// Whose allowance a request from `ip` spends: the IPv4 address, or the /64
/// an IPv6 address is in (one host is commonly given a whole /64, so per
/// address it could take 2^64 allowances).
pub fn client_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_clients_share_their_64_and_mapped_ipv4_is_ipv4() {
        let key = |text: &str| client_key(text.parse().expect("an address"));
        assert_eq!(key("2001:db8:1:2:aaaa::1"), key("2001:db8:1:2:ffff::2"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_eq!(key("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(key("192.0.2.7"), "192.0.2.7");
    }
}
