//! The Redis back end: every node talks to the same Redis (or cluster), so N gateways share one
//! limit. Buckets and quotas are atomic scripts; keys and plans are hashes and sets under one
//! cluster hash tag (`{admin}`) so their multi-key updates stay atomic; cache entries are
//! `SET … PX`. Each call is bounded by `op_timeout`; on failure the hot-path calls answer with the
//! [`FailurePolicy`] and the connection reconnects with backoff on its own.

mod records;
mod scripts;

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster_async::ClusterConnection;
use redis::{Cmd, Pipeline, RedisFuture, Value};

use std::fmt::Write as _;

use crate::policy::FailureLog;
use crate::{
    Admission, BucketRef, CacheStats, Decision, FailurePolicy, OnStateError, QuotaDecision,
    QuotaRef, StateError,
};

/// Settings of the Redis back end.
#[derive(Debug, Clone)]
pub struct RedisConfig {
    /// `redis://host:port/db` (or `rediss://`); several URLs, or `redis+cluster://` URLs, mean a
    /// Redis Cluster whose seed nodes they are.
    pub urls: Vec<String>,
    /// Prefix of every key Turnpike writes.
    pub prefix: String,
    /// Longest a single call may take before the failure policy answers.
    pub op_timeout: Duration,
    /// Answers of throttle and quota checks while Redis fails.
    pub on_error: FailurePolicy,
}

impl RedisConfig {
    /// Defaults for one URL: prefix `turnpike`, 250 ms per call, default failure policy.
    pub fn new(url: impl Into<String>) -> RedisConfig {
        RedisConfig {
            urls: vec![url.into()],
            prefix: "turnpike".into(),
            op_timeout: Duration::from_millis(250),
            on_error: FailurePolicy::default(),
        }
    }
}

/// One server through a reconnecting manager, or a cluster (whose connection reconnects itself).
#[derive(Clone)]
pub(crate) enum Conn {
    Single(ConnectionManager),
    Cluster(ClusterConnection),
}

impl ConnectionLike for Conn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Conn::Single(c) => c.req_packed_command(cmd),
            Conn::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Conn::Single(c) => c.req_packed_commands(pipeline, offset, count),
            Conn::Cluster(c) => c.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Conn::Single(c) => c.get_db(),
            Conn::Cluster(c) => c.get_db(),
        }
    }
}

/// The limit of key and plan management calls, off the request path. The connection's own
/// response timeout is this one too; hot-path calls are cut shorter by [`Redis::bounded`].
pub(crate) fn admin_timeout(op_timeout: Duration) -> Duration {
    (op_timeout * 10).max(Duration::from_secs(2))
}

/// Runs `call` within `limit`, logging failures of `operation` (rate-limited) and recoveries
/// to `log`.
pub(crate) async fn bounded<T, F>(
    log: &FailureLog,
    operation: &'static str,
    limit: Duration,
    call: F,
) -> Result<T, StateError>
where
    F: Future<Output = redis::RedisResult<T>>,
{
    let result = match tokio::time::timeout(limit, call).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(StateError::from(e)),
        Err(_) => Err(StateError::Redis(format!(
            "no answer within {} ms",
            limit.as_millis()
        ))),
    };
    match &result {
        Ok(_) => log.succeeded(),
        Err(e) => log.failed(operation, e),
    }
    result
}

