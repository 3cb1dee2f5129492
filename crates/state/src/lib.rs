//! Shared gateway state: token buckets (throttling), quota counters, the response cache, API keys
//! and usage plans, behind one async interface ([`State`]) with two back ends: embedded (in process,
//! durable parts in a redb file under the data directory) and Redis (atomic scripts, so N gateway
//! nodes share one limit). It owns storage and the arithmetic; deciding which bucket or plan
//! applies to a request belongs to the gateway.
//!
//! ```no_run
//! # async fn demo() -> Result<(), turnpike_state::StateError> {
//! use std::time::SystemTime;
//! use turnpike_state::{EmbeddedConfig, State};
//!
//! let state = State::embedded(&EmbeddedConfig::new(".turnpike"))?;
//! let decision = state.take("stage:prod", 100.0, 50, SystemTime::now()).await;
//! assert!(decision.allowed);
//! # Ok(()) }
//! ```

mod admin;
mod admit;
mod bucket;
pub mod connections;
mod decision;
mod embedded;
mod error;
mod period;
mod policy;
mod records;
mod redis;
mod secret;
#[cfg(any(test, feature = "test-support"))]
pub mod test_support;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;

pub use admit::{Admission, BucketRef, QuotaRef};
pub use connections::{
    outbound_channel, ConnectionError, ConnectionInfo, ConnectionRegistry, Outbound,
    OutboundSender, OUTBOUND_CAPACITY,
};
pub use decision::{CacheStats, Decision, QuotaDecision, Usage};
pub use embedded::EmbeddedConfig;
pub use error::StateError;
pub use period::{from_unix_secs, QuotaPeriod};
pub use policy::{FailurePolicy, OnStateError};
pub use records::{
    quota_key, ApiKey, ApiStage, CreatedApiKey, NewApiKey, NewUsagePlan, Quota, Throttle, UsagePlan,
};
pub use redis::RedisConfig;
pub use secret::{hash_value, GENERATED_VALUE_LEN, MAX_VALUE_LEN, MIN_VALUE_LEN, PREFIX_LEN};

/// The gateway's state; cheap to clone (clones share the back end).
#[derive(Clone)]
pub struct State {
    backend: Arc<Backend>,
    /// Redis: how it was reached, for the connection registry's own subscription.
    redis_config: Option<Arc<RedisConfig>>,
}

enum Backend {
    Embedded(embedded::Embedded),
    Redis(redis::Redis),
}

/// Calls the same method on whichever back end; embedded calls are synchronous.
macro_rules! dispatch {
    ($self:ident, $b:ident => embedded $e:expr, redis $r:expr) => {
        match &*$self.backend {
            $crate::Backend::Embedded($b) => $e,
            $crate::Backend::Redis($b) => $r,
        }
    };
}
pub(crate) use dispatch;

impl State {
    /// Opens (creating) the embedded state in `config.data_dir`.
    pub fn embedded(config: &EmbeddedConfig) -> Result<State, StateError> {
        Ok(State::from(Backend::Embedded(embedded::Embedded::open(
            config,
        )?)))
    }

    /// Connects to Redis (lazily for one server: an unreachable server is handled by the
    /// failure policy, not refused here).
    pub async fn redis(config: &RedisConfig) -> Result<State, StateError> {
        let mut state = State::from(Backend::Redis(redis::Redis::connect(config).await?));
        state.redis_config = Some(Arc::new(config.clone()));
        Ok(state)
    }

    fn from(backend: Backend) -> State {
        State {
            backend: Arc::new(backend),
            redis_config: None,
        }
    }

    /// A WebSocket connection registry on this back end: embedded, or on this Redis (sharing
    /// its connection) so that every node reaches every connection. Falls back to embedded,
    /// with an error logged, if the Redis subscription cannot even be set up (a bad URL).
    pub async fn connection_registry(&self) -> ConnectionRegistry {
        let (Backend::Redis(redis), Some(config)) = (&*self.backend, &self.redis_config) else {
            return ConnectionRegistry::embedded();
        };
        match ConnectionRegistry::on_redis(redis.conn(), config).await {
            Ok(registry) => registry,
            Err(error) => {
                tracing::error!(%error, "WebSocket connections stay on this node only");
                ConnectionRegistry::embedded()
            }
        }
    }

