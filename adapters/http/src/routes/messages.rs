//! `/conversations/{id}/messages`: history and REST send.

use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authenticated};
use crate::state::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chatchit_application::AppError;
use chatchit_application::messages::{HistoryAnchor, HistoryPage, SendMessageInput};
use chatchit_domain::ids::{ConversationId, MessageId};
use chatchit_domain::message::Message;
use serde::Deserialize;
use utoipa::IntoParams;

/// History parameters: at most one of `before` / `after`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct HistoryParams {
    /// Older than this message, newest first.
    #[param(value_type = Option<String>)]
    before: Option<MessageId>,
    /// Newer than this message, oldest first (catch-up).
    #[param(value_type = Option<String>)]
    after: Option<MessageId>,
    /// 1–100, default 50.
    limit: Option<i64>,
}

/// A page of history.
#[utoipa::path(get, path = "/conversations/{id}/messages", tag = "messages", security(("bearer" = [])),
    params(("id" = String, Path, description = "conversation id"), HistoryParams),
    responses((status = 200, body = HistoryPage), (status = 403, body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<ConversationId>,
    ApiQuery(params): ApiQuery<HistoryParams>,
) -> Result<Json<HistoryPage>, ApiError> {
    let anchor = match (params.before, params.after) {
        (None, None) => HistoryAnchor::Latest,
        (Some(before), None) => HistoryAnchor::Before(before),
        (None, Some(after)) => HistoryAnchor::After(after),
        (Some(_), Some(_)) => {
            return Err(AppError::validation("after", "use either before or after").into());
        }
    };
    Ok(Json(
        state
            .messages
            .history(&actor, id, anchor, params.limit)
            .await?,
    ))
}

/// Sends a message, exactly as the `message:send` socket event.
#[utoipa::path(post, path = "/conversations/{id}/messages", tag = "messages", security(("bearer" = [])),
    params(("id" = String, Path, description = "conversation id")), request_body = SendMessageInput,
    responses((status = 201, body = Message), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn send(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<ConversationId>,
    ApiJson(mut input): ApiJson<SendMessageInput>,
) -> Result<(StatusCode, Json<Message>), ApiError> {
    if input.conversation_id.is_some_and(|c| c != id) {
        return Err(AppError::validation("conversationId", "does not match the path").into());
    }
    input.conversation_id = Some(id);
    // The socket's `message:send` budget: one allowance whatever carries it.
    state.limit("message:send", &actor).await?;
    let message = state.messages.send(&actor, input, None).await?;
    Ok((StatusCode::CREATED, Json(message)))
}
