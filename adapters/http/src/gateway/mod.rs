//! The realtime gateway: Engine.IO 4 / Socket.IO 5 served by ChatChit itself
//! (websocket, and HTTP long-polling with upgrade), so an idle socket costs
//! one task, its small websocket buffers and its room entries. It
//! authenticates the handshake, keeps each socket in its rooms (its user, its
//! login session, its conversations) and routes every client event to its
//! registered `EventEndpoint`. Nothing outside this module knows how the
//! realtime side is served.

mod delivery;
mod hub;
mod order;
mod packet;
mod polling;
mod rooms;
mod session;
mod socket;
mod websocket;

pub use delivery::SocketDelivery;

use crate::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::ws::{WebSocketUpgrade, rejection::WebSocketUpgradeRejection};
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chatchit_application::handler::EventEndpoint;
use hub::Hub;
use serde::Deserialize;
use session::{Session, Sid, parse_sid, sid_text};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio_util::task::TaskTracker;

/// The Engine.IO heartbeat: the server pings every `interval` and drops a
/// socket whose pong has not come within `timeout`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Heartbeat {
    /// Time between the server's pings.
    pub interval: Duration,
    /// Time a pong may take.
    pub timeout: Duration,
}

impl Default for Heartbeat {
    /// The reference server's 25 s and 20 s.
    fn default() -> Self {
        Self {
            interval: Duration::from_secs(25),
            timeout: Duration::from_secs(20),
        }
    }
}

/// What an Engine.IO session may hold before it has proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLimits {
    /// How long a session may stay without joining namespace `/`.
    pub connect_timeout: Duration,
    /// Sessions one client (an IPv4 address, an IPv6 /64) may hold at once;
    /// 0 means no limit.
    pub max_per_client: usize,
    /// Whether the client is the last `X-Forwarded-For` entry.
    pub trust_forwarded_for: bool,
}

impl Default for SessionLimits {
    /// The reference server's 45 s connect timeout, 500 sessions per client.
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(45),
            max_per_client: 500,
            trust_forwarded_for: false,
        }
    }
}

/// Heartbeat and size limits, as the handshake announces them.
#[derive(Debug, Clone, Copy)]
struct Settings {
    /// Time between the server's pings.
    ping_interval: Duration,
    /// Time a pong may take.
    ping_timeout: Duration,
    /// Largest packet taken, in bytes.
    max_payload: usize,
    /// Connect timeout and sessions per client.
    limits: SessionLimits,
}

/// Largest packet taken, in bytes (the REST body limit too).
const MAX_PAYLOAD: usize = 1024 * 1024;

/// Bytes each websocket reads at a time: chat frames are small, and larger
/// ones still arrive, in more reads.
const WS_READ_BUFFER: usize = 512;
/// Bytes of frames a websocket gathers before writing; everything waiting is
/// written at once anyway, so this only bounds one write.
const WS_WRITE_BUFFER: usize = 8 * 1024;
/// How long a shutdown waits for sockets to say goodbye.
const CLOSE_GRACE: Duration = Duration::from_secs(2);

/// The application side, given once the services exist.
struct App {
    /// Services the handshake and disconnect use.
    state: AppState,
    /// Event name → its endpoint.
    endpoints: HashMap<&'static str, Arc<dyn EventEndpoint>>,
}

/// What every transport task shares.
struct Inner {
    /// Sessions and rooms.
    hub: Hub,
    /// Set by [`Gateway::register`].
    app: OnceLock<App>,
    /// Heartbeat and limits.
    settings: Settings,
    /// The event handlers running, so a shutdown lets them finish (their
    /// appends committed, their events queued) before the queues stop.
    events: TaskTracker,
    /// Open sessions per client (address or /64), for `max_per_client`.
    clients: std::sync::Mutex<HashMap<IpAddr, usize>>,
}

