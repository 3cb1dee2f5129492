//! Token buckets in process: a fixed set of mutex-guarded shards so that concurrent requests for
//! different keys rarely contend, and one key's check is exact (its shard lock is held only for
//! the arithmetic, never across an await).

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::Mutex;

use crate::bucket::Bucket;
use crate::Decision;

const SHARDS: usize = 64;
/// Past this many buckets in a shard, full buckets (which carry no information) are dropped.
const PRUNE_AT: usize = 4096;

pub(crate) struct Buckets {
    shards: Vec<Mutex<HashMap<String, Bucket>>>,
    hasher: RandomState,
}

impl Buckets {
    pub fn new() -> Buckets {
        Buckets {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            hasher: RandomState::new(),
        }
    }

    pub fn take(&self, key: &str, rate: f64, burst: u64, now_us: u64) -> Decision {
        let index = (self.hasher.hash_one(key) as usize) % SHARDS;
        let Some(shard) = self.shards.get(index) else {
            return refused();
        };
        // A poisoned shard only means another thread panicked mid-update; the data is plain numbers.
        let mut shard = shard.lock().unwrap_or_else(|p| p.into_inner());
        if shard.len() >= PRUNE_AT && !shard.contains_key(key) {
            shard.retain(|_, b| !b.is_full_at(rate, burst, now_us));
        }
        let bucket = match shard.get_mut(key) {
            Some(bucket) => bucket,
            None => shard
                .entry(key.to_string())
                .or_insert_with(|| Bucket::full(burst, now_us)),
        };
        let (allowed, retry_after) = bucket.take(rate, burst, now_us);
        Decision {
            allowed,
            retry_after,
            degraded: false,
        }
    }
}

fn refused() -> Decision {
    Decision {
        allowed: false,
        retry_after: None,
        degraded: false,
    }
}
