//! The in-process `PresenceStore`: socket counts and statuses for one node.

use async_trait::async_trait;
use chatchit_domain::StoreError;
use chatchit_domain::ids::UserId;
use chatchit_domain::ports::{PresenceChange, PresenceStore};
use chatchit_domain::presence::{Presence, PresenceStatus};
use chatchit_domain::time::Timestamp;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

#[derive(Debug, Clone, Copy)]
struct Entry {
    sockets: u32,
    chosen: PresenceStatus,
    presence: Presence,
}

/// Presence of the users connected to this process.
#[derive(Debug, Default)]
pub struct InMemoryPresence {
    /// Per user: live sockets, chosen status and the presence shown.
    entries: Mutex<HashMap<UserId, Entry>>,
}

impl InMemoryPresence {
    fn lock(&self) -> MutexGuard<'_, HashMap<UserId, Entry>> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn changed(entry: &mut Entry, status: PresenceStatus, last_seen_at: Option<Timestamp>) -> Presence {
    entry.presence = Presence {
        status,
        last_seen_at,
        version: entry.presence.version + 1,
    };
    entry.presence
}

#[async_trait]
impl PresenceStore for InMemoryPresence {
    async fn connected(&self, user: UserId) -> Result<Presence, StoreError> {
        let mut entries = self.lock();
        let entry = entries.entry(user).or_insert(Entry {
            sockets: 0,
            chosen: PresenceStatus::Online,
            presence: Presence::UNKNOWN,
        });
        entry.sockets += 1;
        if entry.sockets == 1 {
            let last_seen = entry.presence.last_seen_at;
            return Ok(changed(entry, entry.chosen, last_seen));
        }
        Ok(entry.presence)
    }

    async fn disconnected(&self, user: UserId, at: Timestamp) -> Result<Presence, StoreError> {
        let mut entries = self.lock();
        let Some(entry) = entries.get_mut(&user) else {
            return Ok(Presence::UNKNOWN);
        };
        entry.sockets = entry.sockets.saturating_sub(1);
        if entry.sockets == 0 {
            entry.chosen = PresenceStatus::Online;
            return Ok(changed(entry, PresenceStatus::Offline, Some(at)));
        }
        Ok(entry.presence)
    }

    async fn set_status(
        &self,
        user: UserId,
        status: PresenceStatus,
        at: Timestamp,
    ) -> Result<Presence, StoreError> {
        let mut entries = self.lock();
        match entries.get_mut(&user) {
            Some(entry) if entry.sockets > 0 => {
                entry.chosen = status;
                let last_seen = if status == PresenceStatus::Invisible {
                    Some(at)
                } else {
                    entry.presence.last_seen_at
                };
                Ok(changed(entry, status, last_seen))
            }
            _ => Ok(Presence::UNKNOWN),
        }
    }

    async fn get(&self, user: UserId) -> Result<Presence, StoreError> {
        Ok(self
            .lock()
            .get(&user)
            .map_or(Presence::UNKNOWN, |e| e.presence))
    }

    async fn reap(&self, _at: Timestamp) -> Result<Vec<PresenceChange>, StoreError> {
        Ok(Vec::new())
    }
}
