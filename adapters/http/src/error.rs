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
pub struct ApiError {
    /// What went wrong.
    pub error: AppError,
    /// For `rate_limited`: seconds until the quota allows one more
    /// (`Retry-After`).
    pub retry_after: Option<u64>,
}

impl From<AppError> for ApiError {
    fn from(error: AppError) -> Self {
        Self {
            error,
            retry_after: None,
        }
    }
}

impl ApiError {
    /// This error, saying when to retry if it is `rate_limited`.
    #[must_use]
    pub fn retry_after(mut self, seconds: u64) -> Self {
        if matches!(self.error, AppError::RateLimited(_)) {
            self.retry_after = Some(seconds.max(1));
        }
        self
    }
}

/// The HTTP status of each protocol code.
pub fn status_of(e: &AppError) -> StatusCode {
    StatusCode::from_u16(crate::wire::code(e).status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.error;
        if matches!(e, AppError::Internal(_) | AppError::Unavailable(_)) {
            tracing::error!(error = %e, "request failed");
        }
        // Every 429 says when to come back: the quota's own interval when
        // the limit that answered is known, else a second.
        let retry_after =
            matches!(e, AppError::RateLimited(_)).then(|| self.retry_after.unwrap_or(1));
        let body = ErrorBody {
            error: ErrorDetail {
                code: crate::wire::code(&e),
                message: e.client_message(),
            },
        };
        let mut answer = (status_of(&e), Json(body)).into_response();
        if let Some(seconds) = retry_after {
            answer
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        answer
    }
}

impl From<BytesRejection> for ApiError {
    fn from(r: BytesRejection) -> Self {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Self::from(AppError::PayloadTooLarge("request body over 1 MiB".into()))
        } else {
            Self::from(AppError::BadRequest(r.body_text()))
        }
    }
}

impl From<PathRejection> for ApiError {
    fn from(r: PathRejection) -> Self {
        Self::from(AppError::validation("path", r.body_text()))
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        Self::from(AppError::validation("query", r.body_text()))
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
    ApiError::from(AppError::NotFound("no such route".into()))
}

/// The answer to a request whose handler panicked: 500 `internal`, like any
/// other internal failure. The panic hook has logged it (once, without a
/// backtrace) and counted it; only this request is lost.
pub fn panicked(_payload: Box<dyn std::any::Any + Send + 'static>) -> Response {
    metrics::counter!("chatchit_panics_total", "task" => "request").increment(1);
    ApiError::from(AppError::Internal("the handler panicked".into())).into_response()
}
