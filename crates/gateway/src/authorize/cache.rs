//! The authorizer cache: a Lambda authorizer's answer for a set of identity-source values, kept
//! for the authorizer's TTL. The answer (policy and context) is what is cached, never the
//! decision: a cached policy is evaluated again against each request's own method ARN, so a
//! policy cached for one method can deny another.
//!
//! In-process and shared by every worker (it lives in the compiled snapshot); bounded, so that
//! clients sending ever new tokens cannot grow it without limit. A later issue moves it to the
//! shared state store.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::lambda::Answer;

/// At most this many answers are kept per authorizer; when full, expired ones are dropped, then
/// everything (a cache miss only costs an invocation).
const MAX_ENTRIES: usize = 10_000;

/// Identity-source values → (expiry, answer).
type Entries = HashMap<Vec<String>, (Instant, Arc<Answer>)>;

/// Cached answers of one authorizer, by identity-source values.
#[derive(Debug, Default)]
pub(crate) struct AuthorizerCache {
    entries: Mutex<Entries>,
}

impl AuthorizerCache {
    /// The answer cached for `key`, if it has not expired at `now`.
    pub(crate) fn get(&self, key: &[String], now: Instant) -> Option<Arc<Answer>> {
        let entries = self.entries.lock().ok()?;
        let (expires, answer) = entries.get(key)?;
        (now < *expires).then(|| answer.clone())
    }

    /// Keeps `answer` for `key` until `now + ttl`; a zero TTL keeps nothing.
    pub(crate) fn put(&self, key: Vec<String>, answer: Arc<Answer>, ttl: Duration, now: Instant) {
        if ttl.is_zero() {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, (expires, _)| now < *expires);
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
        }
        entries.insert(key, (now + ttl, answer));
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }
}
