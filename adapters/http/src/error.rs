//! The one place protocol error codes become HTTP responses.

use axum::Json;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chatchit_application::AppError;
pub use chatchit_protocol::ErrorBody;
use chatchit_protocol::ErrorDetail;

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
    StatusCode::from_u16(crate::wire::code(e).status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        if matches!(e, AppError::Internal(_) | AppError::Unavailable(_)) {
            tracing::error!(error = %e, "request failed");
        }
        let body = ErrorBody {
            error: ErrorDetail {
                code: crate::wire::code(&e),
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
