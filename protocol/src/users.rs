//! Accounts and profiles.

use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// What a user may do server-wide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Everyone.
    User,
    /// Moderators: reports, bans, node stats.
    Admin,
}

/// A user as others see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(example = json!({"id": "0193a1c2-7b9e-7c3d-9f00-1a2b3c4d5e6f", "username": "ann", "displayName": "Ann", "avatarUrl": null, "role": "user", "createdAt": "2026-11-27T13:47:10.123Z"}))]
pub struct User {
    /// Stable id.
    pub id: Uuid,
    /// Unique, case-insensitive login name.
    #[schema(min_length = 3, max_length = 32, pattern = r"^[A-Za-z0-9_.]+$")]
    pub username: String,
    /// Shown name.
    #[schema(min_length = 1, max_length = 64)]
    pub display_name: String,
    /// Picture, an http(s) URL.
    #[schema(max_length = 2048)]
    pub avatar_url: Option<String>,
    /// Server-wide role.
    pub role: Role,
    /// When the account was made.
    pub created_at: Timestamp,
}

/// `PATCH /users/me`: the fields to change; a field left out stays as it
/// is, and `avatarUrl: null` removes the picture.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schema(example = json!({"displayName": "Ann B."}))]
pub struct UpdateProfile {
    /// 1–64 characters on one line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(min_length = 1, max_length = 64)]
    pub display_name: Option<String>,
    /// An http(s) URL, or `null` to remove it.
    #[serde(
        default,
        deserialize_with = "crate::present",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<String>, max_length = 2048)]
    pub avatar_url: Option<Option<String>>,
}