    /// Takes one token from the bucket `key` (capacity `burst`, refilled at `rate_per_sec`),
    /// creating it full. Never fails: a back-end error answers with the throttle failure policy.
    pub async fn take(
        &self,
        key: &str,
        rate_per_sec: f64,
        burst: u64,
        now: SystemTime,
    ) -> Decision {
        let now_us = period::unix_micros(now);
        dispatch!(self, b => embedded b.take(key, rate_per_sec, burst, now_us),
                            redis b.take(key, rate_per_sec, burst, now_us).await)
    }

    /// Counts one request against the quota `key` (see [`quota_key`]) if the current period has
    /// room. `plan_created` places the first period, whose limit is reduced by `quota.offset`.
    /// Never fails: a back-end error answers with the quota failure policy.
    pub async fn consume(
        &self,
        key: &str,
        quota: &Quota,
        plan_created: SystemTime,
        now: SystemTime,
    ) -> QuotaDecision {
        let bounds = quota.period.bounds(now);
        let limit = effective_limit(quota, plan_created, bounds);
        dispatch!(self, b => embedded match b.consume(key, limit, bounds) {
            Ok(decision) => decision,
            Err(error) => {
                tracing::error!(%error, "quota check failed");
                QuotaDecision { allowed: false, remaining: 0, degraded: true }
            }
        }, redis b.consume(key, limit, bounds).await)
    }

    /// Used and remaining requests of the quota `key` in the period containing `now`
    /// (AWS GetUsage's `[used, remaining]`).
    pub async fn usage(
        &self,
        key: &str,
        quota: &Quota,
        plan_created: SystemTime,
        now: SystemTime,
    ) -> Result<Usage, StateError> {
        let bounds = quota.period.bounds(now);
        let limit = effective_limit(quota, plan_created, bounds);
        let used =
            dispatch!(self, b => embedded b.used(key, bounds)?, redis b.used(key, bounds).await?);
        Ok(Usage {
            used,
            remaining: limit.saturating_sub(used),
            period_start: bounds.0,
            period_end: bounds.1,
        })
    }

    /// Writes pending quota counts to disk (embedded; a no-op on Redis, which is always current).
    pub async fn flush(&self) -> Result<(), StateError> {
        dispatch!(self, b => embedded b.flush(), redis { let _ = b; Ok(()) })
    }

    /// A cached value, if present and not expired; counted as a hit or a miss.
    pub async fn cache_get(&self, key: &str) -> Option<Bytes> {
        dispatch!(self, b => embedded b.cache_get(key), redis b.cache_get(key).await)
    }

    /// Caches `value` for `ttl` (a zero TTL caches nothing). Failures are logged, not returned.
    pub async fn cache_put(&self, key: &str, value: Bytes, ttl: Duration) {
        dispatch!(self, b => embedded b.cache_put(key, value, ttl), redis b.cache_put(key, value, ttl).await)
    }

    /// Removes one cached value.
    pub async fn cache_invalidate(&self, key: &str) {
        dispatch!(self, b => embedded b.cache_invalidate(key), redis b.cache_invalidate(key).await)
    }

    /// Hits and misses counted by this instance.
    pub fn cache_stats(&self) -> CacheStats {
        dispatch!(self, b => embedded b.cache_stats(), redis b.cache_stats())
    }
}

/// The quota's limit in the period `bounds`: reduced by the offset in the plan's first period.
fn effective_limit(quota: &Quota, plan_created: SystemTime, bounds: (u64, u64)) -> u64 {
    let created = period::unix_secs(plan_created);
    if created >= bounds.0 && created < bounds.1 {
        quota.limit.saturating_sub(quota.offset)
    } else {
        quota.limit
    }
}

#[cfg(test)]
mod tests;
