//! Presence across nodes. Per user, a hash counts live sockets per node
//! (`n:<node>`) and keeps the chosen and shown status, last seen and version;
//! per node, a set lists its users; a sorted set holds each node's last
//! heartbeat. A node that stops beating is reaped: its sockets are taken off
//! every user it held, and users left with none go offline. Each change is
//! one Lua script, atomic across nodes.

use crate::connection::{NodeId, Redis, unavailable};
use async_trait::async_trait;
use chatchit_domain::StoreError;
use chatchit_domain::ids::UserId;
use chatchit_domain::ports::{NodeDirectory, PresenceChange, PresenceStore};
use chatchit_domain::presence::{Presence, PresenceStatus};
use chatchit_domain::time::Timestamp;
use std::time::Duration;

/// Shared helpers: the sum of a user's sockets on all nodes, and the
/// (shown, last seen, version) triple every script answers with.
const PRELUDE: &str = r"
local function total(key)
  local n = 0
  local h = redis.call('HGETALL', key)
  for i = 1, #h, 2 do
    if string.sub(h[i], 1, 2) == 'n:' then n = n + tonumber(h[i + 1]) end
  end
  return n
end
local function state(key)
  return redis.call('HMGET', key, 'shown', 'last_seen', 'version')
end
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
";

/// KEYS: user hash, node's user set, node heartbeats. ARGV: node, user.
const CONNECTED: &str = r"
redis.call('HINCRBY', KEYS[1], 'n:' .. ARGV[1], 1)
redis.call('PERSIST', KEYS[1])
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('ZADD', KEYS[3], now_ms(), ARGV[1])
if total(KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], 'shown', redis.call('HGET', KEYS[1], 'chosen') or 'online')
  redis.call('HINCRBY', KEYS[1], 'version', 1)
end
return state(KEYS[1])
";

/// KEYS: user hash, node's user set. ARGV: node, user, at (ms), keep (ms).
const DISCONNECTED: &str = r"
local field = 'n:' .. ARGV[1]
if tonumber(redis.call('HGET', KEYS[1], field) or '0') <= 0 then return state(KEYS[1]) end
if redis.call('HINCRBY', KEYS[1], field, -1) <= 0 then
  redis.call('HDEL', KEYS[1], field)
  redis.call('SREM', KEYS[2], ARGV[2])
end
if total(KEYS[1]) == 0 then
  redis.call('HSET', KEYS[1], 'shown', 'offline', 'last_seen', ARGV[3])
  redis.call('HDEL', KEYS[1], 'chosen')
  redis.call('HINCRBY', KEYS[1], 'version', 1)
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
return state(KEYS[1])
";

/// KEYS: user hash. ARGV: status, at (ms). Only a connected user has a
/// status to set; going invisible is last seen at `at`.
const SET_STATUS: &str = r"
if total(KEYS[1]) == 0 then return {false, false, false} end
redis.call('HSET', KEYS[1], 'chosen', ARGV[1], 'shown', ARGV[1])
if ARGV[1] == 'invisible' then redis.call('HSET', KEYS[1], 'last_seen', ARGV[2]) end
redis.call('HINCRBY', KEYS[1], 'version', 1)
return state(KEYS[1])
";

/// KEYS: node heartbeats. ARGV: node, key prefix, stale after (ms), at (ms),
/// keep (ms). Beats for this node, then reaps every node whose beat is stale.
/// Returns per user gone offline: id, then the before and after triples.
const BEAT_AND_REAP: &str = r"
local now = now_ms()
redis.call('ZADD', KEYS[1], now, ARGV[1])
local out = {}
for _, node in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[3]))) do
  if node ~= ARGV[1] then
    local users_key = ARGV[2] .. 'node:' .. node .. ':users'
    for _, user in ipairs(redis.call('SMEMBERS', users_key)) do
      local key = ARGV[2] .. 'presence:' .. user
      local before = state(key)
      redis.call('HDEL', key, 'n:' .. node)
      if total(key) == 0 and before[1] and before[1] ~= 'offline' then
        redis.call('HSET', key, 'shown', 'offline', 'last_seen', ARGV[4])
        redis.call('HDEL', key, 'chosen')
        redis.call('HINCRBY', key, 'version', 1)
        redis.call('PEXPIRE', key, ARGV[5])
        local after = state(key)
        table.insert(out, user)
        table.insert(out, before)
        table.insert(out, after)
      end
    end
    redis.call('DEL', users_key)
    redis.call('ZREM', KEYS[1], node)
  end
