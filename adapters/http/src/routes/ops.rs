//! `/health/live` and `/health/ready`.

use crate::state::{AppState, HealthStatus};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chatchit_protocol::ops::Readiness;
use std::collections::BTreeMap;

/// 200 while the process runs.
#[utoipa::path(get, path = "/health/live", tag = "operations", responses((status = 200, description = "The process runs")))]
pub async fn live() -> StatusCode {
    StatusCode::OK
}

/// 200 with per-service checks; 503 when the database is down.
#[utoipa::path(get, path = "/health/ready", tag = "operations",
    responses((status = 200, body = Readiness, description = "Ready (`ok` or `degraded`)"), (status = 503, body = Readiness, description = "The database is down")))]
pub async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let mut checks = BTreeMap::new();
    let mut worst = HealthStatus::Ok;
    for probe in state.health.iter() {
        let status = probe.check().await;
        checks.insert(
            probe.name().to_owned(),
            match status {
                HealthStatus::Ok => "ok",
                HealthStatus::Degraded => "degraded",
                HealthStatus::Down => "down",
            }
            .to_owned(),
        );
        worst = match (worst, status) {
            (HealthStatus::Down, _) | (_, HealthStatus::Down) => HealthStatus::Down,
            (HealthStatus::Degraded, _) | (_, HealthStatus::Degraded) => HealthStatus::Degraded,
            _ => HealthStatus::Ok,
        };
    }
    let (code, status) = match worst {
        HealthStatus::Ok => (StatusCode::OK, "ok"),
        HealthStatus::Degraded => (StatusCode::OK, "degraded"),
        HealthStatus::Down => (StatusCode::SERVICE_UNAVAILABLE, "down"),
    };
    (
        code,
        Json(Readiness {
            status: status.to_owned(),
            checks,
        }),
    )
}
