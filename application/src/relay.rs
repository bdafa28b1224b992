//! The relay log, so that a crash between a message's commit and the hand-out
//! of its `message:new` delays the delivery instead of dropping it.
//!
//! Every append notes its message as to be relayed in its own transaction
//! (the store does). The processor, once it handed the event out, says so
//! here ([`Relays::done`]) and the notes are deleted in batches. A note that
//! is still there [`RelaySettings::orphaned_after`] later belongs to an event
//! that never made it (the node died after the commit, or its queue lost the
//! event): the sweep queues it again. Delivery is at least once across a
//! crash: a message relayed twice is dropped by each node's delivery line,
//! and a client that reconnected and synced sees its `message:new` again at
//! most once.

use chatchit_domain::events::DomainEvent;
use chatchit_domain::ids::MessageId;
use chatchit_domain::ports::{Clock, EventQueue, MessageStore};
use chrono::TimeDelta;
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Most done notes waiting to be deleted; past that a note is left for the
/// sweep (which relays its message once more: harmless).
const DONE_BACKLOG: usize = 65_536;

/// Most notes relayed by the sweep at once.
const BATCH: usize = 512;

/// Most notes deleted at once.
const DELETE_BATCH: usize = 8_192;

/// How long done notes gather before they are deleted together: each
/// delete is a write transaction (a commit, an fsync), so one a second costs
/// next to nothing where one per message would cost as much as the append.
const DELETE_EVERY: Duration = Duration::from_secs(1);

/// How the sweep runs.
#[derive(Debug, Clone, Copy)]
pub struct RelaySettings {
    /// How often the sweep looks.
    pub sweep_every: Duration,
    /// A note this old is taken for a lost relay. Longer than an event's
    /// retries take, so an event still being retried is not relayed twice.
    pub orphaned_after: Duration,
}

impl Default for RelaySettings {
    fn default() -> Self {
        Self {
            sweep_every: Duration::from_secs(10),
            orphaned_after: Duration::from_secs(60),
        }
    }
}

/// Where the processor says that a message's event was handed out.
#[derive(Clone)]
pub struct Relays {
    /// To the task that deletes the notes in batches.
    done: mpsc::Sender<MessageId>,
}

impl Relays {
    /// Starts the note deleter and the sweep over `messages`, queueing
    /// orphans on `queue`; [`RelayTasks::finish`] ends them at shutdown
    /// (the sweep also ends by itself when the store or the queue goes).
    pub fn start(
        messages: Arc<dyn MessageStore>,
        queue: &Arc<dyn EventQueue>,
        clock: Arc<dyn Clock>,
        settings: RelaySettings,
    ) -> (Self, RelayTasks) {
        let (done, notes) = mpsc::channel(DONE_BACKLOG);
        let sweep = tokio::spawn(sweep(
            Arc::downgrade(&messages),
            Arc::downgrade(queue),
            clock,
            settings,
        ));
        let deleter = tokio::spawn(delete_done(messages, notes));
        (Self { done }, RelayTasks { sweep, deleter })
    }

    /// `message`'s event was handed out: its note can go.
    pub fn done(&self, message: MessageId) {
        if self.done.try_send(message).is_err() {
            tracing::debug!("relay notes backlogged; the sweep will relay one again");
        }
    }
}

/// The relay log's tasks, for the shutdown.
pub struct RelayTasks {
    /// Queues lost relays again.
    sweep: JoinHandle<()>,
    /// Deletes done notes.
    deleter: JoinHandle<()>,
}

/// How long a shutdown waits for the last done notes to be deleted.
const FINISH_WITHIN: Duration = Duration::from_secs(5);

impl RelayTasks {
    /// Stops the sweep, and waits (a while) for the deleter to delete what
    /// the processor handed out: call it once the processor is gone, so that
    /// a restart does not relay those messages again.
    pub async fn finish(self) {
        self.sweep.abort();
        let deleter = self.deleter.abort_handle();
        if tokio::time::timeout(FINISH_WITHIN, self.deleter)
            .await
            .is_err()
        {
            tracing::warn!("relay notes still being deleted at shutdown");
            deleter.abort();
        }
    }
}

/// Deletes done notes: those that came within [`DELETE_EVERY`] of the
/// first, together (up to [`DELETE_BATCH`] at once). When the processor
/// goes (a shutdown), what it handed out is deleted at once, so that a
/// restart does not relay the last second's messages again.
async fn delete_done(messages: Arc<dyn MessageStore>, mut notes: mpsc::Receiver<MessageId>) {
    while let Some(first) = notes.recv().await {
        let deadline = tokio::time::Instant::now() + DELETE_EVERY;
        let mut batch = vec![first];
        while batch.len() < DELETE_BATCH {
            match tokio::time::timeout_at(deadline, notes.recv()).await {
                Ok(Some(id)) => batch.push(id),
                Ok(None) | Err(_) => break,
            }
        }
        if let Err(e) = messages.relayed(batch).await {
            tracing::warn!(error = %e, "relay notes not deleted; the sweep will relay them again");
        }
    }
}

/// Every `sweep_every`, queues the `message:new` of every message whose note
/// is older than `orphaned_after`.
async fn sweep(
    messages: Weak<dyn MessageStore>,
    queue: Weak<dyn EventQueue>,
    clock: Arc<dyn Clock>,
    settings: RelaySettings,
) {
    let age = TimeDelta::from_std(settings.orphaned_after).unwrap_or(TimeDelta::days(1));
    loop {
        tokio::time::sleep(settings.sweep_every).await;
        let (Some(messages), Some(queue)) = (messages.upgrade(), queue.upgrade()) else {
            return;
        };
        let before = clock.now().plus(-age);
        let orphans = match messages.unrelayed(before, BATCH as u32).await {
            Ok(orphans) => orphans,
            Err(e) => {
                tracing::warn!(error = %e, "the relay log could not be read");
                continue;
            }
        };
        if !orphans.is_empty() {
            tracing::info!(
                messages = orphans.len(),
                "relaying messages whose relay was lost"
            );
        }
        for message in orphans {
            let event = DomainEvent::MessageCreated {
                message,
                origin: None,
            };
            if let Err(e) = queue.publish(event).await {
                tracing::warn!(error = %e, "a lost relay could not be queued again");
                break;
            }
        }
    }
}
