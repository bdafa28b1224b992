//! Contract tests: the presence store and the rate limiter behave the same in
//! process (`chatchit-memory`) and on Redis; the Redis side also holds what
//! only a cluster has (sockets on several nodes, reaping a dead node, shared
//! counters, the bus). Redis comes from `CHATCHIT_TEST_REDIS_URL`; without
//! it the Redis half is skipped locally and fails under CI (`CI` set). Each
//! test uses its own random key prefix and deletes its keys at the end.

use async_trait::async_trait;
use chatchit_domain::conversation::{Conversation, ConversationKind, MemberRole};
use chatchit_domain::events::{ConnectionId, ServerEvent, TypingPayload};
use chatchit_domain::ids::{ConversationId, UserId};
use chatchit_domain::ports::{
    ANY_OTHER_ACTION, Audience, ClusterBus, Delivery, DeliveryError, Dispatch, Exclude,
    GraphAnswer, GraphCache, GraphKey, NodeDirectory, Outbound, PresenceStore, RateLimiter,
    RateQuota, Reach,
};
use chatchit_domain::presence::PresenceStatus;
use chatchit_domain::social::Relation;
use chatchit_domain::time::Timestamp;
use chatchit_memory::{InMemoryGraphCache, InMemoryPresence, LocalRateLimiter};
use chatchit_redis::{NodeId, Redis, RedisBus, RedisGraphCache, RedisPresence, RedisRateLimiter};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

/// A Redis connection under a fresh prefix, or `None` when skipped.
async fn redis() -> Option<Redis> {
    let url = chatchit_testkit::service_url("CHATCHIT_TEST_REDIS_URL")?;
    let prefix = format!("chatchit_test:{}:", uuid::Uuid::now_v7().simple());
    Some(
        Redis::connect(&url, &prefix)
            .await
            .expect("Redis reachable"),
    )
}

/// Deletes every key under the test's prefix.
async fn clean(redis: &Redis) {
    redis.delete_all().await.expect("clean up");
}

const TTL: Duration = Duration::from_secs(60);

async fn presence_contract(store: &dyn PresenceStore) {
    let user = UserId::generate();
    let first = store.connected(user).await.expect("connected");
    assert_eq!(first.status, PresenceStatus::Online);
    let second = store.connected(user).await.expect("connected");
    assert_eq!(second, first, "a second socket changes nothing");
    let dnd = store
        .set_status(user, PresenceStatus::Dnd, Timestamp::from_millis(3))
        .await
        .expect("dnd");
    assert_eq!(dnd.status, PresenceStatus::Dnd);
    assert!(dnd.version > first.version);
    let invisible = store
        .set_status(user, PresenceStatus::Invisible, Timestamp::from_millis(4))
        .await
        .expect("invisible");
    assert_eq!(
        (invisible.status, invisible.last_seen_at),
        (PresenceStatus::Invisible, Some(Timestamp::from_millis(4))),
        "going invisible looks like leaving at that moment"
    );
    let dnd = store
        .set_status(user, PresenceStatus::Dnd, Timestamp::from_millis(5))
        .await
        .expect("dnd again");
    assert_eq!(dnd.status, PresenceStatus::Dnd);
    let still = store
        .disconnected(user, Timestamp::from_millis(5))
        .await
        .expect("one socket left");
    assert_eq!(still.status, PresenceStatus::Dnd);
    let gone = store
        .disconnected(user, Timestamp::from_millis(9))
        .await
        .expect("last socket");
    assert_eq!(
        (gone.status, gone.last_seen_at),
        (PresenceStatus::Offline, Some(Timestamp::from_millis(9)))
    );
    assert!(gone.version > dnd.version);
    assert_eq!(store.get(user).await.expect("get"), gone);
    let back = store.connected(user).await.expect("back");
    assert_eq!(
        back.status,
        PresenceStatus::Online,
        "the chosen status resets"
    );

    let stranger = UserId::generate();
    let unknown = store.get(stranger).await.expect("get");
    assert_eq!(
        (unknown.status, unknown.version),
        (PresenceStatus::Offline, 0)
    );
    let ignored = store
        .set_status(stranger, PresenceStatus::Away, Timestamp::from_millis(1))
        .await
        .expect("set");
    assert_eq!(
        ignored.status,
        PresenceStatus::Offline,
        "no socket, no status"
    );
}

#[tokio::test]
async fn presence_in_process() {
    presence_contract(&InMemoryPresence::default()).await;
}

