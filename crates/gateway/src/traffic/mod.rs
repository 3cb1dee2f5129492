//! The throttling stage, run right after authorization: token buckets in API Gateway's order —
//! the usage plan's per-method throttle for the caller's API key, the usage plan's throttle, the
//! stage's `MethodSettings` throttle for the method, the account's — then the usage plan's quota. A refused bucket answers 429
//! `{"message":"Too Many Requests"}` (THROTTLED), an exhausted quota 429
//! `{"message":"Limit Exceeded"}` (QUOTA_EXCEEDED). Buckets and counters live in the shared
//! [`State`], so gateways on one Redis share every limit.
//!
//! A usage plan applies when the method requires an API key and the key presented belongs to a
//! plan bound to the request's API and stage (AWS: "API keys ... associated with usage plans").
//!
//! The request path formats no names and reads no records: a request's limits are compiled once
//! ([`plan::compile`]) and remembered per key record, API, stage, route and method — for a
//! second when a key's plan is involved (plan edits apply within it), else until the next
//! deployment — and all of them are checked in one [`State::admit`] call (one Redis round trip).

mod keys;
mod plan;
mod records;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, RwLock};
use std::time::{Instant, SystemTime};

use arc_swap::ArcSwap;
use http::request::Parts;
use http::Method;
use turnpike_model::{Deployment, GatewayResponseType, MethodThrottle};
use turnpike_state::{Admission, BucketRef, State, Throttle};

use crate::authorize::api_key::{ApiKeyLookup, ApiKeyRecord};
use crate::context::RequestContext;
use crate::gateway_response::GatewayError;
use crate::snapshot::{CompiledApi, Snapshot, StageInfo};

pub(crate) use keys::StateKeys;

#[cfg(test)]
mod tests;

/// The gateway's traffic control: its state and the account-level throttle.
pub(crate) struct Traffic {
    state: State,
    account: BucketRef,
    keys: Arc<dyn ApiKeyLookup>,
    /// By API id: its stage's MethodSettings throttles, from the current deployment.
    methods: ArcSwap<BTreeMap<String, Vec<MethodThrottle>>>,
    /// Compiled limits; emptied by each deployment.
    limits: RwLock<HashMap<LimitsKey, Cached>>,
}

impl std::fmt::Debug for Traffic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Traffic")
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

/// The bucket every request of the account draws from.
const ACCOUNT_BUCKET: &str = "account";

/// Identifies compiled limits: the addresses of the key record (0: none), the API and the stage,
/// with the route and the request's method. [`Cached`] holds those three alive, so no other
/// object can take an address while its entry exists.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct LimitsKey {
    key: usize,
    api: usize,
    stage: usize,
    route: usize,
    method: Method,
}

struct Cached {
    limits: Arc<plan::Limits>,
    /// When a key's plan was read for them: they are read again after [`records::TTL`].
    expires: Option<Instant>,
    _holds: (Option<Arc<ApiKeyRecord>>, Arc<CompiledApi>, Arc<StageInfo>),
}

impl Traffic {
    pub(crate) fn new(state: State, account: Throttle) -> Traffic {
        let records = Arc::new(records::Records::new(state.clone()));
        Traffic {
            keys: Arc::new(StateKeys { records }),
            account: state.bucket(ACCOUNT_BUCKET, account),
            state,
            methods: ArcSwap::default(),
            limits: RwLock::default(),
        }
    }

    /// Takes `deployment`'s throttles and points every API of its freshly built `snapshot` at the
    /// state's API keys.
    pub(crate) fn attach(&self, snapshot: &mut Snapshot, deployment: &Deployment) {
        let methods = deployment
            .apis
            .iter()
            .filter(|api| !api.method_throttles.is_empty())
            .map(|api| (api.id.clone(), api.method_throttles.clone()))
            .collect();
        self.methods.store(Arc::new(methods));
        if let Ok(mut limits) = self.limits.write() {
            limits.clear();
        }
        for api in &mut snapshot.apis {
            match Arc::get_mut(api) {
                Some(api) => api.auth.api_keys = self.keys.clone(),
                // Only a snapshot already shared could refuse; `build` never returns one.
                None => tracing::error!("API keys not attached: the snapshot is already in use"),
            }
        }
        for api in &mut snapshot.websocket_apis {
            crate::websocket::attach_api_keys(api, &self.keys);
        }
    }

