//! Which usage plan governs a request: the plan of the presented API key that is bound to the
//! request's API and stage, with the method's own throttle if the plan sets one.

use http::request::Parts;
use turnpike_state::{Throttle, UsagePlan};

use super::records::Records;

use crate::context::RequestContext;

/// A usage plan applying to one request.
#[derive(Debug)]
pub(crate) struct AppliedPlan {
    pub(crate) plan: UsagePlan,
    pub(crate) key_id: String,
    /// `{resourcePath}/{httpMethod}`, as plans key their method throttles.
    pub(crate) method: String,
    pub(crate) method_throttle: Option<Throttle>,
}

impl AppliedPlan {
    /// The per-key bucket of the plan, or of one of its methods.
    pub(crate) fn bucket(&self, method: Option<&str>) -> String {
        match method {
            Some(m) => format!("plan:{}:{}:{m}", self.plan.id, self.key_id),
            None => format!("plan:{}:{}", self.plan.id, self.key_id),
        }
    }
}

/// The plan for this request, if its method requires an API key and the key (read from
/// `x-api-key`; the authorize stage has already checked it) is in a plan for this API stage.
pub(crate) async fn for_request(
    records: &Records,
    ctx: &RequestContext,
    parts: &Parts,
) -> Option<AppliedPlan> {
    let api = ctx.api.as_ref()?;
    let stage = ctx.stage.as_ref()?;
    let route = ctx.route?;
    let (_, api_key_required) = api.auth.routes.get(route)?;
    if !api_key_required {
        return None;
    }
    let value = parts.headers.get("x-api-key")?.to_str().ok()?;
    let hash = turnpike_state::hash_value(value);
    let key = match records.key_by_hash(&hash).await {
        Ok(key) => key?,
        Err(error) => {
            tracing::error!(%error, "usage plan lookup failed");
            return None;
        }
    };
    let method = format!(
        "{}/{}",
        api.routes.get(route)?.resource_path,
        parts.method.as_str()
    );
    for plan_id in &key.usage_plan_ids {
        let plan = match records.plan(plan_id).await {
            Ok(Some(plan)) => plan,
            Ok(None) => continue,
            Err(error) => {
                tracing::error!(%error, "usage plan lookup failed");
                return None;
            }
        };
        let Some(bound) = plan
            .api_stages
            .iter()
            .find(|s| s.api_id == api.id && s.stage == stage.name)
        else {
            continue;
        };
        let method_throttle = bound.throttle.get(&method).copied();
        return Some(AppliedPlan {
            key_id: key.id,
            method,
            method_throttle,
            plan,
        });
    }
    None
}