#[tokio::test]
async fn presence_on_redis() {
    let Some(redis) = redis().await else { return };
    presence_contract(&RedisPresence::new(redis.clone(), NodeId::generate(), TTL)).await;
    clean(&redis).await;
}

#[tokio::test]
async fn presence_counts_sockets_on_every_node_and_reaps_a_dead_one() {
    let Some(redis) = redis().await else { return };
    let a = RedisPresence::new(redis.clone(), NodeId::generate(), Duration::ZERO);
    let b = RedisPresence::new(redis.clone(), NodeId::generate(), TTL);
    let (both, only_b) = (UserId::generate(), UserId::generate());
    a.connected(both).await.expect("on a");
    b.connected(both).await.expect("on b");
    b.connected(only_b).await.expect("on b");
    let after_a = a
        .disconnected(both, Timestamp::from_millis(1))
        .await
        .expect("left a");
    assert_eq!(after_a.status, PresenceStatus::Online, "still on b");

    // b stops beating; a treats any node older than zero as dead.
    let changes = a.reap(Timestamp::from_millis(7)).await.expect("reap");
    let mut users: Vec<UserId> = changes.iter().map(|c| c.user).collect();
    users.sort();
    let mut expected = vec![both, only_b];
    expected.sort();
    assert_eq!(users, expected);
    for change in &changes {
        assert_eq!(change.before.status, PresenceStatus::Online);
        assert_eq!(
            (change.after.status, change.after.last_seen_at),
            (PresenceStatus::Offline, Some(Timestamp::from_millis(7)))
        );
        assert_eq!(a.get(change.user).await.expect("get"), change.after);
    }
    assert!(
        a.reap(Timestamp::from_millis(8))
            .await
            .expect("again")
            .is_empty(),
        "a reaped node is gone"
    );
    clean(&redis).await;
}

fn quotas() -> HashMap<String, RateQuota> {
    let quota = RateQuota {
        per_minute: 1,
        burst: 2,
    };
    HashMap::from([
        ("message:send".to_owned(), quota),
        (ANY_OTHER_ACTION.to_owned(), RateQuota { burst: 3, ..quota }),
    ])
}

async fn rate_limit_contract(limiter: &dyn RateLimiter) {
    let allow = |key: &str| limiter.allow("message:send".into(), key.into());
    assert!(allow("alice").await.expect("1"));
    assert!(allow("alice").await.expect("2"));
    assert!(!allow("alice").await.expect("3 is over the burst"));
    assert!(allow("bob").await.expect("bob is unaffected"));
    let unlisted = |action: &str| limiter.allow(action.into(), "alice".into());
    for n in 1..=3 {
        assert!(
            unlisted("typing").await.expect("unlisted"),
            "{n} of the default burst"
        );
    }
    assert!(
        !unlisted("typing").await.expect("4 is over it"),
        "limited by default"
    );
    assert!(unlisted("new:event").await.expect("counted on its own"));
}

#[tokio::test]
async fn rate_limits_in_process() {
    rate_limit_contract(&LocalRateLimiter::new(quotas())).await;
}

#[tokio::test]
async fn rate_limits_on_redis_are_shared_by_every_node() {
    let Some(redis) = redis().await else { return };
    let node = |r: &Redis| {
        RedisRateLimiter::new(
            r.clone(),
            quotas(),
            Arc::new(LocalRateLimiter::new(quotas())),
        )
    };
    let (one, two) = (node(&redis), node(&redis));
    rate_limit_contract(&one).await;
    assert!(
        one.allow("message:send".into(), "carol".into())
            .await
            .expect("1")
    );
    assert!(
        two.allow("message:send".into(), "carol".into())
            .await
            .expect("2")
    );
    assert!(
        !two.allow("message:send".into(), "carol".into())
            .await
            .expect("3 is over the burst, across nodes")
    );
    clean(&redis).await;
}

/// A `Delivery` that hands every dispatch to the test.
struct Recorder(mpsc::UnboundedSender<Dispatch>);

#[async_trait]
impl Delivery for Recorder {
    async fn dispatch(&self, dispatch: Dispatch) -> Result<(), DeliveryError> {
        self.0
            .send(dispatch)
            .map_err(|e| DeliveryError(e.to_string()))
    }
}

