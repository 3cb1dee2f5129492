//! Quota counters in process, written through to the database by a flusher thread.
//!
//! Counting happens in memory under a shard lock (exact under concurrency); every change marks the
//! counter dirty and wakes the flusher, which commits all dirty counters in one transaction at
//! most every `flush_interval`. Dropping the state (and [`crate::State::flush`]) commits what is
//! left, so a clean restart loses nothing; a crash loses at most one interval.

use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::sync::Mutex;

use super::db::Db;
use crate::{QuotaDecision, StateError};

const SHARDS: usize = 32;

#[derive(Debug, Clone, Copy)]
struct Counter {
    period_start: u64,
    used: u64,
    dirty: bool,
}

pub(crate) struct Quotas {
    shards: Vec<Mutex<HashMap<String, Counter>>>,
    hasher: RandomState,
    /// Serialises flushes so an older snapshot never overwrites a newer one.
    flushing: Mutex<()>,
}

impl Quotas {
    pub fn new() -> Quotas {
        Quotas {
            shards: (0..SHARDS).map(|_| Mutex::new(HashMap::new())).collect(),
            hasher: RandomState::new(),
            flushing: Mutex::new(()),
        }
    }

    fn shard(&self, key: &str) -> Option<&Mutex<HashMap<String, Counter>>> {
        self.shards
            .get((self.hasher.hash_one(key) as usize) % SHARDS)
    }

    /// Counts one request against `limit` in the period starting at `period_start`.
    pub fn consume(
        &self,
        db: &Db,
        key: &str,
        limit: u64,
        period_start: u64,
    ) -> Result<(QuotaDecision, bool), StateError> {
        let Some(shard) = self.shard(key) else {
            return Err(StateError::BadRequest("no quota shard".into()));
        };
        let mut shard = shard.lock().unwrap_or_else(|p| p.into_inner());
        let counter = match shard.get_mut(key) {
            Some(counter) => counter,
            None => {
                // First use since start: continue from what the file remembers.
                let (start, used) = db.quota(key)?.unwrap_or((period_start, 0));
                shard.entry(key.to_string()).or_insert(Counter {
                    period_start: start,
                    used,
                    dirty: false,
                })
            }
        };
        if counter.period_start != period_start {
            *counter = Counter {
                period_start,
                used: 0,
                dirty: true,
            };
        }
        let allowed = counter.used < limit;
        if allowed {
            counter.used += 1;
            counter.dirty = true;
        }
        let decision = QuotaDecision {
            allowed,
            remaining: limit.saturating_sub(counter.used),
            degraded: false,
        };
        Ok((decision, counter.dirty))
    }

    /// Requests counted for `key` in the period starting at `period_start`.
    pub fn used(&self, db: &Db, key: &str, period_start: u64) -> Result<u64, StateError> {
        let in_memory = self.shard(key).and_then(|shard| {
            let shard = shard.lock().unwrap_or_else(|p| p.into_inner());
            shard.get(key).copied()
        });
        let (start, used) = match in_memory {
            Some(c) => (c.period_start, c.used),
            None => db.quota(key)?.unwrap_or((period_start, 0)),
        };
        Ok(if start == period_start { used } else { 0 })
    }

    /// Commits every dirty counter; on failure they stay dirty for the next attempt.
    pub fn flush(&self, db: &Db) -> Result<(), StateError> {
        let _flushing = self.flushing.lock().unwrap_or_else(|p| p.into_inner());
        let mut batch = Vec::new();
        for shard in &self.shards {
            let mut shard = shard.lock().unwrap_or_else(|p| p.into_inner());
            for (key, counter) in shard.iter_mut().filter(|(_, c)| c.dirty) {
                batch.push((key.clone(), counter.period_start, counter.used));
                counter.dirty = false;
            }
        }
        if let Err(e) = db.put_quotas(&batch) {
            for (key, _, _) in &batch {
                if let Some(shard) = self.shard(key) {
                    let mut shard = shard.lock().unwrap_or_else(|p| p.into_inner());
                    if let Some(c) = shard.get_mut(key) {
                        c.dirty = true;
                    }
                }
            }
            return Err(e);
        }
        Ok(())
    }
}
