//! One call for every limit a request meets: its token buckets in order, then its quota, with
//! the same answers as [`State::take`] on each bucket followed by [`State::consume`] — the first
//! refusing bucket stops the walk (earlier buckets keep the token they gave), and the quota is
//! counted only when every bucket admitted the request. Names are resolved once, when the
//! gateway compiles a route's limits ([`State::bucket`], [`State::quota`]), so a request formats
//! no keys; on a single Redis server the whole walk is one script, one round trip.

use std::sync::Arc;
use std::time::SystemTime;

use crate::{dispatch, period, Quota, State, Throttle};

/// A token bucket, named for the back end once.
#[derive(Debug, Clone, PartialEq)]
pub struct BucketRef {
    /// The name given to [`State::take`].
    pub(crate) name: Arc<str>,
    /// Its Redis key (empty on the embedded back end).
    pub(crate) redis_key: Arc<str>,
    pub(crate) rate: f64,
    pub(crate) burst: u64,
}

impl BucketRef {
    /// The name given to [`State::take`].
    pub fn name(&self) -> &str {
        &self.name
    }
}

/// A quota counter, named for the back end once.
#[derive(Debug, Clone, PartialEq)]
pub struct QuotaRef {
    /// The key given to [`State::consume`].
    pub(crate) key: Arc<str>,
    /// Its Redis key without the period start (empty on the embedded back end).
    pub(crate) redis_prefix: Arc<str>,
    pub(crate) quota: Quota,
    pub(crate) plan_created: SystemTime,
}

/// What [`State::admit`] answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission {
    Allowed,
    /// The bucket at this index refused (or the throttle failure policy did, at index 0).
    Throttled(usize),
    /// The quota is exhausted (or the quota failure policy refused).
    QuotaExceeded,
}

impl State {
    /// The bucket `name` with `throttle`, for [`State::admit`].
    pub fn bucket(&self, name: &str, throttle: Throttle) -> BucketRef {
        let redis_key =
            dispatch!(self, b => embedded { let _ = b; String::new() }, redis b.bucket_key(name));
        BucketRef {
            name: name.into(),
            redis_key: redis_key.into(),
            rate: throttle.rate_limit,
            burst: throttle.burst_limit,
        }
    }

    /// The quota counter `key` (see [`crate::quota_key`]) of a plan created at `plan_created`.
    pub fn quota(&self, key: &str, quota: Quota, plan_created: SystemTime) -> QuotaRef {
        let redis_prefix = dispatch!(self, b => embedded { let _ = b; String::new() }, redis b.quota_key_prefix(key));
        QuotaRef {
            key: key.into(),
            redis_prefix: redis_prefix.into(),
            quota,
            plan_created,
        }
    }

    /// Takes a token from each of `buckets` in order, then counts one request against `quota`.
    /// Never fails: back-end errors answer with the failure policy, as `take` and `consume` do.
    pub async fn admit(
        &self,
        buckets: &[BucketRef],
        quota: Option<&QuotaRef>,
        now: SystemTime,
    ) -> Admission {
        let now_us = period::unix_micros(now);
        let quota = quota.map(|q| {
            let bounds = q.quota.period.bounds(now);
            (
                q,
                crate::effective_limit(&q.quota, q.plan_created, bounds),
                bounds,
            )
        });
        dispatch!(self, b => embedded {
            for (index, bucket) in buckets.iter().enumerate() {
                if !b.take(&bucket.name, bucket.rate, bucket.burst, now_us).allowed {
                    return Admission::Throttled(index);
                }
            }
            let Some((q, limit, bounds)) = quota else {
                return Admission::Allowed;
            };
            match b.consume(&q.key, limit, bounds) {
                Ok(decision) if decision.allowed => Admission::Allowed,
                Ok(_) => Admission::QuotaExceeded,
                Err(error) => {
                    tracing::error!(%error, "quota check failed");
                    Admission::QuotaExceeded
                }
            }
        }, redis b.admit(buckets, quota, now_us).await)
    }
}
