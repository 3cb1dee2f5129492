//! The registry of live WebSocket connections: which connections exist, what the `@connections`
//! management API reports about them (`connectedAt`, `lastActiveAt`, `identity`), and how to
//! reach the socket that serves each one.
//!
//! It is kept apart from [`State`](crate::State) on purpose: a connection is owned by the gateway
//! process whose socket holds it, so its outbound channel can never live in a shared store. Every
//! node keeps its own sockets' channels in this process. The embedded registry stops there; the
//! Redis one ([`State::connection_registry`](crate::State::connection_registry) on a Redis state,
//! see the `redis` module) also writes each connection's [`ConnectionInfo`] and owning node to
//! Redis, so any node answers the management API about any connection and forwards messages to
//! the owning node over pub/sub. That is why every method that may cross the network is `async`.
//!
//! Each socket's outbound queue is bounded ([`outbound_channel`]): a client that does not read
//! cannot make the gateway hold its messages without limit. A message offered to a full queue
//! is refused with [`ConnectionError::LimitExceeded`], the management API's 429
//! `LimitExceededException` ("the WebSocket client side buffer is full").

mod redis;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use bytes::Bytes;
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;

pub(crate) use self::redis::Shared;

/// What the management API reports about a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionInfo {
    pub connection_id: String,
    /// The WebSocket API and stage it connected to.
    pub api_id: String,
    pub stage: String,
    pub connected_at: SystemTime,
    /// The last time a message went either way.
    pub last_active_at: SystemTime,
    pub source_ip: String,
    pub user_agent: Option<String>,
}

/// What the gateway asks a connection's socket to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outbound {
    /// Send one text message.
    Text(String),
    /// Send one binary message.
    Binary(Bytes),
    /// Close the connection (the management API's `DeleteConnection`).
    Close,
}

/// How many messages may wait for one connection's socket. AWS does not document its
/// buffer's size; 64 absorbs a burst of replies and posts for a client that reads, and bounds
/// what a client that does not read costs: at most 64 messages of up to 128 KB (AWS's message
/// quota), 8 MB.
pub const OUTBOUND_CAPACITY: usize = 64;

/// A connection's bounded outbound queue: the sending half (for [`ConnectionRegistry::register`]
/// and for replies) and the socket's receiving half.
pub fn outbound_channel() -> (OutboundSender, mpsc::Receiver<Outbound>) {
    // One more place than data may take: `DeleteConnection`'s close always fits.
    let (sender, receiver) = mpsc::channel(OUTBOUND_CAPACITY + 1);
    (OutboundSender(sender), receiver)
}

/// The sending half of a connection's outbound queue; cheap to clone.
#[derive(Debug, Clone)]
pub struct OutboundSender(mpsc::Sender<Outbound>);

impl OutboundSender {
    /// Queues `message` without waiting: `Gone` when the socket has ended, `LimitExceeded` when
    /// [`OUTBOUND_CAPACITY`] messages are waiting already. A close is always taken (it has a place
    /// of its own; a second one is redundant and dropped).
    pub fn offer(&self, message: Outbound) -> Result<(), ConnectionError> {
        if self.0.is_closed() {
            return Err(ConnectionError::Gone);
        }
        if !matches!(message, Outbound::Close) && self.0.capacity() <= 1 {
            return Err(ConnectionError::LimitExceeded);
        }
        match self.0.try_send(message) {
            Ok(()) => Ok(()),
            Err(TrySendError::Closed(_)) => Err(ConnectionError::Gone),
            Err(TrySendError::Full(Outbound::Close)) => Ok(()),
            Err(TrySendError::Full(_)) => Err(ConnectionError::LimitExceeded),
        }
    }

    /// True once the socket has stopped reading the queue.
    pub fn is_closed(&self) -> bool {
        self.0.is_closed()
    }
}

