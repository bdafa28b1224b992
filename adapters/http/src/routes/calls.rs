//! `/calls`: the caller's call history.

use crate::error::ApiError;
use crate::extract::Authenticated;
use crate::state::AppState;
use crate::wire::ToWire;
use axum::Json;
use axum::extract::State;
use chatchit_protocol::calls::Call;

/// The caller's calls, newest first (at most 100).
#[utoipa::path(get, path = "/calls", tag = "calls", security(("bearer" = [])),
    responses((status = 200, body = Vec<Call>, description = "Calls, newest first")))]
pub async fn call_history(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
) -> Result<Json<Vec<Call>>, ApiError> {
    Ok(Json(state.calls.history(&actor).await?.to_wire()))
}
