//! The one place protocol error codes become HTTP responses.

use axum::Json;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chatchit_application::AppError;
use serde::Serialize;
use utoipa::ToSchema;

/// `{"error": {"code", "message"}}`, the body of every REST error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// One error: a PROTOCOL.md code and a human message.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// `bad_request`, `validation`, `unauthorized`, ...
    pub code: &'static str,
    /// What went wrong, for people.
    pub message: String,
}

/// An application error on its way to the client.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

/// The HTTP status of each protocol code.
pub fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
        AppError::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::RateLimited(_) => StatusCode::TOO_MANY_REQUESTS,
        AppError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        if matches!(e, AppError::Internal(_) | AppError::Unavailable(_)) {
            tracing::error!(error = %e, "request failed");
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code: e.code(),
                message: e.client_message(),
            },
        };
        (status_of(&e), Json(body)).into_response()
    }
}

impl From<BytesRejection> for ApiError {
    fn from(r: BytesRejection) -> Self {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Self(AppError::PayloadTooLarge("request body over 1 MiB".into()))
        } else {
            Self(AppError::BadRequest(r.body_text()))
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        Self(AppError::validation("path", r.body_text()))
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        Self(AppError::validation("query", r.body_text()))
    }
}

/// The answer for routes that do not exist.
pub async fn not_found() -> ApiError {
    ApiError(AppError::NotFound("no such route".into()))
}

/// The answer to a request whose handler panicked: 500 `internal`, like any
/// other internal failure. The panic hook has logged it (once, without a
/// backtrace) and counted it; only this request is lost.
pub fn panicked(_payload: Box<dyn std::any::Any + Send + 'static>) -> Response {
    metrics::counter!("chatchit_panics_total", "task" => "request").increment(1);
    ApiError(AppError::Internal("the handler panicked".into())).into_response()
}
