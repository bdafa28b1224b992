//! The REST API with chatchit-protocol's bodies and answers.

use crate::Error;
use chatchit_protocol::ErrorBody;
use chatchit_protocol::auth::{Login, Refresh, Register, Session};
use chatchit_protocol::conversations::{Conversation, CreateDirect, CreateGroup};
use chatchit_protocol::messages::{HistoryPage, HistoryQuery, Message, SendMessage};
use chatchit_protocol::social::UserRef;
use chatchit_protocol::users::User;
use reqwest::{Method, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

/// A REST client for one server, signed in or not.
#[derive(Debug, Clone)]
pub struct Rest {
    /// `http://host:port`, with the path prefix if mounted under one.
    base: String,
    /// Shared connection pool.
    http: reqwest::Client,
    /// Bearer token for the calls.
    token: Option<String>,
}

impl Rest {
    /// A client for the server at `base`.
    pub fn new(base: &str) -> Self {
        Self::with_client(base, reqwest::Client::new())
    }

    /// A client sharing `http`'s connection pool.
    pub fn with_client(base: &str, http: reqwest::Client) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
            http,
            token: None,
        }
    }

    /// The same client, calling with `token`.
    #[must_use]
    pub fn signed_in(&self, token: &str) -> Self {
        Self {
            token: Some(token.to_owned()),
            ..self.clone()
        }
    }

    /// Any call: `body` sent as JSON, the answer read as `T`.
    ///
    /// # Errors
    /// [`Error::Api`] with the error envelope's detail for any error status.
    pub async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&impl Serialize>,
    ) -> Result<T, Error> {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await?;
        let status = response.status();
        let bytes = response.bytes().await?;
        if status.is_success() {
            let text: &[u8] = if status == StatusCode::NO_CONTENT {
                b"null"
            } else {
                &bytes
            };
            return Ok(serde_json::from_slice(text)?);
        }
        match serde_json::from_slice::<ErrorBody>(&bytes) {
            Ok(body) => Err(Error::Api(body.error)),
            Err(_) => Err(Error::Protocol(format!(
                "{status} without the error envelope: {}",
                String::from_utf8_lossy(&bytes)
            ))),
        }
    }

    /// `POST /api/v1/auth/register`.
    ///
    /// # Errors
    /// As [`Rest::call`].
    pub async fn register(&self, body: &Register) -> Result<Session, Error> {
        self.call(Method::POST, "/api/v1/auth/register", Some(body))
            .await
    }

    /// `POST /api/v1/auth/login`.
    ///
    /// # Errors
    /// As [`Rest::call`].
    pub async fn login(&self, body: &Login) -> Result<Session, Error> {
        self.call(Method::POST, "/api/v1/auth/login", Some(body))
            .await
    }

    /// `POST /api/v1/auth/refresh`.
    ///
    /// # Errors
    /// As [`Rest::call`].
    pub async fn refresh(&self, body: &Refresh) -> Result<Session, Error> {
        self.call(Method::POST, "/api/v1/auth/refresh", Some(body))
            .await
    }

    /// `GET /api/v1/me`.
    ///
    /// # Errors
    /// As [`Rest::call`].
    pub async fn me(&self) -> Result<User, Error> {
        self.call(Method::GET, "/api/v1/me", None::<&()>).await
    }

    /// `POST /api/v1/friends/requests`: asks `user`, or accepts their
    /// request; the answer is a request or a friendship, as JSON.
    ///
    /// # Errors
    /// As [`Rest::call`].
    pub async fn befriend(&self, user: Uuid) -> Result<serde_json::Value, Error> {
        let body = UserRef { user_id: user };
        self.call(Method::POST, "/api/v1/friends/requests", Some(&body))
            .await
    }

    /// `POST /api/v1/conversations/direct`.
    ///
    /// # Errors
    /// As [`Rest::call`].
    pub async fn open_direct(&self, user: Uuid) -> Result<Conversation, Error> {
        let body = CreateDirect { user_id: user };
        self.call(Method::POST, "/api/v1/conversations/direct", Some(&body))
            .await
    }

    /// `POST /api/v1/conversations/group`.
    ///
    /// # Errors
    /// As [`Rest::call`].
    pub async fn create_group(&self, body: &CreateGroup) -> Result<Conversation, Error> {
        self.call(Method::POST, "/api/v1/conversations/group", Some(body))
            .await
    }

    /// `POST /api/v1/conversations/{id}/messages`.
    ///
    /// # Errors
    /// As [`Rest::call`].
    pub async fn send_message(
        &self,
        conversation: Uuid,
        body: &SendMessage,
    ) -> Result<Message, Error> {
        let path = format!("/api/v1/conversations/{conversation}/messages");
        self.call(Method::POST, &path, Some(body)).await
    }

    /// `GET /api/v1/conversations/{id}/messages`.
    ///
    /// # Errors
    /// As [`Rest::call`].
    pub async fn history(
        &self,
        conversation: Uuid,
        query: &HistoryQuery,
    ) -> Result<HistoryPage, Error> {
        let mut path = format!("/api/v1/conversations/{conversation}/messages?");
        if let Some(before) = query.before {
            path.push_str(&format!("before={before}&"));
        }
        if let Some(after) = query.after {
            path.push_str(&format!("after={after}&"));
        }
        if let Some(limit) = query.limit {
            path.push_str(&format!("limit={limit}"));
        }
        self.call(Method::GET, path.trim_end_matches(['&', '?']), None::<&()>)
            .await
    }
}
