//! API keys and usage plans as the request path reads them: from the state, remembered for a
//! second so that a request does not pay for the same database reads twice (authorize, then
//! throttle) nor every request for the same plan. Changes made meanwhile (`turnpike keys`,
//! `turnpike usage-plans`) apply within that second; a key not found is never remembered, so a
//! new key works at once.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use turnpike_state::{ApiKey, State, StateError, UsagePlan};

/// How long a read is reused.
const TTL: Duration = Duration::from_secs(1);
/// Entries kept at most per map; past it the map starts afresh (bounded memory under key spraying).
const MAX_ENTRIES: usize = 10_000;

/// The state's keys and plans, read through a short-lived memory.
pub(crate) struct Records {
    pub(crate) state: State,
    keys: Mutex<HashMap<String, (Instant, ApiKey)>>,
    plans: Mutex<HashMap<String, (Instant, UsagePlan)>>,
}

impl Records {
    pub(crate) fn new(state: State) -> Records {
        Records {
            state,
            keys: Mutex::default(),
            plans: Mutex::default(),
        }
    }

    /// The key whose value has this lowercase hex SHA-256.
    pub(crate) async fn key_by_hash(&self, hash: &str) -> Result<Option<ApiKey>, StateError> {
        if let Some(key) = fresh(&self.keys, hash) {
            return Ok(Some(key));
        }
        let key = self.state.api_key_by_hash(hash).await?;
        if let Some(key) = &key {
            remember(&self.keys, hash, key.clone());
        }
        Ok(key)
    }

    /// The plan with this id.
    pub(crate) async fn plan(&self, id: &str) -> Result<Option<UsagePlan>, StateError> {
        if let Some(plan) = fresh(&self.plans, id) {
            return Ok(Some(plan));
        }
        let plan = self.state.get_usage_plan(id).await?;
        if let Some(plan) = &plan {
            remember(&self.plans, id, plan.clone());
        }
        Ok(plan)
    }
}

fn fresh<T: Clone>(map: &Mutex<HashMap<String, (Instant, T)>>, id: &str) -> Option<T> {
    let map = map.lock().ok()?;
    let (at, value) = map.get(id)?;
    (at.elapsed() < TTL).then(|| value.clone())
}

fn remember<T>(map: &Mutex<HashMap<String, (Instant, T)>>, id: &str, value: T) {
    if let Ok(mut map) = map.lock() {
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
        map.insert(id.to_owned(), (Instant::now(), value));
    }
}
