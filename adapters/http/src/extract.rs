//! Extractors that answer bad input in the protocol's error shape: JSON
//! bodies (400 / 422 / 413), path and query parameters, and the bearer token.

use crate::error::ApiError;
use crate::state::AppState;
use crate::text_guard;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use chatchit_application::{Actor, AppError};
use serde::de::DeserializeOwned;
use serde_json::error::Category;

/// A JSON body: unparseable → 400 `bad_request`, wrong shape → 422
/// `validation` naming the field, over 1 MiB → 413 `payload_too_large`.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await?;
        if std::str::from_utf8(&bytes).is_ok_and(text_guard::json_has_control) {
            return Err(ApiError::from(AppError::validation(
                "text",
                text_guard::REFUSED,
            )));
        }
        let malformed = |e: &serde_json::Error| {
            ApiError::from(AppError::BadRequest(format!("malformed JSON: {e}")))
        };
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        match serde_path_to_error::deserialize(&mut de) {
            Ok(v) => {
                de.end().map_err(|e| malformed(&e))?;
                Ok(Self(v))
            }
            Err(e) => match e.inner().classify() {
                Category::Data => {
                    let path = e.path().to_string();
                    let field = if path == "." { "body".to_owned() } else { path };
                    Err(ApiError::from(AppError::validation(
                        field,
                        e.inner().to_string(),
                    )))
                }
                _ => Err(malformed(e.inner())),
            },
        }
    }
}

/// The caller, from `Authorization: Bearer <accessToken>` of a live session.
pub struct Authenticated(pub Actor);

impl FromRequestParts<AppState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(&parts.headers)
            .ok_or_else(|| ApiError::from(AppError::Unauthorized("missing bearer token".into())))?;
        Ok(Self(state.identity.authenticate(token).await?))
    }
}

/// The token of `Authorization: Bearer <token>` (the scheme in any case, as
/// RFC 9110 says), if there is one.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then_some(token.trim())
        .filter(|t| !t.is_empty())
}

/// A path parameter; a malformed one is 422 `validation`.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// Query parameters; malformed ones, and ones carrying control characters,
/// are 422 `validation`.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        if parts.uri.query().is_some_and(text_guard::query_has_control) {
            return Err(ApiError::from(AppError::validation(
                "query",
                text_guard::REFUSED,
            )));
        }
        let axum::extract::Query(value) =
            axum::extract::Query::<T>::from_request_parts(parts, state).await?;
        Ok(Self(value))
    }
}
