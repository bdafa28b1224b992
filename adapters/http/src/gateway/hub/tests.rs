//! Unit tests of `hub`.

use super::*;
use chatchit_domain::ids::ConversationId;

fn frames(session: &Session) -> Vec<String> {
    session
        .take()
        .frames
        .iter()
        .map(|f| f.as_str().to_owned())
        .collect()
}

#[test]
fn sends_reach_room_members_but_the_skipped_one() {
    let hub = Hub::default();
    let (a, b) = (
        Arc::new(Session::new(1, true, None)),
        Arc::new(Session::new(2, true, None)),
    );
    let room = Room::Conversation(ConversationId::generate());
    for s in [&a, &b] {
        hub.insert(s.clone());
        hub.join(s, [room]);
    }
    hub.send(&[room], &Skip::Socket(a.socket_id), &"hi".into());
    assert_eq!(hub.socket(b.socket_id).map(|s| s.sid), Some(2));
    assert!(hub.socket(1).is_none(), "found by its Socket.IO id only");
    assert!(frames(&a).is_empty());
    assert_eq!(frames(&b), ["hi"]);
}

#[test]
fn a_revocation_is_remembered_for_its_window_and_only_for_its_rooms() {
    let hub = Hub::default();
    let (user, other) = (
        Room::User(UserId::generate()),
        Room::User(UserId::generate()),
    );
    assert!(!hub.revoked_lately(&[user], Duration::from_secs(60)));
    hub.note_revoked(user);
    assert!(hub.revoked_lately(&[other, user], Duration::from_secs(60)));
    assert!(!hub.revoked_lately(&[other], Duration::from_secs(60)));
    std::thread::sleep(Duration::from_millis(5));
    assert!(!hub.revoked_lately(&[user], Duration::from_millis(1)));
    assert!(
        !hub.revoked_lately(&[user], Duration::from_secs(60)),
        "forgotten once past a window"
    );
}

#[test]
fn the_oldest_revocations_go_past_the_bound() {
    let hub = Hub::default();
    let first = Room::User(UserId::generate());
    hub.note_revoked(first);
    for _ in 0..REMEMBERED_REVOCATIONS {
        hub.note_revoked(Room::User(UserId::generate()));
    }
    assert!(!hub.revoked_lately(&[first], Duration::from_secs(60)));
    assert_eq!(lock(&hub.revoked).len(), REMEMBERED_REVOCATIONS);
}

#[test]
fn members_move_between_rooms_and_leave_them_when_removed() {
    let hub = Hub::default();
    let a = Arc::new(Session::new(1, true, None));
    let user = Room::User(UserId::generate());
    let room = Room::Conversation(ConversationId::generate());
    hub.insert(a.clone());
    hub.join(&a, [user]);
    hub.move_members(&[user], room, true);
    assert_eq!(hub.members(room).len(), 1);
    hub.move_members(&[user], room, false);
    assert!(hub.members(room).is_empty());
    hub.move_members(&[user], room, true);
    hub.remove(1);
    assert!(hub.members(room).is_empty());
    assert!(hub.members(user).is_empty());
    assert!(hub.get(1).is_none());
}
