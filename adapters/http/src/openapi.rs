//! The OpenAPI document's frame (info, security scheme) and the offline docs page.

use axum::response::Html;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

/// Routes and schemas are added by `utoipa-axum` from the handlers themselves.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "ChatChit",
        description = "Real-time chat backend: REST API. Realtime events use Socket.IO v4 on /socket.io/ (see docs/protocol.md)."
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "auth", description = "Accounts and tokens"),
        (name = "users", description = "Profiles"),
        (name = "conversations", description = "Direct and group conversations"),
        (name = "messages", description = "History and sending"),
        (name = "social", description = "Friends and blocks"),
        (name = "stories", description = "24-hour stories for friends"),
        (name = "calls", description = "Call history (signaling is on the socket)"),
        (name = "moderation", description = "Reports, bans and node stats"),
        (name = "operations", description = "Health")
    )
)]
pub struct ApiDoc;

/// Declares the `bearer` (JWT) security scheme the routes refer to.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}

/// `GET /docs`: a self-contained page (no CDN, works offline) that renders
/// `/api/openapi.json`.
pub async fn docs_page() -> Html<&'static str> {
    Html(include_str!("docs.html"))
}
