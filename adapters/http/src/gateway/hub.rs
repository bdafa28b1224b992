//! Every session of this node, and which rooms their sockets are in.

use super::order::{Line, Step};
use super::rooms::Room;
use super::session::{Session, Sid, lock};
use axum::extract::ws::Utf8Bytes;
use chatchit_domain::ids::{ConversationId, UserId};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

/// How many revocation notices a hub remembers (see [`Hub::note_revoked`]);
/// past that the oldest go, and the heartbeat's look at the store covers
/// what they covered.
const REMEMBERED_REVOCATIONS: usize = 10_000;

/// Locks over the conversations' delivery lines, so that two conversations'
/// messages do not wait on one another.
const LINE_SHARDS: usize = 16;

/// A frame waiting in its conversation's line: a `message:new`, or an event
/// about a message that has not gone yet.
pub struct Pending {
    /// The frame.
    pub frame: Utf8Bytes,
    /// Who it is not for.
    pub skip: Skip,
}

/// Whether a conversation's line needs its gap repaired from the log.
#[derive(Debug, PartialEq, Eq)]
pub enum Repair {
    /// No gap.
    No,
    /// A gap opened: repair it if it has not closed after a wait.
    Later,
}

/// The sessions of this node and their rooms.
#[derive(Default)]
pub struct Hub {
    /// Every open Engine.IO session, connected or not.
    sessions: RwLock<HashMap<Sid, Arc<Session>>>,
    /// Socket.IO id → Engine.IO id, for what names a socket by the former.
    sockets: RwLock<HashMap<Sid, Sid>>,
    /// Connected sockets by room.
    rooms: RwLock<HashMap<Room, HashMap<Sid, Arc<Session>>>>,
    /// The revocation notices this node was given lately (the user's or the
    /// session's room, and when), oldest first.
    revoked: Mutex<VecDeque<(Room, Instant)>>,
    /// The delivery line of each conversation room with sockets here (see
    /// [`super::order`]), sharded by conversation. Only ever locked before
    /// `rooms`, never while `rooms` is held.
    lines: [Mutex<HashMap<ConversationId, Line<Pending>>>; LINE_SHARDS],
}

/// The shard of `conversation`'s line.
fn shard(conversation: ConversationId) -> usize {
    (conversation.0.as_u128() % LINE_SHARDS as u128) as usize
}

/// Who to leave out of a send.
pub enum Skip {
    /// Nobody.
    Nobody,
    /// Every socket of this user.
    User(UserId),
    /// This one socket (its Socket.IO id).
    Socket(Sid),
}

fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(PoisonError::into_inner)
}

impl Hub {
    /// Adds a new session.
    pub fn insert(&self, session: Arc<Session>) {
        write(&self.sockets).insert(session.socket_id, session.sid);
        write(&self.sessions).insert(session.sid, session);
    }

    /// The session `sid`, if open.
    pub fn get(&self, sid: Sid) -> Option<Arc<Session>> {
        read(&self.sessions).get(&sid).cloned()
    }

    /// The session whose socket has the Socket.IO id `id`, if open.
    pub fn socket(&self, id: Sid) -> Option<Arc<Session>> {
        let sid = *read(&self.sockets).get(&id)?;
        self.get(sid)
    }

    /// Removes a session and takes its socket out of every room; `None` if
    /// it was already gone.
    pub fn remove(&self, sid: Sid) -> Option<Arc<Session>> {
        let session = write(&self.sessions).remove(&sid)?;
        write(&self.sockets).remove(&session.socket_id);
        self.leave_all(&session);
        Some(session)
    }

    /// Takes the socket out of every room it is in.
    pub fn leave_all(&self, session: &Session) {
        let joined = std::mem::take(&mut *lock(&session.rooms));
        let mut emptied = Vec::new();
        {
            let mut rooms = write(&self.rooms);
            for room in joined {
                if let Some(members) = rooms.get_mut(&room) {
                    members.remove(&session.sid);
                    if members.is_empty() {
                        rooms.remove(&room);
                        emptied.push(room);
                    }
                }
            }
        }
        self.drop_lines(emptied);
    }

    /// Forgets the lines of conversation rooms that emptied (a socket that
    /// joins later starts a new line).
    fn drop_lines(&self, emptied: Vec<Room>) {
        for room in emptied {
            if let Room::Conversation(id) = room {
                lock(&self.lines[shard(id)]).remove(&id);
            }
        }
    }

    /// Puts the socket in `joining` rooms.
    pub fn join(&self, session: &Arc<Session>, joining: impl IntoIterator<Item = Room>) {
        let mut rooms = write(&self.rooms);
        let mut joined = lock(&session.rooms);
        for room in joining {
            enter(&mut rooms, &mut joined, session, room);
        }
    }

    /// Every socket in `of` joins (or leaves) `room`.
    pub fn move_members(&self, of: &[Room], room: Room, join: bool) {
        let members: Vec<Arc<Session>> = {
            let rooms = read(&self.rooms);
            of.iter()
                .filter_map(|r| rooms.get(r))
                .flat_map(|m| m.values().cloned())
                .collect()
        };
        let mut emptied = Vec::new();
        {
            let mut rooms = write(&self.rooms);
            for session in members {
                let mut joined = lock(&session.rooms);
                if join {
                    enter(&mut rooms, &mut joined, &session, room);
                } else if let Some(members) = rooms.get_mut(&room) {
                    members.remove(&session.sid);
                    joined.retain(|r| *r != room);
                    if members.is_empty() {
                        rooms.remove(&room);
                        emptied.push(room);
                    }
                }
            }
        }
        self.drop_lines(emptied);
    }