impl Inner {
    /// A new session of `client`, registered; `None` when that client holds
    /// as many sessions as it may.
    fn open(&self, upgraded: bool, client: Option<IpAddr>) -> Option<Arc<Session>> {
        let client = client.map(crate::client::prefix);
        if let Some(client) = client {
            let mut clients = session::lock(&self.clients);
            let held = clients.entry(client).or_default();
            let cap = self.settings.limits.max_per_client;
            if cap > 0 && *held >= cap {
                return None;
            }
            *held += 1;
        }
        let session = Arc::new(Session::new(rand::random::<Sid>(), upgraded, client));
        self.hub.insert(session.clone());
        Some(session)
    }

    /// Takes the session out of the hub (and out of its client's count),
    /// once: true the first time.
    fn forget(&self, session: &Session) -> bool {
        if self.hub.remove(session.sid).is_none() {
            return false;
        }
        if let Some(client) = session.client {
            let mut clients = session::lock(&self.clients);
            if let Some(held) = clients.get_mut(&client) {
                *held = held.saturating_sub(1);
                if *held == 0 {
                    clients.remove(&client);
                }
            }
        }
        true
    }

    /// The Engine.IO handshake frame for `sid`.
    fn handshake(&self, sid: Sid, upgrades: &[&str]) -> String {
        packet::Handshake {
            sid: &sid_text(sid),
            upgrades,
            ping_interval: millis(self.settings.ping_interval),
            ping_timeout: millis(self.settings.ping_timeout),
            max_payload: self.settings.max_payload,
        }
        .frame()
    }

    /// Ends a session: its transport stops and its socket disconnects.
    async fn end(&self, session: &Arc<Session>) {
        session.close();
        self.forget(session);
        // Boxed: it runs once, at the end, and would otherwise make every
        // socket's resident task as large as its own state.
        Box::pin(socket::disconnect(self, session)).await;
    }
}

/// Ends its session when dropped, however the task that owns the session
/// exits: returning, a transport error, or a panic unwinding through it. So
/// no bug can leave a session (and its user's presence, and its rooms) behind.
struct SessionOwner {
    /// The gateway and the session, until ended or released.
    held: Option<(Arc<Inner>, Arc<Session>)>,
}

impl SessionOwner {
    /// The task that calls this owns `session` from now on.
    fn new(inner: &Arc<Inner>, session: &Arc<Session>) -> Self {
        Self {
            held: Some((inner.clone(), session.clone())),
        }
    }

    /// Ends the session now.
    async fn end(mut self) {
        if let Some((inner, session)) = self.held.take() {
            inner.end(&session).await;
        }
    }

    /// Another task owns the session from now on (a long-polling session
    /// that moved to a websocket).
    fn release(mut self) {
        self.held = None;
    }
}

impl Drop for SessionOwner {
    fn drop(&mut self) {
        let Some((inner, session)) = self.held.take() else {
            return;
        };
        // Leave the hub and every room at once; the rest (presence) needs
        // the runtime, which a task that unwinds is still on.
        session.close();
        inner.forget(&session);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move { inner.end(&session).await });
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// The Socket.IO server: created before the application services (they need
/// its delivery side), then given the services with [`Gateway::register`].
#[derive(Clone)]
pub struct Gateway {
    /// Shared with every transport task.
    inner: Arc<Inner>,
}

impl Gateway {
    /// A gateway with no sockets yet, keeping `heartbeat` and `limits`.
    pub fn new(heartbeat: Heartbeat, limits: SessionLimits) -> Self {
        Self {
            inner: Arc::new(Inner {
                hub: Hub::default(),
                app: OnceLock::new(),
                settings: Settings {
                    ping_interval: heartbeat.interval,
                    ping_timeout: heartbeat.timeout,
                    max_payload: MAX_PAYLOAD,
                    limits,
                },
                events: TaskTracker::new(),
                clients: std::sync::Mutex::default(),
            }),
        }
    }

