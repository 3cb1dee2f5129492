//! Two registries ("nodes") on one real redis-server (and on a cluster): records, forwarding,
//! dead nodes, failures and the rewrite after a lost subscription.

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime};

use crate::connections::{
    outbound_channel, ConnectionError, ConnectionInfo, ConnectionRegistry, Outbound,
    OUTBOUND_CAPACITY,
};
use crate::test_support::{RedisCluster, RedisServer};
use crate::{RedisConfig, State};

/// A node: its state and its registry (the state owns the connection the registry shares).
struct Node {
    _state: State,
    registry: ConnectionRegistry,
}

async fn node(urls: Vec<String>) -> Node {
    let mut config = RedisConfig::new(String::new());
    config.urls = urls;
    // Generous: a loaded test machine must not turn a slow answer into `Unavailable`.
    config.op_timeout = Duration::from_secs(5);
    let state = State::redis(&config).await.unwrap();
    let registry = state.connection_registry().await;
    assert!(registry.node_id().is_some(), "a Redis registry");
    Node {
        _state: state,
        registry,
    }
}

/// Now, to the microsecond (what Redis keeps).
fn now() -> SystemTime {
    let micros = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_micros();
    SystemTime::UNIX_EPOCH + Duration::from_micros(u64::try_from(micros).unwrap())
}

fn info(id: &str, at: SystemTime) -> ConnectionInfo {
    ConnectionInfo {
        connection_id: id.into(),
        api_id: "abcdefghij".into(),
        stage: "prod".into(),
        connected_at: at,
        last_active_at: at,
        source_ip: "192.0.2.7".into(),
        user_agent: Some("test-agent/1.0".into()),
    }
}

async fn raw(url: &str) -> redis::aio::MultiplexedConnection {
    redis::Client::open(url)
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}

async fn query<T: redis::FromRedisValue>(
    conn: &mut redis::aio::MultiplexedConnection,
    args: &[&str],
) -> T {
    let mut cmd = redis::cmd(args[0]);
    for arg in &args[1..] {
        cmd.arg(*arg);
    }
    cmd.query_async(conn).await.unwrap()
}

