//! `/reports` and `/admin/*`.

use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authenticated};
use crate::state::{AppState, HealthStatus};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chatchit_application::admin::{AdminStats, ReportInput, ResolveInput};
use chatchit_domain::ids::UserId;
use chatchit_domain::report::{Report, ReportId};
use serde::{Deserialize, Serialize};
use std::sync::atomic::Ordering;
use utoipa::{IntoParams, ToSchema};

/// Reports a user or a message to the admins.
#[utoipa::path(post, path = "/reports", tag = "moderation", security(("bearer" = [])), request_body = ReportInput,
    responses((status = 201, body = Report), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn report(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiJson(input): ApiJson<ReportInput>,
) -> Result<(StatusCode, Json<Report>), ApiError> {
    state
        .check_rate("report", actor.user_id.to_string())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(state.admin.report(&actor, input).await?),
    ))
}

/// `GET /admin/reports` parameters.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ReportParams {
    /// `open` (default) or `resolved`.
    status: Option<String>,
}

/// Reports by status, oldest first (admins).
#[utoipa::path(get, path = "/admin/reports", tag = "moderation", security(("bearer" = [])), params(ReportParams),
    responses((status = 200, body = Vec<Report>), (status = 403, body = ErrorBody)))]
pub async fn reports(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiQuery(params): ApiQuery<ReportParams>,
) -> Result<Json<Vec<Report>>, ApiError> {
    Ok(Json(
        state
            .admin
            .reports(&actor, params.status.as_deref())
            .await?,
    ))
}

/// Resolves a report: dismiss, remove the content, or ban its author (admins).
#[utoipa::path(post, path = "/admin/reports/{id}/resolve", tag = "moderation", security(("bearer" = [])),
    params(("id" = String, Path, description = "report id")), request_body = ResolveInput,
    responses((status = 200, body = Report), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn resolve(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<ReportId>,
    ApiJson(input): ApiJson<ResolveInput>,
) -> Result<Json<Report>, ApiError> {
    Ok(Json(state.admin.resolve(&actor, id, input).await?))
}

/// Bans a user: tokens stop working, sockets are disconnected (admins).
#[utoipa::path(post, path = "/admin/users/{id}/ban", tag = "moderation", security(("bearer" = [])),
    params(("id" = String, Path, description = "user id")),
    responses((status = 204), (status = 403, body = ErrorBody)))]
pub async fn ban(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<UserId>,
) -> Result<StatusCode, ApiError> {
    state.admin.ban(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Lifts a ban (admins).
#[utoipa::path(post, path = "/admin/users/{id}/unban", tag = "moderation", security(("bearer" = [])),
    params(("id" = String, Path, description = "user id")),
    responses((status = 204), (status = 403, body = ErrorBody)))]
pub async fn unban(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<UserId>,
) -> Result<StatusCode, ApiError> {
    state.admin.unban(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How many parked events went back on the queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct Replayed {
    /// Events replayed.
    replayed: u64,
}

/// Puts every dead-lettered event back on the queue with fresh retries (admins).
#[utoipa::path(post, path = "/admin/dead-letters/replay", tag = "moderation", security(("bearer" = [])),
    responses((status = 200, body = Replayed), (status = 403, body = ErrorBody),
        (status = 503, body = ErrorBody)))]
pub async fn replay_dead_letters(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Replayed>, ApiError> {
    let replayed = state.admin.replay_dead_letters(&actor).await?;
    Ok(Json(Replayed { replayed }))
}

/// Queue depths and rates, dead letters, sockets and a 0–100 health score (admins).
#[utoipa::path(get, path = "/admin/stats", tag = "moderation", security(("bearer" = [])),
    responses((status = 200, body = AdminStats), (status = 403, body = ErrorBody)))]
pub async fn stats(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<AdminStats>, ApiError> {
    let mut database_up = true;
    let mut degraded = 0;
    for probe in state.health.iter() {
        match (probe.name(), probe.check().await) {
            ("database", HealthStatus::Down) => database_up = false,
            (_, HealthStatus::Degraded | HealthStatus::Down) => degraded += 1,
            _ => {}
        }
    }
    let sockets = state.sockets.load(Ordering::Relaxed);
    Ok(Json(state.admin.stats(
        &actor,
        sockets,
        database_up,
        degraded,
    )?))
}
