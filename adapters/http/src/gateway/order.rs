//! Delivery in log order: each conversation's `message:new` events leave a
//! node in `seq` order, whatever order they reach it in.
//!
//! Events reach a node out of order in many ways: handler tasks that publish
//! after their commit wake in any order, a retried event goes to the back of
//! its lane, consumers on several nodes run at once, and two nodes' buses are
//! not ordered with each other. So order is restored at the last hop, where
//! it is seen: each conversation room with sockets on this node has a
//! [`Line`] that knows the next `seq` it owes the room. A message ahead of
//! it waits; one behind it was delivered already (at-least-once redelivery
//! is dropped here). A gap that does not close by itself within
//! [`GAP_WAIT`] is repaired from the message log, which holds every
//! committed message: a later message's commit implies the earlier ones'.
//! An event about a message (an edit, a delete, reactions) follows that
//! message's own `message:new`: one that comes first waits for it.

use std::collections::BTreeMap;
use std::time::Duration;

/// How long a message waits for an earlier one before the earlier one is
/// read from the log instead. Reordering in flight is a matter of
/// milliseconds; a retry waits 100 ms and more.
pub const GAP_WAIT: Duration = Duration::from_millis(250);

/// The most messages (or events about messages) a line holds behind a gap;
/// past that it gives up on the gap and sends what it holds (bounds the
/// memory a gap the log cannot fill takes: `sync` fills it for the client).
pub const MAX_HELD: usize = 1024;

/// What a line asks for after a message arrived.
pub struct Step<T> {
    /// Deliver these, in this order, now.
    pub deliver: Vec<T>,
    /// A gap opened: repair it after [`GAP_WAIT`] (asked once per gap).
    pub repair_later: bool,
}

/// One conversation's delivery order on this node.
pub struct Line<T> {
    /// The next `seq` owed to the room; `None` until the line's first
    /// message (a room's line starts with the first message it sees, as
    /// what came before reached its sockets by history).
    next: Option<i64>,
    /// Messages ahead of `next`, by `seq`.
    held: BTreeMap<i64, T>,
    /// Events about messages not delivered yet, by the message's `seq`.
    after: BTreeMap<i64, Vec<T>>,
    /// A repair is scheduled: at most one per line at a time, however many
    /// gaps open and close before it runs.
    repairing: bool,
}

impl<T> Default for Line<T> {
    fn default() -> Self {
        Self {
            next: None,
            held: BTreeMap::new(),
            after: BTreeMap::new(),
            repairing: false,
        }
    }
}

impl<T> Line<T> {
    /// Message `seq` arrived.
    pub fn arrive(&mut self, seq: i64, item: T) -> Step<T> {
        match self.next {
            // Nothing precedes a conversation's first message.
            None if seq == 1 => self.next = Some(1),
            Some(next) if seq < next => {
                return Step {
                    deliver: Vec::new(),
                    repair_later: false,
                };
            }
            _ => {}
        }
        self.held.entry(seq).or_insert(item);
        let mut deliver = self.flush();
        if self.held.len() > MAX_HELD {
            deliver.extend(self.give_up());
        }
        let repair_later = !self.held.is_empty() && !self.repairing;
        if repair_later {
            self.repairing = true;
        }
        Step {
            deliver,
            repair_later,
        }
    }

    /// Holding too much: skips the gaps [`Line::missing`] names, as a repair
    /// that found nothing in the log would, and returns what then goes.
    fn give_up(&mut self) -> Vec<T> {
        let Some(read) = self.missing() else {
            return Vec::new();
        };
        let repairing = self.repairing;
        let step = self.repair(read, Vec::new());
        // A scheduled repair still comes; this was not it.
        self.repairing = repairing || step.repair_later;
        step.deliver
    }

    /// An event about message `seq` arrived: it goes now if that message
    /// was delivered (or came before the line began), else right after it.
    pub fn follow(&mut self, seq: i64, item: T) -> Step<T> {
        let mut step = Step {
            deliver: Vec::new(),
            repair_later: false,
        };
        match self.next {
            Some(next) if seq >= next => {
                self.after.entry(seq).or_default().push(item);
                if self.after.len() > MAX_HELD {
                    step.deliver = self.give_up();
                }
                step.repair_later = !self.repairing;
                self.repairing = true;
            }
            _ => step.deliver.push(item),
        }
        step
    }