pub(crate) struct Redis {
    conn: Conn,
    prefix: String,
    op_timeout: Duration,
    on_error: FailurePolicy,
    log: FailureLog,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl Redis {
    /// Connects lazily to one server (a down server at start is an outage like any other), or
    /// eagerly to a cluster (whose topology must be read once).
    pub async fn connect(config: &RedisConfig) -> Result<Redis, StateError> {
        let is_cluster = config.urls.len() > 1
            || config
                .urls
                .iter()
                .any(|u| u.starts_with("redis+cluster://"));
        let conn = if is_cluster {
            let urls: Vec<String> = config
                .urls
                .iter()
                .map(|u| u.replacen("redis+cluster://", "redis://", 1))
                .collect();
            let client = redis::cluster::ClusterClient::builder(urls)
                .connection_timeout(config.op_timeout.max(Duration::from_millis(500)))
                .response_timeout(admin_timeout(config.op_timeout))
                .build()?;
            Conn::Cluster(client.get_async_connection().await?)
        } else {
            let url = config
                .urls
                .first()
                .ok_or_else(|| StateError::BadRequest("no Redis URL".into()))?;
            let client = redis::Client::open(url.as_str())?;
            let manager = ConnectionManagerConfig::new()
                .set_connection_timeout(Some(config.op_timeout.max(Duration::from_millis(500))))
                .set_response_timeout(Some(admin_timeout(config.op_timeout)))
                .set_min_delay(Duration::from_millis(50))
                .set_max_delay(Duration::from_secs(2))
                .set_number_of_retries(6);
            Conn::Single(ConnectionManager::new_lazy_with_config(client, manager)?)
        };
        Ok(Redis {
            conn,
            prefix: config.prefix.clone(),
            op_timeout: config.op_timeout,
            on_error: config.on_error,
            log: FailureLog::new(Duration::from_secs(10)),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        })
    }

    /// The connection, shared with the WebSocket connection registry.
    pub(crate) fn conn(&self) -> Conn {
        self.conn.clone()
    }

    /// Runs one call within the timeout, logging failures (rate-limited) and recoveries.
    /// Key and plan management (`admin`) is off the request path and gets ten times longer.
    async fn bounded<T, F>(&self, operation: &'static str, call: F) -> Result<T, StateError>
    where
        F: Future<Output = redis::RedisResult<T>>,
    {
        let limit = if operation == "admin" {
            admin_timeout(self.op_timeout)
        } else {
            self.op_timeout
        };
        bounded(&self.log, operation, limit, call).await
    }

    pub async fn take(&self, key: &str, rate: f64, burst: u64, now_us: u64) -> Decision {
        let mut conn = self.conn.clone();
        let redis_key = self.bucket_key(key);
        let mut call = scripts::TAKE.key(&redis_key);
        call.arg(rate).arg(burst).arg(now_us);
        match self
            .bounded("throttle", call.invoke_async::<(i64, i64)>(&mut conn))
            .await
        {
            Ok((allowed, wait_us)) => Decision {
                allowed: allowed == 1,
                retry_after: u64::try_from(wait_us).ok().map(Duration::from_micros),
                degraded: false,
            },
            Err(_) => Decision {
                allowed: self.on_error.throttle == OnStateError::Open,
                retry_after: None,
                degraded: true,
            },
        }
    }

    /// `tb`: buckets are `SET` strings, not the hashes `bucket:` keys of older versions were.
    pub(crate) fn bucket_key(&self, key: &str) -> String {
        format!("{}:tb:{key}", self.prefix)
    }

    fn quota_key(&self, key: &str, period_start: u64) -> String {
        format!("{}{period_start}", self.quota_key_prefix(key))
    }

    /// The quota counter's key up to its period start.
    pub(crate) fn quota_key_prefix(&self, key: &str) -> String {
        format!("{}:quota:{key}:", self.prefix)
    }

    /// [`crate::State::admit`]: one script on a single server. A cluster may hold the keys in
    /// different slots, which one script cannot touch, so there each limit is its own call.
    pub async fn admit(
        &self,
        buckets: &[BucketRef],
        quota: Option<(&QuotaRef, u64, (u64, u64))>,
        now_us: u64,
    ) -> Admission {
        if let Conn::Cluster(_) = self.conn {
            for (index, bucket) in buckets.iter().enumerate() {
                if !self
                    .take(&bucket.name, bucket.rate, bucket.burst, now_us)
                    .await
                    .allowed
                {
                    return Admission::Throttled(index);
                }
            }
            return match quota {
                Some((q, limit, bounds)) if !self.consume(&q.key, limit, bounds).await.allowed => {
                    Admission::QuotaExceeded
                }
                _ => Admission::Allowed,
            };
        }
        let mut conn = self.conn.clone();
        let mut cmd = redis::cmd("EVALSHA");
        cmd.arg(scripts::ADMIT.get_hash())
            .arg(buckets.len() + usize::from(quota.is_some()));
        for bucket in buckets {
            cmd.arg(bucket.redis_key.as_bytes());
        }
        let mut quota_key = String::new();
        if let Some((q, _, bounds)) = quota {
            quota_key.reserve(q.redis_prefix.len() + 20);
            quota_key.push_str(&q.redis_prefix);
            let _ = write!(quota_key, "{}", bounds.0);
            cmd.arg(quota_key.as_bytes());
        }
        cmd.arg(now_us).arg(buckets.len());
        for bucket in buckets {
            cmd.arg(bucket.rate).arg(bucket.burst);
        }
        if let Some((_, limit, bounds)) = quota {
            // Kept a day past the period so GetUsage of a just-ended period still answers.
            cmd.arg(limit).arg(bounds.1.saturating_add(86_400));
        }
        let call = async {
            match cmd.query_async::<(i64, i64)>(&mut conn).await {
                Err(e)
                    if e.kind() == redis::ErrorKind::Server(redis::ServerErrorKind::NoScript) =>
                {
                    redis::cmd("SCRIPT")
                        .arg("LOAD")
                        .arg(scripts::ADMIT_SOURCE.as_str())
                        .query_async::<String>(&mut conn)
                        .await?;
                    cmd.query_async::<(i64, i64)>(&mut conn).await
                }
                other => other,
            }
        };
        match self.bounded("throttle", call).await {
            Ok((0, _)) => Admission::Allowed,
            Ok((1, index)) => Admission::Throttled(usize::try_from(index).unwrap_or(0)),
            Ok(_) => Admission::QuotaExceeded,
            // What `take` on each bucket, then `consume`, answer while Redis fails.
            Err(_) if self.on_error.throttle == OnStateError::Closed && !buckets.is_empty() => {
                Admission::Throttled(0)
            }
            Err(_) if quota.is_some() && self.on_error.quota == OnStateError::Closed => {
                Admission::QuotaExceeded
            }
            Err(_) => Admission::Allowed,
        }
    }

    pub async fn consume(&self, key: &str, limit: u64, period: (u64, u64)) -> QuotaDecision {
        let mut conn = self.conn.clone();
        let redis_key = self.quota_key(key, period.0);
        // Kept a day past the period so GetUsage of a just-ended period still answers.
        let expire_at = period.1.saturating_add(86_400);
        let mut call = scripts::CONSUME.key(&redis_key);
        call.arg(limit).arg(expire_at);
        match self
            .bounded("quota", call.invoke_async::<(i64, u64)>(&mut conn))
            .await
        {
            Ok((allowed, used)) => QuotaDecision {
                allowed: allowed == 1,
                remaining: limit.saturating_sub(used),
                degraded: false,
            },
            Err(_) => QuotaDecision {
                allowed: self.on_error.quota == OnStateError::Open,
                remaining: 0,
                degraded: true,
            },
        }
    }

    pub async fn used(&self, key: &str, period: (u64, u64)) -> Result<u64, StateError> {
        let mut conn = self.conn.clone();
        let redis_key = self.quota_key(key, period.0);
        let used: Option<u64> = self
            .bounded(
                "usage",
                redis::cmd("GET").arg(&redis_key).query_async(&mut conn),
            )
            .await?;
        Ok(used.unwrap_or(0))
    }

    fn cache_key(&self, key: &str) -> String {
        format!("{}:cache:{key}", self.prefix)
    }

    /// A failed read is a miss: a cache outage only costs integration calls.
    pub async fn cache_get(&self, key: &str) -> Option<Bytes> {
        let mut conn = self.conn.clone();
        let got: Option<Vec<u8>> = self
            .bounded(
                "cache",
                redis::cmd("GET")
                    .arg(self.cache_key(key))
                    .query_async(&mut conn),
            )
            .await
            .ok()
            .flatten();
        let counter = if got.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        got.map(Bytes::from)
    }

    pub async fn cache_put(&self, key: &str, value: Bytes, ttl: Duration) {
        let millis = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
        if millis == 0 {
            return;
        }
        let mut conn = self.conn.clone();
        let mut set = redis::cmd("SET");
        set.arg(self.cache_key(key))
            .arg(value.as_ref())
            .arg("PX")
            .arg(millis);
        let _ = self
            .bounded("cache", set.query_async::<()>(&mut conn))
            .await;
    }

    pub async fn cache_invalidate(&self, key: &str) {
        let mut conn = self.conn.clone();
        let mut del = redis::cmd("DEL");
        del.arg(self.cache_key(key));
        let _ = self
            .bounded("cache", del.query_async::<()>(&mut conn))
            .await;
    }

    pub fn cache_stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
        }
    }
}
