//! `/reports` and `/admin/*`.

use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authenticated};
use crate::state::{AppState, HealthStatus};
use crate::wire::{IntoInput, ToWire};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chatchit_domain::ids::UserId;
use chatchit_domain::report::ReportId;
use chatchit_protocol::admin::{
    Account, AdminStats, NewReport, Replayed, Report, ReportStatus, ReportsQuery, ResolveReport,
    UsersQuery,
};
use std::sync::atomic::Ordering;

/// Reports a user or a message to the admins.
#[utoipa::path(post, path = "/reports", tag = "moderation", security(("bearer" = [])), request_body = NewReport,
    responses((status = 201, body = Report, description = "Reported"), (status = 404, body = ErrorBody, description = "Nothing to report by that id")))]
pub async fn report(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiJson(input): ApiJson<NewReport>,
) -> Result<(StatusCode, Json<Report>), ApiError> {
    state
        .check_rate("report", actor.user_id.to_string())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(
            state
                .admin
                .report(&actor, input.into_input())
                .await?
                .to_wire(),
        ),
    ))
}

/// Reports by status, oldest first (admins).
#[utoipa::path(get, path = "/admin/reports", tag = "moderation", security(("bearer" = [])), params(ReportsQuery),
    responses((status = 200, body = Vec<Report>, description = "Reports, oldest first"), (status = 403, body = ErrorBody, description = "Not an admin")))]
pub async fn reports(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiQuery(params): ApiQuery<ReportsQuery>,
) -> Result<Json<Vec<Report>>, ApiError> {
    Ok(Json(
        state
            .admin
            .reports(&actor, params.status.map(status_name))
            .await?
            .to_wire(),
    ))
}

/// Resolves a report: dismiss, remove the content, or ban its author (admins).
#[utoipa::path(post, path = "/admin/reports/{id}/resolve", tag = "moderation", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "report id")), request_body = ResolveReport,
    responses((status = 200, body = Report, description = "Resolved"), (status = 403, body = ErrorBody, description = "Not an admin"), (status = 404, body = ErrorBody, description = "No such report"), (status = 409, body = ErrorBody, description = "Already resolved")))]
pub async fn resolve(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<ReportId>,
    ApiJson(input): ApiJson<ResolveReport>,
) -> Result<Json<Report>, ApiError> {
    Ok(Json(
        state
            .admin
            .resolve(&actor, id, input.into_input())
            .await?
            .to_wire(),
    ))
}

/// Accounts by username prefix, banned ones included and marked (admins).
#[utoipa::path(get, path = "/admin/users", tag = "moderation", security(("bearer" = [])), params(UsersQuery),
    responses((status = 200, body = Vec<Account>, description = "Accounts, by username"),
        (status = 403, body = ErrorBody, description = "Not an admin")))]
pub async fn users(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiQuery(params): ApiQuery<UsersQuery>,
) -> Result<Json<Vec<Account>>, ApiError> {
    let found = state
        .admin
        .find_users(
            &actor,
            params.query.as_deref().unwrap_or_default(),
            params.limit,
        )
        .await?;
    Ok(Json(found.into_iter().map(crate::wire::account).collect()))
}

/// Bans a user: tokens stop working, sockets are disconnected (admins).
#[utoipa::path(post, path = "/admin/users/{id}/ban", tag = "moderation", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "user id")),
    responses((status = 204, description = "Banned"), (status = 403, body = ErrorBody, description = "Not an admin, or the target is an admin"), (status = 404, body = ErrorBody, description = "No such user")))]
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
    params(("id" = uuid::Uuid, Path, description = "user id")),
    responses((status = 204, description = "Ban lifted"), (status = 403, body = ErrorBody, description = "Not an admin"), (status = 404, body = ErrorBody, description = "No such user")))]
pub async fn unban(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<UserId>,
) -> Result<StatusCode, ApiError> {
    state.admin.unban(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Puts every dead-lettered event back on the queue with fresh retries (admins).
#[utoipa::path(post, path = "/admin/dead-letters/replay", tag = "moderation", security(("bearer" = [])),
    responses((status = 200, body = Replayed, description = "Events put back"), (status = 403, body = ErrorBody, description = "Not an admin")))]
pub async fn replay_dead_letters(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Replayed>, ApiError> {
    let replayed = state.admin.replay_dead_letters(&actor).await?;
    Ok(Json(Replayed { replayed }))
}

/// Queue depths and rates, dead letters, sockets and a 0–100 health score (admins).
#[utoipa::path(get, path = "/admin/stats", tag = "moderation", security(("bearer" = [])),
    responses((status = 200, body = AdminStats, description = "This node's figures"), (status = 403, body = ErrorBody, description = "Not an admin")))]
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
    Ok(Json(
        state
            .admin
            .stats(&actor, sockets, database_up, degraded)?
            .to_wire(),
    ))
}

/// The application's name of a report state.
fn status_name(status: ReportStatus) -> &'static str {
    match status {
        ReportStatus::Open => "open",
        ReportStatus::Resolved => "resolved",
    }
}
