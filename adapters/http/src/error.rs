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

/// Puts a 405 that axum answered with an empty body (a route asked with a
/// method it does not have) into the error envelope, keeping its `Allow`.
pub async fn method_not_allowed(response: Response) -> Response {
    if response.status() != StatusCode::METHOD_NOT_ALLOWED
        || response
            .headers()
            .contains_key(axum::http::header::CONTENT_TYPE)
    {
        return response;
    }
    let (parts, _) = response.into_parts();
    let body = Json(ErrorBody {
        error: ErrorDetail {
            code: chatchit_protocol::ErrorCode::MethodNotAllowed,
            message: "this route does not take that method; Allow lists those it takes".into(),
        },
    });
    let mut answer = body.into_response();
    *answer.status_mut() = parts.status;
    for (name, value) in &parts.headers {
        answer
            .headers_mut()
            .entry(name)
            .or_insert_with(|| value.clone());
    }
    answer
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
