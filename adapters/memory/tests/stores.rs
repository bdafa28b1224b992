//! The store contract suite on the in-memory reference store: the same
//! tests SQLite and PostgreSQL pass.

use chatchit_memory::InMemoryStore;
use chatchit_testkit::store::Stores;
use chatchit_testkit::store_contract;
use std::sync::Arc;

/// Every store port on one fresh in-memory store.
fn memory() -> Stores {
    let store = InMemoryStore::new();
    Stores {
        keep: Box::new(()),
        users: Arc::new(store.clone()),
        sessions: Arc::new(store.clone()),
        conversations: Arc::new(store.clone()),
        messages: Arc::new(store.clone()),
        social: Arc::new(store.clone()),
        stories: Arc::new(store.clone()),
        reports: Arc::new(store.clone()),
        calls: Arc::new(store),
    }
}

store_contract!(in_memory, Some(super::memory()));
