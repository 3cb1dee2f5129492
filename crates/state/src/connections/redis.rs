//! The Redis back end of the connection registry: N gateway nodes answer the `@connections`
//! management API about every connection, as AWS's one logical API does.
//!
//! - Each node has a random id and subscribes to its own channel `{prefix}:node:{id}`.
//! - A connection's record is the hash `{prefix}:conn:{connectionId}` (`connectedAt`,
//!   `lastActiveAt` in Unix microseconds, `sourceIp`, `userAgent`, `apiId`, `stage`, `node`),
//!   expiring at `connectedAt` + 2 h (API Gateway's connection limit) + 10 min of margin.
//! - A message for a connection held elsewhere is published on its node's channel; that node's
//!   subscriber hands it to the socket. Published to nobody means the node is dead: the
//!   connection is gone and its record is deleted. The sender asks for an acknowledgement, which
//!   the owning node publishes on the sender's channel once its socket's bounded queue has taken
//!   the message or refused it (full: `LimitExceeded`; ended: `Gone`), so a node answers the
//!   management API for a socket elsewhere as the owning node would. Reading a record held by
//!   another node checks the same way (`PUBSUB NUMSUB`), so a crashed node's connections are
//!   gone at once rather than at their TTL.
//! - `lastActiveAt` is written on activity without being awaited, coalesced so that each
//!   connection has at most one write in flight (a burst costs one write per Redis round trip,
//!   not one per message). Not throttled to once a second: AWS reports it to the millisecond
//!   (`"LastActiveAt": "2020-04-30T20:10:42.997Z"` in the CLI's get-connection example), and a
//!   GET on another node must not be a second behind.
//! - Each (re)subscription rewrites this node's records: while its subscriber was away, other
//!   nodes may have taken it for dead and deleted them (or Redis may have restarted empty).
//! - On a cluster, records go through the cluster connection; pub/sub goes through a plain
//!   connection to the first seed node on every node, because a cluster's `PUBLISH` and
//!   `PUBSUB NUMSUB` count only the subscribers of the node they run on. That seed is then a
//!   single point of failure for cross-node messages (not for records), and every node must
//!   list the same seed first.
//!
//! Failures: every call is bounded by the state's `op_timeout`. A node keeps serving its own
//! connections while Redis fails; a connection held elsewhere is then
//! [`Unavailable`](ConnectionError::Unavailable) (a 5xx the SDKs retry), never `Gone`, which
//! callers take as final. The `--on-state-error` policy does not apply: it chooses between
//! letting requests through and refusing them, and neither can reach a socket on another node.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, SystemTime};

use futures_util::StreamExt as _;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::Script;
use tokio::sync::oneshot;

use super::{lock, ConnectionError, ConnectionInfo, ConnectionRegistry, Local, Outbound};
use crate::period::unix_micros;
use crate::policy::FailureLog;
use crate::redis::{admin_timeout, Conn};
use crate::{RedisConfig, StateError};

/// API Gateway closes a connection after 2 h; the margin covers clock skew between nodes.
const RECORD_TTL: Duration = Duration::from_secs(2 * 3600 + 600);
/// How often an idle subscription is checked (a half-open TCP connection never ends by itself).
const SUBSCRIBER_PING: Duration = if cfg!(test) {
    Duration::from_millis(200)
} else {
    Duration::from_secs(10)
};
const MIN_RETRY: Duration = Duration::from_millis(50);
const MAX_RETRY: Duration = Duration::from_secs(2);

/// Sets the record's fields and its absolute expiry in one step.
const STORE: &str = r"
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('PEXPIREAT', KEYS[1], ARGV[1])
return 1";

/// Moves `lastActiveAt` forward, never back, and never creates a record (it may have been
/// deleted a moment ago).
const ACTIVITY: &str = r"
local current = redis.call('HGET', KEYS[1], 'lastActiveAt')
if not current then return 0 end
if tonumber(ARGV[1]) > tonumber(current) then
  redis.call('HSET', KEYS[1], 'lastActiveAt', ARGV[1])
end
return 1";

/// A record read from Redis.
pub(crate) struct Record {
    pub(crate) info: ConnectionInfo,
    /// The node whose socket holds the connection.
    pub(crate) node: String,
}