    /// What the scheduled repair is to read from the log (see
    /// [`Line::missing`]); `None`, and no repair scheduled any more, when
    /// every gap has closed by itself meanwhile.
    pub fn due(&mut self) -> Option<(i64, u32)> {
        let read = self.missing();
        if read.is_none() {
            self.repairing = false;
        }
        read
    }

    /// The `seq`s a repair reads from the log, as `(after, limit)`: those
    /// from the next owed one up to the last held one. `None` when nothing
    /// waits.
    pub fn missing(&self) -> Option<(i64, u32)> {
        // The messages before the last held one, and those that events wait
        // for.
        let before_held = self.held.keys().next_back().map(|last| last - 1);
        let followed = self.after.keys().next_back().copied();
        let end = before_held.max(followed)?;
        let from = self
            .next
            .or_else(|| self.held.keys().next().copied())
            .unwrap_or(end);
        let span = u32::try_from(end - from + 1).unwrap_or(0);
        Some((from - 1, span.min(MAX_HELD as u32)))
    }

    /// Repairs the gap with what the log held of `read` (the `(after,
    /// limit)` that [`Line::missing`] gave): `found`. Returns what is then in
    /// order; a `seq` of `read` the log does not have either (none is
    /// expected) is skipped. Messages may have come while the log was read:
    /// only the gaps inside `read` are skipped, and a gap beyond it stays
    /// (the step asks for another repair).
    pub fn repair(
        &mut self,
        read: (i64, u32),
        found: impl IntoIterator<Item = (i64, T)>,
    ) -> Step<T> {
        let (after, limit) = read;
        let end = after + i64::from(limit);
        let mut next = self.next.unwrap_or(after + 1);
        for (seq, item) in found {
            if seq >= next {
                self.held.entry(seq).or_insert(item);
            }
        }
        let mut deliver = Vec::new();
        loop {
            if let Some(item) = self.held.remove(&next) {
                deliver.push(item);
            } else if next > end {
                break;
            }
            // A skipped message's followers go all the same.
            deliver.extend(self.after.remove(&next).unwrap_or_default());
            next += 1;
        }
        self.next = Some(next);
        let repair_later = !self.held.is_empty() || !self.after.is_empty();
        self.repairing = repair_later;
        Step {
            deliver,
            repair_later,
        }
    }