/// Why [`lookup`](ConnectionRegistry::lookup) or [`deliver`](ConnectionRegistry::deliver) failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionError {
    /// The connection does not exist (any more): 410 `GoneException`.
    Gone,
    /// Redis did not answer, so whether the connection exists is unknown. Not `Gone`: SDK
    /// callers drop a connection for good on 410, while a 5xx is retried.
    Unavailable,
    /// The connection's outbound queue is full (its client reads slower than it is sent to):
    /// 429 `LimitExceededException`.
    LimitExceeded,
}

impl std::fmt::Display for ConnectionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConnectionError::Gone => f.write_str("the connection does not exist"),
            ConnectionError::Unavailable => f.write_str("the connection registry is unavailable"),
            ConnectionError::LimitExceeded => {
                f.write_str("the connection's outbound buffer is full")
            }
        }
    }
}

impl std::error::Error for ConnectionError {}

/// The live connections; cheap to clone (clones share the registry).
#[derive(Clone, Default)]
pub struct ConnectionRegistry {
    local: Local,
    /// Set on a Redis state: the connections of every node.
    shared: Option<Arc<Shared>>,
}

/// This process's connections.
pub(crate) type Local = Arc<Mutex<HashMap<String, Entry>>>;

impl std::fmt::Debug for ConnectionRegistry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionRegistry")
            .field("connections", &self.len())
            .field("redis", &self.shared.is_some())
            .finish()
    }
}

pub(crate) struct Entry {
    info: ConnectionInfo,
    sender: OutboundSender,
    /// Redis: the record is in Redis (false after a failed write, which the next write repeats
    /// in full).
    stored: bool,
    /// Redis: a task is writing `last_active_at`; later activity is left for it to write.
    writing: bool,
}

impl ConnectionRegistry {
    /// A registry of this process's connections only.
    pub fn embedded() -> ConnectionRegistry {
        ConnectionRegistry::default()
    }

    /// Records a connection whose socket reads `sender`'s messages.
    pub async fn register(&self, info: ConnectionInfo, sender: OutboundSender) {
        let id = info.connection_id.clone();
        let record = self.shared.as_ref().map(|_| info.clone());
        let entry = Entry {
            info,
            sender,
            stored: false,
            writing: false,
        };
        self.with(|map| map.insert(id.clone(), entry));
        if let (Some(shared), Some(record)) = (&self.shared, record) {
            // The socket works without the record; only other nodes cannot reach it yet.
            let stored = shared.store(&record).await.is_ok();
            self.with(|map| {
                if let Some(entry) = map.get_mut(&id) {
                    entry.stored = stored;
                }
            });
        }
    }

    /// Forgets a connection; true when it was registered (here or, on Redis, on any node).
    pub async fn remove(&self, connection_id: &str) -> bool {
        let here = self.with(|map| map.remove(connection_id)).is_some();
        match &self.shared {
            Some(shared) => shared.delete(connection_id).await.unwrap_or(false) || here,
            None => here,
        }
    }

    /// The connection's details, with `last_active_at` as of now, wherever its socket is.
    /// On Redis, while Redis fails, this node's own connections are still answered.
    pub async fn lookup(&self, connection_id: &str) -> Result<ConnectionInfo, ConnectionError> {
        let here = self.with(|map| match map.get(connection_id) {
            Some(entry) if !entry.sender.is_closed() => Some((entry.info.clone(), entry.stored)),
            _ => None,
        });
        let Some(shared) = &self.shared else {
            return here.map(|(info, _)| info).ok_or(ConnectionError::Gone);
        };
        match (shared.lookup(connection_id).await, here) {
            // Activity seen here may not have reached Redis yet, and the reverse.
            (Ok(Some(stored)), Some((info, _))) => Ok(ConnectionInfo {
                last_active_at: info.last_active_at.max(stored.info.last_active_at),
                ..info
            }),
            (Ok(Some(stored)), None) if shared.is_mine(&stored) => {
                // Left over from a socket of this node that is gone.
                let _ = shared.delete(connection_id).await;
                Err(ConnectionError::Gone)
            }
            (Ok(Some(stored)), None) => Ok(stored.info),
            // Never written (Redis failed at `register`): this node's word is all there is.
            (Ok(None), Some((info, false))) => Ok(info),
            // Deleted on another node; the socket here closes in a moment.
            (Ok(None), _) => Err(ConnectionError::Gone),
            (Err(_), Some((info, _))) => Ok(info),
            (Err(error), None) => Err(error),
        }
    }

