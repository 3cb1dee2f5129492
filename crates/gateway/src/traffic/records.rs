//! API keys as the request path reads them: from the state, remembered for a second so that a
//! stream of requests with one key pays for one database read a second, not one each. Changes
//! made meanwhile (`turnpike keys`, `turnpike usage-plans add-key`) apply within that second; a
//! key not found is never remembered, so a new key works at once.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use turnpike_state::{State, StateError};

use crate::authorize::api_key::ApiKeyRecord;

/// How long a read is reused.
pub(crate) const TTL: Duration = Duration::from_secs(1);
/// Entries kept at most; past it stale entries go, then all (bounded memory under key spraying).
pub(crate) const MAX_ENTRIES: usize = 10_000;

/// Keys read, by the SHA-256 of their value, with when they were read.
type Remembered = HashMap<[u8; 32], (Instant, Arc<ApiKeyRecord>)>;

/// The state's keys, read through a short-lived memory keyed by the SHA-256 of the value.
pub(crate) struct Records {
    pub(crate) state: State,
    keys: RwLock<Remembered>,
}

impl Records {
    pub(crate) fn new(state: State) -> Records {
        Records {
            state,
            keys: RwLock::default(),
        }
    }

    /// The key whose value has this SHA-256.
    pub(crate) async fn key(
        &self,
        value_sha256: [u8; 32],
    ) -> Result<Option<Arc<ApiKeyRecord>>, StateError> {
        if let Ok(keys) = self.keys.read() {
            if let Some((at, key)) = keys.get(&value_sha256) {
                if at.elapsed() < TTL {
                    return Ok(Some(Arc::clone(key)));
                }
            }
        }
        let Some(key) = self.state.api_key_by_hash(&hex(&value_sha256)).await? else {
            return Ok(None);
        };
        let record = Arc::new(ApiKeyRecord {
            id: key.id,
            name: key.name,
            enabled: key.enabled,
            usage_plan_ids: key.usage_plan_ids,
        });
        if let Ok(mut keys) = self.keys.write() {
            let now = Instant::now();
            if keys.len() >= MAX_ENTRIES {
                keys.retain(|_, (at, _)| now.duration_since(*at) < TTL);
                if keys.len() >= MAX_ENTRIES {
                    keys.clear();
                }
            }
            keys.insert(value_sha256, (now, Arc::clone(&record)));
        }
        Ok(Some(record))
    }
}

/// Lowercase hex, the form the state stores hashes in.
pub(crate) fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}
