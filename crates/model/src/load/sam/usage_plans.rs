//! `AWS::ApiGateway::UsagePlan`, `AWS::ApiGateway::ApiKey` and `AWS::ApiGateway::UsagePlanKey`
//! → [`UsagePlans`]. `Ref` of a key or a plan is its logical id here, which is how
//! `UsagePlanKey` names them.

use std::collections::BTreeMap;

use serde_json::Value;

use super::resolved::{RNode, RVal};
use super::stack::Stack;
use crate::auth::ApiKeySource;
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

/// Logical ids of the resources `CreateUsagePlan: SHARED` makes, one set for every such API.
const SHARED_PLAN: &str = "ServerlessUsagePlan";
const SHARED_KEY: &str = "ServerlessApiKey";
/// `Auth.UsagePlan` properties SAM accepts.
const AUTH_USAGE_PLAN: &[&str] = &[
    "CreateUsagePlan",
    "Description",
    "Quota",
    "Tags",
    "Throttle",
    "UsagePlanName",
];
/// `CreateUsagePlan` values SAM accepts (an early SAM branch called PER_API `SINGLE`; released
/// SAM refuses it).
const CREATE_USAGE_PLAN: &[&str] = &["PER_API", "SHARED", "NONE"];

/// The logical ids (and types) of the resources SAM generates for the REST API `api_logical_id`
/// from `Auth.UsagePlan`, its own (`api`, `None` for the implicit API) or `Globals`', so that
/// the template's own resources can `Ref` them (a `UsagePlanKey` adding a key to
/// `<Api>UsagePlan` is the usual case). Only a literal `CreateUsagePlan` is read here; anything
/// else is reported by [`from_auth`].
pub(super) fn generated_resources(
    root: &Node<'_>,
    api_logical_id: &str,
    api: Option<&Node<'_>>,
) -> Vec<(String, &'static str)> {
    let create = |node: Option<Node<'_>>| {
        node.and_then(|n| n.get("Auth")?.get("UsagePlan")?.get("CreateUsagePlan"))
            .and_then(|c| c.value.as_str().map(str::to_owned))
    };
    let own = create(api.and_then(|a| a.get("Properties")));
    let global = || create(root.get("Globals").and_then(|g| g.get("Api")));
    let prefix = match own.or_else(global).as_deref() {
        Some("PER_API") => api_logical_id.to_owned(),
        Some("SHARED") => "Serverless".to_owned(),
        _ => return Vec::new(),
    };
    vec![
        (format!("{prefix}UsagePlan"), USAGE_PLAN),
        (format!("{prefix}ApiKey"), API_KEY),
        (format!("{prefix}UsagePlanKey"), USAGE_PLAN_KEY),
    ]
}

/// SAM's `Auth.UsagePlan` of the REST API `api_logical_id` (its own or from `Globals`), deployed
/// as `api_id` to `stage`: the usage plan, API key and plan membership SAM generates.
/// `PER_API` makes `<Api>UsagePlan`, `<Api>ApiKey` and `<Api>UsagePlanKey` bound to this API's
/// stage; `SHARED` makes one `ServerlessUsagePlan`, `ServerlessApiKey` and
/// `ServerlessUsagePlanKey` bound to the stages of every `SHARED` API, whose settings are those
/// of the last such API (SAM regenerates the plan per API, the last one written wins); `NONE`
/// makes nothing. The keys are enabled and have no `Value`: AWS generates one, so do we.
pub(super) fn from_auth<'d>(
    stack: &mut Stack<'d>,
    api_logical_id: &str,
    props: Option<&super::resolved::Raw<'d>>,
    api_id: &str,
    stage: &str,
    out: &mut UsagePlans,
) {
    let Some(raw) = props.and_then(|p| p.get("Auth")?.get("UsagePlan")) else {
        return;
    };
    let Ok(Some(node)) = stack.eval_raw(&raw) else {
        return;
    };
    let Some(entries) = stack.mapping(&node, "Auth.UsagePlan") else {
        return;
    };
    stack.check_keys(entries, AUTH_USAGE_PLAN, "Auth.UsagePlan");
    let Some(create) = node.get("CreateUsagePlan") else {
        let message = format!(
            "Auth.UsagePlan needs CreateUsagePlan ({})",
            CREATE_USAGE_PLAN.join(", ")
        );
        stack.error(&node.ptr, At::Value, message);
        return;
    };
    let Some(create_text) = stack.text(create, "CreateUsagePlan") else {
        return;
    };
    if !CREATE_USAGE_PLAN.contains(&create_text.as_str()) {
        let message = format!(
            "CreateUsagePlan must be one of {}; found {create_text}",
            CREATE_USAGE_PLAN.join(", ")
        );
        stack.error(&create.ptr, At::Value, message);
        return;
    }
    if let Some(tags) = node.get("Tags") {
        // Tags only label the plan in AWS; checked for shape, not kept.
        stack.list(tags, "Auth.UsagePlan.Tags");
    }
    let (plan_id, key_id) = match create_text.as_str() {
        "PER_API" => (
            format!("{api_logical_id}UsagePlan"),
            format!("{api_logical_id}ApiKey"),
        ),
        "SHARED" => (SHARED_PLAN.to_owned(), SHARED_KEY.to_owned()),
        _ => return,
    };
    let Some(mut decl) = plan(stack, &plan_id, &node) else {
        return;
    };
    let bound = PlanStage {
        api_id: api_id.to_owned(),
        stage: stage.to_owned(),
        throttle: BTreeMap::new(),
    };
    match out.plans.iter_mut().find(|p| p.logical_id == plan_id) {
        // A later SHARED API: its stage joins the plan and its settings replace the plan's.
        Some(existing) => {
            decl.api_stages = std::mem::take(&mut existing.api_stages);
            if !decl.api_stages.contains(&bound) {
                decl.api_stages.push(bound);
            }
            *existing = decl;
        }
        None => {
            decl.api_stages = vec![bound];
            out.plans.push(decl);
        }
    }
    if !out.keys.iter().any(|k| k.logical_id == key_id) {
        out.keys.push(ApiKeyDecl {
            logical_id: key_id.clone(),
            name: key_id.clone(),
            value: None,
            enabled: true,
        });
        out.members.push((plan_id, key_id));
    }
}

/// SAM's `ApiKeySourceType` (`HEADER` or `AUTHORIZER`), passed by SAM to the RestApi, where it
/// overrides the body's `x-amazon-apigateway-api-key-source`; `None` when absent or wrong
/// (reported).
pub(super) fn api_key_source(stack: &mut Stack<'_>, props: &RNode) -> Option<ApiKeySource> {
    let node = props.get("ApiKeySourceType")?;
    match stack.text(node, "ApiKeySourceType")?.as_str() {
        "HEADER" => Some(ApiKeySource::Header),
        "AUTHORIZER" => Some(ApiKeySource::Authorizer),
        other => {
            let message = format!("ApiKeySourceType must be HEADER or AUTHORIZER; found {other}");
            stack.error(&node.ptr, At::Value, message);
            None
        }
    }
}