    /// Hands `message` to the connection's socket, on this node or (Redis) on the node that
    /// holds it; a message counts as activity. `LimitExceeded` when the socket's queue is full.
    pub async fn deliver(
        &self,
        connection_id: &str,
        message: Outbound,
    ) -> Result<(), ConnectionError> {
        let now = SystemTime::now();
        // Not held here: the message comes back for another node.
        let here = self.with(|map| match map.get_mut(connection_id) {
            Some(entry) => Ok(match entry.sender.offer(message) {
                Ok(()) => {
                    entry.info.last_active_at = now;
                    Ok(())
                }
                Err(error) => Err(error),
            }),
            None => Err(message),
        });
        match (here, &self.shared) {
            (Ok(Ok(())), Some(shared)) => {
                self.write_activity(shared, connection_id);
                Ok(())
            }
            (Ok(result), _) => result,
            (Err(_), None) => Err(ConnectionError::Gone),
            (Err(message), Some(shared)) => shared.forward(connection_id, &message, now).await,
        }
    }

    /// Records activity on the connection (a message from the client). On Redis the write is
    /// not awaited, and a connection has at most one in flight (see the `redis` module).
    pub async fn touch(&self, connection_id: &str, at: SystemTime) {
        let known = self.with(|map| match map.get_mut(connection_id) {
            Some(entry) => {
                entry.info.last_active_at = at;
                true
            }
            None => false,
        });
        if let (true, Some(shared)) = (known, &self.shared) {
            self.write_activity(shared, connection_id);
        }
    }

    /// How many connections are registered in this process.
    pub fn len(&self) -> usize {
        self.with(|map| map.len())
    }

    /// True when no connection is registered in this process.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Starts the task that copies the connection's `last_active_at` to Redis, unless one is
    /// running: it writes again as long as activity moved while it wrote.
    fn write_activity(&self, shared: &Arc<Shared>, connection_id: &str) {
        let start = self.with(|map| match map.get_mut(connection_id) {
            Some(entry) if !entry.writing => {
                entry.writing = true;
                true
            }
            _ => false,
        });
        if start {
            let (registry, shared, id) = (self.clone(), shared.clone(), connection_id.to_owned());
            tokio::spawn(async move { registry.write_activity_task(&shared, &id).await });
        }
    }

    async fn write_activity_task(&self, shared: &Shared, connection_id: &str) {
        loop {
            let pending = self.with(|map| {
                map.get(connection_id)
                    .map(|entry| (entry.info.clone(), entry.stored))
            });
            let Some((info, stored)) = pending else {
                return;
            };
            let written = if stored {
                shared.activity(connection_id, info.last_active_at).await
            } else {
                shared.store(&info).await
            };
            let again = self.with(|map| {
                let Some(entry) = map.get_mut(connection_id) else {
                    return false;
                };
                entry.stored |= written.is_ok();
                // A failed write is not retried here: the next activity tries again.
                entry.writing = written.is_ok() && entry.info.last_active_at != info.last_active_at;
                entry.writing
            });
            if !again {
                return;
            }
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut HashMap<String, Entry>) -> T) -> T {
        lock(&self.local, f)
    }
}

