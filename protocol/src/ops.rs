//! Health answers.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// `GET /health/ready`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"status": "ok", "checks": {"database": "ok", "queue": "ok"}}))]
pub struct Readiness {
    /// `ok`, `degraded` (a service runs on its fallback) or `down`.
    pub status: String,
    /// Per service: `ok`, `degraded` or `down`.
    pub checks: BTreeMap<String, String>,
}