/// What every clone of a Redis registry shares.
pub(crate) struct Shared {
    /// Records (the state's own connection, single server or cluster).
    conn: Conn,
    /// `PUBLISH` and `PUBSUB NUMSUB`: `conn` on one server, the first seed on a cluster.
    publisher: Conn,
    prefix: String,
    node: String,
    op_timeout: Duration,
    store: Script,
    activity: Script,
    log: FailureLog,
    /// The subscriber task, stopped with the last clone of the registry.
    subscriber: OnceLock<tokio::task::AbortHandle>,
    /// Forwarded messages awaiting the owning node's acknowledgement, by token.
    pending: Mutex<HashMap<u64, oneshot::Sender<Ack>>>,
    next_token: AtomicU64,
}

/// What the owning node did with a forwarded message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ack {
    Taken,
    Gone,
    Full,
}

impl Ack {
    fn byte(self) -> u8 {
        match self {
            Ack::Taken => 0,
            Ack::Gone => 1,
            Ack::Full => 2,
        }
    }

    fn from_byte(byte: u8) -> Option<Ack> {
        match byte {
            0 => Some(Ack::Taken),
            1 => Some(Ack::Gone),
            2 => Some(Ack::Full),
            _ => None,
        }
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        if let Some(task) = self.subscriber.get() {
            task.abort();
        }
    }
}

impl ConnectionRegistry {
    /// A registry whose connections every node sharing this Redis can reach. Waits (briefly)
    /// until this node's subscription is in place; an unreachable Redis is not an error, the
    /// subscriber keeps retrying.
    pub(crate) async fn on_redis(
        conn: Conn,
        config: &RedisConfig,
    ) -> Result<ConnectionRegistry, StateError> {
        let seed = config
            .urls
            .first()
            .ok_or_else(|| StateError::BadRequest("no Redis URL".into()))?
            .replacen("redis+cluster://", "redis://", 1);
        let client = redis::Client::open(seed.as_str())?;
        let connect_timeout = config.op_timeout.max(Duration::from_millis(500));
        let publisher = match &conn {
            Conn::Single(_) => conn.clone(),
            Conn::Cluster(_) => {
                let manager = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(connect_timeout))
                    .set_response_timeout(Some(config.op_timeout * 10))
                    .set_min_delay(MIN_RETRY)
                    .set_max_delay(MAX_RETRY)
                    .set_number_of_retries(6);
                Conn::Single(ConnectionManager::new_lazy_with_config(
                    client.clone(),
                    manager,
                )?)
            }
        };
        let node = node_id();
        let channel = format!("{}:node:{node}", config.prefix);
        let local = Local::default();
        let (ready, subscribed) = oneshot::channel();
        let shared = Arc::new(Shared {
            conn,
            publisher,
            prefix: config.prefix.clone(),
            node,
            op_timeout: config.op_timeout,
            store: Script::new(STORE),
            activity: Script::new(ACTIVITY),
            log: FailureLog::new(Duration::from_secs(10)),
            subscriber: OnceLock::new(),
            pending: Mutex::default(),
            next_token: AtomicU64::new(1),
        });
        // Spawned once `shared` is whole: the task holds it weakly, so as not to keep it alive.
        let task = tokio::spawn(subscribe(
            client,
            channel,
            connect_timeout,
            local.clone(),
            Arc::downgrade(&shared),
            ready,
        ));
        let _ = shared.subscriber.set(task.abort_handle());
        // Connected and the scripts loaded before the first connection, whose record must not
        // wait for either.
        let warm_up = async {
            let mut conn = shared.conn.clone();
            for script in [&shared.store, &shared.activity] {
                script.load_async(&mut conn).await?;
            }
            Ok::<_, redis::RedisError>(())
        };
        let (subscribed, warmed) = tokio::join!(
            tokio::time::timeout(connect_timeout * 4, subscribed),
            tokio::time::timeout(connect_timeout * 4, warm_up)
        );
        if subscribed.is_err() || !matches!(warmed, Ok(Ok(()))) {
            tracing::warn!("WebSocket connections: Redis not reachable yet, retrying");
        }
        Ok(ConnectionRegistry {
            local,
            shared: Some(shared),
        })
    }

    /// This node's id (Redis registries only).
    #[cfg(test)]
    pub(crate) fn node_id(&self) -> Option<&str> {
        self.shared.as_deref().map(|s| s.node.as_str())
    }
}

impl Shared {
    /// `{prefix}:conn:{id}`, in the state's key naming (`{prefix}:tb:`, `{prefix}:cache:`…).
    pub(crate) fn key(&self, connection_id: &str) -> String {
        format!("{}:conn:{connection_id}", self.prefix)
    }

