//! The shared Redis connection: a self-reconnecting multiplexed connection
//! for commands, plus the client for opening pub/sub connections.

use chatchit_domain::StoreError;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::time::Duration;

/// How long a command may take before the caller falls back.
const RESPONSE_TIMEOUT: Duration = Duration::from_millis(500);

pub use chatchit_domain::ids::NodeId;

/// A connection to Redis and the key prefix of this deployment.
#[derive(Clone)]
pub struct Redis {
    /// For opening pub/sub connections.
    client: redis::Client,
    /// Commands, multiplexed; reconnects by itself after an outage.
    manager: ConnectionManager,
    /// Put before every key and channel name.
    prefix: String,
}

impl Redis {
    /// Connects to `url`; every key will start with `prefix`.
    ///
    /// # Errors
    /// When the URL is invalid or Redis is unreachable.
    pub async fn connect(url: &str, prefix: &str) -> Result<Self, redis::RedisError> {
        let client = redis::Client::open(url)?;
        let config = ConnectionManagerConfig::new()
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            .set_connection_timeout(Some(RESPONSE_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(Duration::from_secs(2));
        let manager = client.get_connection_manager_with_config(config).await?;
        Ok(Self {
            client,
            manager,
            prefix: prefix.to_owned(),
        })
    }

    /// A handle for one command (cheap: the connection is shared).
    pub(crate) fn commands(&self) -> ConnectionManager {
        self.manager.clone()
    }

    /// The client, for pub/sub connections.
    pub(crate) fn client(&self) -> &redis::Client {
        &self.client
    }

    /// `name` with this deployment's prefix.
    pub(crate) fn key(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// Deletes every key under this prefix (tests and decommissioning).
    ///
    /// # Errors
    /// When Redis is unreachable.
    pub async fn delete_all(&self) -> Result<(), StoreError> {
        let mut conn = self.commands();
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{}*", self.prefix))
            .query_async(&mut conn)
            .await
            .map_err(unavailable)?;
        for chunk in keys.chunks(500) {
            redis::cmd("DEL")
                .arg(chunk)
                .query_async::<i64>(&mut conn)
                .await
                .map_err(unavailable)?;
        }
        Ok(())
    }

    /// Whether Redis answers a `PING` now.
    pub async fn ping(&self) -> bool {
        let mut conn = self.commands();
        redis::cmd("PING")
            .query_async::<String>(&mut conn)
            .await
            .is_ok()
    }
}

/// A Redis failure as the ports report it.
pub(crate) fn unavailable(e: redis::RedisError) -> StoreError {
    StoreError::Unavailable(format!("redis: {e}"))
}