/// Runs `f` on the map; a panic while holding the lock cannot leave the map half-updated (every
/// closure does a single map operation), so a poisoned lock is still consistent.
pub(crate) fn lock<T>(local: &Local, f: impl FnOnce(&mut HashMap<String, Entry>) -> T) -> T {
    let mut map = match local.lock() {
        Ok(map) => map,
        Err(poisoned) => poisoned.into_inner(),
    };
    f(&mut map)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn info(id: &str) -> ConnectionInfo {
        ConnectionInfo {
            connection_id: id.into(),
            api_id: "abcdefghij".into(),
            stage: "prod".into(),
            connected_at: SystemTime::UNIX_EPOCH + Duration::from_secs(10),
            last_active_at: SystemTime::UNIX_EPOCH + Duration::from_secs(10),
            source_ip: "127.0.0.1".into(),
            user_agent: Some("test".into()),
        }
    }

    #[tokio::test]
    async fn messages_reach_the_socket_until_the_connection_is_gone() {
        let registry = ConnectionRegistry::embedded();
        let (tx, mut rx) = outbound_channel();
        registry.register(info("c1"), tx).await;
        assert_eq!(registry.len(), 1);
        registry
            .deliver("c1", Outbound::Text("hi".into()))
            .await
            .unwrap();
        assert_eq!(rx.recv().await, Some(Outbound::Text("hi".into())));
        let got = registry.lookup("c1").await.unwrap();
        assert_eq!(got.connected_at, info("c1").connected_at);
        assert!(got.last_active_at > got.connected_at);
        assert_eq!(
            registry.deliver("nope", Outbound::Close).await,
            Err(ConnectionError::Gone),
            "unknown connection"
        );
        // The socket went away without unregistering: gone all the same.
        drop(rx);
        assert_eq!(registry.lookup("c1").await, Err(ConnectionError::Gone));
        assert_eq!(
            registry.deliver("c1", Outbound::Close).await,
            Err(ConnectionError::Gone)
        );
        assert!(registry.remove("c1").await);
        assert!(!registry.remove("c1").await);
        assert!(registry.is_empty());
    }

    #[tokio::test]
    async fn touch_moves_last_active() {
        let registry = ConnectionRegistry::embedded();
        let (tx, _rx) = outbound_channel();
        registry.register(info("c2"), tx).await;
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(99);
        registry.touch("c2", at).await;
        assert_eq!(registry.lookup("c2").await.unwrap().last_active_at, at);
    }

    #[tokio::test]
    async fn a_full_queue_refuses_messages_but_not_a_close() {
        let registry = ConnectionRegistry::embedded();
        let (tx, mut rx) = outbound_channel();
        registry.register(info("c3"), tx.clone()).await;
        for n in 0..OUTBOUND_CAPACITY {
            registry
                .deliver("c3", Outbound::Text(n.to_string()))
                .await
                .unwrap();
        }
        assert_eq!(
            registry.deliver("c3", Outbound::Text("more".into())).await,
            Err(ConnectionError::LimitExceeded)
        );
        assert_eq!(
            tx.offer(Outbound::Binary(Bytes::from_static(b"reply"))),
            Err(ConnectionError::LimitExceeded)
        );
        registry.deliver("c3", Outbound::Close).await.unwrap();
        // A second close finds the queue full and is dropped: the first closes.
        registry.deliver("c3", Outbound::Close).await.unwrap();
        // The socket reads one: its place is the close's own, so data still waits for a second.
        assert_eq!(rx.recv().await, Some(Outbound::Text("0".into())));
        assert_eq!(
            registry.deliver("c3", Outbound::Text("again".into())).await,
            Err(ConnectionError::LimitExceeded)
        );
        assert_eq!(rx.recv().await, Some(Outbound::Text("1".into())));
        registry
            .deliver("c3", Outbound::Text("again".into()))
            .await
            .unwrap();
        let mut rest = Vec::new();
        while let Ok(message) = rx.try_recv() {
            rest.push(message);
        }
        assert_eq!(rest.len(), OUTBOUND_CAPACITY);
        assert_eq!(rest[OUTBOUND_CAPACITY - 3], Outbound::Text("63".into()));
        assert_eq!(rest[OUTBOUND_CAPACITY - 2], Outbound::Close);
        assert_eq!(rest[OUTBOUND_CAPACITY - 1], Outbound::Text("again".into()));
        drop(rx);
        assert_eq!(
            registry.deliver("c3", Outbound::Text("late".into())).await,
            Err(ConnectionError::Gone)
        );
    }
}
