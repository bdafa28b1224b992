//! The realtime gateway: Engine.IO 4 / Socket.IO 5 served by ChatChit itself
//! (websocket, and HTTP long-polling with upgrade), so an idle socket costs
//! one task, its small websocket buffers and its room entries. It
//! authenticates the handshake, keeps each socket in its rooms (its user, its
//! login session, its conversations) and routes every client event to its
//! registered `EventEndpoint`. Nothing outside this module knows how the
//! realtime side is served.

mod delivery;
mod engine;
mod hub;
mod order;
mod packet;
mod polling;
mod revocations;
mod rooms;
mod session;
mod socket;
mod websocket;

pub use delivery::SocketDelivery;

use crate::state::AppState;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use chatchit_application::handler::EventEndpoint;
use hub::Hub;
use session::{Session, Sid, sid_text};
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
/// ones still arrive, in more reads. Every socket keeps its read buffer
/// while idle, so this is paid per connection.
const WS_READ_BUFFER: usize = 256;
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
    endpoints: HashMap<&'static str, Arc<dyn EventEndpoint<crate::wire::Json>>>,
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
    /// The heartbeat's look at revoked sessions, ended by [`Gateway::close`].
    revocations: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
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
                revocations: std::sync::Mutex::default(),
            }),
        }
    }

    /// The routes under `/socket.io/`, to merge into the HTTP router.
    pub fn routes(&self) -> Router {
        Router::new()
            .route(
                "/socket.io/",
                get(engine::on_get)
                    .post(engine::on_post)
                    .fallback(engine::on_other_method),
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
        let task = tokio::spawn(revocations::enforce(Arc::downgrade(&self.inner)));
        *self
            .inner
            .revocations
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(task);
    }

    /// Disconnects every socket (graceful shutdown): each is told and closed,
    /// and those that have not gone within a grace period are dropped; the
    /// look at revoked sessions ends (it would read a closed database); then
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
        let revocations = self
            .inner
            .revocations
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(task) = revocations {
            task.abort();
            let _ended = task.await;
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