/// Polls `check` every 20 ms for up to 5 s.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(5);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_on_one_node_is_read_and_reached_from_another() {
    let server = RedisServer::start();
    let (a, b) = (
        node(vec![server.url()]).await,
        node(vec![server.url()]).await,
    );
    let connected = now();
    let (tx, mut rx) = outbound_channel();
    a.registry.register(info("c1", connected), tx).await;

    // The record: every field, the owner, and an expiry of connectedAt + 2 h 10 min.
    let mut conn = raw(&server.url()).await;
    let fields: HashMap<String, String> = query(&mut conn, &["HGETALL", "turnpike:conn:c1"]).await;
    let micros = connected
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_micros()
        .to_string();
    let expected: HashMap<String, String> = [
        ("connectedAt", micros.as_str()),
        ("lastActiveAt", micros.as_str()),
        ("sourceIp", "192.0.2.7"),
        ("userAgent", "test-agent/1.0"),
        ("apiId", "abcdefghij"),
        ("stage", "prod"),
        ("node", a.registry.node_id().unwrap()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    assert_eq!(fields, expected);
    let expire_ms: i64 = query(&mut conn, &["PEXPIRETIME", "turnpike:conn:c1"]).await;
    let connected_ms = connected
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    assert_eq!(expire_ms, i64::try_from(connected_ms).unwrap() + 7_800_000);

    // B reads it as A registered it.
    assert_eq!(b.registry.lookup("c1").await, Ok(info("c1", connected)));
    assert_eq!(b.registry.len(), 0, "B holds no socket");

    // B's messages reach A's socket, in order, each counted as activity on both nodes.
    let before = now();
    b.registry
        .deliver("c1", Outbound::Text("hello".into()))
        .await
        .unwrap();
    b.registry
        .deliver(
            "c1",
            Outbound::Binary(bytes::Bytes::from_static(b"\x00\x01")),
        )
        .await
        .unwrap();
    assert_eq!(rx.recv().await, Some(Outbound::Text("hello".into())));
    assert_eq!(
        rx.recv().await,
        Some(Outbound::Binary(bytes::Bytes::from_static(b"\x00\x01")))
    );
    let seen_by_b = b.registry.lookup("c1").await.unwrap().last_active_at;
    assert!(
        seen_by_b >= before,
        "B records the activity before answering"
    );
    assert!(a.registry.lookup("c1").await.unwrap().last_active_at >= seen_by_b);

    // A client message on A: B sees its exact time once the write lands.
    let touched = now() + Duration::from_millis(5);
    a.registry.touch("c1", touched).await;
    eventually("the touch to reach Redis", || async {
        b.registry.lookup("c1").await.unwrap().last_active_at == touched
    })
    .await;
    assert_eq!(
        a.registry.lookup("c1").await.unwrap().last_active_at,
        touched
    );

    // DeleteConnection through B: A's socket is told to close, and the record is gone for all.
    b.registry.deliver("c1", Outbound::Close).await.unwrap();
    assert_eq!(rx.recv().await, Some(Outbound::Close));
    assert!(b.registry.remove("c1").await, "B deleted A's record");
    assert_eq!(b.registry.lookup("c1").await, Err(ConnectionError::Gone));
    assert_eq!(
        a.registry.lookup("c1").await,
        Err(ConnectionError::Gone),
        "before A's socket closed"
    );
    assert_eq!(
        b.registry.deliver("c1", Outbound::Close).await,
        Err(ConnectionError::Gone)
    );
    // A's socket then ends and unregisters.
    assert!(a.registry.remove("c1").await);
    assert!(a.registry.is_empty());
    let exists: i64 = query(&mut conn, &["EXISTS", "turnpike:conn:c1"]).await;
    assert_eq!(exists, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_owning_node_tells_the_sender_its_queue_is_full_or_its_socket_gone() {
    let server = RedisServer::start();
    let (a, b) = (
        node(vec![server.url()]).await,
        node(vec![server.url()]).await,
    );
    let (tx, mut rx) = outbound_channel();
    a.registry.register(info("c1", now()), tx).await;
    for n in 0..OUTBOUND_CAPACITY {
        b.registry
            .deliver("c1", Outbound::Text(n.to_string()))
            .await
            .unwrap();
    }
    // A's socket has not read: its queue is full, for B as for A.
    assert_eq!(
        b.registry
            .deliver("c1", Outbound::Text("more".into()))
            .await,
        Err(ConnectionError::LimitExceeded)
    );
    assert_eq!(
        a.registry
            .deliver("c1", Outbound::Text("more".into()))
            .await,
        Err(ConnectionError::LimitExceeded)
    );
    // DeleteConnection still gets through.
    b.registry.deliver("c1", Outbound::Close).await.unwrap();
    for n in 0..OUTBOUND_CAPACITY {
        assert_eq!(rx.recv().await, Some(Outbound::Text(n.to_string())));
    }
    assert_eq!(rx.recv().await, Some(Outbound::Close));
    // Read: room again.
    b.registry
        .deliver("c1", Outbound::Text("again".into()))
        .await
        .unwrap();
    assert_eq!(rx.recv().await, Some(Outbound::Text("again".into())));
    // The socket ends without unregistering yet: A answers gone, and the record goes.
    drop(rx);
    assert_eq!(
        b.registry
            .deliver("c1", Outbound::Text("late".into()))
            .await,
        Err(ConnectionError::Gone)
    );
    assert_eq!(b.registry.lookup("c1").await, Err(ConnectionError::Gone));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_connections_are_gone_everywhere() {
    let server = RedisServer::start();
    let (a, b) = (
        node(vec![server.url()]).await,
        node(vec![server.url()]).await,
    );
    let (tx, _rx) = outbound_channel();
    a.registry.register(info("c1", now()), tx).await;
    for registry in [&a.registry, &b.registry] {
        assert_eq!(registry.lookup("nope").await, Err(ConnectionError::Gone));
        assert_eq!(
            registry.deliver("nope", Outbound::Close).await,
            Err(ConnectionError::Gone)
        );
        assert_eq!(
            registry.deliver("nope", Outbound::Text("x".into())).await,
            Err(ConnectionError::Gone)
        );
        assert_eq!(registry.lookup("nope").await, Err(ConnectionError::Gone));
        assert!(!registry.remove("nope").await);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connections_of_a_dead_node_are_gone_and_their_records_deleted() {
    let server = RedisServer::start();
    let (a, b) = (
        node(vec![server.url()]).await,
        node(vec![server.url()]).await,
    );
    let (tx, _rx) = outbound_channel();
    a.registry.register(info("c1", now()), tx.clone()).await;
    a.registry.register(info("c2", now()), tx).await;
    let channel = format!("turnpike:node:{}", a.registry.node_id().unwrap());
    drop(a);
    let mut conn = raw(&server.url()).await;
    eventually("A's subscription to end", || {
        let mut conn = conn.clone();
        let channel = channel.clone();
        async move {
            let (_, n): (String, i64) = query(&mut conn, &["PUBSUB", "NUMSUB", &channel]).await;
            n == 0
        }
    })
    .await;
    let exists: i64 = query(
        &mut conn,
        &["EXISTS", "turnpike:conn:c1", "turnpike:conn:c2"],
    )
    .await;
    assert_eq!(exists, 2, "records outlive their node");

    // A message published to nobody: gone, and the record with it.
    assert_eq!(
        b.registry.deliver("c1", Outbound::Text("hi".into())).await,
        Err(ConnectionError::Gone)
    );
    let exists: i64 = query(&mut conn, &["EXISTS", "turnpike:conn:c1"]).await;
    assert_eq!(exists, 0);
    // GetConnection checks the owner too.
    assert_eq!(b.registry.lookup("c2").await, Err(ConnectionError::Gone));
    let exists: i64 = query(&mut conn, &["EXISTS", "turnpike:conn:c2"]).await;
    assert_eq!(exists, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn while_redis_is_down_a_node_serves_its_own_connections_only() {
    let mut server = RedisServer::start();
    let mut config = RedisConfig::new(server.url());
    config.op_timeout = Duration::from_millis(300);
    let state_a = State::redis(&config).await.unwrap();
    let a = state_a.connection_registry().await;
    let state_b = State::redis(&config).await.unwrap();
    let b = state_b.connection_registry().await;
    let connected = now();
    let (tx, mut rx) = outbound_channel();
    a.register(info("c1", connected), tx).await;
    assert_eq!(b.lookup("c1").await, Ok(info("c1", connected)));

    server.kill();
    assert_eq!(
        b.lookup("c1").await,
        Err(ConnectionError::Unavailable),
        "not Gone: a 410 would make the caller forget a live connection"
    );
    assert_eq!(
        b.deliver("c1", Outbound::Text("x".into())).await,
        Err(ConnectionError::Unavailable)
    );
    assert_eq!(a.lookup("c1").await, Ok(info("c1", connected)));
    a.deliver("c1", Outbound::Text("local".into()))
        .await
        .unwrap();
    assert_eq!(rx.recv().await, Some(Outbound::Text("local".into())));

    // Back up (with its data): B reaches A again once A has resubscribed.
    server.restart();
    eventually("B to reach A again", || async {
        b.deliver("c1", Outbound::Text("again".into())).await == Ok(())
    })
    .await;
    assert_eq!(rx.recv().await, Some(Outbound::Text("again".into())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_rewrites_its_records_when_it_resubscribes() {
    let server = RedisServer::start();
    let (a, b) = (
        node(vec![server.url()]).await,
        node(vec![server.url()]).await,
    );
    let connected = now();
    let (tx, mut rx) = outbound_channel();
    a.registry.register(info("c1", connected), tx).await;

    // As if another node had found A's channel empty while A's subscriber reconnected.
    let mut conn = raw(&server.url()).await;
    let _: i64 = query(&mut conn, &["DEL", "turnpike:conn:c1"]).await;
    assert_eq!(b.registry.lookup("c1").await, Err(ConnectionError::Gone));
    let _: i64 = query(&mut conn, &["CLIENT", "KILL", "TYPE", "pubsub"]).await;

    eventually("A to rewrite its record", || async {
        b.registry.lookup("c1").await == Ok(info("c1", connected))
    })
    .await;
    b.registry
        .deliver("c1", Outbound::Text("back".into()))
        .await
        .unwrap();
    assert_eq!(rx.recv().await, Some(Outbound::Text("back".into())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_on_a_cluster_reach_each_others_connections() {
    let cluster = RedisCluster::start();
    let (a, b) = (node(cluster.urls()).await, node(cluster.urls()).await);
    let connected = now();
    let (tx, mut rx) = outbound_channel();
    // Ids in different slots, so some records live on other nodes than the pub/sub seed.
    for id in ["c1", "c2", "c3", "c4"] {
        a.registry.register(info(id, connected), tx.clone()).await;
    }
    for id in ["c1", "c2", "c3", "c4"] {
        assert_eq!(b.registry.lookup(id).await, Ok(info(id, connected)));
        b.registry
            .deliver(id, Outbound::Text(id.into()))
            .await
            .unwrap();
        assert_eq!(rx.recv().await, Some(Outbound::Text(id.into())));
    }
    drop(a);
    eventually("A's connections to be gone", || async {
        b.registry.deliver("c1", Outbound::Close).await == Err(ConnectionError::Gone)
    })
    .await;
    assert_eq!(b.registry.lookup("c2").await, Err(ConnectionError::Gone));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_subscription_answers_its_pings_and_stays() {
    let server = RedisServer::start();
    let a = node(vec![server.url()]).await;
    let mut conn = raw(&server.url()).await;
    let listing = conn.clone();
    let subscribers = || {
        let mut conn = listing.clone();
        async move {
            let list: String = query(&mut conn, &["CLIENT", "LIST", "TYPE", "pubsub"]).await;
            list.lines()
                .filter_map(|line| line.split(' ').next().map(str::to_owned))
                .collect::<Vec<_>>()
        }
    };
    let before = subscribers().await;
    assert_eq!(before.len(), 1, "{before:?}");
    let _: () = query(&mut conn, &["CONFIG", "RESETSTAT"]).await;
    // A ping every 200 ms in tests: the same connection throughout, every ping answered.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_eq!(subscribers().await, before);
    let stats: String = query(&mut conn, &["INFO", "commandstats"]).await;
    let pings: u64 = stats
        .lines()
        .find_map(|line| line.strip_prefix("cmdstat_ping:calls="))
        .and_then(|rest| rest.split(',').next())
        .map(|n| n.parse().unwrap())
        .unwrap_or(0);
    assert!(pings >= 4, "{stats}");
    drop(a);
}