fn numbered(n: usize) -> Dispatch {
    Dispatch::Send {
        audience: Audience::Users(vec![UserId::generate()]),
        exclude: Exclude::Connection(ConnectionId(format!("socket-{n}"))),
        event: Outbound {
            event: Box::new(ServerEvent::Typing(TypingPayload {
                conversation_id: ConversationId::generate(),
                user_id: UserId::generate(),
                typing: n.is_multiple_of(2),
            })),
            seq: i64::try_from(n).ok(),
            follows: None,
        },
    }
}

#[tokio::test]
async fn the_bus_carries_dispatches_to_the_nodes_they_reach_in_order() {
    let Some(redis) = redis().await else { return };
    let b_node = NodeId::generate();
    let (a, b, c) = (
        RedisBus::new(redis.clone(), NodeId::generate()),
        RedisBus::new(redis.clone(), b_node.clone()),
        RedisBus::new(redis.clone(), NodeId::generate()),
    );
    let (to_a, mut at_a) = mpsc::unbounded_channel();
    let (to_b, mut at_b) = mpsc::unbounded_channel();
    let (to_c, mut at_c) = mpsc::unbounded_channel();
    let listen_a = a.listen(Arc::new(Recorder(to_a))).await;
    let listen_b = b.listen(Arc::new(Recorder(to_b))).await;
    let listen_c = c.listen(Arc::new(Recorder(to_c))).await;
    // Every other dispatch is for b only; the rest for every node.
    let sent: Vec<(Dispatch, Reach)> = (0..50)
        .map(|n| {
            let reach = if n % 2 == 0 {
                Reach::Nodes(vec![b_node.clone()])
            } else {
                Reach::Everyone
            };
            (numbered(n), reach)
        })
        .collect();
    for (dispatch, reach) in &sent {
        a.publish(dispatch, reach).await.expect("published");
    }
    let revoke = Dispatch::RevokeUser {
        user: UserId::generate(),
        reason: "banned".into(),
    };
    b.publish(&revoke, &Reach::Everyone)
        .await
        .expect("published");
    for (expected, _) in &sent {
        assert_eq!(&next(&mut at_b).await, expected, "b hears all, in order");
    }
    for (expected, reach) in &sent {
        if *reach == Reach::Everyone {
            assert_eq!(
                &next(&mut at_c).await,
                expected,
                "c hears only what is for all"
            );
        }
    }
    assert_eq!(next(&mut at_c).await, revoke);
    assert_eq!(
        next(&mut at_a).await,
        revoke,
        "a skips its own and gets b's"
    );
    listen_a.abort();
    listen_b.abort();
    listen_c.abort();
    clean(&redis).await;
}

#[tokio::test]
async fn the_directory_knows_the_live_nodes_and_where_users_sockets_are() {
    let Some(redis) = redis().await else { return };
    let (a_node, b_node) = (NodeId::generate(), NodeId::generate());
    let a = RedisPresence::new(redis.clone(), a_node.clone(), TTL);
    let b = RedisPresence::new(redis.clone(), b_node.clone(), TTL);
    let (ann, bob, cat) = (UserId::generate(), UserId::generate(), UserId::generate());
    a.connected(ann).await.expect("connected");
    b.connected(ann).await.expect("connected");
    b.connected(bob).await.expect("connected");
    let mut live = a.live_nodes().await.expect("live");
    live.sort();
    let mut both = vec![a_node.clone(), b_node.clone()];
    both.sort();
    assert_eq!(live, both);
    assert_eq!(a.nodes_of(&[ann, bob]).await.expect("nodes"), both);
    assert_eq!(
        a.nodes_of(&[bob, cat]).await.expect("nodes"),
        vec![b_node.clone()]
    );
    assert_eq!(
        a.nodes_of(&[cat]).await.expect("nodes"),
        Vec::<NodeId>::new()
    );
    b.disconnected(bob, Timestamp::from_millis(1_000))
        .await
        .expect("gone");
    assert_eq!(
        a.nodes_of(&[bob]).await.expect("nodes"),
        Vec::<NodeId>::new()
    );
    clean(&redis).await;
}

async fn next(rx: &mut mpsc::UnboundedReceiver<Dispatch>) -> Dispatch {
    tokio::time::timeout(Duration::from_secs(5), rx.recv())
        .await
        .expect("in time")
        .expect("open")
}

