//! One Engine.IO session: the frames waiting to be written to it, whatever
//! transport carries them, and the Socket.IO socket on it once connected.

use super::rooms::Room;
use axum::extract::ws::Utf8Bytes;
use chatchit_application::Actor;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::sync::{Notify, Semaphore};

/// Frames a socket may have waiting before it counts as a slow consumer.
const MAX_WAITING_FRAMES: usize = 4096;
/// Bytes a socket may have waiting before it counts as a slow consumer.
const MAX_WAITING_BYTES: usize = 4 * 1024 * 1024;

/// Events of one socket handled at once. Past this the transport stops
/// reading the socket until one finishes, so a client sending faster than
/// the server can answer is slowed by TCP back-pressure instead of piling up
/// tasks (and memory) in the server.
const MAX_EVENTS_IN_FLIGHT: usize = 64;

/// A session id: random, so it also guards the long-polling requests that
/// carry it.
pub type Sid = u128;

/// The text form of a session id (32 hex digits), which is also the socket's
/// `ConnectionId`.
pub fn sid_text(sid: Sid) -> String {
    format!("{sid:032x}")
}

/// A short, one-way tag of a session id for the logs: the Engine.IO sid is
/// the only credential a long-polling client has, so it is never logged;
/// its tag still lets one follow a session through the log.
pub fn log_tag(sid: Sid) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    sid.hash(&mut hasher);
    format!("{:08x}", hasher.finish() >> 32)
}

/// Reads a session id written by [`sid_text`].
pub fn parse_sid(text: &str) -> Option<Sid> {
    (text.len() == 32)
        .then(|| Sid::from_str_radix(text, 16).ok())
        .flatten()
}

/// What one Engine.IO session holds.
pub struct Session {
    /// Its Engine.IO id: a long-polling client's credential, so it is
    /// told to that client alone.
    pub sid: Sid,
    /// The Socket.IO id of the socket on it, distinct from `sid` (as in the
    /// reference server): it is what other parts of the system (events'
    /// origins, the cluster bus) name the socket by.
    pub socket_id: Sid,
    /// The client (address or /64) it counts against, if known.
    pub client: Option<std::net::IpAddr>,
    /// Frames not yet written, and whether the session is closing.
    outbox: Mutex<Outbox>,
    /// Wakes the transport when frames wait or the session closes.
    pub wake: Notify,
    /// The authenticated user once the Socket.IO socket has connected.
    actor: Mutex<Option<Actor>>,
    /// The rooms the socket is in, so they can be left when it goes.
    pub rooms: Mutex<Vec<Room>>,
    /// True from a ping until its pong.
    awaiting_pong: AtomicBool,
    /// True once the session has moved from long-polling to a websocket.
    upgraded: AtomicBool,
    /// One permit per event that may still start (see
    /// [`MAX_EVENTS_IN_FLIGHT`]); each running event owns one, as an
    /// [`EventPermit`].
    events: Semaphore,
    /// A long-polling GET is waiting on the session.
    polling: AtomicBool,
    /// A long-polling POST is being handled.
    posting: AtomicBool,
}

/// Holds a session's long-polling GET or POST slot; frees it when dropped
/// (also when the client goes away mid-request).
pub struct Slot<'a>(&'a AtomicBool);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::Release);
    }
}

/// Takes `flag`'s slot if it is free.
fn claim(flag: &AtomicBool) -> Option<Slot<'_>> {
    (!flag.swap(true, Ordering::AcqRel)).then_some(Slot(flag))
}

/// One event of a session in flight. Dropping it frees the event's place,
/// and wakes a transport that stopped reading for want of one. Only then: on
/// every other event the wake-up would be a second, empty turn of the
/// transport's loop besides the one its ack's `push` already makes.
pub struct EventPermit {
    /// Whether a place was taken (always, unless the semaphore was closed,
    /// which it never is).
    counted: bool,
    /// Whose place it is.
    session: Arc<Session>,
}

