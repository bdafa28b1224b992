//! The OpenAPI document's frame (info, servers, security scheme) and the
//! error answers every route shares.

use chatchit_protocol::{ErrorBody, ErrorCode, ErrorDetail};
use utoipa::openapi::path::Operation;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::Ref;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, RefOr};
use utoipa::{Modify, OpenApi, PartialSchema, ToSchema};

/// Routes and schemas are added by `utoipa-axum` from the handlers themselves.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "ChatChit",
        description = "Real-time chat backend: REST API. Realtime commands and events use Socket.IO v4 on /socket.io/, described by the AsyncAPI document at /api/asyncapi.json; docs/protocol.md is the whole contract. Every error answer is `{\"error\": {\"code\", \"message\"}}`.",
        license(name = "MIT OR Apache-2.0")
    ),
    servers((url = "/", description = "This server")),
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

/// What each status means when a route does not say more.
fn meaning(status: &str) -> &'static str {
    match status {
        "200" => "Done",
        "201" => "Created",
        "204" => "Done; no body",
        "400" => "Malformed request: not JSON, or a bad path or query",
        "401" => "No valid access token (missing, expired, revoked, or the user is banned)",
        "403" => "Not allowed",
        "404" => "Not found, or not visible to the caller",
        "409" => "Conflicts with what exists",
        "413" => "The body is over 1 MiB",
        "422" => "A field breaks a rule; the message names it",
        "429" => "Over a quota; retry after a while",
        "500" => "A server bug; the detail is in the server's log",
        "503" => "A backing service is down; retry",
        _ => "See the description",
    }
}

/// Adds the error answers a route can give by its shape (a body can be
/// malformed or too large; a bearer route can be unauthorized; a write can
/// be rate-limited; anything can fail inside), each with the error
/// envelope, and describes every answer that has no description of its own.
pub fn complete(doc: &mut utoipa::openapi::OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    for (name, schema) in [
        (ErrorBody::name(), ErrorBody::schema()),
        (ErrorDetail::name(), ErrorDetail::schema()),
        (ErrorCode::name(), ErrorCode::schema()),
    ] {
        components
            .schemas
            .entry(name.into_owned())
            .or_insert(schema);
    }
    for (path, item) in doc.paths.paths.iter_mut() {
        let api = path.starts_with("/api/v1");
        let operations = [
            (false, item.get.as_mut()),
            (true, item.post.as_mut()),
            (true, item.put.as_mut()),
            (true, item.patch.as_mut()),
            (true, item.delete.as_mut()),
        ];
        for (write, op) in operations {
            let Some(op) = op else { continue };
            let bearer = op.security.as_ref().is_some_and(|s| !s.is_empty());
            let body = op.request_body.is_some();
            let params = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
            let limited = api && (write || path.starts_with("/api/v1/auth"));
            let errors = [
                ("400", body || params),
                ("401", bearer),
                ("413", body),
                ("422", body || params),
                ("429", limited),
                ("500", api),
                ("503", api),
            ];
            for (status, applies) in errors {
                if applies {
                    op.responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| error(status));
                }
            }
            describe(op);
        }
    }
}

fn error(status: &str) -> RefOr<utoipa::openapi::Response> {
    ResponseBuilder::new()
        .description(meaning(status))
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build(),
        )
        .build()
        .into()
}

fn describe(op: &mut Operation) {
    for (status, response) in op.responses.responses.iter_mut() {
        if let RefOr::T(response) = response
            && response.description.is_empty()
        {
            meaning(status).clone_into(&mut response.description);
        }
    }
}
