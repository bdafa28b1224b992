//! The Engine.IO requests on `/socket.io/`: a handshake or a poll (GET), a
//! websocket (GET with an upgrade), the client's packets (POST), and the
//! refusals with the reference server's codes.

use super::session::{Session, parse_sid};
use super::{Inner, SessionOwner, WS_READ_BUFFER, WS_WRITE_BUFFER, polling, websocket};
use axum::body::Bytes;
use axum::extract::ws::{WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::net::IpAddr;
use std::sync::Arc;

/// The query every Engine.IO request carries.
#[derive(Debug, Deserialize)]
pub(super) struct EngineQuery {
    /// The protocol version; only 4 is served.
    #[serde(rename = "EIO")]
    eio: Option<String>,
    /// `polling` or `websocket`.
    transport: Option<String>,
    /// The session, once there is one.
    sid: Option<String>,
}

/// An Engine.IO request refused, with the reference server's codes.
#[derive(Debug, Clone, Copy)]
pub(super) enum Refusal {
    /// Neither `polling` nor `websocket`.
    UnknownTransport,
    /// No such session (it ended, or never was).
    UnknownSession,
    /// A request that does not fit the session's state.
    BadRequest,
    /// A handshake (no session yet) by a method other than GET.
    BadHandshakeMethod,
    /// Not Engine.IO 4.
    UnsupportedVersion,
    /// The client holds as many sessions as it may.
    TooManySessions,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (code, message) = match self {
            Self::UnknownTransport => (0, "Transport unknown"),
            Self::UnknownSession => (1, "Session ID unknown"),
            Self::BadHandshakeMethod => (2, "Bad handshake method"),
            Self::BadRequest => (3, "Bad request"),
            Self::UnsupportedVersion => (5, "Unsupported protocol version"),
            Self::TooManySessions => (3, "Too many sessions"),
        };
        let status = match self {
            Self::TooManySessions => StatusCode::TOO_MANY_REQUESTS,
            _ => StatusCode::BAD_REQUEST,
        };
        let body = serde_json::json!({ "code": code, "message": message });
        (status, axum::Json(body)).into_response()
    }
}

/// Checks the version and finds the session named in the query.
fn session_of(inner: &Inner, query: &EngineQuery) -> Result<Option<Arc<Session>>, Refusal> {
    if query.eio.as_deref() != Some("4") {
        return Err(Refusal::UnsupportedVersion);
    }
    match &query.sid {
        None => Ok(None),
        Some(sid) => parse_sid(sid)
            .and_then(|sid| inner.hub.get(sid))
            .map(Some)
            .ok_or(Refusal::UnknownSession),
    }
}

/// The client a request comes from (see [`crate::client::address`]).
pub(super) struct Client(Option<IpAddr>);

impl axum::extract::FromRequestParts<Arc<Inner>> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        inner: &Arc<Inner>,
    ) -> Result<Self, Self::Rejection> {
        let trusted = inner.settings.limits.trust_forwarded_for;
        Ok(Self(crate::client::address(parts, trusted)))
    }
}

pub(super) async fn on_get(
    State(inner): State<Arc<Inner>>,
    Client(client): Client,
    Query(query): Query<EngineQuery>,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let session = match session_of(&inner, &query) {
        Ok(session) => session,
        Err(refused) => return refused.into_response(),
    };
    match (query.transport.as_deref(), session) {
        (Some("polling"), None) => polling::open(&inner, client),
        (Some("polling"), Some(session)) if !session.is_upgraded() => {
            polling::poll(&inner, &session).await
        }
        (Some("websocket"), session) => {
            let Ok(upgrade) = upgrade else {
                return Refusal::BadRequest.into_response();
            };
            let upgrade = upgrade
                .read_buffer_size(WS_READ_BUFFER)
                .write_buffer_size(WS_WRITE_BUFFER)
                .max_message_size(inner.settings.max_payload);
            match session {
                None => match inner.open(true, client) {
                    Some(session) => {
                        // Owned from here: should the upgrade never complete,
                        // the callback is dropped and the session ends with it.
                        let owner = SessionOwner::new(&inner, &session);
                        upgrade.on_upgrade(move |ws| {
                            websocket::detach(websocket::run_fresh(inner, ws, session, owner))
                        })
                    }
                    None => Refusal::TooManySessions.into_response(),
                },
                Some(session) if !session.is_upgraded() => {
                    upgrade.on_upgrade(move |ws| websocket::run_upgrade(inner, ws, session))
                }
                // As the reference server does: the second websocket of an
                // upgraded session is accepted and closed at once.
                Some(_) => upgrade.on_upgrade(websocket::close_at_once),
            }
        }
        (Some("polling"), Some(_)) => Refusal::BadRequest.into_response(),
        _ => Refusal::UnknownTransport.into_response(),
    }
}

pub(super) async fn on_post(
    State(inner): State<Arc<Inner>>,
    Query(query): Query<EngineQuery>,
    body: Bytes,
) -> Response {
    let session = match session_of(&inner, &query) {
        Ok(Some(session)) if query.transport.as_deref() == Some("polling") => session,
        Ok(Some(_)) => return Refusal::BadRequest.into_response(),
        Ok(None) => return Refusal::BadHandshakeMethod.into_response(),
        Err(refused) => return refused.into_response(),
    };
    let Ok(body) = std::str::from_utf8(&body) else {
        return Refusal::BadRequest.into_response();
    };
    polling::post(&inner, &session, body).await
}

/// Any method but GET and POST: a handshake by it is a bad handshake method
/// (as the reference server answers), a request of a session a bad request.
pub(super) async fn on_other_method(
    State(inner): State<Arc<Inner>>,
    Query(query): Query<EngineQuery>,
) -> Response {
    match session_of(&inner, &query) {
        Ok(None) => Refusal::BadHandshakeMethod.into_response(),
        Ok(Some(_)) => Refusal::BadRequest.into_response(),
        Err(refused) => refused.into_response(),
    }
}
