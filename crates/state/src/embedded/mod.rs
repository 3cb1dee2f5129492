//! The embedded back end: buckets and the response cache in memory, keys, plans and quota
//! usage in a redb file under the data directory (`.turnpike/state.redb` by default).
//! Other processes (the `turnpike keys` and `usage-plans` commands) may open the file meanwhile:
//! keys and plans are read from it on every lookup, so their changes apply at once. Quota counts
//! live in this process's memory, so one gateway per data directory: several gateways sharing
//! limits use Redis.

mod buckets;
mod cache;
mod db;
mod quotas;

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use bytes::Bytes;

use crate::{ApiKey, CacheStats, Decision, QuotaDecision, StateError, UsagePlan};
use buckets::Buckets;
use cache::Cache;
use db::Db;
use quotas::Quotas;

/// Settings of the embedded back end.
#[derive(Debug, Clone)]
pub struct EmbeddedConfig {
    /// Directory holding `state.redb` (created if missing).
    pub data_dir: PathBuf,
    /// Longest time a counted quota request waits before it is on disk.
    pub flush_interval: Duration,
    /// Memory bound of the response cache.
    pub cache_capacity_bytes: usize,
}

impl EmbeddedConfig {
    /// Defaults for `data_dir`: flush every 100 ms, 64 MiB of cache.
    pub fn new(data_dir: impl Into<PathBuf>) -> EmbeddedConfig {
        EmbeddedConfig {
            data_dir: data_dir.into(),
            flush_interval: Duration::from_millis(100),
            cache_capacity_bytes: 64 << 20,
        }
    }
}

struct Shared {
    db: Db,
    quotas: Quotas,
}

pub(crate) struct Embedded {
    shared: Arc<Shared>,
    buckets: Buckets,
    cache: Cache,
    hits: AtomicU64,
    misses: AtomicU64,
    wake: mpsc::SyncSender<Wake>,
    flusher: Option<JoinHandle<()>>,
}

enum Wake {
    Dirty,
    Stop,
}

impl Embedded {
    pub fn open(config: &EmbeddedConfig) -> Result<Embedded, StateError> {
        std::fs::create_dir_all(&config.data_dir)
            .map_err(|e| StateError::db(&config.data_dir, e))?;
        let db = Db::open(&config.data_dir.join("state.redb"))?;
        let shared = Arc::new(Shared {
            db,
            quotas: Quotas::new(),
        });
        // Capacity 1: one pending wake-up is enough; senders never block on a full channel.
        let (wake, woken) = mpsc::sync_channel(1);
        let flusher = {
            let shared = Arc::clone(&shared);
            let interval = config.flush_interval;
            std::thread::Builder::new()
                .name("turnpike-state-flush".into())
                .spawn(move || flush_loop(&shared, &woken, interval))
                .map_err(|e| StateError::db(&config.data_dir, e))?
        };
        Ok(Embedded {
            shared,
            buckets: Buckets::new(),
            cache: Cache::new(config.cache_capacity_bytes),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            wake,
            flusher: Some(flusher),
        })
    }

    pub fn take(&self, key: &str, rate: f64, burst: u64, now_us: u64) -> Decision {
        self.buckets.take(key, rate, burst, now_us)
    }

    pub fn consume(
        &self,
        key: &str,
        limit: u64,
        period: (u64, u64),
    ) -> Result<QuotaDecision, StateError> {
        let (decision, dirty) =
            self.shared
                .quotas
                .consume(&self.shared.db, key, limit, period.0)?;
        if dirty {
            let _ = self.wake.try_send(Wake::Dirty);
        }
        Ok(decision)
    }

    pub fn used(&self, key: &str, period: (u64, u64)) -> Result<u64, StateError> {
        self.shared.quotas.used(&self.shared.db, key, period.0)
    }

    pub fn flush(&self) -> Result<(), StateError> {
        self.shared.quotas.flush(&self.shared.db)
    }

    pub fn cache_get(&self, key: &str) -> Option<Bytes> {
        let value = self.cache.get(key);
        let counter = if value.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        value
    }

    pub fn cache_put(&self, key: &str, value: Bytes, ttl: Duration) {
        self.cache.put(key, value, ttl);
    }

    pub fn cache_invalidate(&self, key: &str) {
        self.cache.invalidate(key);
    }

    pub fn cache_stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }

    #[cfg(test)]
    pub fn cache_bytes(&self) -> usize {
        self.cache.bytes()
    }

    pub fn insert_key(&self, key: &ApiKey) -> Result<(), StateError> {
        self.shared.db.insert_key(key)
    }
    pub fn update_key(&self, key: &ApiKey, old: &ApiKey) -> Result<(), StateError> {
        self.shared.db.update_key(key, old)
    }
    pub fn get_key(&self, id: &str) -> Result<Option<ApiKey>, StateError> {
        self.shared.db.get_key(id)
    }
    pub fn key_by_hash(&self, hash: &str) -> Result<Option<ApiKey>, StateError> {
        self.shared.db.key_by_hash(hash)
    }
    pub fn list_keys(&self) -> Result<Vec<ApiKey>, StateError> {
        self.shared.db.list_keys()
    }
    pub fn delete_key(&self, id: &str) -> Result<bool, StateError> {
        self.shared.db.delete_key(id)
    }
    pub fn put_plan(&self, plan: &UsagePlan) -> Result<(), StateError> {
        self.shared.db.put_plan(plan)
    }
    pub fn get_plan(&self, id: &str) -> Result<Option<UsagePlan>, StateError> {
        self.shared.db.get_plan(id)
    }
    pub fn list_plans(&self) -> Result<Vec<UsagePlan>, StateError> {
        self.shared.db.list_plans()
    }
    pub fn delete_plan(&self, id: &str) -> Result<bool, StateError> {
        self.shared.db.delete_plan(id)
    }
    pub fn link(&self, plan_id: &str, key_id: &str, add: bool) -> Result<(), StateError> {
        self.shared.db.link(plan_id, key_id, add)
    }
}

fn flush_loop(shared: &Shared, woken: &mpsc::Receiver<Wake>, interval: Duration) {
    loop {
        let stop = matches!(woken.recv(), Ok(Wake::Stop) | Err(_));
        if let Err(error) = shared.quotas.flush(&shared.db) {
            tracing::error!(%error, "could not save quota usage; retrying");
        }
        if stop {
            return;
        }
        // Batch what arrives meanwhile into the next commit.
        std::thread::sleep(interval);
    }
}

impl Drop for Embedded {
    /// Commits the last quota counts before the file closes.
    fn drop(&mut self) {
        // The queue may be full with a Dirty; a blocking send waits for the flusher to take it.
        let _ = self.wake.send(Wake::Stop);
        if let Some(flusher) = self.flusher.take() {
            let _ = flusher.join();
        }
        // Whatever the flusher could not commit (it died, or the write failed) gets a last try.
        if let Err(error) = self.shared.quotas.flush(&self.shared.db) {
            tracing::error!(%error, "quota usage not saved at shutdown");
        }
    }
}
