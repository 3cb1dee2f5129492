//! What a hot-path call answers when the back end fails (`--on-state-error open|closed`), and the
//! rate-limited log line that says so.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// On a back-end error: let the request through (`Open`) or refuse it (`Closed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnStateError {
    Open,
    Closed,
}

/// The policy per kind of check. Default: throttles open (an outage must not take the API down),
/// quotas closed (a quota is a contract about how much may be served).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailurePolicy {
    pub throttle: OnStateError,
    pub quota: OnStateError,
}

impl Default for FailurePolicy {
    fn default() -> FailurePolicy {
        FailurePolicy {
            throttle: OnStateError::Open,
            quota: OnStateError::Closed,
        }
    }
}

impl OnStateError {
    /// `open` or `closed`.
    pub fn parse(text: &str) -> Option<OnStateError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "open" => Some(OnStateError::Open),
            "closed" => Some(OnStateError::Closed),
            _ => None,
        }
    }
}

impl FailurePolicy {
    /// Parses `--on-state-error`: `open` or `closed` for every kind, or per kind
    /// `throttle=open,quota=closed` (kinds not named keep their default).
    pub fn parse(text: &str) -> Result<FailurePolicy, String> {
        if let Some(all) = OnStateError::parse(text) {
            return Ok(FailurePolicy::all(all));
        }
        let bad = || {
            format!("{text:?}: expected open, closed, or KIND=open|closed,... with KIND throttle or quota")
        };
        let mut policy = FailurePolicy::default();
        for part in text.split(',') {
            let (kind, value) = part.split_once('=').ok_or_else(bad)?;
            let value = OnStateError::parse(value).ok_or_else(bad)?;
            match kind.trim() {
                "throttle" => policy.throttle = value,
                "quota" => policy.quota = value,
                _ => return Err(bad()),
            }
        }
        Ok(policy)
    }

    /// The same policy for every kind.
    pub fn all(policy: OnStateError) -> FailurePolicy {
        FailurePolicy {
            throttle: policy,
            quota: policy,
        }
    }
}

/// Logs back-end failures at most once per interval, and the recovery once.
#[derive(Debug)]
pub(crate) struct FailureLog {
    last_logged_secs: AtomicU64,
    down: AtomicBool,
    interval: Duration,
}

impl FailureLog {
    pub fn new(interval: Duration) -> FailureLog {
        FailureLog {
            last_logged_secs: AtomicU64::new(0),
            down: AtomicBool::new(false),
            interval,
        }
    }

    pub fn failed(&self, operation: &'static str, error: &dyn std::fmt::Display) {
        self.down.store(true, Ordering::Relaxed);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let last = self.last_logged_secs.load(Ordering::Relaxed);
        if now >= last + self.interval.as_secs().max(1)
            && self
                .last_logged_secs
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            tracing::warn!(
                operation,
                %error,
                "state back end unavailable: applying the on-state-error policy until it recovers"
            );
        }
    }

    pub fn succeeded(&self) {
        if self.down.load(Ordering::Relaxed) && self.down.swap(false, Ordering::Relaxed) {
            tracing::info!("state back end reachable again");
        }
    }
}

#[cfg(test)]
mod tests;
