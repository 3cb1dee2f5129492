//! `AWS::ApiGateway::UsagePlan`, `AWS::ApiGateway::ApiKey` and `AWS::ApiGateway::UsagePlanKey`
//! → [`UsagePlans`]. `Ref` of a key or a plan is its logical id here, which is how
//! `UsagePlanKey` names them.

use std::collections::BTreeMap;

use serde_json::Value;

use super::resolved::{RNode, RVal};
use super::stack::Stack;
use crate::load::context::{At, Node};
use crate::usage_plan::{ApiKeyDecl, PlanQuota, PlanStage, UsagePlanDecl, UsagePlans};

pub(super) const USAGE_PLAN: &str = "AWS::ApiGateway::UsagePlan";
pub(super) const API_KEY: &str = "AWS::ApiGateway::ApiKey";
pub(super) const USAGE_PLAN_KEY: &str = "AWS::ApiGateway::UsagePlanKey";

/// Reads one resource of the three types into `out`.
pub(super) fn read<'d>(
    stack: &mut Stack<'d>,
    id: &str,
    kind: &str,
    node: &Node<'d>,
    out: &mut UsagePlans,
) {
    let props = match node.get("Properties") {
        Some(p) => match stack.eval(&p) {
            Ok(Some(props)) => props,
            _ => return,
        },
        None => RNode {
            ptr: node.ptr.clone(),
            val: RVal::Map(Vec::new()),
        },
    };
    match kind {
        USAGE_PLAN => {
            if let Some(plan) = plan(stack, id, &props) {
                out.plans.push(plan);
            }
        }
        API_KEY => out.keys.push(ApiKeyDecl {
            logical_id: id.to_owned(),
            name: text(stack, &props, "Name").unwrap_or_else(|| id.to_owned()),
            value: text(stack, &props, "Value"),
            enabled: !matches!(
                props.get("Enabled").map(|n| &n.val),
                Some(RVal::Scalar(Value::Bool(false)))
            ) && props.get("Enabled").and_then(RNode::text).as_deref() != Some("false"),
        }),
        _ => {
            let plan = text(stack, &props, "UsagePlanId");
            let key = text(stack, &props, "KeyId");
            match (plan, key) {
                (Some(plan), Some(key)) => out.members.push((plan, key)),
                _ => stack.error(
                    &props.ptr,
                    At::Value,
                    "an AWS::ApiGateway::UsagePlanKey needs UsagePlanId and KeyId",
                ),
            }
        }
    }
}

fn text(stack: &mut Stack<'_>, props: &RNode, key: &str) -> Option<String> {
    props.get(key).and_then(|n| stack.text(n, key))
}

fn plan(stack: &mut Stack<'_>, id: &str, props: &RNode) -> Option<UsagePlanDecl> {
    let mut api_stages = Vec::new();
    for item in props.get("ApiStages").map(RNode::items).unwrap_or_default() {
        let api_id = text(stack, item, "ApiId")?;
        let stage = text(stack, item, "Stage")?;
        let mut throttle = BTreeMap::new();
        for (method, settings) in item.get("Throttle").map(RNode::entries).unwrap_or_default() {
            throttle.insert(method.clone(), throttle_of(stack, settings)?);
        }
        api_stages.push(PlanStage {
            api_id,
            stage,
            throttle,
        });
    }
    let throttle = match props.get("Throttle") {
        Some(t) => Some(throttle_of(stack, t)?),
        None => None,
    };
    let quota = match props.get("Quota") {
        Some(q) => {
            let limit = q
                .get("Limit")
                .and_then(|n| stack.integer(n, "Limit", 0, u64::MAX));
            let period = text(stack, q, "Period")?.to_ascii_uppercase();
            if !["DAY", "WEEK", "MONTH"].contains(&period.as_str()) {
                let message = format!("Period must be DAY, WEEK or MONTH; found {period}");
                stack.error(&q.ptr, At::Value, message);
                return None;
            }
            let offset = match q.get("Offset") {
                Some(n) => stack.integer(n, "Offset", 0, u64::MAX)?,
                None => 0,
            };
            Some(PlanQuota {
                limit: limit?,
                period,
                offset,
            })
        }
        None => None,
    };
    Some(UsagePlanDecl {
        logical_id: id.to_owned(),
        name: text(stack, props, "UsagePlanName").unwrap_or_else(|| id.to_owned()),
        description: text(stack, props, "Description"),
        api_stages,
        throttle,
        quota,
    })
}

/// `ThrottleSettings`: `RateLimit` (a number) and `BurstLimit`.
fn throttle_of(stack: &mut Stack<'_>, node: &RNode) -> Option<(f64, u64)> {
    let rate = match node.get("RateLimit") {
        Some(n) => match n.text().and_then(|t| t.parse::<f64>().ok()) {
            Some(r) if r.is_finite() && r >= 0.0 => r,
            _ => {
                stack.error(&n.ptr, At::Value, "RateLimit must be a non-negative number");
                return None;
            }
        },
        None => 10_000.0,
    };
    let burst = match node.get("BurstLimit") {
        Some(n) => stack.integer(n, "BurstLimit", 0, u64::from(u32::MAX))?,
        None => 5_000,
    };
    Some((rate, burst))
}