impl Drop for EventPermit {
    fn drop(&mut self) {
        if !self.counted {
            return;
        }
        let transport_waits = !self.session.may_read();
        self.session.events.add_permits(1);
        if transport_waits {
            self.session.wake.notify_one();
        }
    }
}

/// The frames waiting for a transport.
#[derive(Default)]
struct Outbox {
    /// In order.
    frames: VecDeque<Utf8Bytes>,
    /// Their total length.
    bytes: usize,
    /// The transport is to write what waits and then close.
    closing: bool,
    /// The client closed the session itself: nothing more is written to it.
    left: bool,
}

/// What a transport takes from the outbox in one go.
pub struct Batch {
    /// Frames to write, in order.
    pub frames: VecDeque<Utf8Bytes>,
    /// After writing them, close.
    pub close: bool,
    /// The client closed the session: write nothing of it, just end.
    pub left: bool,
}

/// Locks `mutex` even if a holder panicked: every critical section here
/// leaves the data consistent.
pub fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Session {
    /// A new session.
    pub fn new(sid: Sid, upgraded: bool, client: Option<std::net::IpAddr>) -> Self {
        Self {
            sid,
            socket_id: rand::random(),
            client,
            outbox: Mutex::default(),
            wake: Notify::new(),
            actor: Mutex::new(None),
            rooms: Mutex::new(Vec::new()),
            awaiting_pong: AtomicBool::new(false),
            upgraded: AtomicBool::new(upgraded),
            events: Semaphore::new(MAX_EVENTS_IN_FLIGHT),
            polling: AtomicBool::new(false),
            posting: AtomicBool::new(false),
        }
    }

    /// The session's one long-polling GET slot; `None` while another GET
    /// holds it (Engine.IO allows one at a time).
    pub fn claim_poll(&self) -> Option<Slot<'_>> {
        claim(&self.polling)
    }

    /// The session's one long-polling POST slot; `None` while another POST
    /// holds it.
    pub fn claim_post(&self) -> Option<Slot<'_>> {
        claim(&self.posting)
    }

    /// Waits until the socket may have one more event in flight, and counts
    /// it until the returned permit is dropped, however the event's task
    /// ends (an answer, an error or a panic).
    pub async fn start_event(self: &Arc<Self>) -> EventPermit {
        // The permit is handed to the guard, which gives it back on drop.
        let counted = match self.events.acquire().await {
            Ok(permit) => {
                permit.forget();
                true
            }
            Err(_) => false,
        };
        EventPermit {
            counted,
            session: self.clone(),
        }
    }

    /// Whether another event may start now, i.e. whether the transport
    /// should read the next packet.
    pub fn may_read(&self) -> bool {
        self.events.available_permits() > 0
    }

    /// Queues `frame` for the transport. A socket that lets more than
    /// [`MAX_WAITING_FRAMES`] frames or [`MAX_WAITING_BYTES`] bytes pile up
    /// has stopped reading: its queue is dropped and it is closed, so one
    /// slow client cannot hold the server's memory (it catches up with
    /// `sync` when it reconnects).
    pub fn push(&self, frame: Utf8Bytes) {
        {
            let mut outbox = lock(&self.outbox);
            if outbox.closing {
                return;
            }
            outbox.bytes += frame.as_str().len();
            outbox.frames.push_back(frame);
            if outbox.frames.len() > MAX_WAITING_FRAMES || outbox.bytes > MAX_WAITING_BYTES {
                tracing::info!(session = %log_tag(self.sid), "slow consumer disconnected");
                outbox.frames.clear();
                outbox.bytes = 0;
                outbox.closing = true;
            }
        }
        self.wake.notify_one();
    }

    /// Asks the transport to write what waits and close.
    pub fn close(&self) {
        lock(&self.outbox).closing = true;
        self.wake.notify_one();
    }

    /// The client closed the session (an Engine.IO close packet): it ends,
    /// and nothing waiting is written to it.
    pub fn leave(&self) {
        let mut outbox = lock(&self.outbox);
        outbox.closing = true;
        outbox.left = true;
        drop(outbox);
        self.wake.notify_one();
    }

    /// True once the session is ending: nothing more it sends is handled.
    pub fn is_closing(&self) -> bool {
        lock(&self.outbox).closing
    }

    /// Takes every waiting frame.
    pub fn take(&self) -> Batch {
        let mut outbox = lock(&self.outbox);
        outbox.bytes = 0;
        // Moved out whole: no copy, and an idle session keeps no capacity.
        Batch {
            frames: std::mem::take(&mut outbox.frames),
            close: outbox.closing,
            left: outbox.left,
        }
    }

    /// The connected socket's user, if any.
    pub fn actor(&self) -> Option<Actor> {
        lock(&self.actor).clone()
    }

    /// Marks the socket connected as `actor`.
    pub fn set_actor(&self, actor: Actor) {
        *lock(&self.actor) = Some(actor);
    }

    /// Marks the socket gone; the user it was, if it was connected.
    pub fn take_actor(&self) -> Option<Actor> {
        lock(&self.actor).take()
    }

    /// A ping went out.
    pub fn pinged(&self) {
        self.awaiting_pong.store(true, Ordering::Release);
    }

    /// The pong came back.
    pub fn ponged(&self) {
        self.awaiting_pong.store(false, Ordering::Release);
    }

    /// True while a ping waits for its pong.
    pub fn awaiting_pong(&self) -> bool {
        self.awaiting_pong.load(Ordering::Acquire)
    }

    /// The session now runs on a websocket.
    pub fn set_upgraded(&self) {
        self.upgraded.store(true, Ordering::Release);
    }

    /// True once the session runs on a websocket.
    pub fn is_upgraded(&self) -> bool {
        self.upgraded.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_come_out_in_order_and_closing_stops_new_ones() {
        let session = Session::new(1, true, None);
        session.push("a".into());
        session.push("b".into());
        session.close();
        session.push("c".into());
        let batch = session.take();
        let frames: Vec<&str> = batch.frames.iter().map(Utf8Bytes::as_str).collect();
        assert_eq!(frames, ["a", "b"]);
        assert!(batch.close);
    }

    #[test]
    fn a_socket_that_stops_reading_is_closed_and_its_queue_dropped() {
        let session = Session::new(1, true, None);
        for _ in 0..=MAX_WAITING_FRAMES {
            session.push("x".into());
        }
        let batch = session.take();
        assert!(batch.frames.is_empty());
        assert!(batch.close);
    }

    #[tokio::test]
    async fn a_socket_with_every_event_place_taken_is_not_read_until_one_ends() {
        let session = Arc::new(Session::new(1, true, None));
        let mut running = Vec::new();
        for _ in 0..MAX_EVENTS_IN_FLIGHT {
            assert!(session.may_read());
            running.push(session.start_event().await);
        }
        assert!(!session.may_read());
        let mut next = std::pin::pin!(session.start_event());
        assert!(futures_util::poll!(next.as_mut()).is_pending());
        drop(running.pop());
        let std::task::Poll::Ready(last) = futures_util::poll!(next.as_mut()) else {
            panic!("a freed place is taken at once");
        };
        assert!(!session.may_read());
        drop(last);
        assert!(session.may_read());
    }

    #[tokio::test]
    async fn an_event_task_that_panics_still_frees_its_place() {
        let session = Arc::new(Session::new(1, true, None));
        for _ in 0..MAX_EVENTS_IN_FLIGHT {
            let permit = session.start_event().await;
            let task = tokio::spawn(async move {
                let _permit = permit;
                panic!("a handler bug");
            });
            assert!(task.await.is_err(), "the task panicked");
        }
        assert!(session.may_read(), "every place came back");
    }

    #[test]
    fn sids_read_back_from_their_text() {
        let sid: Sid = 0x0123_4567_89ab_cdef_0011_2233_4455_6677;
        assert_eq!(parse_sid(&sid_text(sid)), Some(sid));
        assert_eq!(parse_sid("xyz"), None);
        assert_eq!(log_tag(sid).len(), 8);
        assert!(!sid_text(sid).contains(&log_tag(sid)));
        assert_eq!(parse_sid(&"g".repeat(32)), None);
    }
}
