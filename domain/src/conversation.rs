//! Conversations (direct and group), their members and roles, and the view
//! clients receive.

use crate::ids::{ConversationId, MessageId, UserId};
use crate::message::Message;
use crate::time::Timestamp;
use crate::user::User;
use serde::{Deserialize, Serialize};

/// Direct (exactly two people, created once per pair) or group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ConversationKind {
    /// One-to-one.
    Direct,
    /// Many members with roles.
    Group,
}

impl ConversationKind {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Direct => "direct",
            Self::Group => "group",
        }
    }

    /// Reads a stored name.
    pub fn from_name(name: &str) -> Self {
        if name == "group" {
            Self::Group
        } else {
            Self::Direct
        }
    }
}

/// A member's power in a group: owner > admin > member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MemberRole {
    /// Reads and writes.
    Member,
    /// Also edits the group and manages members.
    Admin,
    /// Also changes roles; exactly one per group.
    Owner,
}

impl MemberRole {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Admin => "admin",
            Self::Owner => "owner",
        }
    }

    /// Reads a stored name.
    pub fn from_name(name: &str) -> Self {
        match name {
            "owner" => Self::Owner,
            "admin" => Self::Admin,
            _ => Self::Member,
        }
    }

    /// Whether a member of this role may remove one of `target`'s: admins
    /// and the owner remove lower roles only (anyone may leave).
    pub fn may_remove(self, target: MemberRole) -> bool {
        self >= Self::Admin && target < self
    }
}

impl Member {
    /// Who inherits a group when its owner `leaving` goes: the admin who
    /// joined first, else the member who joined first; nobody when the owner
    /// was the last one.
    pub fn heir(members: &[Member], leaving: UserId) -> Option<&Member> {
        let earliest = |role| {
            members
                .iter()
                .filter(|m| m.user_id != leaving && m.role == role)
                .min_by_key(|m| (m.joined_at, m.user_id))
        };
        earliest(MemberRole::Admin).or_else(|| earliest(MemberRole::Member))
    }
}

/// A conversation as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    /// Identifier.
    pub id: ConversationId,
    /// Direct or group.
    pub kind: ConversationKind,
    /// Group title; `None` for direct conversations.
    pub title: Option<String>,
    /// Group picture.
    pub avatar_url: Option<String>,
    /// Creation time.
    pub created_at: Timestamp,
}

/// Someone's membership in a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    /// The member.
    pub user_id: UserId,
    /// Their role.
    pub role: MemberRole,
    /// When they joined (ownership hand-over follows this order).
    pub joined_at: Timestamp,
    /// Highest `seq` they have read.
    pub last_read_seq: i64,
    /// The message that `last_read_seq` belongs to.
    pub last_read_message_id: Option<MessageId>,
}

/// The key that makes a direct conversation unique per pair, whatever the order.
pub fn direct_key(a: UserId, b: UserId) -> String {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    format!("{lo}:{hi}")
}

/// A conversation listed for one user, with what ordering and unread counts need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationEntry {
    /// The conversation.
    pub conversation: Conversation,
    /// Time of the last message (or creation): the list is ordered by it.
    pub last_activity_at: Timestamp,
}

/// A member as clients see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MemberView {
    /// The member's profile.
    pub user: User,
    /// Their role.
    pub role: MemberRole,
    /// When they joined.
    pub joined_at: Timestamp,
}

/// A conversation as clients see it (`Conversation` on the wire), from the
/// point of view of one user (unread count, read marker).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationView {
    /// Identifier.
    pub id: ConversationId,
    /// Direct or group.
    pub kind: ConversationKind,
    /// Group title; `null` for direct.
    pub title: Option<String>,
    /// Group picture.
    pub avatar_url: Option<String>,
    /// Everyone in it.
    pub members: Vec<MemberView>,
    /// The newest message, if any.
    pub last_message: Option<Message>,
    /// Messages from others after the viewer's read marker.
    pub unread_count: u64,
    /// The viewer's read marker.
    pub last_read_message_id: Option<MessageId>,
    /// Creation time.
    pub created_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direct_key_ignores_order() {
        let (a, b) = (UserId::generate(), UserId::generate());
        assert_eq!(direct_key(a, b), direct_key(b, a));
    }

    #[test]
    fn roles_are_ordered_by_power() {
        assert!(MemberRole::Owner > MemberRole::Admin);
        assert!(MemberRole::Admin > MemberRole::Member);
    }

    fn member(role: MemberRole, joined: i64) -> Member {
        Member {
            user_id: UserId::generate(),
            role,
            joined_at: Timestamp::from_millis(joined),
            last_read_seq: 0,
            last_read_message_id: None,
        }
    }

    #[test]
    fn only_a_higher_role_removes_and_never_the_owner() {
        use MemberRole::{Admin, Member as Plain, Owner};
        assert!(Owner.may_remove(Admin) && Owner.may_remove(Plain) && Admin.may_remove(Plain));
        assert!(!Admin.may_remove(Admin) && !Admin.may_remove(Owner));
        assert!(!Plain.may_remove(Plain) && !Owner.may_remove(Owner));
    }

    #[test]
    fn the_earliest_admin_inherits_else_the_earliest_member() {
        let owner = member(MemberRole::Owner, 0);
        let early_member = member(MemberRole::Member, 1);
        let late_admin = member(MemberRole::Admin, 5);
        let later_admin = member(MemberRole::Admin, 9);
        let group = [
            owner.clone(),
            later_admin,
            early_member.clone(),
            late_admin.clone(),
        ];
        assert_eq!(Member::heir(&group, owner.user_id), Some(&late_admin));
        let no_admin = [owner.clone(), early_member.clone()];
        assert_eq!(Member::heir(&no_admin, owner.user_id), Some(&early_member));
        assert_eq!(
            Member::heir(std::slice::from_ref(&owner), owner.user_id),
            None
        );
    }
}
