//! `/health/live` and `/health/ready`.

use crate::state::{AppState, HealthStatus};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The readiness answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// `ok`, or `degraded` when a service runs on its fallback.
    status: &'static str,
    /// Per service: `ok`, `degraded` or `down`.
    checks: BTreeMap<&'static str, &'static str>,
}

/// 200 while the process runs.
#[utoipa::path(get, path = "/health/live", tag = "operations", responses((status = 200)))]
pub async fn live() -> StatusCode {
    StatusCode::OK
}

/// 200 with per-service checks; 503 when the database is down.
#[utoipa::path(get, path = "/health/ready", tag = "operations",
    responses((status = 200, body = Readiness), (status = 503, body = Readiness)))]
pub async fn ready(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let mut checks = BTreeMap::new();
    let mut worst = HealthStatus::Ok;
    for probe in state.health.iter() {
        let status = probe.check().await;
        checks.insert(
            probe.name(),
            match status {
                HealthStatus::Ok => "ok",
                HealthStatus::Degraded => "degraded",
                HealthStatus::Down => "down",
            },
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
    (code, Json(Readiness { status, checks }))
}
