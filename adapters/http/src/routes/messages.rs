//! `/conversations/{id}/messages`: history and REST send.

use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Authenticated};
use crate::state::AppState;
use crate::wire::{IntoInput, ToWire};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chatchit_application::AppError;
use chatchit_application::messages::HistoryAnchor;
use chatchit_domain::ids::{ConversationId, MessageId};
use chatchit_protocol::messages::{HistoryPage, HistoryQuery, Message, SendMessage};

/// A page of history.
#[utoipa::path(get, path = "/conversations/{id}/messages", tag = "messages", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "conversation id"), HistoryQuery),
    responses((status = 200, body = HistoryPage, description = "A page of messages"), (status = 403, body = ErrorBody, description = "Not a member"), (status = 404, body = ErrorBody, description = "No such conversation or anchor message")))]
pub async fn history(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<ConversationId>,
    ApiQuery(params): ApiQuery<HistoryQuery>,
) -> Result<Json<HistoryPage>, ApiError> {
    let anchor = match (params.before, params.after) {
        (None, None) => HistoryAnchor::Latest,
        (Some(before), None) => HistoryAnchor::Before(MessageId(before)),
        (None, Some(after)) => HistoryAnchor::After(MessageId(after)),
        (Some(_), Some(_)) => {
            return Err(AppError::validation("after", "use either before or after").into());
        }
    };
    Ok(Json(
        state
            .messages
            .history(&actor, id, anchor, params.limit)
            .await?
            .to_wire(),
    ))
}

/// Sends a message, exactly as the `message:send` socket event.
#[utoipa::path(post, path = "/conversations/{id}/messages", tag = "messages", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "conversation id")), request_body = SendMessage,
    responses((status = 201, body = Message, description = "Stored (or, for a repeated `clientMsgId`, the message stored before)"), (status = 403, body = ErrorBody, description = "Not a member, or blocked"), (status = 404, body = ErrorBody, description = "No such conversation or reply target")))]
pub async fn send(
    State(state): State<AppState>,
    Authenticated(actor): Authenticated,
    ApiPath(id): ApiPath<ConversationId>,
    ApiJson(mut input): ApiJson<SendMessage>,
) -> Result<(StatusCode, Json<Message>), ApiError> {
    if input.conversation_id.is_some_and(|c| c != id.0) {
        return Err(AppError::validation("conversationId", "does not match the path").into());
    }
    input.conversation_id = Some(id.0);
    // The socket's `message:send` budget: one allowance whatever carries it.
    state.limit("message:send", &actor).await?;
    let message = state
        .messages
        .send(&actor, input.into_input(), None)
        .await?;
    Ok((StatusCode::CREATED, Json(message.to_wire())))
}