    /// The routes under `/socket.io/`, to merge into the HTTP router.
    pub fn routes(&self) -> Router {
        Router::new()
            .route(
                "/socket.io/",
                get(on_get).post(on_post).fallback(on_other_method),
            )
            .layer(DefaultBodyLimit::max(MAX_PAYLOAD))
            .with_state(self.inner.clone())
    }

    /// The `Delivery` port implementation backed by this gateway.
    pub fn delivery(&self) -> SocketDelivery {
        SocketDelivery::new(&self.inner)
    }

    /// Starts admitting sockets, answering events with the endpoints in
    /// `state`. Until then handshakes are refused as `unavailable`.
    pub fn register(&self, state: AppState) {
        let endpoints = state
            .events
            .iter()
            .map(|e| (e.event(), e.clone()))
            .collect();
        if self.inner.app.set(App { state, endpoints }).is_err() {
            tracing::warn!("the gateway was registered twice; the first registration stays");
            return;
        }
        tokio::spawn(enforce_revocations(Arc::downgrade(&self.inner)));
    }

    /// Disconnects every socket (graceful shutdown): each is told and closed,
    /// and those that have not gone within a grace period are dropped; then
    /// waits (within the same grace period) for the event handlers still
    /// running, so what they accepted is stored and queued before the
    /// queues and the database close.
    pub async fn close(&self) {
        for session in self.inner.hub.all() {
            session.push(packet::DISCONNECT.into());
            session.close();
        }
        let deadline = tokio::time::Instant::now() + CLOSE_GRACE;
        while !self.inner.hub.is_empty() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        for session in self.inner.hub.all() {
            self.inner.end(&session).await;
        }
        self.inner.events.close();
        if tokio::time::timeout_at(deadline, self.inner.events.wait())
            .await
            .is_err()
        {
            tracing::warn!(
                running = self.inner.events.len(),
                "event handlers still running at shutdown"
            );
        }
    }
}

/// How far apart two nodes' clocks may be and a revocation still be seen:
/// each look reaches this far back beyond the heartbeat it covers.
const CLOCK_SKEW: Duration = Duration::from_secs(30);

/// Once per heartbeat, asks the store which sessions were revoked lately and
/// ends this node's sockets of any of them. Revocations travel to the nodes
/// as events, which a bus outage can lose; this makes every one reach every
/// node within one heartbeat anyway. Stops with the gateway.
async fn enforce_revocations(inner: std::sync::Weak<Inner>) {
    let Some(interval) = inner.upgrade().map(|i| i.settings.ping_interval) else {
        return;
    };
    loop {
        tokio::time::sleep(interval).await;
        let Some(inner) = inner.upgrade() else {
            return;
        };
        let Some(app) = inner.app.get() else {
            continue;
        };
        let revoked = match app
            .state
            .auth
            .recent_revocations(interval + CLOCK_SKEW)
            .await
        {
            Ok(revoked) => revoked,
            Err(e) => {
                tracing::warn!(error = %e, "revoked sessions could not be read");
                continue;
            }
        };
        for session in revoked {
            let room = rooms::Room::Session(session);
            if !inner.hub.members(room).is_empty() {
                let _sent = delivery::revoke(&inner, room, "revoked".into()).await;
            }
        }
    }
}

/// The query every Engine.IO request carries.
#[derive(Debug, Deserialize)]
struct EngineQuery {
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
enum Refusal {
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
struct Client(Option<IpAddr>);

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

async fn on_get(
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
                        upgrade
                            .on_upgrade(move |ws| websocket::run_fresh(inner, ws, session, owner))
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

async fn on_post(
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
async fn on_other_method(
    State(inner): State<Arc<Inner>>,
    Query(query): Query<EngineQuery>,
) -> Response {
    match session_of(&inner, &query) {
        Ok(None) => Refusal::BadHandshakeMethod.into_response(),
        Ok(Some(_)) => Refusal::BadRequest.into_response(),
        Err(refused) => refused.into_response(),
    }
}