    /// Delivers what is now in order from `next`.
    fn flush(&mut self) -> Vec<T> {
        let mut out = Vec::new();
        let Some(mut next) = self.next else {
            return out;
        };
        while let Some(item) = self.held.remove(&next) {
            out.push(item);
            out.extend(self.after.remove(&next).unwrap_or_default());
            next += 1;
        }
        self.next = Some(next);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn in_order_messages_pass_at_once_and_repeats_are_dropped() {
        let mut line = Line::default();
        for seq in 1..=3 {
            let step = line.arrive(seq, seq);
            assert_eq!(step.deliver, [seq]);
            assert!(!step.repair_later);
        }
        assert!(line.arrive(2, 2).deliver.is_empty(), "delivered already");
    }

    #[test]
    fn a_message_ahead_waits_for_the_one_before_it() {
        let mut line = Line::default();
        line.arrive(1, 1);
        let ahead = line.arrive(3, 3);
        assert!(ahead.deliver.is_empty());
        assert!(ahead.repair_later, "a gap opened");
        assert!(!line.arrive(4, 4).repair_later, "one repair at a time");
        assert_eq!(line.arrive(2, 2).deliver, [2, 3, 4]);
        assert!(
            !line.arrive(6, 6).repair_later,
            "the scheduled one is to come"
        );
        assert_eq!(line.arrive(5, 5).deliver, [5, 6]);
        assert_eq!(line.due(), None, "it finds nothing to do");
        assert!(
            line.arrive(8, 8).repair_later,
            "and the next gap gets its own"
        );
    }

    #[test]
    fn a_gap_is_repaired_from_the_log_and_what_it_lacks_is_skipped() {
        let mut line = Line::default();
        line.arrive(1, "1");
        line.arrive(4, "4");
        line.arrive(6, "6");
        let read = line.missing().expect("a gap");
        assert_eq!(read, (1, 4), "2 to 5 (6 is held)");
        let step = line.repair(read, [(2, "2"), (3, "3"), (4, "log 4")]);
        assert_eq!(step.deliver, ["2", "3", "4", "6"]);
        assert!(!step.repair_later);
        assert!(line.arrive(5, "5").deliver.is_empty(), "late: skipped");
        assert_eq!(line.arrive(7, "7").deliver, ["7"]);
    }

    #[test]
    fn a_line_that_starts_mid_conversation_orders_from_its_first_messages() {
        let mut line = Line::default();
        let first = line.arrive(12, 12);
        assert!(first.deliver.is_empty() && first.repair_later);
        line.arrive(11, 11);
        assert_eq!(line.missing(), Some((10, 1)));
        assert_eq!(line.repair((10, 1), Vec::new()).deliver, [11, 12]);
        assert_eq!(line.arrive(13, 13).deliver, [13]);
    }

    #[test]
    fn a_gap_that_opened_while_the_log_was_read_is_not_skipped() {
        let mut line = Line::default();
        line.arrive(1, 1);
        line.arrive(3, 3);
        let read = line.missing().expect("a gap");
        // While the log is read, 2 and 3 pass and a new gap opens at 5.
        assert_eq!(line.arrive(2, 2).deliver, [2, 3]);
        line.arrive(4, 4);
        line.arrive(6, 6);
        let step = line.repair(read, [(2, 2)]);
        assert!(step.deliver.is_empty(), "5 was not read: 6 still waits");
        assert!(step.repair_later);
        assert_eq!(line.arrive(5, 5).deliver, [5, 6]);
    }

    #[test]
    fn an_event_about_a_message_follows_that_message() {
        let mut line = Line::default();
        assert_eq!(line.follow(7, "edit 7").deliver, ["edit 7"], "no line yet");
        line.arrive(1, "1");
        assert_eq!(line.follow(1, "edit 1").deliver, ["edit 1"], "delivered");
        let early = line.follow(2, "edit 2");
        assert!(early.deliver.is_empty() && early.repair_later);
        assert_eq!(line.arrive(2, "2").deliver, ["2", "edit 2"]);
        line.follow(4, "react 4");
        assert_eq!(line.missing(), Some((2, 2)), "3 and 4 are read");
        let step = line.repair((2, 2), [(4, "4")]);
        assert_eq!(step.deliver, ["4", "react 4"], "3 skipped, 4 and its event");
    }

    #[test]
    fn a_line_holding_too_much_gives_up_on_its_gap() {
        let mut line = Line::default();
        line.arrive(1, 1);
        let mut out = Vec::new();
        for seq in 3..(4 + MAX_HELD as i64) {
            out.extend(line.arrive(seq, seq).deliver);
            assert!(line.held.len() <= MAX_HELD, "bounded");
        }
        assert_eq!(
            out,
            (3..(4 + MAX_HELD as i64)).collect::<Vec<_>>(),
            "2 skipped"
        );
        assert!(line.arrive(2, 2).deliver.is_empty(), "too late");
    }

    proptest! {
        /// Whatever order 1..=n arrives in, each is delivered once, in order,
        /// with repairs (from a log that has them all) at any moment once the
        /// conversation's first message has arrived.
        #[test]
        fn any_arrival_order_is_delivered_once_in_order(
            order in Just((1..=40_i64).collect::<Vec<_>>()).prop_shuffle(),
            repairs in proptest::collection::vec(any::<bool>(), 40),
        ) {
            let mut line = Line::default();
            let mut out = Vec::new();
            let mut first_arrived = false;
            for (seq, repair) in order.into_iter().zip(repairs) {
                first_arrived |= seq == 1;
                out.extend(line.arrive(seq, seq).deliver);
                if repair && first_arrived && let Some((after, limit)) = line.missing() {
                    let found = (after + 1..=after + i64::from(limit)).map(|s| (s, s));
                    out.extend(line.repair((after, limit), found.collect::<Vec<_>>()).deliver);
                }
            }
            while let Some((after, limit)) = line.missing() {
                let found = (after + 1..=after + i64::from(limit)).map(|s| (s, s));
                out.extend(line.repair((after, limit), found.collect::<Vec<_>>()).deliver);
            }
            prop_assert_eq!(out, (1..=40).collect::<Vec<_>>());
        }
    }
}