end
return out
";

/// KEYS: node heartbeats. ARGV: stale after (ms). The nodes heard from
/// since, by Redis's clock (the one the beats are written with).
const LIVE_NODES: &str = r"
return redis.call('ZRANGEBYSCORE', KEYS[1], now_ms() - tonumber(ARGV[1]), '+inf')
";

/// How long an offline user's last-seen time is kept.
const KEEP_OFFLINE: Duration = Duration::from_secs(30 * 24 * 3600);

type Triple = (Option<String>, Option<i64>, Option<u64>);

/// Presence shared by every node of a cluster.
pub struct RedisPresence {
    /// The store.
    redis: Redis,
    /// Whose sockets this process counts.
    node: NodeId,
    /// A node silent this long is taken for dead.
    node_ttl: Duration,
    /// The scripts, loaded once.
    scripts: Scripts,
}

struct Scripts {
    connected: redis::Script,
    disconnected: redis::Script,
    set_status: redis::Script,
    beat_and_reap: redis::Script,
    live_nodes: redis::Script,
}

impl RedisPresence {
    /// Presence for `node`; a node that has not beaten for `node_ttl` is
    /// reaped by the others ([`PresenceStore::reap`] also beats).
    pub fn new(redis: Redis, node: NodeId, node_ttl: Duration) -> Self {
        let script = |body: &str| redis::Script::new(&format!("{PRELUDE}{body}"));
        Self {
            redis,
            node,
            node_ttl,
            scripts: Scripts {
                connected: script(CONNECTED),
                disconnected: script(DISCONNECTED),
                set_status: script(SET_STATUS),
                beat_and_reap: script(BEAT_AND_REAP),
                live_nodes: script(LIVE_NODES),
            },
        }
    }

    fn user_key(&self, user: &str) -> String {
        self.redis.key(&format!("presence:{user}"))
    }

    fn node_users_key(&self) -> String {
        self.redis.key(&format!("node:{}:users", self.node))
    }

    fn nodes_key(&self) -> String {
        self.redis.key("nodes")
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn status(text: &str) -> Result<PresenceStatus, StoreError> {
    Ok(match text {
        "online" => PresenceStatus::Online,
        "away" => PresenceStatus::Away,
        "dnd" => PresenceStatus::Dnd,
        "invisible" => PresenceStatus::Invisible,
        "offline" => PresenceStatus::Offline,
        other => return Err(StoreError::Internal(format!("unknown status {other}"))),
    })
}

fn status_text(status: PresenceStatus) -> &'static str {
    match status {
        PresenceStatus::Online => "online",
        PresenceStatus::Away => "away",
        PresenceStatus::Dnd => "dnd",
        PresenceStatus::Invisible => "invisible",
        PresenceStatus::Offline => "offline",
    }
}

fn presence((shown, last_seen, version): Triple) -> Result<Presence, StoreError> {
    let Some(shown) = shown else {
        return Ok(Presence::UNKNOWN);
    };
    Ok(Presence {
        status: status(&shown)?,
        last_seen_at: last_seen.map(Timestamp::from_millis),
        version: version.unwrap_or(0),
    })
}

fn user_id(text: &str) -> Result<UserId, StoreError> {
    text.parse()
        .map_err(|_| StoreError::Internal(format!("bad user id {text} in presence")))
}

#[async_trait]
impl PresenceStore for RedisPresence {
    async fn connected(&self, user: UserId) -> Result<Presence, StoreError> {
        let mut conn = self.redis.commands();
        let id = user.to_string();
        let triple: Triple = self
            .scripts
            .connected
            .key(self.user_key(&id))
            .key(self.node_users_key())
            .key(self.nodes_key())
            .arg(&self.node.0)
            .arg(&id)
            .invoke_async(&mut conn)
            .await
            .map_err(unavailable)?;
        presence(triple)
    }

