//! Which limits a request meets, in API Gateway's order: the usage plan's per-method throttle for
//! the caller's API key, the usage plan's throttle, the stage's `MethodSettings` throttle for the
//! method, the account's; then the usage plan's quota. Compiled once per key record, API, stage,
//! route and method — bucket and counter names included — and reused (see `Traffic::limits`).
//!
//! A usage plan applies when the method requires an API key and the key the authorize stage
//! admitted (from `x-api-key`, or a Lambda authorizer's `usageIdentifierKey` when the API's key
//! source is AUTHORIZER) belongs to a plan bound to the request's API and stage (AWS: "API keys
//! ... associated with usage plans"); the first such plan of the key applies.

use turnpike_model::MethodThrottle;
use turnpike_state::{BucketRef, QuotaRef, State, Throttle};

use crate::authorize::api_key::ApiKeyRecord;
use crate::snapshot::{CompiledApi, StageInfo};

/// Every limit one request meets, in order.
#[derive(Debug)]
pub(crate) struct Limits {
    pub(crate) buckets: Vec<BucketRef>,
    pub(crate) quota: Option<QuotaRef>,
}

/// What [`compile`] needs to know about the request.
pub(crate) struct Request<'a> {
    pub(crate) api: &'a CompiledApi,
    pub(crate) stage: &'a StageInfo,
    pub(crate) route: usize,
    pub(crate) method: &'a str,
    /// The admitted API key, when the method requires one.
    pub(crate) key: Option<&'a ApiKeyRecord>,
    /// The stage's `MethodSettings` throttles of this API.
    pub(crate) method_settings: &'a [MethodThrottle],
}

/// The request's limits, and whether they are complete: `false` when a usage plan could not be
/// read (logged), in which case they must not be remembered.
pub(crate) async fn compile(
    state: &State,
    account: &BucketRef,
    req: &Request<'_>,
) -> (Limits, bool) {
    let mut limits = Limits {
        buckets: Vec::with_capacity(4),
        quota: None,
    };
    let resource = req
        .api
        .routes
        .get(req.route)
        .map_or("", |r| r.resource_path.as_str());
    let method_key = format!("{resource}/{}", req.method);
    let mut complete = true;
    if let Some(key) = req.key {
        complete = plan_limits(state, req, key, &method_key, &mut limits).await;
    }
    let best = req
        .method_settings
        .iter()
        .filter(|s| s.applies(resource, req.method))
        .max_by_key(|s| s.specificity());
    if let Some(best) = best {
        // One bucket per method and stage, also for `/*` `*` settings, as API Gateway keeps them.
        let name = format!("method:{}:{}:{method_key}", req.api.id, req.stage.name);
        let throttle = Throttle {
            rate_limit: best.rate_limit,
            burst_limit: best.burst_limit,
        };
        limits.buckets.push(state.bucket(&name, throttle));
    }
    limits.buckets.push(account.clone());
    (limits, complete)
}

/// Adds the buckets and quota of `key`'s plan for this API stage, if it has one.
async fn plan_limits(
    state: &State,
    req: &Request<'_>,
    key: &ApiKeyRecord,
    method_key: &str,
    limits: &mut Limits,
) -> bool {
    for plan_id in &key.usage_plan_ids {
        let plan = match state.get_usage_plan(plan_id).await {
            Ok(Some(plan)) => plan,
            Ok(None) => continue,
            Err(error) => {
                tracing::error!(%error, "usage plan lookup failed");
                return false;
            }
        };
        let Some(bound) = plan
            .api_stages
            .iter()
            .find(|s| s.api_id == req.api.id && s.stage == req.stage.name)
        else {
            continue;
        };
        let bucket = format!("plan:{}:{}", plan.id, key.id);
        if let Some(t) = bound.throttle.get(method_key) {
            limits
                .buckets
                .push(state.bucket(&format!("{bucket}:{method_key}"), *t));
        }
        if let Some(t) = plan.throttle {
            limits.buckets.push(state.bucket(&bucket, t));
        }
        if let Some(quota) = plan.quota {
            let created = turnpike_state::from_unix_secs(plan.created_date);
            let name = turnpike_state::quota_key(&plan.id, &key.id);
            limits.quota = Some(state.quota(&name, quota, created));
        }
        return true;
    }
    true
}