    /// Queues `frame` for every socket in `to` but those `skip` names. The
    /// rooms must not share sockets (a user's rooms never do).
    pub fn send(&self, to: &[Room], skip: &Skip, frame: &Utf8Bytes) {
        let rooms = read(&self.rooms);
        for members in to.iter().filter_map(|r| rooms.get(r)) {
            for session in members.values() {
                let skipped = match skip {
                    Skip::Nobody => false,
                    Skip::Socket(id) => session.socket_id == *id,
                    Skip::User(user) => session.actor().is_some_and(|actor| actor.user_id == *user),
                };
                if !skipped {
                    session.push(frame.clone());
                }
            }
        }
    }

    /// Sends message `seq` of `conversation` to its room in log order: now,
    /// with any that waited for it, or once the messages before it have
    /// come (see [`super::order`]). A room with no socket here has no line.
    pub fn send_in_order(
        &self,
        conversation: ConversationId,
        seq: i64,
        pending: Pending,
    ) -> Repair {
        let room = Room::Conversation(conversation);
        let mut lines = lock(&self.lines[shard(conversation)]);
        if !read(&self.rooms).contains_key(&room) {
            lines.remove(&conversation);
            return Repair::No;
        }
        let step = lines.entry(conversation).or_default().arrive(seq, pending);
        self.take_step(room, &step)
    }

    /// Sends what `step` delivers to `room` (its line's lock held, so that
    /// the line's order is the sockets' order); what repair it asks for.
    fn take_step(&self, room: Room, step: &Step<Pending>) -> Repair {
        for p in &step.deliver {
            self.send(&[room], &p.skip, &p.frame);
        }
        if step.repair_later {
            Repair::Later
        } else {
            Repair::No
        }
    }

    /// Sends an event about message `seq` of `conversation` (an edit, a
    /// delete, reactions) to its room once that message's own `message:new`
    /// went (at once if it did).
    pub fn send_following(
        &self,
        conversation: ConversationId,
        seq: i64,
        pending: Pending,
    ) -> Repair {
        let room = Room::Conversation(conversation);
        let mut lines = lock(&self.lines[shard(conversation)]);
        match lines.get_mut(&conversation) {
            Some(line) => self.take_step(room, &line.follow(seq, pending)),
            None => {
                self.send(&[room], &pending.skip, &pending.frame);
                Repair::No
            }
        }
    }

    /// What the scheduled repair of `conversation`'s line reads from the
    /// log, as `(after_seq, limit)`; `None` (and the repair done) when every
    /// gap closed meanwhile.
    pub fn due(&self, conversation: ConversationId) -> Option<(i64, u32)> {
        lock(&self.lines[shard(conversation)])
            .get_mut(&conversation)
            .and_then(Line::due)
    }

    /// Repairs `conversation`'s line with `found`, what the log holds of
    /// the `read` that [`Hub::due`] gave, and sends what is then in
    /// order. `true` when a gap beyond `read` remains, to repair later.
    pub fn repair(
        &self,
        conversation: ConversationId,
        read: (i64, u32),
        found: Vec<(i64, Pending)>,
    ) -> bool {
        let room = Room::Conversation(conversation);
        let mut lines = lock(&self.lines[shard(conversation)]);
        let Some(line) = lines.get_mut(&conversation) else {
            return false;
        };
        self.take_step(room, &line.repair(read, found)) != Repair::No
    }

    /// The sockets in `room`.
    pub fn members(&self, room: Room) -> Vec<Arc<Session>> {
        read(&self.rooms)
            .get(&room)
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Remembers that the sessions of `room` (a user's or a session's) were
    /// revoked. Called before the room's sockets are ended, so that a socket
    /// that joins its rooms after the notice came, because it was being
    /// admitted when the revocation committed, still learns of it
    /// ([`Hub::revoked_lately`], asked after it joined).
    pub fn note_revoked(&self, room: Room) {
        let mut revoked = lock(&self.revoked);
        if revoked.len() >= REMEMBERED_REVOCATIONS {
            revoked.pop_front();
        }
        revoked.push_back((room, Instant::now()));
    }

    /// Whether any of `rooms` was revoked within the last `window`; notices
    /// older than that are forgotten.
    pub fn revoked_lately(&self, rooms: &[Room], window: Duration) -> bool {
        let mut revoked = lock(&self.revoked);
        let now = Instant::now();
        while revoked
            .front()
            .is_some_and(|(_, at)| now.duration_since(*at) > window)
        {
            revoked.pop_front();
        }
        revoked.iter().any(|(room, _)| rooms.contains(room))
    }

    /// True when no session is open.
    pub fn is_empty(&self) -> bool {
        read(&self.sessions).is_empty()
    }

    /// Every open session.
    pub fn all(&self) -> Vec<Arc<Session>> {
        read(&self.sessions).values().cloned().collect()
    }
}

/// Puts `session` in `room`, noting the room in `joined` the first time.
fn enter(
    rooms: &mut HashMap<Room, HashMap<Sid, Arc<Session>>>,
    joined: &mut Vec<Room>,
    session: &Arc<Session>,
    room: Room,
) {
    let members = rooms.entry(room).or_default();
    if members.insert(session.sid, session.clone()).is_none() {
        joined.push(room);
    }
}

#[cfg(test)]
mod tests;
