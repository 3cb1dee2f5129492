//! The throttling stage, run right after authorization: token buckets in API Gateway's order —
//! the usage plan's per-method throttle for the caller's API key, the usage plan's throttle, the
//! stage's `MethodSettings` throttle for the method, the account's — then the usage plan's quota. A refused bucket answers 429
//! `{"message":"Too Many Requests"}` (THROTTLED), an exhausted quota 429
//! `{"message":"Limit Exceeded"}` (QUOTA_EXCEEDED). Buckets and counters live in the shared
//! [`State`], so gateways on one Redis share every limit.
//!
//! A usage plan applies when the method requires an API key and the key presented belongs to a
//! plan bound to the request's API and stage (AWS: "API keys ... associated with usage plans").

mod keys;
mod plan;
mod records;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::SystemTime;

use arc_swap::ArcSwap;
use http::request::Parts;
use turnpike_model::{Deployment, GatewayResponseType, MethodThrottle};
use turnpike_state::{State, Throttle};

use crate::authorize::api_key::ApiKeyLookup;
use crate::context::RequestContext;
use crate::gateway_response::GatewayError;
use crate::snapshot::Snapshot;

pub(crate) use keys::StateKeys;

#[cfg(test)]
mod tests;

/// The gateway's traffic control: its state and the account-level throttle.
pub(crate) struct Traffic {
    state: State,
    account: Throttle,
    records: Arc<records::Records>,
    keys: Arc<dyn ApiKeyLookup>,
    /// By API id: its stage's MethodSettings throttles, from the current deployment.
    methods: ArcSwap<BTreeMap<String, Vec<MethodThrottle>>>,
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

impl Traffic {
    pub(crate) fn new(state: State, account: Throttle) -> Traffic {
        let records = Arc::new(records::Records::new(state.clone()));
        Traffic {
            keys: Arc::new(StateKeys {
                records: records.clone(),
            }),
            records,
            state,
            account,
            methods: ArcSwap::default(),
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
        for api in &mut snapshot.apis {
            match Arc::get_mut(api) {
                Some(api) => api.auth.api_keys = self.keys.clone(),
                // Only a snapshot already shared could refuse; `build` never returns one.
                None => tracing::error!("API keys not attached: the snapshot is already in use"),
            }
        }
    }

    /// Admits the request or answers THROTTLED / QUOTA_EXCEEDED.
    pub(crate) async fn check(
        &self,
        ctx: &RequestContext,
        parts: &Parts,
    ) -> Result<(), GatewayError> {
        let now = SystemTime::now();
        let plan = plan::for_request(&self.records, ctx, parts).await;
        if let Some(plan) = &plan {
            if let Some(t) = plan.method_throttle {
                self.take(&plan.bucket(Some(&plan.method)), t, now).await?;
            }
            if let Some(t) = plan.plan.throttle {
                self.take(&plan.bucket(None), t, now).await?;
            }
        }
        if let Some((bucket, t)) = self.method_throttle(ctx, parts) {
            self.take(&bucket, t, now).await?;
        }
        self.take(ACCOUNT_BUCKET, self.account, now).await?;
        if let Some(plan) = &plan {
            if let Some(quota) = &plan.plan.quota {
                let created = turnpike_state::from_unix_secs(plan.plan.created_date);
                let key = turnpike_state::quota_key(&plan.plan.id, &plan.key_id);
                if !self.state.consume(&key, quota, created, now).await.allowed {
                    return Err(GatewayError::new(GatewayResponseType::QuotaExceeded));
                }
            }
        }
        Ok(())
    }

    /// The most specific MethodSettings throttle for this request's method, and its bucket (one
    /// per method and stage, also for `/*` `*` settings, as API Gateway keeps them).
    fn method_throttle(&self, ctx: &RequestContext, parts: &Parts) -> Option<(String, Throttle)> {
        let api = ctx.api.as_ref()?;
        let methods = self.methods.load();
        let settings = methods.get(&api.id)?;
        let resource = &api.routes.get(ctx.route?)?.resource_path;
        let method = parts.method.as_str();
        let best = settings
            .iter()
            .filter(|s| s.applies(resource, method))
            .max_by_key(|s| s.specificity())?;
        let stage = ctx.stage.as_ref().map_or("", |s| s.name.as_str());
        Some((
            format!("method:{}:{stage}:{resource}/{method}", api.id),
            Throttle {
                rate_limit: best.rate_limit,
                burst_limit: best.burst_limit,
            },
        ))
    }

    async fn take(&self, bucket: &str, t: Throttle, now: SystemTime) -> Result<(), GatewayError> {
        if self
            .state
            .take(bucket, t.rate_limit, t.burst_limit, now)
            .await
            .allowed
        {
            Ok(())
        } else {
            Err(GatewayError::new(GatewayResponseType::Throttled))
        }
    }
}
