//! The in-process response cache: a `quick_cache` cache bounded by bytes (its S3-FIFO policy
//! keeps entries that are read again and evicts one-hit wonders first), each entry expiring
//! after its own TTL.

use std::time::{Duration, Instant};

use bytes::Bytes;
use quick_cache::sync::Cache as Store;
use quick_cache::Weighter;

#[derive(Clone)]
struct Entry {
    value: Bytes,
    expires: Instant,
}

/// What an entry costs: its key and value plus bookkeeping.
#[derive(Clone)]
struct Cost;

impl Weighter<String, Entry> for Cost {
    fn weight(&self, key: &String, entry: &Entry) -> u64 {
        cost(key, &entry.value) as u64
    }
}

fn cost(key: &str, value: &Bytes) -> usize {
    key.len() + value.len() + 64
}

pub(crate) struct Cache {
    store: Store<String, Entry, Cost>,
    capacity: usize,
}

/// An estimate of the average entry, to size the index (and the memory of evicted keys, which
/// is kept in proportion): a small JSON response.
const TYPICAL_ENTRY_BYTES: usize = 4096;

impl Cache {
    /// A cache holding at most about `capacity_bytes` of keys and values.
    pub fn new(capacity_bytes: usize) -> Cache {
        let capacity = capacity_bytes.max(1);
        Cache {
            store: Store::with_weighter(
                (capacity / TYPICAL_ENTRY_BYTES).clamp(16, 1 << 20),
                capacity as u64,
                Cost,
            ),
            capacity,
        }
    }

    pub fn get(&self, key: &str) -> Option<Bytes> {
        let entry = self.store.get(key)?;
        let now = Instant::now();
        if entry.expires > now {
            return Some(entry.value);
        }
        // Only if still expired: a put since the read has replaced it.
        self.store.remove_if(key, |e| e.expires <= now);
        None
    }

    pub fn put(&self, key: &str, value: Bytes, ttl: Duration) {
        if ttl.is_zero() || cost(key, &value) > self.capacity {
            return;
        }
        let Some(expires) = Instant::now().checked_add(ttl) else {
            return;
        };
        self.store.insert(key.to_owned(), Entry { value, expires });
    }

    pub fn invalidate(&self, key: &str) {
        self.store.remove(key);
    }

    /// Bytes held, for tests of the bound.
    #[cfg(test)]
    pub fn bytes(&self) -> usize {
        self.store.weight() as usize
    }
}
