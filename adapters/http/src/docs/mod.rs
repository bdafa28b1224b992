//! `/docs`: the two API documents rendered for people, offline — Swagger UI
//! (its assets vendored into the binary) for the REST document, and a page
//! rendered here from the AsyncAPI document for the realtime API.

mod realtime;

use crate::error::ApiError;
use crate::state::AppState;
use axum::Router;
use axum::extract::State;
use axum::response::{Html, Redirect};
use axum::routing::get;
use utoipa_swagger_ui::{Config, SwaggerUi};

/// The docs pages: `/docs` (an index), `/docs/rest/` and `/docs/realtime`.
/// Links are relative, so the pages work under a host's prefix too.
pub fn routes() -> Router<AppState> {
    // Relative to /docs/rest/, where Swagger UI's page is.
    let swagger = SwaggerUi::new("/docs/rest").config(Config::from("../../api/openapi.json"));
    Router::new()
        .route("/docs", get(index))
        .route("/docs/", get(|| async { Redirect::permanent("../docs") }))
        .route("/docs/realtime", get(realtime_page))
        .merge(Router::from(swagger))
}

/// `GET /docs`.
async fn index() -> Html<&'static str> {
    Html(include_str!("index.html"))
}

/// `GET /docs/realtime`.
async fn realtime_page(State(state): State<AppState>) -> Result<Html<String>, ApiError> {
    let document = crate::routes::realtime_document(&state)?;
    Ok(Html(realtime::render(&document)))
}