async fn graph_cache_contract(cache: &dyn GraphCache, other_node: &dyn GraphCache) {
    let (c, a, b) = (
        ConversationId::generate(),
        UserId::generate(),
        UserId::generate(),
    );
    let member = GraphKey::Member(c, a);
    let blocked = GraphKey::blocked(b, a);
    assert_eq!(cache.get(member).await.expect("get"), None);
    cache
        .put(vec![
            (member, GraphAnswer::Role(Some(MemberRole::Owner))),
            (blocked, GraphAnswer::Holds(false)),
        ])
        .await
        .expect("put");
    assert_eq!(
        other_node.get(member).await.expect("get"),
        Some(GraphAnswer::Role(Some(MemberRole::Owner)))
    );
    cache
        .forget(vec![member, GraphKey::Friends(a)])
        .await
        .expect("forget");
    assert_eq!(
        other_node.get(member).await.expect("get"),
        None,
        "forgotten for every reader"
    );
    assert_eq!(
        cache.get(GraphKey::blocked(a, b)).await.expect("get"),
        Some(GraphAnswer::Holds(false)),
        "a pair is one key whichever way it is asked"
    );
    cache.forget(Vec::new()).await.expect("nothing to forget");
    cache.put(Vec::new()).await.expect("nothing to keep");

    // Every kind of answer comes back as it was kept.
    let answers = [
        (GraphKey::Member(c, b), GraphAnswer::Role(None)),
        (GraphKey::Members(c), GraphAnswer::Members(vec![a, b])),
        (
            GraphKey::Conversation(c),
            GraphAnswer::Conversation(Some(Box::new(Conversation {
                id: c,
                kind: ConversationKind::Group,
                title: Some("Ünïcode \"title\"".into()),
                avatar_url: None,
                created_at: Timestamp::from_millis(7),
            }))),
        ),
        (GraphKey::friendship(a, b), GraphAnswer::Holds(true)),
        (
            GraphKey::Friends(a),
            GraphAnswer::Friends(vec![Relation {
                user_id: b,
                since: Timestamp::from_millis(9),
            }]),
        ),
    ];
    cache.put(answers.to_vec()).await.expect("put");
    for (key, answer) in answers {
        assert_eq!(
            other_node.get(key).await.expect("get"),
            Some(answer),
            "{key}"
        );
    }
}

#[tokio::test]
async fn graph_cache_in_process() {
    let cache = InMemoryGraphCache::new(Duration::from_secs(60), 1000);
    graph_cache_contract(&cache, &cache).await;
}

#[tokio::test]
async fn graph_cache_on_redis_is_shared_by_every_node() {
    let Some(redis) = redis().await else { return };
    let one = RedisGraphCache::new(redis.clone(), Duration::from_secs(60));
    let two = RedisGraphCache::new(redis.clone(), Duration::from_secs(60));
    graph_cache_contract(&one, &two).await;
    clean(&redis).await;
}

/// An entry that is not an answer's JSON (written by another version of
/// the server) is a miss, not an error: the store answers instead.
#[tokio::test]
async fn a_graph_cache_entry_that_is_no_answer_is_a_miss() {
    let Some(url) = chatchit_testkit::service_url("CHATCHIT_TEST_REDIS_URL") else {
        return;
    };
    let prefix = format!("chatchit_test:{}:", uuid::Uuid::now_v7().simple());
    let redis = Redis::connect(&url, &prefix)
        .await
        .expect("Redis reachable");
    let key = GraphKey::Friends(UserId::generate());
    let mut raw = ::redis::Client::open(url.as_str())
        .expect("url")
        .get_multiplexed_async_connection()
        .await
        .expect("connect");
    ::redis::cmd("SET")
        .arg(format!("{prefix}graph:{key}"))
        .arg("[]")
        .query_async::<()>(&mut raw)
        .await
        .expect("set");
    let cache = RedisGraphCache::new(redis.clone(), TTL);
    assert_eq!(cache.get(key).await.expect("a miss, not an error"), None);
    clean(&redis).await;
}

#[tokio::test]
async fn graph_cache_entries_expire() {
    let k = GraphKey::Friends(UserId::generate());
    let cache = InMemoryGraphCache::new(Duration::ZERO, 1000);
    cache
        .put(vec![(k, GraphAnswer::Friends(Vec::new()))])
        .await
        .expect("put");
    assert_eq!(cache.get(k).await.expect("get"), None);
    let Some(redis) = redis().await else { return };
    let cache = RedisGraphCache::new(redis.clone(), Duration::from_millis(1));
    cache
        .put(vec![(k, GraphAnswer::Friends(Vec::new()))])
        .await
        .expect("put");
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(cache.get(k).await.expect("get"), None);
    clean(&redis).await;
}