    /// True when the record names this node.
    pub(crate) fn is_mine(&self, record: &Record) -> bool {
        record.node == self.node
    }

    fn channel(&self, node: &str) -> String {
        format!("{}:node:{node}", self.prefix)
    }

    /// Writes the whole record, as this node's.
    pub(crate) async fn store(&self, info: &ConnectionInfo) -> Result<(), StateError> {
        let expire_at_ms = unix_micros(info.connected_at + RECORD_TTL) / 1000;
        let mut call = self.store.key(self.key(&info.connection_id));
        call.arg(expire_at_ms)
            .arg("connectedAt")
            .arg(unix_micros(info.connected_at))
            .arg("lastActiveAt")
            .arg(unix_micros(info.last_active_at))
            .arg("sourceIp")
            .arg(&info.source_ip)
            .arg("apiId")
            .arg(&info.api_id)
            .arg("stage")
            .arg(&info.stage)
            .arg("node")
            .arg(&self.node);
        if let Some(agent) = &info.user_agent {
            call.arg("userAgent").arg(agent);
        }
        let mut conn = self.conn.clone();
        self.bounded("register", call.invoke_async::<i64>(&mut conn))
            .await
            .map(drop)
    }

    /// Moves the record's `lastActiveAt` to `at` (if later).
    pub(crate) async fn activity(
        &self,
        connection_id: &str,
        at: SystemTime,
    ) -> Result<(), StateError> {
        let mut call = self.activity.key(self.key(connection_id));
        call.arg(unix_micros(at));
        let mut conn = self.conn.clone();
        self.bounded("activity", call.invoke_async::<i64>(&mut conn))
            .await
            .map(drop)
    }

    /// Deletes the record; true when there was one.
    pub(crate) async fn delete(&self, connection_id: &str) -> Result<bool, StateError> {
        let mut conn = self.conn.clone();
        let del = redis::cmd("DEL").arg(self.key(connection_id)).to_owned();
        let deleted: i64 = self
            .bounded("unregister", del.query_async(&mut conn))
            .await?;
        Ok(deleted > 0)
    }

    /// The record, unless there is none or its node is dead (then deleted). A record naming
    /// this node is returned as is: only the caller knows whether the socket is still here.
    pub(crate) async fn lookup(
        &self,
        connection_id: &str,
    ) -> Result<Option<Record>, ConnectionError> {
        let mut conn = self.conn.clone();
        let read = redis::cmd("HGETALL")
            .arg(self.key(connection_id))
            .to_owned();
        let fields: HashMap<String, String> = self
            .bounded("lookup", read.query_async(&mut conn))
            .await
            .map_err(|_| ConnectionError::Unavailable)?;
        if fields.is_empty() {
            return Ok(None);
        }
        let Some(record) = parse(connection_id, &fields) else {
            // Not a record this version wrote in full: nothing can reach it.
            let _ = self.delete(connection_id).await;
            return Ok(None);
        };
        if record.node != self.node && !self.alive(&record.node).await? {
            let _ = self.delete(connection_id).await;
            return Ok(None);
        }
        Ok(Some(record))
    }

    /// True when `node` is subscribed to its channel.
    async fn alive(&self, node: &str) -> Result<bool, ConnectionError> {
        let mut conn = self.publisher.clone();
        let numsub = redis::cmd("PUBSUB")
            .arg("NUMSUB")
            .arg(self.channel(node))
            .to_owned();
        let (_, subscribers): (String, i64) = self
            .bounded("lookup", numsub.query_async(&mut conn))
            .await
            .map_err(|_| ConnectionError::Unavailable)?;
        Ok(subscribers > 0)
    }