    async fn disconnected(&self, user: UserId, at: Timestamp) -> Result<Presence, StoreError> {
        let mut conn = self.redis.commands();
        let id = user.to_string();
        let triple: Triple = self
            .scripts
            .disconnected
            .key(self.user_key(&id))
            .key(self.node_users_key())
            .arg(&self.node.0)
            .arg(&id)
            .arg(at.millis())
            .arg(millis(KEEP_OFFLINE))
            .invoke_async(&mut conn)
            .await
            .map_err(unavailable)?;
        presence(triple)
    }

    async fn set_status(
        &self,
        user: UserId,
        status: PresenceStatus,
        at: Timestamp,
    ) -> Result<Presence, StoreError> {
        let mut conn = self.redis.commands();
        let triple: Triple = self
            .scripts
            .set_status
            .key(self.user_key(&user.to_string()))
            .arg(status_text(status))
            .arg(at.millis())
            .invoke_async(&mut conn)
            .await
            .map_err(unavailable)?;
        presence(triple)
    }

    async fn get(&self, user: UserId) -> Result<Presence, StoreError> {
        let mut conn = self.redis.commands();
        let triple: Triple = redis::cmd("HMGET")
            .arg(self.user_key(&user.to_string()))
            .arg("shown")
            .arg("last_seen")
            .arg("version")
            .query_async(&mut conn)
            .await
            .map_err(unavailable)?;
        presence(triple)
    }

    async fn reap(&self, at: Timestamp) -> Result<Vec<PresenceChange>, StoreError> {
        let mut conn = self.redis.commands();
        let reaped: Vec<redis::Value> = self
            .scripts
            .beat_and_reap
            .key(self.nodes_key())
            .arg(&self.node.0)
            .arg(self.redis.key(""))
            .arg(millis(self.node_ttl))
            .arg(at.millis())
            .arg(millis(KEEP_OFFLINE))
            .invoke_async(&mut conn)
            .await
            .map_err(unavailable)?;
        reaped
            .chunks(3)
            .map(|chunk| {
                let [user, before, after] = chunk else {
                    return Err(StoreError::Internal("short reap answer".into()));
                };
                let triple = |v: &redis::Value| {
                    redis::from_redis_value_ref::<Triple>(v)
                        .map_err(|e| StoreError::Internal(e.to_string()))
                };
                let user: String = redis::from_redis_value_ref(user)
                    .map_err(|e| StoreError::Internal(e.to_string()))?;
                Ok(PresenceChange {
                    user: user_id(&user)?,
                    before: presence(triple(before)?)?,
                    after: presence(triple(after)?)?,
                })
            })
            .collect()
    }
}

#[async_trait]
impl NodeDirectory for RedisPresence {
    async fn live_nodes(&self) -> Result<Vec<NodeId>, StoreError> {
        let mut conn = self.redis.commands();
        let nodes: Vec<String> = self
            .scripts
            .live_nodes
            .key(self.nodes_key())
            .arg(millis(self.node_ttl))
            .invoke_async(&mut conn)
            .await
            .map_err(unavailable)?;
        Ok(nodes.into_iter().map(NodeId).collect())
    }

    async fn nodes_of(&self, users: &[UserId]) -> Result<Vec<NodeId>, StoreError> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let mut pipe = redis::pipe();
        for user in users {
            pipe.cmd("HKEYS").arg(self.user_key(&user.to_string()));
        }
        let mut conn = self.redis.commands();
        let fields: Vec<Vec<String>> = pipe.query_async(&mut conn).await.map_err(unavailable)?;
        let mut nodes: Vec<NodeId> = fields
            .iter()
            .flatten()
            .filter_map(|field| field.strip_prefix("n:"))
            .map(|node| NodeId(node.to_owned()))
            .collect();
        nodes.sort_unstable();
        nodes.dedup();
        Ok(nodes)
    }
}
