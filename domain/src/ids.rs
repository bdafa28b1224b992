//! Typed identifiers: a `UserId` can never be passed where a `MessageId` is meant.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl $name {
            /// A fresh time-ordered (UUIDv7) identifier.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map(Self)
            }
        }
    };
}

/// Identifies one running node of a cluster; fresh at every start, so a
/// restarted node is a new node to the others.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct NodeId(pub String);

impl NodeId {
    /// A fresh random node id.
    pub fn generate() -> Self {
        Self(Uuid::now_v7().simple().to_string())
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

id_type!(
    /// Identifies a user account.
    UserId
);
id_type!(
    /// Identifies a login session (one device); its refresh tokens form one family.
    SessionId
);
id_type!(
    /// Identifies a direct or group conversation.
    ConversationId
);
id_type!(
    /// Identifies a message.
    MessageId
);
id_type!(
    /// Identifies a friend request.
    FriendRequestId
);
id_type!(
    /// Identifies a call.
    CallId
);
id_type!(
    /// Identifies a report.
    ReportId
);
id_type!(
    /// Identifies a story.
    StoryId
);