    /// Admits the request or answers THROTTLED / QUOTA_EXCEEDED.
    pub(crate) async fn check(
        &self,
        ctx: &RequestContext,
        parts: &Parts,
    ) -> Result<(), GatewayError> {
        let now = SystemTime::now();
        let admission = match self.limits(ctx, parts).await {
            Some(limits) => {
                self.state
                    .admit(&limits.buckets, limits.quota.as_ref(), now)
                    .await
            }
            None => {
                self.state
                    .admit(std::slice::from_ref(&self.account), None, now)
                    .await
            }
        };
        match admission {
            Admission::Allowed => Ok(()),
            Admission::Throttled(_) => Err(GatewayError::new(GatewayResponseType::Throttled)),
            Admission::QuotaExceeded => Err(GatewayError::new(GatewayResponseType::QuotaExceeded)),
        }
    }

    /// Admits one WebSocket event (a `$connect` handshake or a message): the stage's throttle
    /// for its route (`route`: bucket name and limits), then the account's bucket. True when
    /// allowed.
    pub(crate) async fn admit_websocket(&self, route: Option<(&str, Throttle)>) -> bool {
        let mut buckets = Vec::with_capacity(2);
        if let Some((name, throttle)) = route {
            buckets.push(self.state.bucket(name, throttle));
        }
        buckets.push(self.account.clone());
        let admission = self.state.admit(&buckets, None, SystemTime::now()).await;
        matches!(admission, Admission::Allowed)
    }

    /// The request's compiled limits (`None` before routing: the account's bucket only).
    async fn limits(&self, ctx: &RequestContext, parts: &Parts) -> Option<Arc<plan::Limits>> {
        let (api, stage, route) = (ctx.api.as_ref()?, ctx.stage.as_ref()?, ctx.route?);
        // The key's plan applies only where the method requires a key (the authorize stage sets
        // `api_key` only then).
        let key = ctx.api_key.as_ref();
        let id = LimitsKey {
            key: key.map_or(0, |k| Arc::as_ptr(k).addr()),
            api: Arc::as_ptr(api).addr(),
            stage: Arc::as_ptr(stage).addr(),
            route,
            method: parts.method.clone(),
        };
        let now = Instant::now();
        if let Ok(cache) = self.limits.read() {
            if let Some(cached) = cache.get(&id) {
                if cached.expires.is_none_or(|at| now < at) {
                    return Some(Arc::clone(&cached.limits));
                }
            }
        }
        let methods = self.methods.load();
        let request = plan::Request {
            api,
            stage,
            route,
            method: parts.method.as_str(),
            key: key.map(|k| &**k),
            method_settings: methods.get(&api.id).map_or(&[], Vec::as_slice),
        };
        let (limits, complete) = plan::compile(&self.state, &self.account, &request).await;
        let limits = Arc::new(limits);
        if complete {
            if let Ok(mut cache) = self.limits.write() {
                if cache.len() >= records::MAX_ENTRIES {
                    cache.retain(|_, c| c.expires.is_none_or(|at| now < at));
                    if cache.len() >= records::MAX_ENTRIES {
                        cache.clear();
                    }
                }
                let cached = Cached {
                    limits: Arc::clone(&limits),
                    expires: key.map(|_| now + records::TTL),
                    _holds: (key.cloned(), Arc::clone(api), Arc::clone(stage)),
                };
                cache.insert(id, cached);
            }
        }
        Some(limits)
    }
}
