//! `SessionStore` in memory.

use super::{InMemoryStore, taken, up_to};
use async_trait::async_trait;
use chatchit_domain::StoreError;
use chatchit_domain::auth::{RefreshTokenRecord, Session};
use chatchit_domain::ids::{SessionId, UserId};
use chatchit_domain::ports::SessionStore;
use chatchit_domain::time::Timestamp;
use std::collections::HashMap;

/// Sessions, and refresh tokens by hash.
#[derive(Default)]
pub(super) struct Sessions {
    /// By id.
    sessions: HashMap<SessionId, Session>,
    /// By token hash.
    tokens: HashMap<String, RefreshTokenRecord>,
}

#[async_trait]
impl SessionStore for InMemoryStore {
    async fn create(&self, session: Session, token: RefreshTokenRecord) -> Result<(), StoreError> {
        let mut t = self.tables();
        let s = &mut t.sessions;
        if s.sessions.contains_key(&session.id) || s.tokens.contains_key(&token.token_hash) {
            return Err(taken("sessions.id"));
        }
        s.tokens.insert(token.token_hash.clone(), token);
        s.sessions.insert(session.id, session);
        Ok(())
    }

    async fn open(&self, session: Session) -> Result<(), StoreError> {
        self.tables()
            .sessions
            .sessions
            .entry(session.id)
            .or_insert(session);
        Ok(())
    }

    async fn find(&self, id: SessionId) -> Result<Option<Session>, StoreError> {
        Ok(self.tables().sessions.sessions.get(&id).cloned())
    }

    async fn find_token(
        &self,
        token_hash: String,
    ) -> Result<Option<RefreshTokenRecord>, StoreError> {
        Ok(self.tables().sessions.tokens.get(&token_hash).cloned())
    }

    async fn rotate(
        &self,
        old_hash: String,
        at: Timestamp,
        next: RefreshTokenRecord,
    ) -> Result<bool, StoreError> {
        let mut t = self.tables();
        let s = &mut t.sessions;
        match s.tokens.get_mut(&old_hash) {
            Some(old) if old.used_at.is_none() => old.used_at = Some(at),
            _ => return Ok(false),
        }
        s.tokens.insert(next.token_hash.clone(), next);
        Ok(true)
    }

    async fn revoke(&self, id: SessionId, at: Timestamp) -> Result<(), StoreError> {
        if let Some(session) = self.tables().sessions.sessions.get_mut(&id) {
            session.revoked_at.get_or_insert(at);
        }
        Ok(())
    }

    async fn revoke_user(&self, user: UserId, at: Timestamp) -> Result<(), StoreError> {
        for session in self.tables().sessions.sessions.values_mut() {
            if session.user_id == user {
                session.revoked_at.get_or_insert(at);
            }
        }
        Ok(())
    }

    async fn revoked_since(
        &self,
        after: Timestamp,
        limit: u64,
    ) -> Result<Vec<Session>, StoreError> {
        let t = self.tables();
        let mut revoked: Vec<Session> = t
            .sessions
            .sessions
            .values()
            .filter(|s| s.revoked_at.is_some_and(|at| at > after))
            .cloned()
            .collect();
        revoked.sort_by_key(|s| std::cmp::Reverse(s.revoked_at));
        Ok(up_to(
            revoked.into_iter(),
            u32::try_from(limit).unwrap_or(u32::MAX),
        ))
    }
}
