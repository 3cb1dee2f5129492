//! The in-process response cache: LRU shards bounded by bytes, entries expiring after their TTL.

use std::hash::{BuildHasher, RandomState};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bytes::Bytes;
use lru::LruCache;

const SHARDS: usize = 16;

struct Entry {
    value: Bytes,
    expires: Instant,
}

struct Shard {
    entries: LruCache<String, Entry>,
    bytes: usize,
}

pub(crate) struct Cache {
    shards: Vec<Mutex<Shard>>,
    shard_capacity: usize,
    hasher: RandomState,
}

/// What an entry costs: its key and value plus bookkeeping.
fn cost(key: &str, value: &Bytes) -> usize {
    key.len() + value.len() + 64
}

impl Cache {
    /// A cache holding at most about `capacity_bytes` of keys and values.
    pub fn new(capacity_bytes: usize) -> Cache {
        Cache {
            shards: (0..SHARDS)
                .map(|_| {
                    Mutex::new(Shard {
                        entries: LruCache::unbounded(),
                        bytes: 0,
                    })
                })
                .collect(),
            shard_capacity: (capacity_bytes / SHARDS).max(1),
            hasher: RandomState::new(),
        }
    }

    fn shard(&self, key: &str) -> Option<&Mutex<Shard>> {
        self.shards
            .get((self.hasher.hash_one(key) as usize) % SHARDS)
    }

    pub fn get(&self, key: &str) -> Option<Bytes> {
        let mut shard = self.shard(key)?.lock().unwrap_or_else(|p| p.into_inner());
        let expired = match shard.entries.get(key) {
            Some(entry) if entry.expires > Instant::now() => return Some(entry.value.clone()),
            Some(_) => true,
            None => false,
        };
        if expired {
            if let Some(entry) = shard.entries.pop(key) {
                shard.bytes -= cost(key, &entry.value);
            }
        }
        None
    }

    pub fn put(&self, key: &str, value: Bytes, ttl: Duration) {
        let size = cost(key, &value);
        if ttl.is_zero() || size > self.shard_capacity {
            return;
        }
        let Some(shard) = self.shard(key) else {
            return;
        };
        let mut shard = shard.lock().unwrap_or_else(|p| p.into_inner());
        let entry = Entry {
            value,
            expires: Instant::now() + ttl,
        };
        if let Some(old) = shard.entries.put(key.to_string(), entry) {
            shard.bytes -= cost(key, &old.value);
        }
        shard.bytes += size;
        while shard.bytes > self.shard_capacity {
            match shard.entries.pop_lru() {
                Some((k, e)) => shard.bytes -= cost(&k, &e.value),
                None => break,
            }
        }
    }

    pub fn invalidate(&self, key: &str) {
        if let Some(shard) = self.shard(key) {
            let mut shard = shard.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(entry) = shard.entries.pop(key) {
                shard.bytes -= cost(key, &entry.value);
            }
        }
    }

    /// Bytes held, for tests of the bound.
    #[cfg(test)]
    pub fn bytes(&self) -> usize {
        self.shards
            .iter()
            .map(|s| s.lock().unwrap_or_else(|p| p.into_inner()).bytes)
            .sum()
    }
}
