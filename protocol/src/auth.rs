//! Registration, login and tokens.

use crate::users::User;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `POST /auth/register`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"username": "ann", "password": "correct horse battery", "displayName": "Ann"}))]
pub struct Register {
    /// 3–32 of letters, digits, `_` and `.`; unique ignoring case; not
    /// starting with `x.` (kept for a host's users).
    #[schema(min_length = 3, max_length = 32, pattern = r"^[A-Za-z0-9_.]+$")]
    pub username: String,
    /// 8–128 characters.
    #[schema(min_length = 8, max_length = 128)]
    pub password: String,
    /// 1–64 characters; the username when left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(min_length = 1, max_length = 64)]
    pub display_name: Option<String>,
}

/// `POST /auth/login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"username": "ann", "password": "correct horse battery"}))]
pub struct Login {
    /// The login name, any case.
    #[schema(min_length = 1, max_length = 32)]
    pub username: String,
    /// The password.
    #[schema(min_length = 1, max_length = 128)]
    pub password: String,
}

/// `POST /auth/refresh` and `POST /auth/logout`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Refresh {
    /// The refresh token of the session; each is good once.
    #[schema(min_length = 1, max_length = 512)]
    pub refresh_token: String,
}

/// A signed-in session: the user and a fresh token pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// Who signed in.
    pub user: User,
    /// Bearer token for REST and the socket handshake (`auth: {token}`).
    pub access_token: String,
    /// Trades for a new pair once (`POST /auth/refresh`).
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
}
