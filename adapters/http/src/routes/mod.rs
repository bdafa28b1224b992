//! The REST routes, collected with their OpenAPI descriptions.

mod admin;
mod auth;
mod calls;
mod conversations;
mod messages;
mod ops;
mod social;
mod stories;
mod users;

use crate::error::ApiError;
use crate::metrics_endpoint;
use crate::openapi::ApiDoc;
use crate::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use tower_http::LatencyUnit;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Largest accepted request body (1 MiB); larger ones get 413.
const BODY_LIMIT: usize = 1024 * 1024;

/// The REST API under `/api/v1` and the OpenAPI document describing it.
fn api(state: &AppState) -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let auth = OpenApiRouter::new()
        .routes(routes!(auth::register))
        .routes(routes!(auth::login))
        .routes(routes!(auth::refresh))
        .routes(routes!(auth::logout))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::limit_per_ip,
        ));
    let v1 = OpenApiRouter::new()
        .merge(auth)
        .routes(routes!(users::me, users::update_me))
        .routes(routes!(users::get_user))
        .routes(routes!(users::search_users))
        .routes(routes!(conversations::list))
        .routes(routes!(conversations::open_direct))
        .routes(routes!(conversations::create_group))
        .routes(routes!(
            conversations::get_conversation,
            conversations::update
        ))
        .routes(routes!(conversations::add_members))
        .routes(routes!(
            conversations::remove_member,
            conversations::set_role
        ))
        .routes(routes!(messages::history, messages::send))
        .routes(routes!(social::friends))
        .routes(routes!(social::requests, social::request))
        .routes(routes!(social::accept))
        .routes(routes!(social::decline))
        .routes(routes!(social::cancel))
        .routes(routes!(social::unfriend))
        .routes(routes!(social::blocks))
        .routes(routes!(social::block, social::unblock))
        .routes(routes!(calls::call_history))
        .routes(routes!(stories::post, stories::feed))
        .routes(routes!(stories::get_story, stories::delete))
        .routes(routes!(stories::view, stories::viewers))
        .routes(routes!(stories::like, stories::unlike))
        .routes(routes!(stories::comment, stories::comments))
        .routes(routes!(admin::report))
        .routes(routes!(admin::reports))
        .routes(routes!(admin::resolve))
        .routes(routes!(admin::users))
        .routes(routes!(admin::ban))
        .routes(routes!(admin::unban))
        .routes(routes!(admin::stats))
        .routes(routes!(admin::replay_dead_letters))
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::limit_writes,
        ));
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .nest("/api/v1", v1)
        .routes(routes!(ops::live))
        .routes(routes!(ops::ready))
        .split_for_parts()
}

/// The whole HTTP surface but the Socket.IO layer (added by the caller) and
/// `/metrics` ([`metrics_route`], for whoever installed the exporter): REST,
/// operations, docs. It has no fallback, so a host can merge it into a router
/// of its own; ChatChit's binary adds [`crate::error::not_found`].
pub fn router(state: AppState) -> Router {
    let (api, mut openapi) = api(&state);
    crate::openapi::complete(&mut openapi);
    let spec = serde_json::to_string(&openapi).unwrap_or_else(|_| "{}".to_owned());
    let api = api
        .route(
            "/api/openapi.json",
            get(move || {
                let spec = spec.clone();
                async move {
                    (
                        [(axum::http::header::CONTENT_TYPE, "application/json")],
                        spec,
                    )
                }
            }),
        )
        .route("/api/asyncapi.json", get(asyncapi))
        .merge(crate::docs::routes());
    edge(api).with_state(state)
}

/// What every HTTP route of ChatChit's gets, the API's and the web pages'
/// alike: metrics by route template, the error envelope on 405, the body
/// limit, contained panics, and the access log with its request id.
pub(crate) fn edge<S: Clone + Send + Sync + 'static>(routes: Router<S>) -> Router<S> {
    routes
        .route_layer(axum::middleware::from_fn(metrics_endpoint::track))
        .layer(axum::middleware::map_response(
            crate::error::method_not_allowed,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(CatchPanicLayer::custom(crate::error::panicked))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(access_log())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
}

/// A request as the access log sees it.
type Request = axum::http::Request<axum::body::Body>;

/// Names a request's span.
type MakeSpan = fn(&Request) -> tracing::Span;

/// The access log's layer.
type AccessLog = TraceLayer<
    tower_http::classify::SharedClassifier<tower_http::classify::ServerErrorsAsFailures>,
    MakeSpan,
    tower_http::trace::DefaultOnRequest,
    DefaultOnResponse,
>;

/// One INFO line per request when it is answered: method, path (never the
/// query, which may hold a cursor or a polling session id), status, latency
/// and the request id (`x-request-id`: the client's, or a new UUID, sent
/// back in the answer).
fn access_log() -> AccessLog {
    fn span(request: &Request) -> tracing::Span {
        let id = request
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-");
        tracing::info_span!("request", method = %request.method(), path = %request.uri().path(), id = %id)
    }
    TraceLayer::new_for_http()
        .make_span_with(span as MakeSpan)
        .on_response(
            DefaultOnResponse::new()
                .level(tracing::Level::INFO)
                .latency_unit(LatencyUnit::Millis),
        )
}

/// `GET /api/asyncapi.json`: the realtime API this server answers.
async fn asyncapi(State(state): State<AppState>) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(realtime_document(&state)?))
}

/// The AsyncAPI document of the commands `state` answers.
///
/// # Errors
/// `Internal` when the handler registry and chatchit-protocol disagree (a
/// bug the tests catch).
pub fn realtime_document(state: &AppState) -> Result<serde_json::Value, ApiError> {
    let names: Vec<&'static str> = state.events.iter().map(|e| e.event()).collect();
    chatchit_protocol::asyncapi::document(
        &chatchit_protocol::asyncapi::Registered(&names),
        env!("CARGO_PKG_VERSION"),
    )
    .map_err(|e| ApiError::from(chatchit_application::AppError::Internal(e.to_string())))
}

/// `GET /metrics`: the Prometheus text of the recorder [`crate::prometheus`]
/// installed.
pub fn metrics_route() -> Router {
    Router::new().route("/metrics", get(metrics_endpoint::render))
}