    /// Sends `message` to the node that holds the connection (not this one: its sockets are
    /// reached directly) and records the activity.
    pub(crate) async fn forward(
        &self,
        connection_id: &str,
        message: &Outbound,
        at: SystemTime,
    ) -> Result<(), ConnectionError> {
        let mut conn = self.conn.clone();
        let owner = redis::cmd("HGET")
            .arg(self.key(connection_id))
            .arg("node")
            .to_owned();
        let owner: Option<String> = self
            .bounded("send", owner.query_async(&mut conn))
            .await
            .map_err(|_| ConnectionError::Unavailable)?;
        let node = owner.ok_or(ConnectionError::Gone)?;
        if node == self.node {
            // Ours, but no socket here holds it: left over from a socket that is gone.
            let _ = self.delete(connection_id).await;
            return Err(ConnectionError::Gone);
        }
        let token = self.next_token.fetch_add(1, Ordering::Relaxed);
        let (acked, ack) = oneshot::channel();
        self.pending_map(|pending| pending.insert(token, acked));
        let mut publisher = self.publisher.clone();
        let reply = Reply {
            node: &self.node,
            token,
        };
        let publish = redis::cmd("PUBLISH")
            .arg(self.channel(&node))
            .arg(encode(connection_id, message, at, Some(reply)))
            .to_owned();
        // Recorded before answering, so a GET right after a POST sees it on every node.
        let (published, _) = tokio::join!(
            self.bounded("send", publish.query_async::<i64>(&mut publisher)),
            self.activity(connection_id, at)
        );
        let result = match published {
            Ok(0) => {
                let _ = self.delete(connection_id).await;
                Err(ConnectionError::Gone)
            }
            Ok(_) => match tokio::time::timeout(self.ack_timeout(), ack).await {
                Ok(Ok(Ack::Taken)) => Ok(()),
                Ok(Ok(Ack::Gone)) => Err(ConnectionError::Gone),
                Ok(Ok(Ack::Full)) => Err(ConnectionError::LimitExceeded),
                // Published to the live owner, which did not answer in time: taken, as before
                // acknowledgements, rather than a retry that could send it twice.
                Ok(Err(_)) | Err(_) => {
                    tracing::debug!(connection_id, "no acknowledgement from the owning node");
                    Ok(())
                }
            },
            Err(_) => Err(ConnectionError::Unavailable),
        };
        self.pending_map(|pending| pending.remove(&token));
        result
    }

    /// How long a sender waits for the owning node's acknowledgement: two round trips.
    fn ack_timeout(&self) -> Duration {
        (self.op_timeout * 2).max(Duration::from_millis(200))
    }

    fn pending_map<T>(&self, f: impl FnOnce(&mut HashMap<u64, oneshot::Sender<Ack>>) -> T) -> T {
        let mut pending = match self.pending.lock() {
            Ok(pending) => pending,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut pending)
    }

    /// Hands an acknowledgement to the `forward` waiting for it (if it still waits).
    fn acknowledged(&self, token: u64, ack: Ack) {
        if let Some(waiting) = self.pending_map(|pending| pending.remove(&token)) {
            let _ = waiting.send(ack);
        }
    }

    /// Tells `node` what became of its message `token` (not awaited by the subscriber).
    fn acknowledge(self: &Arc<Self>, node: &str, token: u64, ack: Ack) {
        let (shared, channel) = (self.clone(), self.channel(node));
        tokio::spawn(async move {
            let mut publisher = shared.publisher.clone();
            let publish = redis::cmd("PUBLISH")
                .arg(channel)
                .arg(encode_ack(token, ack))
                .to_owned();
            let _ = shared
                .bounded("send", publish.query_async::<i64>(&mut publisher))
                .await;
        });
    }

    /// Rewrites the records of this node's live connections.
    async fn restore(&self, local: &Local) {
        let infos: Vec<ConnectionInfo> = lock(local, |map| {
            map.values()
                .filter(|entry| !entry.sender.is_closed())
                .map(|entry| entry.info.clone())
                .collect()
        });
        for info in infos {
            let stored = self.store(&info).await.is_ok();
            lock(local, |map| {
                if let Some(entry) = map.get_mut(&info.connection_id) {
                    entry.stored = stored;
                }
            });
        }
    }

