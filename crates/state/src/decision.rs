//! What a throttle or quota check answers.

use std::time::Duration;

/// The answer of [`crate::State::take`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decision {
    /// The request may proceed (a token was taken).
    pub allowed: bool,
    /// When refused: how long until a token is available (`None` when the bucket never refills,
    /// or when the answer comes from the failure policy).
    pub retry_after: Option<Duration>,
    /// The answer comes from the on-state-error policy because the back end failed.
    pub degraded: bool,
}

/// The answer of [`crate::State::consume`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaDecision {
    /// The request may proceed (it was counted).
    pub allowed: bool,
    /// Requests left in the current period after this one (0 when `degraded`: unknown).
    pub remaining: u64,
    /// The answer comes from the on-state-error policy because the back end failed.
    pub degraded: bool,
}

/// Quota usage of one key in one plan for the current period, like AWS GetUsage's
/// `[used, remaining]` entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usage {
    /// Requests counted in the period.
    pub used: u64,
    /// Requests left in the period.
    pub remaining: u64,
    /// Period start, seconds since the Unix epoch (UTC).
    pub period_start: u64,
    /// Period end (exclusive), seconds since the Unix epoch (UTC).
    pub period_end: u64,
}

/// Response cache hit and miss counts since the state was opened (CacheHitCount/CacheMissCount).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    pub hits: u64,
    pub misses: u64,
}
