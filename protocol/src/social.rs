//! Friends and blocks.

use crate::time::Timestamp;
use crate::users::User;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// `POST /friends/requests` and the block routes' body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UserRef {
    /// The other user.
    pub user_id: Uuid,
}

/// A friend request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FriendRequest {
    /// Accept, decline or cancel by it.
    pub id: Uuid,
    /// Who asked.
    pub from: User,
    /// Who was asked.
    pub to: User,
    /// When.
    pub created_at: Timestamp,
}

/// A friend or a blocked user, and since when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Relation {
    /// The other user.
    pub user: User,
    /// Since when.
    pub since: Timestamp,
}

/// A page of friends or blocks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RelationPage {
    /// This page.
    pub items: Vec<Relation>,
    /// Pass as `cursor` for the next page; `null` at the end.
    pub next_cursor: Option<String>,
}

/// `GET /friends/requests`: both directions, each paged on its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PendingRequests {
    /// Asked of the caller.
    pub incoming: Vec<FriendRequest>,
    /// Asked by the caller.
    pub outgoing: Vec<FriendRequest>,
    /// Pass as `incomingCursor` for more.
    pub next_incoming_cursor: Option<String>,
    /// Pass as `outgoingCursor` for more.
    pub next_outgoing_cursor: Option<String>,
}

/// A cursor page query: `?cursor=…&limit=…`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    /// The `nextCursor` of the page before.
    #[param(max_length = 256)]
    pub cursor: Option<String>,
    /// 1–100, default 50.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

/// `GET /friends/requests` query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query, rename_all = "camelCase")]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RequestsQuery {
    /// The `nextIncomingCursor` of the answer before.
    #[param(max_length = 256)]
    pub incoming_cursor: Option<String>,
    /// The `nextOutgoingCursor` of the answer before.
    #[param(max_length = 256)]
    pub outgoing_cursor: Option<String>,
    /// 1–100 per direction, default 50.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}
