//! The token bucket arithmetic, shared by the embedded back end and mirrored by the Redis script.
//!
//! A bucket holds up to `burst` tokens and starts full; it refills continuously at `rate` tokens
//! per second; a request takes one token or is refused. Over any interval of T seconds at most
//! `burst + rate·T` requests are accepted, which is API Gateway's documented model.

use std::time::Duration;

/// One bucket's state: tokens left at `updated_us` (microseconds since the epoch).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Bucket {
    pub tokens: f64,
    pub updated_us: u64,
}

impl Bucket {
    /// A full bucket.
    pub fn full(burst: u64, now_us: u64) -> Bucket {
        Bucket {
            tokens: burst as f64,
            updated_us: now_us,
        }
    }

    /// Refills up to `now_us` and takes one token if there is one. A clock that went backwards
    /// (another node's, through Redis) refills nothing rather than un-refilling.
    pub fn take(&mut self, rate: f64, burst: u64, now_us: u64) -> (bool, Option<Duration>) {
        let capacity = burst as f64;
        if now_us > self.updated_us {
            let elapsed = (now_us - self.updated_us) as f64 / 1e6;
            self.tokens = (self.tokens + elapsed * rate.max(0.0)).min(capacity);
            self.updated_us = now_us;
        }
        // A plan edited to a smaller burst must not keep the old capacity.
        self.tokens = self.tokens.min(capacity);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            return (true, None);
        }
        if rate > 0.0 && capacity >= 1.0 {
            let wait = (1.0 - self.tokens) / rate;
            return (false, Some(Duration::from_secs_f64(wait)));
        }
        (false, None)
    }

    /// True when the bucket would be full at `now_us`: it can be forgotten without changing any
    /// future answer.
    pub fn is_full_at(&self, rate: f64, burst: u64, now_us: u64) -> bool {
        let elapsed = now_us.saturating_sub(self.updated_us) as f64 / 1e6;
        self.tokens + elapsed * rate >= burst as f64
    }
}

#[cfg(test)]
mod tests;