    /// Runs one call within the timeout, logging failures (rate-limited) and recoveries.
    /// Writing and deleting a whole record happen once per connection, off the message path,
    /// and get the longer limit the state gives key management: a record lost to a slow
    /// answer would leave the connection unreachable from other nodes.
    async fn bounded<T, F>(&self, operation: &'static str, call: F) -> Result<T, StateError>
    where
        F: Future<Output = redis::RedisResult<T>>,
    {
        let limit = match operation {
            "register" | "unregister" => admin_timeout(self.op_timeout),
            _ => self.op_timeout,
        };
        crate::redis::bounded(&self.log, operation, limit, call).await
    }
}

/// 16 random hex digits (the process id and time if the system has no randomness to give).
fn node_id() -> String {
    let mut bytes = [0u8; 8];
    if getrandom::getrandom(&mut bytes).is_err() {
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let mixed = (nanos as u64) ^ (u64::from(std::process::id()) << 32);
        bytes = mixed.to_be_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn parse(connection_id: &str, fields: &HashMap<String, String>) -> Option<Record> {
    let time = |name: &str| -> Option<SystemTime> {
        let micros: u64 = fields.get(name)?.parse().ok()?;
        Some(SystemTime::UNIX_EPOCH + Duration::from_micros(micros))
    };
    Some(Record {
        info: ConnectionInfo {
            connection_id: connection_id.to_owned(),
            api_id: fields.get("apiId")?.clone(),
            stage: fields.get("stage")?.clone(),
            connected_at: time("connectedAt")?,
            last_active_at: time("lastActiveAt")?,
            source_ip: fields.get("sourceIp")?.clone(),
            user_agent: fields.get("userAgent").cloned(),
        },
        node: fields.get("node")?.clone(),
    })
}

/// Where a forwarded message's acknowledgement goes: the sender's node and its token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Reply<'a> {
    node: &'a str,
    token: u64,
}

/// What arrives on a node's channel.
#[derive(Debug, PartialEq)]
enum Forwarded {
    /// A message for a socket of this node, and where to acknowledge it (`None`: nowhere).
    Message {
        connection_id: String,
        message: Outbound,
        at: SystemTime,
        reply: Option<(String, u64)>,
    },
    /// What became of a message this node forwarded.
    Ack { token: u64, ack: Ack },
}

/// A forwarded message: kind (`T`ext, `B`inary, `C`lose), the time it was sent (Unix
/// microseconds, 8 bytes big-endian), the reply's node id length (1 byte, 0 for no reply), node
/// id and token (8 bytes, only with a node), the connection id's length (2 bytes) and the id,
/// then the data.
fn encode(
    connection_id: &str,
    message: &Outbound,
    at: SystemTime,
    reply: Option<Reply<'_>>,
) -> Vec<u8> {
    let (kind, data): (u8, &[u8]) = match message {
        Outbound::Text(text) => (b'T', text.as_bytes()),
        Outbound::Binary(bytes) => (b'B', bytes),
        Outbound::Close => (b'C', &[]),
    };
    let id = connection_id.as_bytes();
    let id_len = u16::try_from(id.len()).unwrap_or(u16::MAX);
    let id = id.get(..usize::from(id_len)).unwrap_or_default();
    let mut out = Vec::with_capacity(40 + id.len() + data.len());
    out.push(kind);
    out.extend_from_slice(&unix_micros(at).to_be_bytes());
    // Node ids are 16 hex digits; one that does not fit a byte asks for no reply.
    match reply.and_then(|r| u8::try_from(r.node.len()).ok().map(|len| (len, r))) {
        Some((len, reply)) if len > 0 => {
            out.push(len);
            out.extend_from_slice(reply.node.as_bytes());
            out.extend_from_slice(&reply.token.to_be_bytes());
        }
        _ => out.push(0),
    }
    out.extend_from_slice(&id_len.to_be_bytes());
    out.extend_from_slice(id);
    out.extend_from_slice(data);
    out
}

/// An acknowledgement: `A`, the token (8 bytes big-endian), what became of the message.
fn encode_ack(token: u64, ack: Ack) -> Vec<u8> {
    let mut out = Vec::with_capacity(10);
    out.push(b'A');
    out.extend_from_slice(&token.to_be_bytes());
    out.push(ack.byte());
    out
}

fn decode(payload: &[u8]) -> Option<Forwarded> {
    let (&kind, rest) = payload.split_first()?;
    if kind == b'A' {
        let (token, rest) = rest.split_first_chunk::<8>()?;
        let ack = Ack::from_byte(*rest.first()?)?;
        return Some(Forwarded::Ack {
            token: u64::from_be_bytes(*token),
            ack,
        });
    }
    let (at, rest) = rest.split_first_chunk::<8>()?;
    let (&node_len, rest) = rest.split_first()?;
    let (reply, rest) = match usize::from(node_len) {
        0 => (None, rest),
        len => {
            let node = std::str::from_utf8(rest.get(..len)?).ok()?.to_owned();
            let (token, rest) = rest.get(len..)?.split_first_chunk::<8>()?;
            (Some((node, u64::from_be_bytes(*token))), rest)
        }
    };
    let (id_len, rest) = rest.split_first_chunk::<2>()?;
    let id_len = usize::from(u16::from_be_bytes(*id_len));
    let id = std::str::from_utf8(rest.get(..id_len)?).ok()?.to_owned();
    let data = rest.get(id_len..)?;
    let message = match kind {
        b'T' => Outbound::Text(String::from_utf8(data.to_vec()).ok()?),
        b'B' => Outbound::Binary(bytes::Bytes::copy_from_slice(data)),
        b'C' => Outbound::Close,
        _ => return None,
    };
    let at = SystemTime::UNIX_EPOCH + Duration::from_micros(u64::from_be_bytes(*at));
    Some(Forwarded::Message {
        connection_id: id,
        message,
        at,
        reply,
    })
}

/// This node's subscriber: (re)subscribes with backoff, rewrites this node's records after
/// each subscription, and hands each forwarded message to its socket.
async fn subscribe(
    client: redis::Client,
    channel: String,
    connect_timeout: Duration,
    local: Local,
    shared: Weak<Shared>,
    ready: oneshot::Sender<()>,
) {
    let mut ready = Some(ready);
    let mut retry = MIN_RETRY;
    loop {
        let connect = async {
            let mut pubsub = client.get_async_pubsub().await?;
            pubsub.subscribe(&channel).await?;
            Ok::<_, redis::RedisError>(pubsub)
        };
        match tokio::time::timeout(connect_timeout, connect).await {
            Ok(Ok(pubsub)) => {
                retry = MIN_RETRY;
                if let Some(ready) = ready.take() {
                    let _ = ready.send(());
                }
                match shared.upgrade() {
                    Some(shared) => shared.restore(&local).await,
                    None => return,
                }
                let ended = listen(pubsub, &local, &shared).await;
                tracing::warn!(
                    reason = ended,
                    "WebSocket connections: Redis subscription lost"
                );
            }
            Ok(Err(error)) => {
                tracing::debug!(%error, "WebSocket connections: cannot subscribe to Redis");
            }
            Err(_) => tracing::debug!("WebSocket connections: Redis subscription timed out"),
        }
        tokio::time::sleep(retry).await;
        retry = (retry * 2).min(MAX_RETRY);
    }
}

/// Hands messages to sockets until the subscription ends; why it ended.
async fn listen(pubsub: redis::aio::PubSub, local: &Local, shared: &Weak<Shared>) -> &'static str {
    let (mut sink, mut stream) = pubsub.split();
    let mut ping = tokio::time::interval(SUBSCRIBER_PING);
    ping.reset();
    loop {
        tokio::select! {
            message = stream.next() => {
                let Some(message) = message else {
                    return "connection closed";
                };
                let Some(forwarded) = decode(message.get_payload_bytes()) else {
                    tracing::debug!("WebSocket connections: unreadable forwarded message");
                    continue;
                };
                let Some(shared) = shared.upgrade() else {
                    return "registry dropped";
                };
                match forwarded {
                    Forwarded::Ack { token, ack } => shared.acknowledged(token, ack),
                    Forwarded::Message { connection_id, message, at, reply } => {
                        let ack = hand_over(local, &connection_id, message, at);
                        if ack == Ack::Gone {
                            // The socket ended after the sender read the record.
                            let _ = shared.delete(&connection_id).await;
                        }
                        if let Some((node, token)) = reply {
                            shared.acknowledge(&node, token, ack);
                        }
                    }
                }
            }
            _ = ping.tick() => {
                let pong = tokio::time::timeout(MAX_RETRY, sink.ping::<redis::Value>()).await;
                if !matches!(pong, Ok(Ok(_))) {
                    return "no answer to PING";
                }
            }
        }
    }
}

/// Gives a forwarded message to the local socket's queue: taken, full, or gone (no socket here
/// has the id).
fn hand_over(local: &Local, connection_id: &str, message: Outbound, at: SystemTime) -> Ack {
    lock(local, |map| {
        let Some(entry) = map.get_mut(connection_id) else {
            return Ack::Gone;
        };
        match entry.sender.offer(message) {
            Ok(()) => {
                entry.info.last_active_at = entry.info.last_active_at.max(at);
                Ack::Taken
            }
            Err(ConnectionError::LimitExceeded) => Ack::Full,
            Err(_) => Ack::Gone,
        }
    })
}

#[cfg(test)]
mod tests;
