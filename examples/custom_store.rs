//! A host that keeps ChatChit's accounts in a store of its own.
//!
//! Every store port can be supplied (`ChatChit::builder(..).users(..)`,
//! `.messages(..)`, …). Here the host runs ChatChit with no database at all:
//! the conversations, messages and the rest live in the in-memory reference
//! store, and the accounts in the host's `Directory`, a `UserStore` of its
//! own that keeps its member list in step with ChatChit's accounts (it hands
//! the rest of the work to the reference store).
//!
//! ```text
//! cargo run -p chatchit-examples --example custom_store
//! ```

use async_trait::async_trait;
use chatchit::parts::domain::StoreError;
use chatchit::parts::domain::ids::UserId;
use chatchit::parts::domain::ports::UserStore;
use chatchit::parts::domain::time::Timestamp;
use chatchit::parts::domain::user::{Credentials, ProfileChange, Role, User};
use chatchit::parts::memory::InMemoryStore;
use chatchit::{ChatChit, Config};
use std::sync::{Arc, Mutex};

/// The host's member directory: the names its own pages list, kept as
/// ChatChit creates and renames accounts.
#[derive(Clone, Default)]
struct Directory {
    /// Where the accounts themselves are kept.
    accounts: InMemoryStore,
    /// `(id, display name)` of every member, in order of joining.
    members: Arc<Mutex<Vec<(UserId, String)>>>,
}

impl Directory {
    /// The members' display names.
    fn names(&self) -> Vec<String> {
        let members = self.members.lock().unwrap_or_else(|e| e.into_inner());
        members.iter().map(|(_, name)| name.clone()).collect()
    }

    /// Records `user` under its current display name.
    fn record(&self, user: &User) {
        let mut members = self.members.lock().unwrap_or_else(|e| e.into_inner());
        match members.iter_mut().find(|(id, _)| *id == user.id) {
            Some(entry) => entry.1 = user.display_name.clone(),
            None => members.push((user.id, user.display_name.clone())),
        }
    }
}

#[async_trait]
impl UserStore for Directory {
    async fn create(&self, user: User, password_hash: String) -> Result<(), StoreError> {
        self.accounts.create(user.clone(), password_hash).await?;
        self.record(&user);
        Ok(())
    }

    async fn find(&self, id: UserId) -> Result<Option<User>, StoreError> {
        UserStore::find(&self.accounts, id).await
    }

    async fn find_many(&self, ids: Vec<UserId>) -> Result<Vec<User>, StoreError> {
        self.accounts.find_many(ids).await
    }

    async fn find_credentials(&self, username: String) -> Result<Option<Credentials>, StoreError> {
        self.accounts.find_credentials(username).await
    }

    async fn update_profile(&self, id: UserId, change: ProfileChange) -> Result<User, StoreError> {
        let user = self.accounts.update_profile(id, change).await?;
        self.record(&user);
        Ok(user)
    }

    async fn set_role(&self, id: UserId, role: Role) -> Result<(), StoreError> {
        self.accounts.set_role(id, role).await
    }

    async fn set_banned(&self, id: UserId, at: Option<Timestamp>) -> Result<(), StoreError> {
        self.accounts.set_banned(id, at).await
    }

    async fn search(&self, prefix: String, limit: u32) -> Result<Vec<User>, StoreError> {
        self.accounts.search(prefix, limit).await
    }
}

/// ChatChit on the reference store, with the host's directory for accounts.
/// No database: the token secret is configured, as nothing could keep a
/// generated one.
async fn chat(config: Config, directory: Directory) -> anyhow::Result<ChatChit> {
    ChatChit::builder(Config {
        jwt_secret: Some("the host's secret for ChatChit tokens".into()),
        ..config
    })
    .all_stores(InMemoryStore::new())
    .users(Arc::new(directory))
    .build()
    .await
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let directory = Directory::default();
    let chat = chat(Config::default(), directory.clone()).await?;
    let stop = async {
        let _signal = tokio::signal::ctrl_c().await;
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:8091").await?;
    println!(
        "ChatChit on http://{}, accounts in the host's directory",
        listener.local_addr()?
    );
    chat.serve(listener, stop).await;
    println!("members: {:?}", directory.names());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chatchit_tests::Endpoint;
    use serde_json::json;

    #[tokio::test]
    async fn accounts_land_in_the_hosts_directory_and_nothing_touches_a_disk() {
        let dir = tempfile::tempdir().expect("dir");
        let data_dir = dir.path().join("never-created");
        let directory = Directory::default();
        let config = Config {
            data_dir: data_dir.clone(),
            bcrypt_cost: 4,
            ..Config::default()
        };
        let chat = chat(config, directory.clone()).await.expect("chat");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let endpoint = Endpoint::new(format!("http://{}", listener.local_addr().expect("addr")));
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(chat.serve(listener, async {
            let _stop = stopped.await;
        }));

        let ann = endpoint.register("ann").await;
        let ben = endpoint.register("ben").await;
        let direct = endpoint.direct(&ann, &ben).await;
        let mut ben_socket = endpoint.socket(&ben.token).await;
        let ann_socket = endpoint.socket(&ann.token).await;
        let ack = ann_socket
            .emit(
                "message:send",
                json!({"conversationId": direct, "body": "hello", "clientMsgId": "c1"}),
            )
            .await;
        assert_eq!(ack["ok"], true, "{ack}");
        assert_eq!(ben_socket.expect("message:new").await["body"], "hello");

        assert_eq!(directory.names(), ["ann", "ben"]);
        assert!(!data_dir.exists(), "no database, no file");
        let _stopped = stop.send(());
        server.await.expect("stopped");
    }
}
