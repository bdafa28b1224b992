//! `CallStore` in memory.

use super::{InMemoryStore, taken, up_to};
use async_trait::async_trait;
use chatchit_domain::StoreError;
use chatchit_domain::call::{Call, CallId, CallState};
use chatchit_domain::ids::UserId;
use chatchit_domain::ports::CallStore;
use std::collections::HashMap;

/// Calls by id, and the live call of each participant (one at most).
#[derive(Default)]
pub(super) struct Calls {
    /// By id.
    by_id: HashMap<CallId, Call>,
    /// Who is in which live call.
    live: HashMap<UserId, CallId>,
}

impl Calls {
    /// Marks `call`'s participants as in it while it is live, free once it
    /// ended.
    fn track(&mut self, call: &Call) {
        for user in &call.participants {
            match call.state {
                CallState::Ended => {
                    self.live.remove(user);
                }
                _ => {
                    self.live.insert(*user, call.id);
                }
            }
        }
    }
}

#[async_trait]
impl CallStore for InMemoryStore {
    async fn create(&self, call: Call) -> Result<(), StoreError> {
        let mut t = self.tables();
        let busy = call.state != CallState::Ended
            && call
                .participants
                .iter()
                .any(|u| t.calls.live.contains_key(u));
        if busy || t.calls.by_id.contains_key(&call.id) {
            return Err(taken("call_participants.one_live_call"));
        }
        t.calls.track(&call);
        t.calls.by_id.insert(call.id, call);
        Ok(())
    }

    async fn find(&self, id: CallId) -> Result<Option<Call>, StoreError> {
        Ok(self.tables().calls.by_id.get(&id).cloned())
    }

    async fn transition(&self, call: Call, expected: CallState) -> Result<bool, StoreError> {
        let mut t = self.tables();
        let Some(stored) = t
            .calls
            .by_id
            .get_mut(&call.id)
            .filter(|c| c.state == expected)
        else {
            return Ok(false);
        };
        stored.state = call.state;
        stored.answered_at = call.answered_at;
        stored.ended_at = call.ended_at;
        stored.end_reason = call.end_reason;
        let stored = stored.clone();
        t.calls.track(&stored);
        Ok(true)
    }

    async fn live_for(&self, user: UserId) -> Result<Option<Call>, StoreError> {
        let t = self.tables();
        Ok(t.calls
            .live
            .get(&user)
            .and_then(|id| t.calls.by_id.get(id))
            .cloned())
    }

    async fn history(&self, user: UserId, limit: u32) -> Result<Vec<Call>, StoreError> {
        let t = self.tables();
        let mut mine: Vec<&Call> = t
            .calls
            .by_id
            .values()
            .filter(|c| c.participants.contains(&user))
            .collect();
        mine.sort_by_key(|c| std::cmp::Reverse((c.started_at, c.id)));
        Ok(up_to(mine.into_iter().cloned(), limit))
    }
}
