//! Helpers for end-to-end tests: a whole ChatChit server in-process on
//! 127.0.0.1:0 with its own temp data directory, an HTTP client, and a stock
//! Socket.IO v4 client (`chatchit-client`) that records the events it receives.

use chatchit::{Application, Config, StopHandle};
use chatchit_client::{Event, Socket};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use std::path::Path;
use std::time::Duration;
use tempfile::TempDir;
use tokio::task::JoinHandle;

/// An HS256 JWT over `claims`, signed with `secret`: ChatChit's own tokens
/// forged or re-signed, or a host's tokens for an external identity.
pub fn hs256(claims: &Value, secret: &str) -> String {
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use hmac::Mac;
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let body = URL_SAFE_NO_PAD.encode(claims.to_string());
    let mut mac =
        hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("any key size");
    mac.update(format!("{header}.{body}").as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{header}.{body}.{signature}")
}

/// Installs the npm packages of `dir` (`npm ci`) unless they are there;
/// tests running at once (threads or processes) install once, the others
/// wait for it.
///
/// # Panics
/// When `npm ci` fails.
pub fn npm_installed(dir: &Path) {
    let lock = std::fs::File::create(dir.join(".npm-install.lock")).expect("lock file");
    lock.lock().expect("install lock");
    if !dir.join("node_modules/.package-lock.json").exists() {
        let status = std::process::Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(dir)
            .status()
            .expect("npm runs");
        assert!(status.success(), "npm ci in {}", dir.display());
    }
}

/// How long a test waits for something that should happen.
pub const PATIENCE: Duration = Duration::from_secs(10);

pub mod cluster;
pub mod fuzz;
pub mod ledger;
pub mod ordering;
pub mod protocol_doc;
pub mod proxy;
pub mod raw;

pub use chatchit_client::Transport;

/// Where a server listens, and the helpers that drive it over HTTP and
/// Socket.IO; an in-process [`TestServer`] and a [`cluster::NodeProcess`]
/// both hand one out.
#[derive(Clone)]
pub struct Endpoint {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// Shared HTTP client.
    pub http: reqwest::Client,
}

/// A running server and its data directory.
pub struct TestServer {
    /// Where it listens.
    endpoint: Endpoint,
    /// Stops the server.
    stop: StopHandle,
    /// The serving task.
    task: JoinHandle<anyhow::Result<()>>,
    /// Every realtime event the server answers (its handler registry).
    pub events: Vec<&'static str>,
    /// Removed when the test ends.
    pub dir: TempDir,
}

/// A registered user and their tokens.
#[derive(Debug, Clone)]
pub struct TestUser {
    /// User id.
    pub id: String,
    /// Bearer token.
    pub token: String,
    /// Refresh token.
    pub refresh: String,
}

/// The configuration tests run with: fast bcrypt, port 0, a temp directory,
/// and the embedded SQLite database, or, when `CHATCHIT_TEST_E2E_POSTGRES_URL`
/// names a PostgreSQL server, a fresh database there; Redis and RabbitMQ
/// when `CHATCHIT_TEST_E2E_REDIS_URL` / `CHATCHIT_TEST_E2E_AMQP_URL` are set,
/// under a namespace of the test's own.
pub async fn test_config(dir: &Path) -> Config {
    Config {
        bind: "127.0.0.1:0".into(),
        data_dir: dir.to_path_buf(),
        database_url: fresh_postgres_database().await,
        redis_url: std::env::var("CHATCHIT_TEST_E2E_REDIS_URL").ok(),
        amqp_url: std::env::var("CHATCHIT_TEST_E2E_AMQP_URL").ok(),
        namespace: format!("chatchit_e2e_{}", uuid::Uuid::now_v7().simple()),
        queue_idle_expiry_ms: Some(60_000),
        bcrypt_cost: 4,
        log: "error".into(),
        ..Config::default()
    }
}

/// Creates a randomly named database on the server of
/// `CHATCHIT_TEST_E2E_POSTGRES_URL` and returns its URL.
pub async fn fresh_postgres_database() -> Option<String> {
    use sea_orm::ConnectionTrait;
    let admin_url = std::env::var("CHATCHIT_TEST_E2E_POSTGRES_URL").ok()?;
    let admin = sea_orm::Database::connect(&admin_url)
        .await
        .expect("PostgreSQL reachable");
    let name = format!("chatchit_e2e_{}", uuid::Uuid::now_v7().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create database");
    let _closed = admin.close().await;
    let (base, _) = admin_url.rsplit_once('/').expect("a database in the URL");
    Some(format!("{base}/{name}"))
}

impl TestServer {
    /// A fresh server with a fresh database.
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = test_config(dir.path()).await;
        Self::start_with(dir, config).await
    }

    /// A server over `dir` (reused across restarts) with `config`.
    pub async fn start_with(dir: TempDir, config: Config) -> Self {
        chatchit::telemetry::init(&config.log, "text");
        let app = Application::build(config).await.expect("build");
        let base = format!("http://127.0.0.1:{}", app.port());
        let stop = app.stop_handle();
        let events = app.events().to_vec();
        let task = tokio::spawn(app.run_until_stopped());
        Self {
            endpoint: Endpoint::new(base),
            stop,
            task,
            events,
            dir,
        }
    }

    /// A fresh server with an admin `root` (password `password123`) made by
    /// `chatchit admin create`'s code path, and that admin logged in.
    pub async fn with_admin() -> (Self, TestUser) {
        let dir = tempfile::tempdir().expect("dir");
        let config = test_config(dir.path()).await;
        chatchit::create_admin(&config, "root", "password123")
            .await
            .expect("admin");
        let s = Self::start_with(dir, config).await;
        let (admin, v) = s.login("root").await;
        assert_eq!(v["user"]["role"], "admin");
        (s, admin)
    }

    /// Stops gracefully and hands back the data directory.
    pub async fn stop(self) -> TempDir {
        self.stop.stop();
        self.task.await.expect("join").expect("clean stop");
        self.dir
    }
}

impl std::ops::Deref for TestServer {
    type Target = Endpoint;

    fn deref(&self) -> &Endpoint {
        &self.endpoint
    }
}

impl Endpoint {
    /// Helpers for the server at `base`.
    pub fn new(base: String) -> Self {
        Self {
            base,
            http: reqwest::Client::new(),
        }
    }

    /// Any REST call; returns status and JSON body (`null` when empty).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        let text = res.text().await.expect("body");
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value)
    }

    /// The bodies stored in `conversation`, in `seq` order, as `token`'s
    /// history shows them.
    pub async fn stored_bodies(&self, conversation: &str, token: &str) -> Vec<Value> {
        let (status, page) = self
            .get(
                &format!("/api/v1/conversations/{conversation}/messages"),
                token,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let mut items: Vec<Value> = page["items"].as_array().expect("items").clone();
        items.sort_by_key(|m| m["seq"].as_i64());
        items.into_iter().map(|m| m["body"].clone()).collect()
    }

    /// Every operation of the server's OpenAPI document (which its router
    /// is described by): method, path template, and whether it asks for a
    /// bearer token.
    pub async fn operations(&self) -> Vec<(Method, String, bool)> {
        let (status, doc) = self
            .call(Method::GET, "/api/openapi.json", None, None)
            .await;
        assert_eq!(status, StatusCode::OK);
        let mut found = Vec::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for (method, op) in item.as_object().expect("operations") {
                let method = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
                let secured = op["security"].as_array().is_some_and(|s| !s.is_empty());
                found.push((method, path.clone(), secured));
            }
        }
        found
    }

    /// `GET` with a token.
    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }

    /// `POST` with a token.
    pub async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    /// Registers `username` with password `password123`.
    pub async fn register(&self, username: &str) -> TestUser {
        let body = json!({"username": username, "password": "password123"});
        let (status, v) = self
            .call(Method::POST, "/api/v1/auth/register", None, Some(body))
            .await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
        TestUser::from_session(&v)
    }

    /// Logs `username` in with password `password123` (a new session); also
    /// returns the whole answer.
    pub async fn login(&self, username: &str) -> (TestUser, Value) {
        let body = json!({"username": username, "password": "password123"});
        let (status, v) = self
            .call(Method::POST, "/api/v1/auth/login", None, Some(body))
            .await;
        assert_eq!(status, StatusCode::OK, "{v}");
        (TestUser::from_session(&v), v)
    }

    /// Every message of `conversation` as `token`'s user reads it, newest
    /// first, paging back through the REST history.
    pub async fn history(&self, token: &str, conversation: &str) -> Vec<Value> {
        let mut all = Vec::new();
        let mut path = format!("/api/v1/conversations/{conversation}/messages?limit=100");
        loop {
            let (status, page) = self.get(&path, token).await;
            assert_eq!(status, StatusCode::OK, "{page}");
            let items = page["items"].as_array().expect("items").clone();
            let oldest = items
                .last()
                .and_then(|m| m["id"].as_str())
                .map(str::to_owned);
            all.extend(items);
            match (page["hasMore"].as_bool(), oldest) {
                (Some(true), Some(oldest)) => {
                    path = format!(
                        "/api/v1/conversations/{conversation}/messages?limit=100&before={oldest}"
                    );
                }
                _ => return all,
            }
        }
    }

    /// Creates a group owned by `owner` with `members`; returns its id.
    pub async fn group(&self, owner: &TestUser, members: &[&TestUser]) -> String {
        let ids: Vec<&str> = members.iter().map(|m| m.id.as_str()).collect();
        let (status, v) = self
            .post(
                "/api/v1/conversations/group",
                &owner.token,
                json!({"title": "team", "memberIds": ids}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{v}");
        v["id"].as_str().expect("id").to_owned()
    }

    /// Makes `a` and `b` friends (a request each way).
    pub async fn befriend(&self, a: &TestUser, b: &TestUser) {
        self.post(
            "/api/v1/friends/requests",
            &a.token,
            json!({"userId": b.id}),
        )
        .await;
        let (status, v) = self
            .post(
                "/api/v1/friends/requests",
                &b.token,
                json!({"userId": a.id}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{v}");
    }

    /// The direct conversation of `a` and `b`; returns its id.
    pub async fn direct(&self, a: &TestUser, b: &TestUser) -> String {
        let (status, v) = self
            .post(
                "/api/v1/conversations/direct",
                &a.token,
                json!({"userId": b.id}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{v}");
        v["id"].as_str().expect("id").to_owned()
    }

    /// A connected Socket.IO client on the websocket transport.
    pub async fn socket(&self, token: &str) -> TestSocket {
        TestSocket::connect(&self.base, json!({"token": token}), Transport::WebSocket).await
    }
}

impl TestUser {
    /// The user and tokens of a register / login / refresh answer.
    pub fn from_session(v: &Value) -> Self {
        Self {
            id: v["user"]["id"].as_str().expect("id").to_owned(),
            token: v["accessToken"].as_str().expect("token").to_owned(),
            refresh: v["refreshToken"].as_str().expect("refresh").to_owned(),
        }
    }
}

/// A Socket.IO client (chatchit-client's) that records server events.
pub struct TestSocket {
    /// The client.
    socket: Socket,
}

impl TestSocket {
    /// Connects with `auth` and waits until the server has accepted the
    /// namespace connection (events emitted before that would be dropped).
    pub async fn connect(base: &str, auth: Value, transport: Transport) -> Self {
        match Socket::connect_with(base, &auth, transport).await {
            Ok(socket) => Self { socket },
            Err(e) => panic!("connection refused: {e}"),
        }
    }

    /// Tries to connect with `auth`; returns the `connect_error` text.
    pub async fn refused(base: &str, auth: Value) -> String {
        match Socket::connect_with(base, &auth, Transport::WebSocket).await {
            Err(chatchit_client::Error::Refused(reason)) => reason,
            Err(e) => panic!("expected a connect_error, got {e}"),
            Ok(_) => panic!("expected a connect_error, but the server accepted"),
        }
    }

    /// The client, for typed commands ([`Socket::send`]).
    pub fn client(&self) -> &Socket {
        &self.socket
    }

    /// Emits `event` and waits for its ack.
    pub async fn emit(&self, event: &str, payload: Value) -> Value {
        self.try_emit(event, payload, PATIENCE)
            .await
            .unwrap_or_else(|| panic!("no ack for {event} in time"))
    }

    /// Emits `event` and waits up to `wait` for its ack; `None` when none
    /// came (the server went away, say).
    pub async fn try_emit(&self, event: &str, payload: Value, wait: Duration) -> Option<Value> {
        self.socket.emit_within(event, &payload, wait).await.ok()
    }

    /// The next event as `(name, payload)`, `close` when the connection
    /// ended; `None` once that was taken or after `deadline`.
    async fn recv_until(
        &mut self,
        deadline: tokio::time::Instant,
    ) -> Result<Option<(String, Value)>, ()> {
        match tokio::time::timeout_at(deadline, self.socket.next_event()).await {
            Ok(Some(Event::Server { name, payload })) => Ok(Some((name, payload))),
            Ok(Some(Event::Closed)) => Ok(Some(("close".to_owned(), Value::Null))),
            Ok(None) => Ok(None),
            Err(_) => Err(()),
        }
    }

    /// Waits until the server closes this socket; panics after [`PATIENCE`].
    pub async fn expect_closed(&mut self) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            match self.recv_until(deadline).await {
                Ok(Some((name, _))) if name == "close" => return,
                Ok(Some(_)) => continue,
                Ok(None) => return,
                Err(()) => panic!("the socket stayed open"),
            }
        }
    }

    /// Waits for the next `name` event, skipping others; panics after [`PATIENCE`].
    pub async fn expect(&mut self, name: &str) -> Value {
        self.expect_within(name, PATIENCE).await
    }

    /// Waits for the next `name` event, skipping others; panics after `wait`.
    pub async fn expect_within(&mut self, name: &str, wait: Duration) -> Value {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match self.recv_until(deadline).await {
                Ok(Some((n, v))) if n == name => return v,
                Ok(Some((n, _))) if n == "close" => {
                    panic!("socket closed while waiting for {name}")
                }
                Ok(Some(_)) => continue,
                Ok(None) => panic!("socket closed while waiting for {name}"),
                Err(()) => panic!("no {name} event in time"),
            }
        }
    }

    /// The next event of any name within `wait`; `None` when none came (or
    /// the socket closed).
    pub async fn next_any(&mut self, wait: Duration) -> Option<(String, Value)> {
        let deadline = tokio::time::Instant::now() + wait;
        self.recv_until(deadline).await.ok().flatten()
    }

    /// The next `name` event within `wait`, skipping others; `None` when none
    /// came (or the socket closed).
    pub async fn next_within(&mut self, name: &str, wait: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match self.recv_until(deadline).await {
                Ok(Some((n, v))) if n == name => return Some(v),
                Ok(Some((n, _))) if n == "close" => return None,
                Ok(Some(_)) => continue,
                Ok(None) | Err(()) => return None,
            }
        }
    }

    /// Asserts no `name` event arrives within `wait`.
    pub async fn expect_none(&mut self, name: &str, wait: Duration) {
        let deadline = tokio::time::Instant::now() + wait;
        while let Ok(Some((n, v))) = self.recv_until(deadline).await {
            assert_ne!(n, name, "unexpected {name}: {v}");
        }
    }

    /// Disconnects.
    pub async fn close(self) {
        self.socket.close().await;
    }
}

/// `path` (an OpenAPI path template) with each `{param}` replaced by `id`.
pub fn filled(path: &str, id: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').map_or(rest.len() - 1, |c| c + open);
        out.push_str(id);
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}
